// Locates the first syntax error in a JSON text (run only after JSON.parse failed, whose message in current V8
// carries no position): a small recursive-descent scanner that builds nothing.

export interface JsonSyntaxError {
  message: string;
  line: number;
  col: number;
}

class Stop extends Error {
  constructor(
    readonly at: number,
    readonly why: string,
  ) {
    super(why);
  }
}

/** The first syntax error in `text`, or undefined when it is valid JSON. */
export function findJsonError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const what = (): string => (i >= text.length ? "end of file" : `'${text[i]}'`);
  const expect = (c: string): void => {
    ws();
    if (text[i] !== c) throw new Stop(i, `expected '${c}', found ${what()}`);
    i++;
  };
  const str = (): void => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) throw new Stop(i, "control character in a string");
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) throw new Stop(i, "bad \\u escape");
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "")) throw new Stop(i, "bad escape in a string");
      }
      i++;
    }
    if (i >= text.length) throw new Stop(i, "unterminated string");
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') throw new Stop(i, `expected a property name in double quotes, found ${what()}`);
        str();
        expect(":");
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else throw new Stop(i, `expected ',' or '}', found ${what()}`);
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else throw new Stop(i, `expected ',' or ']', found ${what()}`);
      }
    }
    if (c === '"') return str();
    const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) throw new Stop(i, `expected a value, found ${what()}`);
    i += m[0].length;
  };
  try {
    value();
    ws();
    if (i < text.length) throw new Stop(i, `unexpected ${what()} after the end of the value`);
    return undefined;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    const before = text.slice(0, e.at);
    const line = before.split("\n").length;
    return { message: e.why, line, col: e.at - before.lastIndexOf("\n") };
  }
}
