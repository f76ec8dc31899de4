// Per-function conformance entries (unary, binary, reduce, scan, segment), keyed by the IR's function names so
// that a new function without an entry is a type error. families.ts turns each table into one shared program.
// Expected values are computed by hand (or by the JS Math function of the same name on the float32-rounded input).
import type { BinaryOpName, ReduceOpName, ScanOpName, SegmentOpName, UnaryOpName } from "../../compiler/ir/ir.ts";
import type { Column, Skip } from "./types.ts";

const inf = Infinity;
/** Forward edge values of most unary entries: ±0, negative, tiny, large, -inf, NaN. */
const EDGE = [0, -0, -1.5, 2.5, 1e-30, 30, -inf, NaN];
/** Smooth points for gradients. */
const G = [-1.3, -0.2, 0.4, 1.7];
const G_POS = [0.2, 0.7, 1.5, 3];
export const W8 = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4];
export const W4 = [0.5, 1, 1.5, 2];
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
export const RED_X = [1, 3, 3, -2, 5, -1, 2, 0, -0, -4, 7, 1e-3];
export const RED_M = [1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0];
export const RED_GRAD = [0.3, -1.2, 0.8, 1.9, 2.2, -0.4, 1.1, -2, 0.5, 1.7, -0.9, 1.3];
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
export const SCAN_X = [3, 1, 2, 0.5, -1, -0, 2, 2];
export const SCAN_GRAD = [0.3, -1.2, 0.8, 1.9, 2.2, -0.4, 1.1, -2];

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
  // a zero in the running product (row 1: -1 * -0), and its gradient there (the product of the other factors, not y/x)
  cumprod: {
    expr: "cumprod(x, along=N)",
    expect: { y: [3, 3, 6, 3, -1, 0, 0, 0], r: [3, 1, 1, 0.5, 0, -0, 4, 2], "dL/dx": [14, 41, 19, 44, 0.5, -10, 3, 5] },
    grad: "run",
  },
} satisfies Record<ScanOpName, FamilyEntry>;

// Segments over N of x[R=2, N=5] by key where m; a position not selected gets 0; segment 2 of row 0 and of row 1
// has no selected member.
export const SEG_X = [1, 4, -2, 3, 5, 2, -1, 6, 0, 3];
export const SEG_KEY = [0, 1, 0, 1, 2, 1, 1, 1, 2, 2];
export const SEG_M = [1, 1, 1, 1, 0, 0, 1, 1, 0, 0];
export const SEG_GRAD = [0.3, -1.2, 0.8, 1.9, 0.5, 2.2, -0.4, 1.1, -2, 0.7];

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
