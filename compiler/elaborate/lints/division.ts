// Lints of run-time divisions whose denominator can be 0: RLP405 (a count or sum of a mask), RLP402 (a std).
import { defineLint } from "./lint.ts";

export const divisionByCount = defineLint("RLP405", "division", (f) => {
  if (!f.denominator.flags.countLike) return;
  f.ctx.lint(
    "RLP405",
    "division by a count or sum of a mask can be 0/0 for an all-masked row; use safe_div(a, b, b > 0, 0.0)",
    f.opSpan,
    [{ message: "the denominator is computed here", span: f.denominator.flags.countLike }],
  );
});

export const divisionByStd = defineLint("RLP402", "division", (f) => {
  if (!f.denominator.flags.stdLike) return;
  f.ctx.lint(
    "RLP402",
    "normalising by a std without an epsilon divides by 0 for a constant group; add one: x / (std(...) + 1e-6)",
    f.opSpan,
    [{ message: "the std is computed here", span: f.denominator.flags.stdLike }],
  );
});
