// Masked reductions, key segments, top-k masks and argfirst on tfjs.
//  * reduce: the operand and the mask are broadcast to (node dims ∪ over); unselected elements are replaced by a
//    true select (never a multiply by the mask; see layout.ts select) with the neutral element; empty slices give 0 / `empty`.
//  * segment: groups are formed on the host from the key and mask (they are not differentiable); sums go through
//    tf.unsortedSegmentSum and back through tf.gather; max/min/first gather x at the member the reference picks
//    (first extreme in canonical order, found on the host), so their gradient is the reference's too.
//  * topk_mask and argfirst with a key are computed on the host (bool results, no gradient), exactly as the reference.
import type { OpOf } from "../../library/ops/common.ts";
import { evalArgfirst } from "../../library/ops/gradient_ops.ts";
import { segmentGroups, segmentStats } from "../../library/ops/segment.ts";
import { evalTopkMask } from "../../library/ops/select.ts";
import { asType, bool, canon, f32, full, hostCtx, select, shapeOf, tfDtype, toNodeShape } from "./layout.ts";
import type { LowerCtx, TfTensor } from "./types.ts";
import type { SegmentOpName } from "../../../compiler/ir/ops.ts";

export function lowerReduce(ctx: LowerCtx, op: OpOf<"reduce">): TfTensor {
  const { tf } = ctx;
  const fullDims = canon(ctx, [...ctx.dims, ...op.over]);
  const fullShape = shapeOf(ctx, fullDims);
  const axes = op.over.map((d) => fullDims.indexOf(d));
  const x0 = full(tf, ctx.args[0]!, fullDims, fullShape);
  const x = ctx.args[0]!.t.dtype === "bool" ? x0 : f32(tf, x0);
  const sel = op.hasWhere ? bool(tf, full(tf, ctx.args[1]!, fullDims, fullShape)) : undefined;
  const n = fullShape.reduce((a, b) => a * b, 1);
  // number of selected elements per result position (untaped: a constant to the gradient)
  const count = (): TfTensor =>
    ctx.untaped(() =>
      sel
        ? tf.sum(tf.cast(sel, "float32"), axes)
        : tf.fill(
            [...ctx.shape],
            axes.reduce((a, ax) => a * fullShape[ax]!, 1),
          ),
    );
  const masked = (neutral: number): TfTensor => (sel ? select(tf, sel, x, tf.fill(fullShape, neutral)) : x);
  const orEmpty = (r: TfTensor): TfTensor =>
    sel || n === 0 ? select(tf, tf.greater(count(), 0), r, tf.fill(r.shape, op.empty)) : r;
  let r: TfTensor;
  switch (op.fn) {
    case "sum":
      r = tf.sum(masked(0), axes);
      break;
    case "mean":
      // sum / count, 0 when nothing is selected (the sum is then 0: 0 / max(count, 1))
      r = tf.div(tf.sum(masked(0), axes), tf.maximum(count(), 1));
      break;
    case "count":
      r = ctx.untaped(() => {
        let c = sel ?? tf.ones(fullShape, "bool");
        if (x.dtype === "bool") c = tf.logicalAnd(c, x);
        return tf.sum(tf.cast(c, "float32"), axes);
      });
      break;
    case "max":
      r = orEmpty(tf.max(masked(-Infinity), axes));
      break;
    case "min":
      r = orEmpty(tf.min(masked(Infinity), axes));
      break;
    case "logsumexp": {
      // m + log Σ exp(x - m) with m the (finite) max, taken off the tape: it only shifts for stability
      const xm = masked(-Infinity);
      const m = ctx.untaped(() => {
        const mx = tf.max(xm, axes, true);
        return tf.where(tf.isFinite(mx), mx, tf.zerosLike(mx));
      });
      const s = tf.sum(tf.exp(tf.sub(xm, m)), axes);
      r = orEmpty(tf.add(tf.reshape(m, s.shape), tf.log(s)));
      break;
    }
  }
  return toNodeShape(ctx, r);
}

/** How tfjs makes each segment statistic: a chosen member (host), a masked segment sum (mean: / count), a count. */
const SEGMENT_KIND: Record<SegmentOpName, "picks" | "sums" | "counts"> = {
  sum: "sums",
  mean: "sums",
  max: "picks",
  min: "picks",
  first: "picks",
  count: "counts",
};

