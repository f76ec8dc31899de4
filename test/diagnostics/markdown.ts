// Markdown pieces shared by the renderers of docs/diagnostics.md.

/** A fenced block; `~~~~` when the text itself holds a ``` fence. */
export function codeBlock(lang: string, text: string): string {
  const body = text.endsWith("\n") ? text : text + "\n";
  const fence = body.includes("```") ? "~~~~" : "```";
  return `${fence}${lang}\n${body}${fence}`;
}

export function inlineCode(s: string): string {
  return "`" + s + "`";
}

/** The fence language of a file shown in the docs: TypeScript plugins as `ts`, the rest as `rlp`. */
export function langOf(name: string): string {
  return /\.m?ts$/.test(name) ? "ts" : "rlp";
}
