// Per-function conformance entries (unary, binary, reduce, scan, segment), keyed by the IR's function names so
// that a new function without an entry is a type error. Each family shares one program: every function reads its
// own inputs (x_FN, or a_FN and b_FN) and writes y_FN (r_FN: reversed scans), and the loss weights every
// differentiable y_FN, so dL/dx_FN isolates that function's gradient. Expected values are computed by hand (or by
// the JS Math function of the same name on the float32-rounded input).
import type { BinaryOpName, ReduceOpName, ScanOpName, SegmentOpName, UnaryOpName } from "../../compiler/ir/ir.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import { f32, t, vec, type Case, type Column, type Skip } from "./types.ts";

const inf = Infinity;
/** Forward edge values of most unary entries: ±0, negative, tiny, large, -inf, NaN. */
const EDGE = [0, -0, -1.5, 2.5, 1e-30, 30, -inf, NaN];
/** Smooth points for gradients. */
const G = [-1.3, -0.2, 0.4, 1.7];
const G_POS = [0.2, 0.7, 1.5, 3];
const W8 = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4];
const W4 = [0.5, 1, 1.5, 2];
const NO_GRAD_BOOL: Skip = { skip: "bool values carry no gradient" };
const NO_GRAD_I32: Skip = { skip: "i32 values carry no gradient" };
const NO_GRAD_CMP: Skip = { skip: "comparisons give bool: no gradient" };

export interface UnaryEntry {
  x: readonly number[];
  /** Expected y, or the function that gives it from the float32-rounded x. */
  expect: readonly number[] | ((x: number) => number);
  grad: readonly number[] | Skip;
  dtype?: "bool";
}

const spec = (f: (x: number) => number, x: readonly number[] = EDGE): Pick<UnaryEntry, "x" | "expect"> => ({ x, expect: f });
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const ROUNDING = [0, -0, -1.5, 2.5, 1e-30, -0.2, -inf, NaN];
const G_ROUND = [0.3, -1.7, 2.2, -0.6];

export const UNARY = {
  neg: { ...spec((x) => -x), grad: G },
  exp: { ...spec(Math.exp), grad: G },
  log: { ...spec(Math.log, [0, -0, -1.5, 2.5, 1e-30, 1e30, inf, NaN]), grad: G_POS },
  log1p: { ...spec(Math.log1p, [0, -0, -1, -1.5, 1e-30, 2.5, inf, NaN]), grad: [-0.5, 0.2, 1.5, 3] },
  expm1: { ...spec(Math.expm1), grad: G },
  sqrt: { ...spec(Math.sqrt, [0, -0, -1.5, 2.5, 1e-30, 1e30, inf, NaN]), grad: G_POS },
  abs: { ...spec(Math.abs), grad: G },
  sign: { x: EDGE, expect: [0, 0, -1, 1, 1, 1, -1, NaN], grad: G },
  tanh: { ...spec(Math.tanh), grad: G },
  sigmoid: { ...spec((x) => 1 / (1 + Math.exp(-x))), grad: G },
  softplus: { ...spec(softplus), grad: G },
  sin: { ...spec(Math.sin), grad: G },
  cos: { ...spec(Math.cos), grad: G },
  floor: { x: ROUNDING, expect: [0, -0, -2, 2, 0, -1, -inf, NaN], grad: G_ROUND },
  ceil: { x: ROUNDING, expect: [0, -0, -1, 3, 1, -0, -inf, NaN], grad: G_ROUND },
  // half to even
  round: { x: [0.5, 1.5, 2.5, -0.5, -1.5, 0.25, -2.75, NaN], expect: [0, 2, 2, -0, -2, 0, -3, NaN], grad: G_ROUND },
  // log|Γ|: Γ(1/2) = √π, Γ(-1/2) = -2√π, 9! = 362880; poles at 0, -1
  lgamma: {
    x: [0.5, 1, 2, 3, 10, -0.5, 0, -1],
    expect: [Math.log(Math.sqrt(Math.PI)), 0, 0, Math.LN2, Math.log(362880), Math.log(2 * Math.sqrt(Math.PI)), inf, inf],
    grad: [0.7, 1.5, 3.25, -0.5],
  },
  not: { x: [1, 0, 1, 0, 0, 1, 1, 0], expect: [0, 1, 0, 1, 1, 0, 0, 1], grad: NO_GRAD_BOOL, dtype: "bool" },
} satisfies Record<UnaryOpName, UnaryEntry>;

