// Where tf's own kernels differ from compiler/ir/scalar.ts on float32 edge values, the scalar semantics built from
// tf ops (test/reference/scalar_semantics.test.ts runs the cases on tfjs-cpu and tfjs-wasm):
//   remainder  tf.mod gives NaN for -1 % inf ((rem + inf) % inf) and -0 for 0 % -1 on every backend; torch.remainder
//              gives inf and +0. Built from tf.mod of magnitudes (exactly fmod there) and the signs.
//   maximum    IEEE 754-2019: NaN propagates, -0 < +0. tfjs-cpu's is Math.max and already is; tfjs-wasm's returns
//   minimum    the first operand at a ±0 tie and drops a NaN second operand: the result is repaired there.
//   sign       tfjs-wasm gives 0 for tiny positive numbers (sign(1e-30)): rebuilt from comparisons there.
//   round      tfjs-cpu gives +0 for round(-0.5): the sign of a zero result is x's.
// Which backend needs which repair is probed once per backend (quirks). Masks and corrections are made off the
// gradient tape, so the gradients are those of the tf op the value goes through.
import { select } from "./layout.ts";
import type { LowerCtx, TF, TfTensor } from "./types.ts";

/** x < 0 or x is -0. */
function signBit(tf: TF, x: TfTensor): TfTensor {
  return tf.logicalOr(tf.less(x, 0), tf.logicalAnd(tf.equal(x, 0), tf.less(tf.div(1, x), 0)));
}

/** numpy broadcasting of two shapes (aligned at the right). */
function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const at = (s: readonly number[], i: number): number => s[s.length - n + i] ?? 1;
  return Array.from({ length: n }, (_, i) => (at(a, i) === 1 ? at(b, i) : at(a, i)));
}

/** torch.remainder (Python's modulo, a zero keeping fmod's sign) of float32 tensors. */
export function remainder(ctx: LowerCtx, a0: TfTensor, b0: TfTensor): TfTensor {
  const { tf } = ctx;
  // one shape for both, so every select below sees operands of its condition's shape
  const shape = broadcastShape(a0.shape, b0.shape);
  const [a, b] = [tf.broadcastTo(a0, shape), tf.broadcastTo(b0, shape)];
  const [negA, negB] = ctx.untaped(() => [signBit(tf, a), signBit(tf, b)]);
  const magnitude = tf.mod(select(tf, negA, tf.neg(a), a), select(tf, negB, tf.neg(b), b)); // |a| fmod |b|
  const r = select(tf, negA, tf.neg(magnitude), magnitude); // fmod(a, b): the sign of a
  const shift = ctx.untaped(() => tf.logicalAnd(tf.notEqual(r, 0), tf.notEqual(tf.less(r, 0), tf.less(b, 0))));
  return select(tf, shift, tf.add(r, b), r);
}

/** What the active backend's kernels give on the probed edge values (true: as scalar.ts). */
interface Quirks {
  ieeeExtremum: boolean;
  signOfTiny: boolean;
  roundKeepsNegativeZero: boolean;
}

const quirksByTf = new WeakMap<TF, Map<string, Quirks>>();

function probe(tf: TF): Quirks {
  return tf.tidy(() => {
    const a = tf.tensor1d([-0, 0, 1, NaN]);
    const b = tf.tensor1d([0, -0, NaN, 1]);
    const [mx, mn] = [tf.maximum(a, b).dataSync(), tf.minimum(a, b).dataSync()];
    const ieee = (v: ArrayLike<number>, zero: number): boolean =>
      Object.is(v[0], zero) && Object.is(v[1], zero) && Number.isNaN(v[2]!) && Number.isNaN(v[3]!);
    return {
      ieeeExtremum: ieee(mx, 0) && ieee(mn, -0),
      signOfTiny:
        tf
          .sign(tf.tensor1d([1e-30, -1e-30]))
          .dataSync()
          .join() === "1,-1",
      roundKeepsNegativeZero: Object.is(tf.round(tf.tensor1d([-0.5])).dataSync()[0], -0),
    };
  });
}

function quirks(tf: TF): Quirks {
  const byBackend = quirksByTf.get(tf) ?? new Map<string, Quirks>();
  quirksByTf.set(tf, byBackend);
  const backend = tf.getBackend();
  let q = byBackend.get(backend);
  if (q === undefined) byBackend.set(backend, (q = probe(tf)));
  return q;
}

/** IEEE maximum from a tf.maximum that may return -0 at a ±0 tie or drop a NaN: the result plus a correction term. */
function ieeeMax(ctx: LowerCtx, a: TfTensor, b: TfTensor): TfTensor {
  const { tf } = ctx;
  const term = ctx.untaped(() => {
    const isPlusZero = (x: TfTensor): TfTensor => tf.logicalAnd(tf.equal(x, 0), tf.greater(tf.div(1, x), 0));
    const plus = tf.cast(tf.logicalOr(isPlusZero(a), isPlusZero(b)), "float32");
    const zero = tf.mul(tf.sub(plus, 1), 0); // +0 (turns a -0 into +0) where an operand is +0, else -0 (exact)
    const nan = tf.logicalOr(tf.isNaN(a), tf.isNaN(b));
    return tf.where(nan, tf.fill(nan.shape, NaN), zero);
  });
  return tf.add(tf.maximum(a, b), term);
}

/** maximum or minimum of float32 tensors, IEEE 754-2019 on every backend. */
export function extremum(ctx: LowerCtx, fn: "maximum" | "minimum", a: TfTensor, b: TfTensor): TfTensor {
  const { tf } = ctx;
  if (quirks(tf).ieeeExtremum) return fn === "maximum" ? tf.maximum(a, b) : tf.minimum(a, b);
  return fn === "maximum" ? ieeeMax(ctx, a, b) : tf.neg(ieeeMax(ctx, tf.neg(a), tf.neg(b)));
}

/** sign of a float32 tensor: -1, +0 or 1, NaN at NaN. */
export function signOf(ctx: LowerCtx, x: TfTensor): TfTensor {
  const { tf } = ctx;
  const s = tf.sign(x);
  const [nan, fix] = ctx.untaped(() => [
    tf.isNaN(x),
    quirks(tf).signOfTiny
      ? undefined
      : tf.sub(tf.sub(tf.cast(tf.greater(x, 0), "float32"), tf.cast(tf.less(x, 0), "float32")), s),
  ]);
  return select(tf, nan, x, fix === undefined ? s : tf.add(s, fix)); // tf.sign(NaN) is 0
}

/** round half to even of a float32 tensor, a zero result keeping the sign of x. */
export function roundOf(ctx: LowerCtx, x: TfTensor): TfTensor {
  const { tf } = ctx;
  const r = tf.round(x);
  if (quirks(tf).roundKeepsNegativeZero) return r;
  const flip = ctx.untaped(() => tf.sub(1, tf.mul(tf.cast(tf.logicalAnd(tf.equal(r, 0), signBit(tf, x)), "float32"), 2)));
  return tf.mul(r, flip); // 0 * -1 = -0 where x < 0 rounds to zero; else * 1
}
