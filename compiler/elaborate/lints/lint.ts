// What a lint is: a registered diagnostic code (a warning or an info, grammar/diagnostic_codes.ts), the hook where
// the elaborator calls it with the facts it has there, and the check itself. Lints are switched off by code with
// `// rlp-allow CODE` (one line) or `--allow CODE` (a whole compilation: Ctx.allowed); see docs/diagnostics.md.
import type { Ident, Span } from "../../../grammar/ast.ts";
import { DIAGNOSTIC_CODES, type LintCode } from "../../../grammar/diagnostic_codes.ts";
import type { BuiltinCall } from "../builtins/index.ts";
import type { Ctx } from "../context.ts";
import type { TensorValue } from "../values.ts";

/** A reduction in a pipeline body (not inside a node), once its `over=` and mask are known. */
export interface ReductionFacts {
  ctx: Ctx;
  call: BuiltinCall;
  x: TensorValue;
  over: readonly string[];
  /** The dims of the operand broadcast against its mask. */
  operandDims: readonly string[];
  /** It has a `where=` mask (given, or the pipeline's default mask). */
  masked: boolean;
}

/** A run-time division `a / b` (not folded). */
export interface DivisionFacts {
  ctx: Ctx;
  denominator: TensorValue;
  /** The `/` operator. */
  opSpan: Span;
}

/** A loss that passed the loss rules (a scalar that reaches a trained model). */
export interface LossFacts {
  ctx: Ctx;
  name: Ident;
  value: TensorValue;
  /** The loss's expression. */
  valueSpan: Span;
}

export interface LintHooks {
  reduction: ReductionFacts;
  division: DivisionFacts;
  loss: LossFacts;
}

export type LintHook = keyof LintHooks;

export interface Lint<C extends LintCode = LintCode, H extends LintHook = LintHook> {
  readonly code: C;
  /** The code's title in the registry. */
  readonly title: string;
  readonly hook: H;
  check(facts: LintHooks[H]): void;
}

export function defineLint<C extends LintCode, H extends LintHook>(
  code: C,
  hook: H,
  check: (facts: LintHooks[H]) => void,
): Lint<C, H> {
  return { code, title: DIAGNOSTIC_CODES[code].title, hook, check };
}