export interface BinaryEntry {
  a: readonly number[];
  b: readonly number[];
  expect: readonly number[] | ((a: number, b: number) => number);
  /** Smooth points (a, b) for the gradient w.r.t. both operands. */
  grad: { a: readonly number[]; b: readonly number[] } | Skip;
  dtype?: "i32" | "bool";
  /** The expression over `a` and `b`. */
  expr: string;
  /** tfjs, when it must be skipped (the fused kernels and the reference always run). */
  tfjs?: Skip;
}

const A = [0, -0, 1, -1, 3, -7, 1e30, inf];
const B = [-0, 0, -1, -1, -2, 2, 1e30, -inf];
const GRAD_AB = { a: [0.3, -1.2, 0.8, 1.9], b: [1.1, -0.7, 2.3, -2.5] };
const CMP_A = [0, -0, 1, -1, 3, NaN, 2, 2];
const CMP_B = [-0, 0, 2, -1, -3, 1, NaN, 2];
const cmp = (expr: string, expect: number[]): BinaryEntry => ({ a: CMP_A, b: CMP_B, expect, grad: NO_GRAD_CMP, expr });
const PAIR_A = [0, -0, 1, -1, 3, NaN, 2, -inf];
const PAIR_B = [-0, 0, 1, 2, -3, 1, NaN, 5];

export const BINARY = {
  add: { a: A, b: B, expect: (a, b) => a + b, grad: GRAD_AB, expr: "a + b" },
  sub: { a: A, b: B, expect: (a, b) => a - b, grad: GRAD_AB, expr: "a - b" },
  mul: {
    a: [0, -0, 1, -1, 3, -7, 1e20, inf],
    b: [-0, 5, -1, -1, -2, 2, 1e-20, 0],
    expect: (a, b) => a * b,
    grad: GRAD_AB,
    expr: "a * b",
  },
  div: {
    a: [0, -0, 1, -1, 3, -7, 1e6, inf],
    b: [-0, 0, 0, -1, -2, 2, 1e-3, inf],
    expect: (a, b) => a / b,
    grad: GRAD_AB,
    expr: "a / b",
  },
  // floor division (Python's //)
  idiv: {
    a: [7, -7, 7, -7, 0, 1, 6, -1],
    b: [2, 2, -2, -2, 3, 3, 3, 5],
    expect: [3, -4, -4, 3, 0, 0, 2, -1],
    grad: NO_GRAD_I32,
    dtype: "i32",
    expr: "idiv(a, b)",
  },
  // Python's modulo: the sign of the divisor; x % 0 is NaN; -1 % inf is inf
  mod: {
    a: [5.5, -5.5, 5.5, -5.5, 0, 3, -1, 7],
    b: [2, 2, -2, -2, 3, 0, inf, 2.5],
    expect: [1.5, 0.5, -0.5, -1.5, 0, NaN, inf, 2],
    grad: GRAD_AB,
    expr: "a % b",
    tfjs: {
      skip: "known disagreement: tfjs gives NaN for -1 % inf (reference and fused JS: inf, as Python); issue 10 point 2 (one scalar semantics)",
    },
  },
  pow: {
    a: [2, 2, -8, 0, 0, 4, -2, 10],
    b: [3, -1, 0.5, 0, -1, 0.5, 3, -2],
    expect: [8, 0.5, NaN, 1, inf, 2, -8, 0.01],
    grad: { a: [0.5, 1.5, 2, 3], b: [1.1, -0.4, 2.3, -2] },
    expr: "a ** b",
  },
  maximum: { a: PAIR_A, b: PAIR_B, expect: [0, 0, 1, 2, 3, NaN, NaN, 5], grad: GRAD_AB, expr: "maximum(a, b)" },
  minimum: { a: PAIR_A, b: PAIR_B, expect: [0, 0, 1, -1, -3, NaN, NaN, -inf], grad: GRAD_AB, expr: "minimum(a, b)" },
  eq: cmp("a == b", [1, 1, 0, 1, 0, 0, 0, 1]),
  ne: cmp("a != b", [0, 0, 1, 0, 1, 1, 1, 0]),
  lt: cmp("a < b", [0, 0, 1, 0, 0, 0, 0, 0]),
  le: cmp("a <= b", [1, 1, 1, 1, 0, 0, 0, 1]),
  gt: cmp("a > b", [0, 0, 0, 0, 1, 0, 0, 0]),
  ge: cmp("a >= b", [1, 1, 0, 1, 1, 0, 0, 1]),
  and: {
    a: [1, 1, 0, 0, 1, 0, 1, 0],
    b: [1, 0, 1, 0, 1, 1, 0, 0],
    expect: [1, 0, 0, 0, 1, 0, 0, 0],
    grad: NO_GRAD_BOOL,
    dtype: "bool",
    expr: "a and b",
  },
  or: {
    a: [1, 1, 0, 0, 1, 0, 1, 0],
    b: [1, 0, 1, 0, 1, 1, 0, 0],
    expect: [1, 1, 1, 0, 1, 1, 1, 0],
    grad: NO_GRAD_BOOL,
    dtype: "bool",
    expr: "a or b",
  },
} satisfies Record<BinaryOpName, BinaryEntry>;

