// Scans along one dim on tfjs: cumsum (tf.cumsum), cumprod/cummax/cummin and linrec (log-step doubling scans built from
// slice/concat, so ⌈log2 n⌉ rounds of whole-tensor ops instead of n), shift (slice/concat), and scan_grad (host).
// Operands are broadcast to the node's dims first; `reverse` reverses the axis around a forward scan.
import type { ScanOpName } from "../../../compiler/ir/ops.ts";
import { EvalError, type OpOf } from "../../library/ops/common.ts";
import { evalScanGrad } from "../../library/ops/gradient_ops.ts";
import { asType, axis, expand, f32, full, hostCtx, tfDtype } from "./layout.ts";
import type { LowerCtx, TF, TfTensor } from "./types.ts";

/** `len` elements from `start` along axis `ax`. */
function sl(tf: TF, t: TfTensor, ax: number, start: number, len: number): TfTensor {
  const begin = t.shape.map((_, i) => (i === ax ? start : 0));
  const size = t.shape.map((s, i) => (i === ax ? len : s));
  return tf.slice(t, begin, size);
}

function rev(tf: TF, t: TfTensor, ax: number, on: boolean): TfTensor {
  return on ? tf.reverse(t, ax) : t;
}

/** Each scan on tfjs, on x broadcast to the node's dims (float32), along axis `ax`. */
const SCANS: Record<ScanOpName, (tf: TF, x: TfTensor, ax: number, reverse: boolean) => TfTensor> = {
  cumsum: (tf, x, ax, reverse) => tf.cumsum(x, ax, false, reverse),
  // a doubling scan of plain products (tfjs' own cumprod has no gradient): differentiable, exact at zeros
  cumprod: (tf, x, ax, reverse) => doublingScan(tf, x, ax, reverse, tf.mul),
  cummax: (tf, x, ax, reverse) => doublingScan(tf, x, ax, reverse, tf.maximum),
  cummin: (tf, x, ax, reverse) => doublingScan(tf, x, ax, reverse, tf.minimum),
};

/**
 * Hillis–Steele: after the round with offset d, y_t covers (t-2d, t]; the earlier half is the FIRST operand, so
 * tfjs' maximum/minimum gradient (ties to the first operand) sends g to the first extreme in scan order.
 */
function doublingScan(
  tf: TF,
  x: TfTensor,
  ax: number,
  reverse: boolean,
  combine: (a: TfTensor, b: TfTensor) => TfTensor,
): TfTensor {
  const n = x.shape[ax]!;
  let y = rev(tf, x, ax, reverse);
  for (let d = 1; d < n; d *= 2) {
    y = tf.concat([sl(tf, y, ax, 0, d), combine(sl(tf, y, ax, 0, n - d), sl(tf, y, ax, d, n - d))], ax);
  }
  return rev(tf, y, ax, reverse);
}

export function lowerScan(ctx: LowerCtx, op: OpOf<"scan">): TfTensor {
  const { tf } = ctx;
  const x = f32(tf, full(tf, ctx.args[0]!, ctx.dims, ctx.shape));
  return SCANS[op.fn](tf, x, axis(ctx, op.along), op.reverse);
}

/**
 * y_t = b_t + a_t·y_prev (y_prev = init or 0 at the start). Doubling on the affine maps (A, B): after each round
 * y_t = B_t + A_t·y_(t-2d); at the end y_t = B_t + A_t·init.
 */
export function lowerLinrec(ctx: LowerCtx, op: OpOf<"linrec">): TfTensor {
  const { tf } = ctx;
  const ax = axis(ctx, op.along);
  const n = ctx.shape[ax]!;
  let A = rev(tf, f32(tf, full(tf, ctx.args[0]!, ctx.dims, ctx.shape)), ax, op.reverse);
  let B = rev(tf, f32(tf, full(tf, ctx.args[1]!, ctx.dims, ctx.shape)), ax, op.reverse);
  for (let d = 1; d < n; d *= 2) {
    const [aPrev, aCur] = [sl(tf, A, ax, 0, n - d), sl(tf, A, ax, d, n - d)];
    B = tf.concat([sl(tf, B, ax, 0, d), tf.add(sl(tf, B, ax, d, n - d), tf.mul(aCur, sl(tf, B, ax, 0, n - d)))], ax);
    if (op.hasInit || 2 * d < n) A = tf.concat([sl(tf, A, ax, 0, d), tf.mul(aCur, aPrev)], ax);
  }
  let y = B;
  if (op.hasInit) y = tf.add(B, tf.mul(A, f32(tf, expand(tf, ctx.args[2]!, ctx.dims))));
  return rev(tf, y, ax, op.reverse);
}

/** y_t = x_(t-by) when 0 <= t-by < n, else fill. */
export function lowerShift(ctx: LowerCtx, op: OpOf<"shift">): TfTensor {
  const { tf } = ctx;
  const ax = axis(ctx, op.along);
  const n = ctx.shape[ax]!;
  const dt = tfDtype(ctx.node.type.dtype);
  const x = asType(tf, full(tf, ctx.args[0]!, ctx.dims, ctx.shape), dt);
  const f = asType(tf, full(tf, ctx.args[1]!, ctx.dims, ctx.shape), dt);
  const k = op.by;
  if (k === 0) return x;
  if (Math.abs(k) >= n) return f;
  if (k > 0) return tf.concat([sl(tf, f, ax, 0, k), sl(tf, x, ax, 0, n - k)], ax);
  return tf.concat([sl(tf, x, ax, -k, n + k), sl(tf, f, ax, n + k, -k)], ax);
}

/**
 * scan_grad(x, g): the reference's cummax/cummin adjoint (evalScanGrad), run on the host, so off tfjs' tape. It is
 * linear in g (it carries gradient, compiler/ir/ops.ts): under autograd it refuses, as compiler/autodiff does, rather
 * than give a silent zero.
 */
export function lowerScanGrad(ctx: LowerCtx, op: OpOf<"scan_grad">): TfTensor {
  if (ctx.tf.engine().state.gradientDepth > 0)
    throw new EvalError("bad-node", "tfjs: no gradient through scan_grad (second-order gradients of cummax/cummin)");
  const r = evalScanGrad(hostCtx(ctx, [0, 1]), op);
  return ctx.tf.tensor(Float32Array.from(r.data), [...ctx.shape], "float32");
}
