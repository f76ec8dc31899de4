// Text helpers of the emitted module: type and dim text, TSDoc-safe prose wrapped to the module's width, lists, spacing.
import type { IRType } from "../ir/ir.ts";

/** The module's width in columns. */
export const WIDTH = 120;

export function formatType(t: IRType): string {
  const idx = t.indexOf ? `<${t.indexOf}>` : "";
  return t.dims.length === 0 ? `${t.dtype}${idx}` : `${t.dtype}${idx}[${t.dims.join(",")}]`;
}

export function tupleType(dims: readonly string[]): string {
  return `[${dims.map((d) => JSON.stringify(d)).join(", ")}]`;
}

/** Text safe inside a TSDoc comment. */
export function doc(text: string): string {
  return text.replace(/\*\//g, "*\\/");
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Wraps prose to `width` columns (a TSDoc body: ts-morph adds the ` * ` prefixes). */
export function wrap(text: string, width: number): string {
  const out: string[] = [];
  for (const para of text.split("\n")) {
    let line = "";
    for (const word of para.match(/[^\s`]*`[^`]*`\S*|\S+/g) ?? []) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return doc(out.join("\n"));
}

/** One statement: a TSDoc comment wrapped at 120 columns, then `code`. */
export function documented(description: string, code: string): string {
  const body = wrap(description, 116).split("\n");
  const comment =
    body.length === 1 && body[0]!.length <= 110
      ? `/** ${body[0]} */`
      : ["/**", ...body.map((l) => (l ? ` * ${l}` : " *")), " */"].join("\n");
  return `${comment}\n${code}`;
}

/** A section rule: `// ---...--- title`. */
export function section(title: string): string {
  return `// ${"-".repeat(64)} ${title}`;
}

/** Blank lines between top-level declarations and around section rules; no runs of blank lines. */
export function spaced(text: string): string {
  const lines = text.replace(/\s*$/, "").split("\n");
  const out: string[] = [];
  const starts = /^(\/\/ -{16}|\/\*\*|\/\/ kernel |function |const |export |let )/;
  for (const line of lines) {
    const prev = out[out.length - 1];
    if (
      prev !== undefined &&
      prev !== "" &&
      (/^\/\/ -{16}/.test(prev) || (starts.test(line) && /^(}|};|\))/.test(prev)) || /^\/\/ -{16}/.test(line))
    )
      out.push("");
    out.push(line);
  }
  return `${out.join("\n").replace(/\n{3,}/g, "\n\n")}\n`;
}

export function wrapList(names: readonly string[], indent: string, width = WIDTH): string {
  const lines: string[] = [];
  let line = "";
  for (const n of names) {
    const piece = `${n},`;
    if (line && indent.length + line.length + 1 + piece.length > width) {
      lines.push(`${indent}${line}`);
      line = piece;
    } else line = line ? `${line} ${piece}` : piece;
  }
  if (line) lines.push(`${indent}${line}`);
  return lines.join("\n");
}