// Reductions over N of x[R=3, N=4] where m: row 0 fully selected with a tie for the max (3, 3); row 1 all masked
// (the empty value); row 2 selects -0 and 7. The loss weights row r by w = [1, 2, 3].
const RED_X = [1, 3, 3, -2, 5, -1, 2, 0, -0, -4, 7, 1e-3];
const RED_M = [1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0];
const RED_GRAD = [0.3, -1.2, 0.8, 1.9, 2.2, -0.4, 1.1, -2, 0.5, 1.7, -0.9, 1.3];
const lse = (xs: number[]): number => Math.log(xs.reduce((s, x) => s + Math.exp(x), 0));

export interface FamilyEntry {
  /** The expression of y_FN over x (and the family's other inputs). */
  expr: string;
  x?: readonly number[];
  /** Expected outputs by name (y, r: reversed scans, or dL/dx: the gradient at the edge inputs). */
  expect: Record<string, readonly number[]>;
  grad: Column;
  dtype?: "bool";
}

export const REDUCE = {
  sum: { expr: "sum(x, over=N, where=m)", expect: { y: [5, 0, 7] }, grad: "run" },
  mean: { expr: "mean(x, over=N, where=m)", expect: { y: [1.25, 0, 3.5] }, grad: "run" },
  // ties: the gradient goes to the first extreme (canonical order); an all-masked row gets none
  max: {
    expr: "max(x, over=N, where=m, empty=-9.0)",
    expect: { y: [3, -9, 7], "dL/dx": [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0] },
    grad: "run",
  },
  min: {
    expr: "min(x, over=N, where=m, empty=9.0)",
    expect: { y: [-2, 9, -0], "dL/dx": [0, 0, 0, 1, 0, 0, 0, 0, 3, 0, 0, 0] },
    grad: "run",
  },
  logsumexp: {
    expr: "logsumexp(x, over=N, where=m, empty=-9.0)",
    expect: { y: [lse([1, 3, 3, -2]), -9, lse([0, 7])] },
    grad: "run",
  },
  count: {
    expr: "count(x, over=N, where=m)",
    x: [1, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0],
    dtype: "bool",
    expect: { y: [3, 0, 1] },
    grad: NO_GRAD_BOOL,
  },
} satisfies Record<ReduceOpName, FamilyEntry>;

// Scans along N of x[R=2, N=4]: row 0 is [3, 1, 2, 0.5]; row 1 has -0 and a tie (2, 2).
const SCAN_X = [3, 1, 2, 0.5, -1, -0, 2, 2];
const SCAN_GRAD = [0.3, -1.2, 0.8, 1.9, 2.2, -0.4, 1.1, -2];