export function lowerSegment(ctx: LowerCtx, op: OpOf<"segment">): TfTensor {
  const { tf } = ctx;
  const xIsBool = ctx.args[0]!.t.dtype === "bool";
  // group ids, membership and (for max/min/first) the chosen member, from host copies of the non-differentiable
  // operands (x itself is read only when the statistic picks a member)
  const picks = SEGMENT_KIND[op.fn] === "picks";
  const hc = hostCtx(
    ctx,
    [0, 1, 2].filter((i) => i < ctx.args.length && (i > 0 || picks)),
  );
  const sg = segmentGroups(hc, op);
  const n = sg.group.length;
  const x = f32(tf, full(tf, ctx.args[0]!, ctx.dims, ctx.shape));
  const flat = tf.reshape(x, [n]);
  const sel = tf.tensor1d(sg.sel, "bool");
  const gid = tf.tensor1d(sg.group, "int32");
  let perPos: TfTensor;
  if (picks) {
    const { arg } = segmentStats(op.fn, sg, xIsBool);
    const at = new Int32Array(n);
    for (let i = 0; i < n; i++) at[i] = sg.sel[i] ? Math.max(arg[sg.group[i]!]!, 0) : i;
    perPos = tf.gather(flat, tf.tensor1d(at, "int32"));
  } else {
    const cnt = new Float32Array(sg.nGroups);
    for (let i = 0; i < n; i++) if (sg.sel[i]) cnt[sg.group[i]!]!++;
    let stat: TfTensor;
    if (SEGMENT_KIND[op.fn] === "counts") {
      stat = ctx.untaped(() => {
        const c = xIsBool ? tf.logicalAnd(sel, tf.reshape(bool(tf, full(tf, ctx.args[0]!, ctx.dims, ctx.shape)), [n])) : sel;
        return tf.unsortedSegmentSum(tf.cast(c, "float32"), gid, sg.nGroups);
      });
    } else {
      stat = tf.unsortedSegmentSum(select(tf, sel, flat, tf.zerosLike(flat)), gid, sg.nGroups);
      if (op.fn === "mean") stat = tf.div(stat, tf.maximum(tf.tensor1d(cnt, "float32"), 1));
    }
    perPos = tf.gather(stat, gid);
  }
  const out = select(tf, sel, perPos, tf.zerosLike(perPos));
  return toNodeShape(ctx, asType(tf, tf.reshape(out, ctx.shape), tfDtype(ctx.node.type.dtype)));
}

/** Computed on the host by the reference's own rule (ties by canonical index, NaN above every number). */
export function lowerTopkMask(ctx: LowerCtx, op: OpOf<"topk_mask">): TfTensor {
  const hc = hostCtx(
    ctx,
    ctx.args.map((_, i) => i),
  );
  const r = evalTopkMask(hc, op);
  return ctx.tf.tensor(Uint8Array.from(r.data), [...ctx.shape], "bool");
}

/**
 * argfirst(x, y [, key] [, where], over): true at the first selected position (canonical order) of each slice of the
 * non-`over` dims (and key segment) where x == y. Without a key: an inclusive cumsum over the flattened `over` dims;
 * with one: on the host.
 */
export function lowerArgfirst(ctx: LowerCtx, op: OpOf<"argfirst">): TfTensor {
  const { tf } = ctx;
  if (op.hasKey)
    return tf.tensor(
      Uint8Array.from(
        evalArgfirst(
          hostCtx(
            ctx,
            ctx.args.map((_, i) => i),
          ),
          op,
        ).data,
      ),
      [...ctx.shape],
      "bool",
    );
  const dims = ctx.dims;
  const whereAt = op.hasWhere ? 2 : -1;
  const x = f32(tf, full(tf, ctx.args[0]!, dims, ctx.shape));
  const y = f32(tf, full(tf, ctx.args[1]!, dims, ctx.shape));
  // x == y, NaN matching NaN (a NaN extreme is found again by its arg)
  let hit = tf.logicalOr(tf.equal(x, y), tf.logicalAnd(tf.isNaN(x), tf.isNaN(y)));
  if (whereAt >= 0) hit = tf.logicalAnd(hit, bool(tf, full(tf, ctx.args[whereAt]!, dims, ctx.shape)));
  const rest = dims.filter((d) => !op.over.includes(d));
  const overDims = dims.filter((d) => op.over.includes(d));
  const perm = [...rest, ...overDims].map((d) => dims.indexOf(d));
  const inner = overDims.reduce((a, d) => a * ctx.shape[dims.indexOf(d)]!, 1);
  const h = tf.reshape(tf.cast(tf.transpose(hit, perm), "float32"), [-1, Math.max(inner, 1)]);
  const first = tf.logicalAnd(tf.cast(h, "bool"), tf.equal(tf.cumsum(h, 1), 1));
  const back = tf.reshape(
    first,
    perm.map((p) => ctx.shape[p]!),
  );
  return toNodeShape(
    ctx,
    tf.transpose(
      back,
      perm.map((_, i) => perm.indexOf(i)),
    ),
  );
}
