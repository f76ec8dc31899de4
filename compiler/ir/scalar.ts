// The scalar semantics of the elementwise primitives: the one definition of what unary, binary, cast and clamp
// compute on one float64 value. The elaborator's and the simplifier's constant folding and the reference evaluator
// call these functions; the JS kernel helpers (compiler/codegen/js) are tested against them on edge values, and tfjs
// is made to agree on the decided edge cases. Decisions (docs/language.md, "Scalar semantics"): PyTorch's where it is
// defined: maximum/minimum are IEEE 754-2019's (NaN propagates, -0 < +0), sign(±0) = +0, `%` is torch.remainder
// (Python's modulo: the sign of the divisor, so -1 % inf = inf), round is half to even. Pure: no imports but types.
import type { BinaryOpName, DType, UnaryOpName } from "./ir.ts";

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

/** Round half to even (banker's rounding), like numpy/torch `round`; keeps the sign of a zero result. */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 && x < 0 ? -0 : r;
}

const LANCZOS_G = 7;
export const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
] as const;

/** log|Γ(x)| by the Lanczos approximation (g=7, n=9) with reflection for x < 0.5; +inf at the poles 0, -1, -2, ... and ±inf. */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity || x === -Infinity) return Infinity; // as C's lgamma and torch
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) {
    // Γ(x)Γ(1-x) = π / sin(πx)
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  }
  const z = x - 1;
  let a: number = LANCZOS[0];
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

/** sign, with sign(±0) = +0 (torch) and sign(NaN) = NaN; Math.sign would give sign(-0) = -0. */
export function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN;
}

/**
 * torch.remainder (Python's modulo): fmod, then shifted by the divisor when the signs differ, so the result has the
 * sign of the divisor: -1 % inf = inf, 1 % -inf = -inf, a % 0 = NaN. A zero result keeps fmod's sign (that of `a`),
 * as torch does (Python would give the divisor's sign).
 */
export function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/** The scalar function of each `unary` op (bool operands and results are 0/1). */
export const UNARY: Record<UnaryOpName, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log, // log(0) = -inf, log(<0) = NaN (IEEE)
  log1p: Math.log1p,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sign,
  tanh: Math.tanh,
  sigmoid,
  softplus,
  sin: Math.sin,
  cos: Math.cos,
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundHalfEven,
  lgamma,
  not: (x) => (x === 0 ? 1 : 0),
};

/** The scalar function of each `binary` op (comparisons and logic give 0/1). */
export const BINARY: Record<BinaryOpName, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b, // IEEE: x/0 = ±inf, 0/0 = NaN
  idiv: (a, b) => Math.floor(a / b), // floor division (Python's //) of i32 values: exact for them; idiv(a, 0) = a/0
  mod: pyMod,
  pow: Math.pow, // ECMAScript: 1 ** NaN and (-1) ** ±inf are NaN (C and torch give 1)
  maximum: Math.max, // IEEE 754-2019 maximum: NaN propagates, maximum(-0, +0) = +0 in either order
  minimum: Math.min, // minimum(-0, +0) = -0 in either order
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  and: (a, b) => (a !== 0 && b !== 0 ? 1 : 0),
  or: (a, b) => (a !== 0 || b !== 0 ? 1 : 0),
};

/**
 * `cast`: to i32 truncates toward zero, NaN -> 0, and never gives -0 (an i32 has no -0: i32(-0.5) = 0, as the i32
 * buffers of the kernels and tfjs store it); to bool is x != 0; to f32 and id keep the value.
 */
export function cast(to: DType, x: number): number {
  if (to === "i32") return Math.trunc(x) || 0;
  if (to === "bool") return x !== 0 ? 1 : 0;
  return x;
}

/** `clamp(x, lo, hi)` = minimum(maximum(x, lo), hi). */
export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}