export const SCAN = {
  cumsum: {
    expr: "cumsum(x, along=N)",
    expect: { y: [3, 4, 6, 6.5, -1, -1, 1, 3], r: [6.5, 3.5, 2.5, 0.5, 3, 4, 4, 2] },
    grad: "run",
  },
  cummax: { expr: "cummax(x, along=N)", expect: { y: [3, 3, 3, 3, -1, 0, 2, 2], r: [3, 2, 2, 0.5, 2, 2, 2, 2] }, grad: "run" },
  cummin: {
    expr: "cummin(x, along=N)",
    expect: { y: [3, 1, 1, 0.5, -1, -1, -1, -1], r: [0.5, 0.5, 0.5, 0.5, -1, -0, 2, 2] },
    grad: "run",
  },
} satisfies Record<ScanOpName, FamilyEntry>;

// Segments over N of x[R=2, N=5] by key where m; a position not selected gets 0; segment 2 of row 0 and of row 1
// has no selected member.
const SEG_X = [1, 4, -2, 3, 5, 2, -1, 6, 0, 3];
const SEG_KEY = [0, 1, 0, 1, 2, 1, 1, 1, 2, 2];
const SEG_M = [1, 1, 1, 1, 0, 0, 1, 1, 0, 0];
const SEG_GRAD = [0.3, -1.2, 0.8, 1.9, 0.5, 2.2, -0.4, 1.1, -2, 0.7];

export const SEGMENT = {
  sum: { expr: "segment_sum(x, key, over=N, where=m)", expect: { y: [-1, 7, -1, 7, 0, 0, 5, 5, 0, 0] }, grad: "run" },
  mean: {
    expr: "segment_mean(x, key, over=N, where=m)",
    expect: { y: [-0.5, 3.5, -0.5, 3.5, 0, 0, 2.5, 2.5, 0, 0] },
    grad: "run",
  },
  max: { expr: "segment_max(x, key, over=N, where=m)", expect: { y: [1, 4, 1, 4, 0, 0, 6, 6, 0, 0] }, grad: "run" },
  min: { expr: "segment_min(x, key, over=N, where=m)", expect: { y: [-2, 3, -2, 3, 0, 0, -1, -1, 0, 0] }, grad: "run" },
  // a bool x: its true members, every position selected
  count: {
    expr: "segment_count(x, key, over=N)",
    x: SEG_M,
    dtype: "bool",
    expect: { y: [2, 2, 2, 2, 0, 2, 2, 2, 0, 0] },
    grad: NO_GRAD_BOOL,
  },
  first: { expr: "segment_first(x, key, over=N, where=m)", expect: { y: [1, 4, 1, 4, 0, 0, -1, -1, 0, 0] }, grad: "run" },
} satisfies Record<SegmentOpName, FamilyEntry>;

// ---------------------------------------------------------------- family programs

const sub = (expr: string, names: Record<string, string>): string => expr.replace(/\b(x|a|b)\b/g, (v) => names[v] ?? v);
const rows = (n: number, k: number, data: readonly number[]): Tensor => f32(["R", "N"], [n, k], data);
/** The name of the gradient result of L w.r.t. input `v`_`fn`. */
const id = (v: string, fn: string): string => `dL/d${v}_${fn}`;

