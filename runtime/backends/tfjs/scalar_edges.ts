// Where tf's own kernels differ from compiler/ir/scalar.ts on float32 edge values, the scalar semantics built from
// tf ops (test/reference/scalar_semantics.test.ts runs the cases on tfjs-cpu and tfjs-wasm):
//   remainder  tf.mod gives NaN for -1 % inf (rem + inf) % inf and -0 for 0 % -1 on every backend; torch.remainder
//              gives inf and +0. Built from tf.mod of magnitudes (exactly fmod there) and the signs.
//   maximum    IEEE 754-2019 (-0 < +0). tfjs-cpu's is Math.max and already is; tfjs-wasm's returns the first operand
//   minimum    at a ±0 tie. Probed once per backend; where it differs, the sign of a zero result is repaired.
// Masks are made off the gradient tape; the gradients are those of the tf ops the value goes through.
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

const ieeeMaximum = new WeakMap<TF, Map<string, boolean>>();

/** Whether tf.maximum and tf.minimum on the active backend order -0 below +0 (in both argument orders). */
function maximumIsIeee(tf: TF): boolean {
  const byBackend = ieeeMaximum.get(tf) ?? new Map<string, boolean>();
  ieeeMaximum.set(tf, byBackend);
  const backend = tf.getBackend();
  let ok = byBackend.get(backend);
  if (ok === undefined) {
    const [mx, mn] = tf.tidy(() => {
      const [a, b] = [tf.tensor1d([-0, 0]), tf.tensor1d([0, -0])];
      return [tf.maximum(a, b).dataSync(), tf.minimum(a, b).dataSync()];
    });
    ok = Object.is(mx[0], 0) && Object.is(mx[1], 0) && Object.is(mn[0], -0) && Object.is(mn[1], -0);
    byBackend.set(backend, ok);
  }
  return ok;
}

/** IEEE maximum from a tf.maximum that may return -0 at a ±0 tie: adding +0 turns -0 into +0, adding -0 is exact. */
function ieeeMax(ctx: LowerCtx, a: TfTensor, b: TfTensor): TfTensor {
  const { tf } = ctx;
  const zero = ctx.untaped(() => {
    const isPlusZero = (x: TfTensor): TfTensor => tf.logicalAnd(tf.equal(x, 0), tf.greater(tf.div(1, x), 0));
    const plus = tf.cast(tf.logicalOr(isPlusZero(a), isPlusZero(b)), "float32");
    return tf.mul(tf.sub(plus, 1), 0); // +0 where an operand is +0, else -0
  });
  return tf.add(tf.maximum(a, b), zero);
}

/** maximum or minimum of float32 tensors, IEEE 754-2019 at signed zeros on every backend. */
export function extremum(ctx: LowerCtx, fn: "maximum" | "minimum", a: TfTensor, b: TfTensor): TfTensor {
  const { tf } = ctx;
  if (maximumIsIeee(tf)) return fn === "maximum" ? tf.maximum(a, b) : tf.minimum(a, b);
  return fn === "maximum" ? ieeeMax(ctx, a, b) : tf.neg(ieeeMax(ctx, tf.neg(a), tf.neg(b)));
}
