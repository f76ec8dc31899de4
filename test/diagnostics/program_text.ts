// Example programs written inline in the diagnostics catalog (cases.ts, plugin_cases.ts).

/**
 * A program as written (raw: a backslash stays a backslash), without its first newline and common indentation, so
 * its line 1 is the first line of the text.
 */
export function rlp(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.raw.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ""), "");
  const lines = raw
    .replace(/^\n/, "")
    .replace(/\n[ \t]*$/, "\n")
    .split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => /^[ \t]*/.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join("\n");
}

/** A TypeScript module (a plugin of custom nodes), written the same way. */
export const ts = rlp;
