// ψ(x) = lgamma'(x) as a small graph of primitives (the IR has no digamma op): the same algorithm and the same
// floating-point steps as compiler/ir/scalar.ts `digamma`, with its loop unrolled:
//   NaN at the poles 0, -1, -2, ...;  reflection ψ(x) = ψ(1 - x) − π / tan(πx) for x < 0.5 (tan as sin/cos);
//   the recurrence ψ(x) = ψ(x + 1) − 1/x until x >= 6 (at most 6 steps once x >= 0.5); then the asymptotic series.
import type { GradBuilder } from "../builder.ts";

const RECURRENCE_STEPS = 6;

export function digamma(b: GradBuilder, x: number): number {
  const c = (v: number): number => b.constant(v);
  const reflect = b.binary("lt", x, c(0.5));
  let z = b.where(reflect, b.sub(c(1), x), x);
  let acc = c(0);
  for (let k = 0; k < RECURRENCE_STEPS; k++) {
    const small = b.binary("lt", z, c(6));
    acc = b.where(small, b.sub(acc, b.div(c(1), z)), acc);
    z = b.where(small, b.add(z, c(1)), z);
  }
  const f = b.div(c(1), b.mul(z, z));
  // f·(1/12 − f·(1/120 − f·(1/252 − f·(1/240 − f·(1/132)))))
  let series = b.mul(f, c(1 / 132));
  for (const k of [1 / 240, 1 / 252, 1 / 120, 1 / 12]) series = b.mul(f, b.sub(c(k), series));
  const psi = b.sub(b.sub(b.add(acc, b.unary("log", z)), b.div(c(0.5), z)), series);
  const pix = b.mul(c(Math.PI), x);
  const tan = b.div(b.unary("sin", pix), b.unary("cos", pix));
  const reflected = b.where(reflect, b.sub(psi, b.div(c(Math.PI), tan)), psi);
  const pole = b.binary("and", b.binary("le", x, c(0)), b.binary("eq", b.unary("floor", x), x));
  return b.where(pole, c(NaN), reflected);
}
