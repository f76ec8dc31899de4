/**
 * THE table of gradient rules: one entry per IR primitive (null: the op passes no gradient).
 *
 * Conventions (the same as test/oracle/reverse_mode.ts, and PyTorch where DESIGN.md 3b says so). g is the cotangent.
 *
 *   strong zero        every product of g with a local derivative d that may be inf or NaN is
 *                      `where(g == 0, 0, g * d)` (GradBuilder.sz): 0 · inf = 0. The simplifier drops the guard
 *                      where d is finite by construction (or g is a nonzero const).
 *   where(c, a, b)     a: where(c, g, 0)   b: where(c, 0, g)   c: none — a true select, never g·mask
 *   safe_div(a,b,ok,f) a: where(ok, g/b, 0)   b: where(ok, −g·a/b², 0)   f: where(ok, 0, g)
 *   clamp(x, lo, hi)   x: g strictly inside (lo, hi), 0 at and beyond the bounds; hi: where max(x, lo) >= hi;
 *                      lo: where x <= lo (and not at hi)
 *   maximum/minimum    a select: the operand that gives the value; ties (and a NaN in a) go to the FIRST operand
 *   abs'(0) = 0        sqrt'(0) = inf       softplus' = sigmoid      lgamma' = digamma (as a graph, digamma.ts)
 *   pow(a, b)          a: b·a^(b−1), 0 when b = 0    b: a^b·log a, 0 when a = 0
 *   div / mod          1/b, −a/b²  /  1, −floor(a/b)      no gradient: sign floor ceil round idiv not
 *   reduce             sum: where(mask, g, 0); mean: the same of g/count (a safe_div); logsumexp: softmax weights
 *                      exp(x − y) (0 at x = −inf); max/min: where(argfirst(x, y, mask), g, 0); count: none.
 *                      Unselected positions get nothing.
 *   scan               cumsum: cumsum of g in the other direction; cummax/cummin: scan_grad(x, g); cumprod:
 *                      exclusive cumprod · (linrec of g in the other direction with x shifted one step), no division
 *   linrec             λ = linrec in the other direction of g with a shifted one step; b: λ, a: λ·y_prev,
 *                      init: a·λ at the first step
 *   shift              x: g shifted back (0 where it falls off); fill: Σ g over the positions that took the fill
 *   segment            sum/mean: segment_sum of g (divided by segment_count); max/min/first: the group's Σg at
 *                      argfirst(x, y, key, mask)
 *   take ↔ put         take: put of g into the taken positions, fill: g where the index is invalid; put: take of g
 *   select ↔ embed     stack: select per label; rename: rename back; log_softmax: g − exp(y)·Σg
 *   custom             the TS node's gradient function: custom_vjp(args..., g) per differentiable argument
 *   broadcasting       a contribution is summed (reduce sum) over the dims its arg lacks
 *   no gradient        detach, comparisons, logic, casts to bool/i32/id, index, size, topk_mask, uniform, argfirst,
 *                      table_get/table_read, params, consts, and every arg that is a mask, key or index
 *
 * Gradients flow only along f32 args whose grad marks are non-empty, and only from nodes whose marks are non-empty.
 */
import type { OpName } from "../../ir/ir.ts";
import { customRule } from "./custom.ts";
import { binaryRule, castRule, clampRule, safeDivRule, unaryRule, whereRule } from "./elementwise.ts";
import { embedRule, logSoftmaxRule, putRule, renameRule, selectRule, stackRule, takeRule } from "./indexing.ts";
import { reduceRule, segmentRule } from "./reduce.ts";
import type { GradRule } from "./rule.ts";
import { linrecRule, scanGradRule, scanRule, shiftRule } from "./scan.ts";

export const GRAD_RULES: Record<OpName, GradRule | null> = {
  input: null,
  param: null,
  const: null,
  index: null,
  size: null,
  unary: unaryRule,
  binary: binaryRule,
  cast: castRule,
  where: whereRule,
  clamp: clampRule,
  safe_div: safeDivRule,
  detach: null,
  reduce: reduceRule,
  scan: scanRule,
  linrec: linrecRule,
  shift: shiftRule,
  segment: segmentRule,
  topk_mask: null,
  uniform: null,
  take: takeRule,
  put: putRule,
  log_softmax: logSoftmaxRule,
  select: selectRule,
  stack: stackRule,
  rename: renameRule,
  argfirst: null,
  scan_grad: scanGradRule,
  embed: embedRule,
  table_get: null,
  table_read: null,
  custom: customRule,
  custom_vjp: null, // a custom node's gradient is not differentiated again
};

export type { Contributions, GradRule } from "./rule.ts";
