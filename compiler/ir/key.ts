// The identity of a pure node for hash-consing (the elaborator's sharing, autodiff's builder, simplify's CSE):
// op with attributes, args and type. JSON alone would print Infinity, -Infinity and NaN all as `null` (so a
// `const inf` would be shared with a `const -inf`) and -0 as 0: non-finite numbers and -0 get their own spelling.
import type { IRType, Op } from "./ir.ts";

function exactNumbers(_key: string, v: unknown): unknown {
  if (typeof v !== "number") return v;
  if (!Number.isFinite(v)) return `#${v}`;
  return Object.is(v, -0) ? "#-0" : v;
}

export function nodeKey(op: Op, args: readonly number[], type: IRType): string {
  return JSON.stringify([op, args, type], exactNumbers);
}
