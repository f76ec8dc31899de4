// Plain data as a readable, deterministic TypeScript literal: a value that fits on one line stays there
// (`{ name: "P", size: 2 }`), a longer object or array puts one entry per line. Keys are bare when they are
// identifiers; NaN, Infinity and -0 stay numbers.

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A property name: bare when it is an identifier, else a string literal. */
export function propertyName(key: string): string {
  return IDENT.test(key) ? key : JSON.stringify(key);
}

function numberText(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (Object.is(x, -0)) return "-0";
  return String(x);
}

function inline(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "number") return numberText(v);
  if (typeof v === "string" || typeof v === "boolean") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(inline).join(", ")}]`;
  if (typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return entries.length === 0 ? "{}" : `{ ${entries.map(([k, x]) => `${propertyName(k)}: ${inline(x)}`).join(", ")} }`;
  }
  throw new Error(`literal: cannot print a ${typeof v}`);
}

/**
 * `v` as a literal whose first line starts at column `column` (after `indent`), wrapped to `width` characters.
 * Continuation lines start with `indent` plus two spaces per level.
 */
export function literal(v: unknown, indent = "", column = indent.length, width = 120): string {
  const flat = inline(v);
  if (column + flat.length <= width || v === null || typeof v !== "object") return flat;
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    const items = v.map((x) => `${inner}${literal(x, inner, inner.length, width - 1)},`);
    return `[\n${items.join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return "{}";
  const items = entries.map(([k, x]) => {
    const head = `${inner}${propertyName(k)}: `;
    return `${head}${literal(x, inner, head.length, width - 1)},`;
  });
  return `{\n${items.join("\n")}\n${indent}}`;
}
