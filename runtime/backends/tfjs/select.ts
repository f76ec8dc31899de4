// Selection and layout primitives on tfjs: take, put, log_softmax, select, stack, rename, embed, uniform, tables.
//  * take: tf.gather on the flattened x at base + idx·stride(S), the base offsets computed on the host from the
//    shapes alone (no data read); invalid indices (-1, out of range) give fill through a true select.
//  * put: tf.unsortedSegmentSum of x into the flattened result; invalid positions go to a dropped extra segment.
//  * uniform is computed on the host with the reference's own hash (uniformAt: 32-bit integer multiplies, which
//    float32/int32 tensor ops cannot reproduce bit for bit), then uploaded.
//  * tables are host-side: the state lives in JS Maps keyed by the original id values.
import type { OpOf } from "../../library/ops/common.ts";
import { uniformAt } from "../../library/ops/select.ts";
import { stridesOf } from "../../library/tensor.ts";
import { asType, axis, canon, f32, full, host, offsets, select, shapeOf, tfDtype, toNodeShape } from "./layout.ts";
import type { LowerCtx, TfTensor, Val } from "./types.ts";

export function lowerTake(ctx: LowerCtx, op: OpOf<"take">): TfTensor {
  const { tf } = ctx;
  const x = ctx.args[0]!;
  const sAx = x.dims.indexOf(op.along);
  if (sAx < 0) throw new Error(`tfjs: node %${ctx.node.id} (take): x lacks ${op.along}`);
  const nS = x.t.shape[sAx]!;
  const strideS = stridesOf(x.t.shape)[sAx]!;
  const dt = tfDtype(ctx.node.type.dtype);
  const gatherType = dt === "bool" ? "int32" : dt;
  const [valid, at] = ctx.untaped(() => {
    const base = tf.tensor(offsets(ctx.dims, ctx.shape, x.dims, x.t.shape, [op.along]), [...ctx.shape], "int32");
    const idx = asType(tf, full(tf, ctx.args[1]!, ctx.dims, ctx.shape), "int32");
    const ok = tf.logicalAnd(tf.greaterEqual(idx, 0), tf.less(idx, nS));
    return [ok, tf.reshape(tf.where(ok, tf.add(base, tf.mul(idx, tf.scalar(strideS, "int32"))), tf.zerosLike(idx)), [-1])];
  });
  const flat = tf.reshape(asType(tf, x.t, gatherType), [-1]);
  const got = flat.size === 0 ? tf.zeros([...ctx.shape], gatherType) : tf.reshape(tf.gather(flat, at), [...ctx.shape]);
  const fill = asType(tf, full(tf, ctx.args[2]!, ctx.dims, ctx.shape), gatherType);
  return asType(tf, select(tf, valid, got, fill), dt);
}

export function lowerPut(ctx: LowerCtx, op: OpOf<"put">): TfTensor {
  const { tf } = ctx;
  const [x, at] = ctx.args as [Val, Val];
  const fullDims = canon(ctx, [...x.dims, ...at.dims]);
  const fullShape = shapeOf(ctx, fullDims);
  const tAx = axis(ctx, op.into);
  const nT = ctx.shape[tAx]!;
  const strideT = stridesOf(ctx.shape)[tAx]!;
  const nOut = ctx.shape.reduce((a, b) => a * b, 1);
  const seg = ctx.untaped(() => {
    const base = tf.tensor(offsets(fullDims, fullShape, ctx.dims, ctx.shape, [op.into]), fullShape, "int32");
    const a = asType(tf, full(tf, at, fullDims, fullShape), "int32");
    const ok = tf.logicalAnd(tf.greaterEqual(a, 0), tf.less(a, nT));
    return tf.reshape(
      tf.where(ok, tf.add(base, tf.mul(a, tf.scalar(strideT, "int32"))), tf.fill(fullShape, nOut, "int32")),
      [-1],
    );
  });
  const xs = tf.reshape(f32(tf, full(tf, x, fullDims, fullShape)), [-1]);
  const summed = tf.unsortedSegmentSum(xs, seg.as1D(), nOut + 1);
  return tf.reshape(tf.slice(summed, [0], [nOut]), [...ctx.shape]);
}

/** x − logsumexp(x) along `over` (tf.logSumExp is max-shifted). */
export function lowerLogSoftmax(ctx: LowerCtx, op: OpOf<"log_softmax">): TfTensor {
  const { tf } = ctx;
  const ax = axis(ctx, op.over);
  const x = f32(tf, full(tf, ctx.args[0]!, ctx.dims, ctx.shape));
  return tf.sub(x, tf.logSumExp(x, ax, true));
}