function unaryFamily(): Record<UnaryOpName, Case> {
  const entries = Object.entries(UNARY) as [UnaryOpName, UnaryEntry][];
  const lines = ["pipeline unary {", "  dims N", "  input w: f32[N]"];
  const loss: string[] = [];
  const inputs: Record<string, Tensor> = { w: vec(W8) };
  const gradInputs: Record<string, Tensor> = { w: vec(W4) };
  for (const [fn, e] of entries) {
    const diff = Array.isArray(e.grad);
    lines.push(`  input x_${fn}: ${e.dtype ?? "f32"}[N]${diff ? " @policy" : ""}`);
    lines.push(`  output y_${fn} = ${fn === "neg" ? `-x_${fn}` : fn === "not" ? `not x_${fn}` : `${fn}(x_${fn})`}`);
    if (diff) loss.push(`sum(y_${fn} * w, over=N)`);
    inputs[`x_${fn}`] = e.dtype === "bool" ? t("bool", ["N"], [e.x.length], e.x) : vec(e.x);
    gradInputs[`x_${fn}`] = Array.isArray(e.grad) ? vec(e.grad) : t("bool", ["N"], [4], [1, 0, 1, 0]);
  }
  lines.push(`  loss L = ${loss.join(" + ")}`, "}");
  const source = lines.join("\n");
  const out = {} as Record<UnaryOpName, Case>;
  for (const [fn, e] of entries) {
    const x = inputs[`x_${fn}`]!.data;
    const want = typeof e.expect === "function" ? Array.from(x, e.expect) : e.expect;
    const grad: Column = Array.isArray(e.grad) ? "run" : (e.grad as Skip);
    out[fn] = {
      source,
      inputs,
      gradInputs,
      exercises: { op: "unary", fn },
      reference: { [`y_${fn}`]: want },
      gradient: grad,
      fused: "run",
      tfjs: "run",
      names: [`y_${fn}`, id("x", fn)],
    };
  }
  return out;
}

function binaryFamily(): Record<BinaryOpName, Case> {
  const entries = Object.entries(BINARY) as [BinaryOpName, BinaryEntry][];
  const lines = ["pipeline binary {", "  dims N", "  input w: f32[N]"];
  const loss: string[] = [];
  const inputs: Record<string, Tensor> = { w: vec(W8) };
  const gradInputs: Record<string, Tensor> = { w: vec(W4) };
  for (const [fn, e] of entries) {
    const diff = !("skip" in e.grad);
    for (const v of ["a", "b"] as const) {
      lines.push(`  input ${v}_${fn}: ${e.dtype ?? "f32"}[N]${diff ? " @policy" : ""}`);
      inputs[`${v}_${fn}`] = e.dtype === undefined ? vec(e[v]) : t(e.dtype, ["N"], [8], e[v]);
      gradInputs[`${v}_${fn}`] = "skip" in e.grad ? t(e.dtype ?? "f32", ["N"], [4], [1, 0, 1, 2]) : vec(e.grad[v]);
    }
    lines.push(`  output y_${fn} = ${sub(e.expr, { a: `a_${fn}`, b: `b_${fn}` })}`);
    if (diff) loss.push(`sum(y_${fn} * w, over=N)`);
  }
  lines.push(`  loss L = ${loss.join(" + ")}`, "}");
  const source = lines.join("\n");
  const out = {} as Record<BinaryOpName, Case>;
  for (const [fn, e] of entries) {
    const a = inputs[`a_${fn}`]!.data;
    const b = inputs[`b_${fn}`]!.data;
    const want =
      typeof e.expect === "function"
        ? Array.from(a, (v, i) => (e.expect as (a: number, b: number) => number)(v, b[i]!))
        : e.expect;
    const grad: Column = "skip" in e.grad ? e.grad : "run";
    out[fn] = {
      source,
      inputs,
      gradInputs,
      exercises: { op: "binary", fn },
      reference: { [`y_${fn}`]: want },
      gradient: grad,
      fused: "run",
      tfjs: e.tfjs ?? "run",
      names: [`y_${fn}`, id("a", fn), id("b", fn)],
    };
  }
  return out;
}

interface Layout {
  name: string;
  op: "reduce" | "scan" | "segment";
  shape: [number, number];
  x: readonly number[];
  gradX: readonly number[];
  /** Extra input lines and values (masks, keys, weights), and the weight each y_FN is multiplied by in the loss. */
  decls: string[];
  extra: Record<string, Tensor>;
  gradExtra: Record<string, Tensor>;
  weight: string;
  /** Scans: also r_FN, the reversed scan. */
  reversed?: boolean;
}

