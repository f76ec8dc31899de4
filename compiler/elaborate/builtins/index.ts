// The builtin functions: each lowers straight to IR primitives. Std nodes (stdlib/*.rlp) build on these.
import type { Span } from "../../../grammar/ast.ts";
import type { ParamSpec } from "../call.ts";
import type { Ctx, Frame } from "../context.ts";
import type { Hint } from "../expr.ts";
import type { Value } from "../values.ts";
import { MATH_BUILTINS } from "./math.ts";
import { REDUCE_BUILTINS } from "./reduce.ts";
import { SCAN_BUILTINS } from "./scan.ts";
import { INDEXING_BUILTINS } from "./indexing.ts";

export interface BuiltinCall {
  ctx: Ctx;
  frame: Frame;
  span: Span;
  name: string;
  has(param: string): boolean;
  /** The argument's value, elaborated on first use (so a dim argument can be read as a dim). */
  arg(param: string, hint?: Hint): Value | undefined;
  argSpan(param: string): Span;
}

export interface Builtin {
  params: ParamSpec[];
  /** One line for `rlp explain` and docs. */
  doc: string;
  apply(call: BuiltinCall): Value | Value[];
}

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ...MATH_BUILTINS,
  ...REDUCE_BUILTINS,
  ...SCAN_BUILTINS,
  ...INDEXING_BUILTINS,
]);