export function lowerSelect(ctx: LowerCtx, op: OpOf<"select">): TfTensor {
  const { tf } = ctx;
  const v = ctx.args[0]!;
  const ax = v.dims.indexOf(op.dim);
  if (ax < 0) return full(tf, v, ctx.dims, ctx.shape);
  const n = v.t.shape[ax]!;
  if (!(op.position >= 0 && op.position < n))
    throw new Error(`tfjs: node %${ctx.node.id} (select): position ${op.position} is outside ${op.dim} (size ${n})`);
  const begin = v.t.shape.map((_, i) => (i === ax ? op.position : 0));
  const size = v.t.shape.map((s, i) => (i === ax ? 1 : s));
  const t = tf.reshape(
    tf.slice(v.t, begin, size),
    v.t.shape.filter((_, i) => i !== ax),
  );
  return full(tf, { t, dims: v.dims.filter((d) => d !== op.dim) }, ctx.dims, ctx.shape);
}

export function lowerStack(ctx: LowerCtx, op: OpOf<"stack">): TfTensor {
  const { tf } = ctx;
  const ax = axis(ctx, op.dim);
  if (ctx.shape[ax] !== ctx.args.length)
    throw new Error(`tfjs: node %${ctx.node.id} (stack): ${ctx.args.length} values into ${op.dim} of size ${ctx.shape[ax]}`);
  const lineDims = ctx.dims.filter((d) => d !== op.dim);
  const lineShape = ctx.shape.filter((_, i) => i !== ax);
  const dt = tfDtype(ctx.node.type.dtype);
  return tf.stack(
    ctx.args.map((v) => asType(tf, full(tf, v, lineDims, lineShape), dt)),
    ax,
  );
}

export function lowerRename(ctx: LowerCtx, op: OpOf<"rename">): TfTensor {
  const v = ctx.args[0]!;
  return full(ctx.tf, { t: v.t, dims: v.dims.map((d) => (d === op.from ? op.to : d)) }, ctx.dims, ctx.shape);
}

/** embed(g, dim, position): g (which lacks dim) at `position` along `dim`, 0 elsewhere (the adjoint of select). */
export function lowerEmbed(ctx: LowerCtx, op: OpOf<"embed">): TfTensor {
  const { tf } = ctx;
  const ax = axis(ctx, op.dim);
  const n = ctx.shape[ax]!;
  const v = ctx.args[0]!;
  if (v.dims.includes(op.dim))
    throw new Error(`tfjs: node %${ctx.node.id} (embed): embeds along ${op.dim}, which its operand already has`);
  if (!(Number.isInteger(op.position) && op.position >= 0 && op.position < n))
    throw new Error(`tfjs: node %${ctx.node.id} (embed): position ${op.position} is outside ${op.dim} (size ${n})`);
  const lineDims = ctx.dims.filter((d) => d !== op.dim);
  const line = f32(
    tf,
    full(
      tf,
      v,
      lineDims,
      ctx.shape.filter((_, i) => i !== ax),
    ),
  );
  return tf.pad(
    tf.expandDims(line, ax),
    ctx.shape.map((_, i): [number, number] => (i === ax ? [op.position, n - 1 - op.position] : [0, 0])),
  );
}

export function lowerUniform(ctx: LowerCtx, op: OpOf<"uniform">): TfTensor {
  const step = host(full(ctx.tf, ctx.args[0]!, ctx.dims, ctx.shape));
  const out = new Float32Array(step.length);
  for (let i = 0; i < out.length; i++) out[i] = uniformAt(op.seed, step[i]!, i);
  return ctx.tf.tensor(out, [...ctx.shape], "float32");
}

export function lowerTableGet(ctx: LowerCtx, op: OpOf<"table_get">): TfTensor {
  const table = ctx.state[op.table];
  if (table !== undefined && !(table instanceof Map))
    throw new Error(`tfjs: state ${op.table} is keyed but was given a ${typeof table}`);
  const keys = host(full(ctx.tf, ctx.args[0]!, ctx.dims, ctx.shape));
  const out = new Float32Array(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = table?.get(ctx.ids.decode(keys[i]!)) ?? op.default;
  return ctx.tf.tensor(out, [...ctx.shape], "float32");
}

export function lowerTableRead(ctx: LowerCtx, op: OpOf<"table_read">): TfTensor {
  const v = ctx.state[op.table];
  if (v instanceof Map) throw new Error(`tfjs: state ${op.table} is unkeyed but was given a table`);
  return toNodeShape(ctx, ctx.tf.fill([...ctx.shape], v ?? op.default, "float32"));
}
