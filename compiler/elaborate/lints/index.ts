// The lints, one entry per lint code: a code registered as a warning or an info (grammar/diagnostic_codes.ts) that
// has no entry here is a type error. The elaborator calls runLints at each hook (lint.ts: a reduction, a division,
// a loss) with the facts it has there. To add a lint: register its code (RLP4xx, warning or info), write its check
// with defineLint in a file of this folder (a new hook if none has the facts), list it here, add a case to
// test/diagnostics/cases.ts and regenerate docs/diagnostics.md (test/diagnostics/registry.test.ts checks all three).
import type { LintCode } from "../../../grammar/diagnostic_codes.ts";
import { divisionByCount, divisionByStd } from "./division.ts";
import type { Lint, LintHook, LintHooks } from "./lint.ts";
import { k1AsLoss, lengthBias } from "./loss.ts";
import { maskedMeanOfEmptyRow, maxOverPadding, meanOverPadding } from "./padding.ts";

export type { Lint, LintHook, LintHooks } from "./lint.ts";

type AnyLint = { [H in LintHook]: Lint<LintCode, H> }[LintHook];

// The order is the order lints of one hook run in (and report at one span): RLP405 before RLP402.
export const LINTS = {
  RLP401: meanOverPadding,
  RLP405: divisionByCount,
  RLP402: divisionByStd,
  RLP403: k1AsLoss,
  RLP404: lengthBias,
  RLP406: maxOverPadding,
  RLP407: maskedMeanOfEmptyRow,
} as const satisfies { [C in LintCode]: AnyLint & { readonly code: C } };

const LINT_LIST: readonly AnyLint[] = Object.values(LINTS);

/** Runs the lints of `hook` that are not switched off for this compilation (`--allow CODE`). */
export function runLints<H extends LintHook>(hook: H, facts: LintHooks[H]): void {
  for (const lint of LINT_LIST) {
    if (lint.hook !== hook || facts.ctx.allowed.has(lint.code)) continue;
    (lint as Lint<LintCode, H>).check(facts);
  }
}
