// Elementwise primitives: const, param, index, size, unary, binary, cast, where, clamp, safe_div, detach.
// Operands broadcast BY NAME to node.type.dims; results are in canonical order. All arithmetic is float64.
import type { BinaryOpName, UnaryOpName } from "../../../compiler/ir/ir.ts";
import { filled, shapeSize, type Tensor } from "../tensor.ts";
import { axisOf, mapN, nodeError, result, type NodeCtx, type OpOf } from "./common.ts";

/** Numerically stable logistic: never evaluates exp of a large positive number. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** softplus(x) = max(x,0) + log1p(exp(-|x|)) (stable for large |x|). */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** Round half to even (banker's rounding), like numpy/torch `round`. */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 && x < 0 ? -0 : r; // keeps the sign of zero, like numpy
}

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log|Γ(x)| by the Lanczos approximation (g=7, n=9) with reflection for x < 0.5; +inf at the poles 0, -1, -2, ... */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) {
    // Γ(x)Γ(1-x) = π / sin(πx)
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  }
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ψ(x) = d/dx lgamma(x): recurrence up to x >= 6, then the asymptotic series; reflection for x < 0.5. */
export function digamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0 && Number.isInteger(x)) return NaN;
  if (x < 0.5) return digamma(1 - x) - Math.PI / Math.tan(Math.PI * x);
  let acc = 0;
  while (x < 6) {
    acc -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  const series = f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (1 / 132)))));
  return acc + Math.log(x) - 0.5 / x - series;
}

/** Scalar unary functions (the semantics of `unary`). */
export function unaryFn(fn: UnaryOpName): (x: number) => number {
  switch (fn) {
    case "neg": return (x) => -x;
    case "exp": return Math.exp;
    case "log": return Math.log; // log(0) = -inf, log(<0) = NaN (IEEE)
    case "log1p": return Math.log1p;
    case "expm1": return Math.expm1;
    case "sqrt": return Math.sqrt;
    case "abs": return Math.abs;
    case "sign": return (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN); // sign(0) = 0
    case "tanh": return Math.tanh;
    case "sigmoid": return sigmoid;
    case "softplus": return softplus;
    case "sin": return Math.sin;
    case "cos": return Math.cos;
    case "floor": return Math.floor;
    case "ceil": return Math.ceil;
    case "round": return roundHalfEven; // half to even
    case "lgamma": return lgamma;
    case "not": return (x) => (x === 0 ? 1 : 0);
  }
}

/** Python's modulo: the result has the sign of the divisor (a mod 0 = NaN). */
export function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/** Scalar binary functions (the semantics of `binary`; comparisons and logic give 0/1). */
export function binaryFn(fn: BinaryOpName): (a: number, b: number) => number {
  switch (fn) {
    case "add": return (a, b) => a + b;
    case "sub": return (a, b) => a - b;
    case "mul": return (a, b) => a * b;
    case "div": return (a, b) => a / b; // IEEE: x/0 = ±inf, 0/0 = NaN
    case "idiv": return (a, b) => Math.floor(a / b); // floor division (Python's //), so idiv(a,b)*b + a%b == a
    case "mod": return pyMod; // sign of the divisor (Python)
    case "pow": return Math.pow;
    case "maximum": return (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a >= b ? a : b);
    case "minimum": return (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a <= b ? a : b);
    case "eq": return (a, b) => (a === b ? 1 : 0);
    case "ne": return (a, b) => (a !== b ? 1 : 0);
    case "lt": return (a, b) => (a < b ? 1 : 0);
    case "le": return (a, b) => (a <= b ? 1 : 0);
    case "gt": return (a, b) => (a > b ? 1 : 0);
    case "ge": return (a, b) => (a >= b ? 1 : 0);
    case "and": return (a, b) => (a !== 0 && b !== 0 ? 1 : 0);
    case "or": return (a, b) => (a !== 0 || b !== 0 ? 1 : 0);
  }
}

/** `const`: the value broadcast to the node's dims. */
export function evalConst(ctx: NodeCtx, op: OpOf<"const">): Tensor {
  return filled(ctx.node.type.dtype, ctx.dims, ctx.shape, op.value);
}

/** `param`: its recorded value (a scalar, broadcast to the node's dims). */
export function evalParam(ctx: NodeCtx, op: OpOf<"param">): Tensor {
  return filled(ctx.node.type.dtype, ctx.dims, ctx.shape, op.value);
}

/** `index(D)`: 0..|D|-1 along D (i32), broadcast over any other dims of the node. */
export function evalIndex(ctx: NodeCtx, op: OpOf<"index">): Tensor {
  const ax = axisOf(ctx.node, ctx.dims, op.dim);
  const n = shapeSize(ctx.shape);
  let inner = 1;
  for (let i = ax + 1; i < ctx.shape.length; i++) inner *= ctx.shape[i]!;
  const len = ctx.shape[ax]!;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(i / inner) % len;
  return result(ctx, out);
}

/** `size(D)`: |D| as an i32 scalar. */
export function evalSize(ctx: NodeCtx, op: OpOf<"size">): Tensor {
  const s = ctx.dimSizes[op.dim];
  if (s === undefined) throw nodeError(ctx.node, `dim ${op.dim} has no size`);
  return filled(ctx.node.type.dtype, ctx.dims, ctx.shape, s);
}

export function evalUnary(ctx: NodeCtx, op: OpOf<"unary">): Tensor {
  const f = unaryFn(op.fn);
  return result(ctx, mapN(ctx.dims, ctx.shape, ctx.args, (v) => f(v[0]!)));
}

export function evalBinary(ctx: NodeCtx, op: OpOf<"binary">): Tensor {
  const f = binaryFn(op.fn);
  return result(ctx, mapN(ctx.dims, ctx.shape, ctx.args, (v) => f(v[0]!, v[1]!)));
}

/** `cast`: to i32 truncates toward zero (NaN -> 0), to bool is x != 0, to f32 (and id) is the identity. */
export function evalCast(ctx: NodeCtx, op: OpOf<"cast">): Tensor {
  const f =
    op.to === "i32" ? (x: number) => (Number.isNaN(x) ? 0 : Math.trunc(x)) : op.to === "bool" ? (x: number) => (x !== 0 ? 1 : 0) : (x: number) => x;
  return result(ctx, mapN(ctx.dims, ctx.shape, ctx.args, (v) => f(v[0]!)));
}

/** `where(c, a, b)`: a true select; the unselected operand's value (even NaN/inf) never reaches the result. */
export function evalWhere(ctx: NodeCtx): Tensor {
  return result(ctx, mapN(ctx.dims, ctx.shape, ctx.args, (v) => (v[0]! !== 0 ? v[1]! : v[2]!)));
}

/** `clamp(x, lo, hi)` = min(max(x, lo), hi). */
export function evalClamp(ctx: NodeCtx): Tensor {
  return result(ctx, mapN(ctx.dims, ctx.shape, ctx.args, (v) => Math.min(Math.max(v[0]!, v[1]!), v[2]!)));
}

/** `safe_div(a, b, ok, fill)`: a/b where ok, fill elsewhere; the unselected quotient is never computed. */
export function evalSafeDiv(ctx: NodeCtx): Tensor {
  return result(ctx, mapN(ctx.dims, ctx.shape, ctx.args, (v) => (v[2]! !== 0 ? v[0]! / v[1]! : v[3]!)));
}

/** `detach`: the identity in the forward pass (it only stops gradients). */
export function evalDetach(ctx: NodeCtx): Tensor {
  return result(ctx, mapN(ctx.dims, ctx.shape, ctx.args, (v) => v[0]!));
}