function family<F extends string>(table: Record<F, FamilyEntry>, l: Layout): Record<F, Case> {
  const entries = Object.entries(table) as [F, FamilyEntry][];
  const lines = [`pipeline ${l.name} {`, "  dims R, N", ...l.decls.map((d) => `  ${d}`)];
  const loss: string[] = [];
  const inputs: Record<string, Tensor> = { ...l.extra };
  const gradInputs: Record<string, Tensor> = { ...l.gradExtra };
  const [nr, nk] = l.shape;
  for (const [fn, e] of entries) {
    const diff = e.grad === "run";
    const x = `x_${fn}`;
    lines.push(`  input ${x}: ${e.dtype ?? "f32"}[R,N]${diff ? " @policy" : ""}`);
    lines.push(`  output y_${fn} = ${sub(e.expr, { x })}`);
    if (l.reversed) lines.push(`  output r_${fn} = ${sub(e.expr, { x }).replace(/\)$/, ", reverse=true)")}`);
    if (diff)
      loss.push(
        `sum(${l.reversed ? `(y_${fn} + r_${fn})` : `y_${fn}`} * ${l.weight}, over=${l.op === "reduce" ? "R" : "[R,N]"})`,
      );
    inputs[x] = e.dtype === "bool" ? t("bool", ["R", "N"], [nr, nk], e.x!) : rows(nr, nk, e.x ?? l.x);
    gradInputs[x] = e.dtype === "bool" ? t("bool", ["R", "N"], [nr, nk], e.x!) : rows(nr, nk, l.gradX);
  }
  lines.push(`  loss L = ${loss.join(" + ")}`, "}");
  const source = lines.join("\n");
  const out = {} as Record<F, Case>;
  for (const [fn, e] of entries) {
    const reference = Object.fromEntries(
      Object.entries(e.expect).map(([k, v]) => [k === "dL/dx" ? id("x", fn) : `${k}_${fn}`, v]),
    );
    const names = [`y_${fn}`, `r_${fn}`, id("x", fn)];
    out[fn] = {
      source,
      inputs,
      gradInputs,
      exercises: { op: l.op, fn },
      reference,
      gradient: e.grad,
      fused: "run",
      tfjs: "run",
      names,
    };
  }
  return out;
}

const mask = (shape: [number, number], data: readonly number[]): Tensor => t("bool", ["R", "N"], shape, data);

export const UNARY_CASES = unaryFamily();
export const BINARY_CASES = binaryFamily();
export const REDUCE_CASES = family(REDUCE, {
  name: "reduce",
  op: "reduce",
  shape: [3, 4],
  x: RED_X,
  gradX: RED_GRAD,
  weight: "w",
  decls: ["input m: bool[R,N]", "input w: f32[R]"],
  extra: { m: mask([3, 4], RED_M), w: f32(["R"], [3], [1, 2, 3]) },
  gradExtra: { m: mask([3, 4], RED_M), w: f32(["R"], [3], [1, 2, 3]) },
});
export const SCAN_CASES = family(SCAN, {
  name: "scan",
  op: "scan",
  shape: [2, 4],
  x: SCAN_X,
  gradX: SCAN_GRAD,
  weight: "w",
  reversed: true,
  decls: ["input w: f32[R,N]"],
  extra: { w: f32(["R", "N"], [2, 4], [1, 2, 3, 4, 0.5, 1, 1.5, 2]) },
  gradExtra: { w: f32(["R", "N"], [2, 4], [1, 2, 3, 4, 0.5, 1, 1.5, 2]) },
});
export const SEGMENT_CASES = family(SEGMENT, {
  name: "segment",
  op: "segment",
  shape: [2, 5],
  x: SEG_X,
  gradX: SEG_GRAD,
  weight: "w",
  decls: ["input key: id[R,N]", "input m: bool[R,N]", "input w: f32[R,N]"],
  extra: {
    key: t("id", ["R", "N"], [2, 5], SEG_KEY),
    m: mask([2, 5], SEG_M),
    w: f32(["R", "N"], [2, 5], [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]),
  },
  gradExtra: {
    key: t("id", ["R", "N"], [2, 5], SEG_KEY),
    m: mask([2, 5], SEG_M),
    w: f32(["R", "N"], [2, 5], [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]),
  },
});
