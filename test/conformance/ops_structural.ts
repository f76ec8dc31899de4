// Conformance entries of the structural op kinds (scans with state, shifts, selections, gathers, layout ops,
// state tables) and of the gradient-side kinds (argfirst, scan_grad, embed), which are reached through the gradient
// of the op they differentiate, with the expected gradient at ties written out. Expected values are computed by hand.
import { expect } from "vitest";
import type { OpName } from "../../compiler/ir/ir.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import { ALL, lineProgram, NO_GRAD, NONE, PLUGIN, run, W4 } from "./ops_common.ts";
import { f32, t, vec, type OpEntry } from "./types.ts";

export const STRUCTURAL_OPS = {
  // y_t = b_t + a_t * y_(t-1), y_(-1) = init; reversed: y_t = b_t + a_t * y_(t+1), beyond the end 0
  linrec: {
    source: lineProgram(
      "linrec",
      ["input a: f32[N] @policy", "input b: f32[N] @policy", "input init: f32", "input w: f32[N]"],
      ["output y = linrec(a, b, along=N, init=init)", "output r = linrec(a, b, along=N, reverse=true)"],
      "sum((y + r) * w, over=N)",
    ),
    inputs: { a: vec([0.5, 0.5, 2, 0]), b: vec([1, 2, 3, 4]), init: f32([], [], [10]), w: W4 },
    gradInputs: { a: vec([0.5, -0.3, 1.2, 0.7]), b: vec([1, 2, 3, 4]), init: f32([], [], [10]), w: W4 },
    exercises: { op: "linrec" },
    reference: { y: [6, 5, 13, 4], r: [4.75, 7.5, 11, 4] },
    ...run,
  },
  shift: {
    source: lineProgram(
      "shift",
      ["input x: f32[N] @policy", "input w: f32[N]"],
      [
        "output p = prev(x, along=N, fill=-1.0)",
        "output n = next(x, along=N, fill=0.0)",
        "output s = shift(x, along=N, by=2, fill=9.0)",
      ],
      "sum((p + n + s) * w, over=N)",
    ),
    inputs: { x: vec([1, 2, 3, 4]), w: W4 },
    exercises: { op: "shift" },
    reference: { p: [-1, 1, 2, 3], n: [2, 3, 4, 0], s: [9, 9, 1, 2], "dL/dx": [1 + 1.5, 0.5 + 1.5 + 2, 1 + 2, 1.5] },
    ...run,
  },
  // ties go to the earlier position; an all-masked row selects nothing
  topk_mask: {
    source: [
      "pipeline topk {",
      "  dims R, N",
      "  input x: f32[R,N]",
      "  input m: bool[R,N]",
      "  output top = topk_mask(x, k=2, over=N)",
      "  output low = topk_mask(x, k=1, over=N, where=m, largest=false)",
      "}",
    ].join("\n"),
    inputs: {
      x: f32(["R", "N"], [3, 4], [1, 3, 3, 2, 5, 1, 5, 5, -0, 0, -1, -1]),
      m: t("bool", ["R", "N"], [3, 4], [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1]),
    },
    exercises: { op: "topk_mask" },
    reference: { top: [0, 1, 1, 0, 1, 0, 1, 0, 1, 1, 0, 0], low: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1] },
    gradient: NO_GRAD,
    fused: "run",
    tfjs: "run",
  },
  // counter-based: not hand-computable; in [0, 1), distinct, a function of (seed, step, position) on every backend
  uniform: {
    source: lineProgram(
      "uniform",
      ["input step: i32", "input x: f32[N]"],
      [
        "output u = uniform(dims=[N], seed=3, step=step) + 0.0 * x",
        "output v = uniform(dims=[N], seed=3, step=step + 1) + 0.0 * x",
      ],
    ),
    inputs: { step: t("i32", [], [], [7]), x: vec([0, 0, 0, 0, 0, 0]) },
    exercises: { op: "uniform" },
    reference: (r: Record<string, Tensor>) => {
      const u = Array.from(r.u!.data);
      const v = Array.from(r.v!.data);
      for (const x of [...u, ...v]) expect(x >= 0 && x < 1, `uniform value ${x} in [0, 1)`).toBe(true);
      expect(new Set(u).size, "distinct values along N").toBe(u.length);
      expect(u, "another step gives other numbers").not.toEqual(v);
    },
    gradient: NONE("random numbers carry no gradient"),
    fused: "run",
    tfjs: "run",
  },
  // -1 and out of range give fill
  take: {
    source: [
      "pipeline take {",
      "  dims N, V",
      "  input x: f32[V] @policy",
      "  input idx: i32<V>[N]",
      "  input w: f32[N]",
      "  output g = take(x, idx, along=V, fill=-1.0)",
      "  loss L = sum(g * w, over=N)",
      "}",
    ].join("\n"),
    inputs: { x: f32(["V"], [3], [10, 20, 30]), idx: t("i32", ["N"], [4], [2, 0, -1, 2]), w: W4 },
    exercises: { op: "take" },
    reference: { g: [30, 10, -1, 30], "dL/dx": [1, 0, 0.5 + 2] },
    ...run,
  },
  // the adjoint of take: sums x over N into positions along V; -1 drops
  put: {
    source: [
      "pipeline put {",
      "  dims N, V",
      "  input x: f32[N] @policy",
      "  input at: i32<V>[N]",
      "  input z: f32[V]",
      "  output p = put(x, at=at, into=V, over=N) + z",
      "  loss L = sum(p * z, over=V)",
      "}",
    ].join("\n"),
    inputs: { x: vec([1, 2, 3, 4]), at: t("i32", ["N"], [4], [2, 0, 2, -1]), z: f32(["V"], [3], [0.5, 1, 2]) },
    exercises: { op: "put" },
    reference: { p: [2.5, 1, 6], "dL/dx": [2, 0.5, 2, 0] },
    ...run,
  },
  log_softmax: {
    source: [
      "pipeline lsm {",
      "  dims R, V",
      "  input x: f32[R,V] @policy",
      "  input w: f32[R,V]",
      "  output y = log_softmax(x, over=V)",
      "  loss L = sum(y * w, over=[R,V])",
      "}",
    ].join("\n"),
    inputs: { x: f32(["R", "V"], [2, 3], [1, 2, 3, 1000, 1000, 1000]), w: f32(["R", "V"], [2, 3], [1, 0, 0, 0.5, 1, 2]) },
    gradInputs: { x: f32(["R", "V"], [2, 3], [1, 2, 3, -0.5, 0.2, 0.9]), w: f32(["R", "V"], [2, 3], [1, 0, 0, 0.5, 1, 2]) },
    exercises: { op: "log_softmax" },
    reference: {
      y: [1, 2, 3]
        .map((v) => v - Math.log(Math.E + Math.E ** 2 + Math.E ** 3))
        .concat([-Math.log(3), -Math.log(3), -Math.log(3)]),
    },
    ...run,
  },
  // Y is the std pair dim {w, l} (stdlib/preference.rlp); results are in canonical order, T before Y
  select: {
    source: [
      "pipeline sel {",
      "  dims T",
      "  input lp: f32[Y,T] @policy",
      "  output margin = lp[Y=w] - lp[Y=l]",
      "  output first = lp[T=0]",
      "  loss L = sum(margin, over=T) + sum(first * 3.0, over=Y)",
      "}",
    ].join("\n"),
    inputs: { lp: f32(["Y", "T"], [2, 3], [1, 2, 3, 0.5, -1, 0]) },
    exercises: { op: "select" },
    reference: { margin: [0.5, 3, 3], first: [1, 0.5], "dL/dlp": [4, 2, 1, -1, 1, -1] },
    ...run,
  },
  stack: {
    source: [
      "pipeline stack {",
      "  dims T",
      "  input a: f32[T] @policy",
      "  input b: f32[T]",
      "  output s = Y{w: a * 2.0, l: b}",
      "  loss L = sum(s[Y=w], over=T)",
      "}",
    ].join("\n"),
    inputs: { a: vec([1, 2, 3], "T"), b: vec([-1, -0, 4], "T") },
    exercises: { op: "stack" },
    reference: { s: [2, -1, 4, -0, 6, 4], "dL/da": [2, 2, 2] },
    ...run,
  },
  rename: {
    source: [
      "pipeline rename {",
      "  dims T",
      "  dims T2 = T",
      "  input x: f32[T] @policy",
      "  output pairs = x - x[T as T2]",
      "  loss L = sum(pairs * pairs, over=[T,T2])",
      "}",
    ].join("\n"),
    inputs: { x: vec([1, 2, 4], "T") },
    exercises: { op: "rename" },
    // pairs[t, s] = x_t - x_s; L = Σ (x_t - x_s)², dL/dx_k = 4 Σ_s (x_k - x_s)
    reference: { pairs: [0, -1, -3, 1, 0, -2, 3, 2, 0], "dL/dx": [-16, -4, 20] },
    ...run,
  },
  // the gradient of max at a tie goes to the first maximum
  argfirst: {
    source: lineProgram("argfirst", ["input x: f32[N] @policy"], ["output y = max(x, over=N)"], "y * 2.0"),
    inputs: { x: vec([1, 3, 3, 2]) },
    gradInputs: { x: vec([1, 3, 2.5, 2]) },
    exercises: { op: "argfirst" },
    reference: { y: [3], "dL/dx": [0, 2, 0, 0] },
    ...run,
  },
  // each g_s of cummax goes to the position whose value y_s is
  scan_grad: {
    source: lineProgram(
      "scan_grad",
      ["input x: f32[N] @policy", "input w: f32[N]"],
      ["output y = cummax(x, along=N)"],
      "sum(y * w, over=N)",
    ),
    inputs: { x: vec([3, 1, 4, 2]), w: vec([1, 2, 3, 4]) },
    exercises: { op: "scan_grad" },
    reference: { y: [3, 3, 4, 4], "dL/dx": [3, 0, 7, 0] },
    ...run,
  },
  // the adjoint of select
  embed: {
    source: lineProgram("embed", ["input x: f32[N] @policy"], ["output y = x[N=1]"], "y * 3.0"),
    inputs: { x: vec([5, 6, 7]) },
    exercises: { op: "embed" },
    reference: { y: [6], "dL/dx": [0, 3, 0] },
    ...run,
  },
  custom: ALL(PLUGIN),
  custom_vjp: ALL(PLUGIN),
  table_get: {
    source: [
      "pipeline table {",
      "  dims P",
      "  input pid: id[P]",
      "  input reward: f32[P]",
      "  state vhat: table f32 = 0.5",
      "  output a = reward - vhat[pid]",
      "}",
    ].join("\n"),
    inputs: { pid: t("id", ["P"], [3], [0, 4, 0]), reward: f32(["P"], [3], [1, 0, -1]) },
    exercises: { op: "table_get" },
    reference: { a: [0.5, -0.5, -1.5] },
    gradient: NONE("state carries no gradient"),
    fused: "run",
    tfjs: "run",
  },
  table_read: {
    source: [
      "pipeline scalar_state {",
      "  dims P",
      "  input x: f32[P]",
      "  state seen: f32 = 2.0",
      "  output s = x + seen",
      "}",
    ].join("\n"),
    inputs: { x: f32(["P"], [2], [1, -0.5]) },
    exercises: { op: "table_read" },
    reference: { s: [3, 1.5] },
    gradient: NONE("state carries no gradient"),
    fused: "run",
    tfjs: "run",
  },
} satisfies Partial<Record<OpName, OpEntry>>;
