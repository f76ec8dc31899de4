// Per-op-kind conformance entries, keyed by every OpName (a new op kind without an entry is a type error): the
// elementwise kinds here, the structural ones in ops_structural.ts. The unary, binary, reduce, scan and segment
// kinds point at their per-function tables (functions.ts). Expected values are computed by hand.
import type { OpName } from "../../compiler/ir/ir.ts";
import { STRUCTURAL_OPS } from "./ops_structural.ts";
import { lineProgram, NONE, run, W4 } from "./ops_common.ts";
import { t, vec, type OpEntry } from "./types.ts";

const ELEMENTWISE_OPS = {
  input: {
    source: lineProgram("input", ["input x: f32[N] @policy", "input w: f32[N]"], ["output y = x"], "sum(x * w, over=N)"),
    inputs: { x: vec([0, -0, -1.5, 1e30]), w: W4 },
    gradInputs: { x: vec([0.3, -1.2, 0.8, 1.9]), w: W4 },
    exercises: { op: "input" },
    reference: { y: [0, -0, -1.5, Math.fround(1e30)], "dL/dx": [0.5, 1, 1.5, 2] },
    ...run,
  },
  param: {
    source: lineProgram(
      "param",
      ["param beta: f32 = 0.25", "input x: f32[N] @policy"],
      ["output y = beta * x"],
      "sum(y, over=N)",
    ),
    inputs: { x: vec([0, -2, 4, 1e-3]) },
    exercises: { op: "param" },
    reference: { y: [0, -0.5, 1, 0.25 * Math.fround(1e-3)], "dL/dx": [0.25, 0.25, 0.25, 0.25] },
    ...run,
  },
  const: {
    source: lineProgram("const", ["input x: f32[N] @policy"], ["output y = x * 2.0 + 1.5"], "sum(y, over=N)"),
    inputs: { x: vec([0, -0, -1, 3]) },
    exercises: { op: "const" },
    reference: { y: [1.5, 1.5, -0.5, 7.5], "dL/dx": [2, 2, 2, 2] },
    ...run,
  },
  index: {
    source: lineProgram("index", ["input x: f32[N]"], ["output y = index(N)", "output z = f32(index(N)) * x"]),
    inputs: { x: vec([1, 2, 3, 4]) },
    exercises: { op: "index" },
    reference: { y: [0, 1, 2, 3], z: [0, 2, 6, 12] },
    gradient: NONE("an i32 position: no gradient"),
    fused: "run",
    tfjs: "run",
  },
  size: {
    source: lineProgram(
      "size",
      ["input x: f32[N] @policy"],
      ["output n = size(N)", "output y = x / f32(size(N))"],
      "sum(y, over=N)",
    ),
    inputs: { x: vec([1, 2, 3, 4, 5]) },
    exercises: { op: "size" },
    reference: { n: [5], y: [0.2, 0.4, 0.6, 0.8, 1], "dL/dx": [0.2, 0.2, 0.2, 0.2, 0.2] },
    ...run,
  },
  cast: {
    source: lineProgram(
      "cast",
      ["input x: f32[N]", "input b: bool[N]", "input k: i32[N]"],
      ["output i = i32(x)", "output bx = bool(x)", "output fb = f32(b)", "output fk = f32(k)", "output key = id(k) == id(k)"],
    ),
    inputs: { x: vec([1.7, -1.7, -0, 2.5]), b: t("bool", ["N"], [4], [1, 0, 0, 1]), k: t("i32", ["N"], [4], [-3, 0, 2, 7]) },
    exercises: { op: "cast" },
    reference: { i: [1, -1, 0, 2], bx: [1, 1, 0, 1], fb: [1, 0, 0, 1], fk: [-3, 0, 2, 7], key: [1, 1, 1, 1] },
    gradient: NONE("casts to i32/bool/id carry no gradient; f32(x) of an f32 is x"),
    fused: "run",
    tfjs: "run",
  },
  // a true select: log of the negative, unselected entries never leaks NaN into the value or the gradient
  where: {
    source: lineProgram(
      "where",
      ["input x: f32[N] @policy", "input m: bool[N]", "input w: f32[N]"],
      ["output y = where(m, x * 2.0, log(x))"],
      "sum(y * w, over=N)",
    ),
    inputs: { x: vec([-1, 2, 0.5, -3]), m: t("bool", ["N"], [4], [1, 0, 0, 1]), w: W4 },
    exercises: { op: "where" },
    reference: { y: [-2, Math.LN2, -Math.LN2, -6], "dL/dx": [1, 0.5, 3, 4] },
    ...run,
  },
  // derivative 1 strictly inside (lo, hi), 0 at and beyond the bounds
  clamp: {
    source: lineProgram(
      "clamp",
      ["input x: f32[N] @policy", "input w: f32[N]"],
      ["output y = clamp(x, lo=-0.5, hi=0.5)"],
      "sum(y * w, over=N)",
    ),
    inputs: { x: vec([-1, -0.5, 0.5, 0.25]), w: W4 },
    gradInputs: { x: vec([-1, 0.1, 0.3, 2]), w: W4 },
    exercises: { op: "clamp" },
    reference: { y: [-0.5, -0.5, 0.5, 0.25], "dL/dx": [0, 0, 0, 2] },
    ...run,
  },
  // the unselected quotient (a division by zero) is never formed, forward or backward
  safe_div: {
    source: lineProgram(
      "safe_div",
      ["input a: f32[N] @policy", "input d: f32[N] @policy", "input ok: bool[N]", "input w: f32[N]"],
      ["output y = safe_div(a, d, ok, fill=-1.0)"],
      "sum(y * w, over=N)",
    ),
    inputs: { a: vec([1, 2, 3, 0]), d: vec([2, 0, -4, 0]), ok: t("bool", ["N"], [4], [1, 0, 1, 0]), w: W4 },
    exercises: { op: "safe_div" },
    reference: { y: [0.5, -1, -0.75, -1], "dL/da": [0.25, 0, -0.375, 0], "dL/dd": [-0.125, 0, -0.28125, 0] },
    ...run,
  },
  // a stop-gradient: d/dx [detach(x) * x] = detach(x), not 2x, so central differences (which see x²) do not apply
  detach: {
    source: lineProgram("detach", ["input x: f32[N] @policy"], ["output y = detach(x) * x"], "sum(y, over=N)"),
    inputs: { x: vec([0, -1, 2, 3]) },
    exercises: { op: "detach" },
    reference: { y: [0, 1, 4, 9], "dL/dx": [0, -1, 2, 3] },
    gradient: NONE("a stop-gradient is not the derivative: checked by the reference column's dL/dx"),
    fused: "run",
    tfjs: "run",
  },
  unary: { byFunction: "unary" },
  binary: { byFunction: "binary" },
  reduce: { byFunction: "reduce" },
  scan: { byFunction: "scan" },
  segment: { byFunction: "segment" },
} satisfies Partial<Record<OpName, OpEntry>>;

export const OPS = { ...ELEMENTWISE_OPS, ...STRUCTURAL_OPS } satisfies Record<OpName, OpEntry>;
