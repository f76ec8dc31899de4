// Layout helpers: by-NAME broadcasting of device tensors, dtype coercions, and host-side index tables.
// Every value is kept in its node's canonical dims; a subset of canonical dims is already in canonical relative
// order, so broadcasting to a result's dims is a reshape that inserts size-1 axes (then tf broadcasting, or an
// explicit broadcastTo where the full shape is needed).
import type { DType } from "../../../compiler/ir/ir.ts";
import type { NodeCtx } from "../../library/ops/common.ts";
import { broadcastStrides, shapeSize, Walker, type Tensor } from "../../library/tensor.ts";
import type { LowerCtx, TF, TfTensor, Val } from "./types.ts";

export type TfDType = "float32" | "int32" | "bool";

export function tfDtype(d: DType): TfDType {
  return d === "f32" ? "float32" : d === "bool" ? "bool" : "int32";
}

/** `v` reshaped to the rank of `dims` (size-1 axes for dims it lacks); transposed first if out of order. */
export function expand(tf: TF, v: Val, dims: readonly string[]): TfTensor {
  for (const d of v.dims)
    if (!dims.includes(d)) throw new Error(`tfjs: dim ${d} of [${v.dims.join(", ")}] is not among [${dims.join(", ")}]`);
  let t = v.t;
  const order = dims.filter((d) => v.dims.includes(d));
  if (order.some((d, i) => d !== v.dims[i]))
    t = tf.transpose(
      t,
      order.map((d) => v.dims.indexOf(d)),
    );
  if (v.dims.length === dims.length) return t;
  const shape = dims.map((d) => (v.dims.includes(d) ? t.shape[order.indexOf(d)]! : 1));
  return tf.reshape(t, shape);
}

/** `v` broadcast by name to exactly dims/shape. */
export function full(tf: TF, v: Val, dims: readonly string[], shape: readonly number[]): TfTensor {
  const t = expand(tf, v, dims);
  return t.shape.every((s, i) => s === shape[i]) ? t : tf.broadcastTo(t, [...shape]);
}

/** A tensor of the node's shape (broadcast if tf broadcasting left it smaller). */
export function toNodeShape(ctx: LowerCtx, t: TfTensor): TfTensor {
  const { tf, shape } = ctx;
  if (t.rank === shape.length && t.shape.every((s, i) => s === shape[i])) return t;
  if (t.rank !== shape.length) t = tf.reshape(t, [...new Array<number>(shape.length - t.rank).fill(1), ...t.shape]);
  return tf.broadcastTo(t, [...shape]);
}

/**
 * Argument i ready for tf broadcasting against the node's layout: expanded to the node's rank, then with leading
 * size-1 axes dropped (tf aligns shapes on the right), and a constant as a rank-0 scalar. tfjs' cpu kernels only
 * take their fast path when each operand's shape is a suffix of the result's, so this matters for speed.
 */
export function arg(ctx: LowerCtx, i: number): TfTensor {
  const { tf } = ctx;
  const c = staticValue(ctx, i);
  if (c !== undefined) return tf.scalar(constantOf(ctx, i, c), tfDtype(ctx.program.nodes[ctx.node.args[i]!]!.type.dtype));
  const t = expand(tf, ctx.args[i]!, ctx.dims);
  let lead = 0;
  while (lead < t.rank && t.shape[lead] === 1) lead++;
  return lead === 0 ? t : tf.reshape(t, t.shape.slice(lead));
}

/** Argument i broadcast to the node's full shape; a constant is filled directly (no tile). */
export function argFull(ctx: LowerCtx, i: number): TfTensor {
  const c = staticValue(ctx, i);
  if (c === undefined) return full(ctx.tf, ctx.args[i]!, ctx.dims, ctx.shape);
  return ctx.tf.fill([...ctx.shape], constantOf(ctx, i, c), tfDtype(ctx.program.nodes[ctx.node.args[i]!]!.type.dtype));
}

/** The value of argument i when it is a constant (a `const` or `param` node), else undefined. */
export function staticValue(ctx: LowerCtx, i: number): number | undefined {
  const op = ctx.program.nodes[ctx.node.args[i]!]!.op;
  return op.op === "const" || op.op === "param" ? op.value : undefined;
}

/** The stored form of constant `v` for argument i's dtype (bool as 0/1, ids encoded). */
function constantOf(ctx: LowerCtx, i: number, v: number): number {
  const dt = ctx.program.nodes[ctx.node.args[i]!]!.type.dtype;
  return dt === "id" ? ctx.ids.encode(v) : dt === "bool" ? (v !== 0 ? 1 : 0) : v;
}

/** `t` as dtype: to bool is x != 0 (NaN is true); to int32 truncates toward zero (NaN -> 0). */
export function asType(tf: TF, t: TfTensor, dtype: TfDType): TfTensor {
  if (t.dtype === dtype) return t;
  if (dtype === "bool")
    return t.dtype === "int32" || t.dtype === "float32" ? tf.notEqual(t, tf.scalar(0, t.dtype)) : tf.cast(t, "bool");
  return tf.cast(t, dtype);
}

export const f32 = (tf: TF, t: TfTensor): TfTensor => asType(tf, t, "float32");
export const bool = (tf: TF, t: TfTensor): TfTensor => asType(tf, t, "bool");

/** The position of `dim` in the node's dims. */
export function axis(ctx: LowerCtx, dim: string): number {
  const ax = ctx.dims.indexOf(dim);
  if (ax < 0) throw new Error(`tfjs: node %${ctx.node.id} (${ctx.node.op.op}): dim ${dim} is not among [${ctx.dims.join(", ")}]`);
  return ax;
}

/** Sizes of `dims`. */
export function shapeOf(ctx: LowerCtx, dims: readonly string[]): number[] {
  return dims.map((d) => {
    const s = ctx.dimSizes[d];
    if (s === undefined) throw new Error(`tfjs: dim ${d} has no size`);
    return s;
  });
}

/** Sorts dim names into the program's canonical order. */
export function canon(ctx: LowerCtx, dims: Iterable<string>): string[] {
  const set = new Set(dims);
  return ctx.program.dims.map((d) => d.name).filter((d) => set.has(d));
}

/**
 * For each flat position of (dims, shape): the flat offset inside a tensor laid out as (inDims, inShape), by name;
 * dims in `ignore` contribute nothing (the caller adds their offset). Host-side, data-independent.
 */
export function offsets(
  dims: readonly string[],
  shape: readonly number[],
  inDims: readonly string[],
  inShape: readonly number[],
  ignore: readonly string[] = [],
): Int32Array {
  const n = shapeSize(shape);
  const out = new Int32Array(n);
  const w = new Walker(shape, [broadcastStrides(dims, inDims, inShape, ignore)]);
  for (let i = 0; i < n; i++, w.next()) out[i] = w.off[0]!;
  return out;
}

/** Reads a device tensor to the host (values as numbers; bool as 0/1). */
export function host(t: TfTensor): Float64Array {
  return Float64Array.from(t.dataSync() as ArrayLike<number>);
}

/**
 * The reference evaluator's context for this node over host copies of the arguments listed in `read` (the others
 * get empty data): lets non-differentiable ops run the reference's own code on the host.
 */
export function hostCtx(ctx: LowerCtx, read: readonly number[]): NodeCtx {
  const args: Tensor[] = ctx.args.map((v, i) => ({
    dtype: ctx.program.nodes[ctx.node.args[i]!]!.type.dtype,
    dims: v.dims,
    shape: v.t.shape,
    data: read.includes(i) ? host(v.t) : new Float64Array(0),
  }));
  return { program: ctx.program, node: ctx.node, args, dimSizes: ctx.dimSizes, dims: ctx.dims, shape: ctx.shape };
}

type Where3 = (c: TfTensor, a: TfTensor, b: TfTensor) => TfTensor;
const trueWhere = new WeakMap<TF, Where3>();

/**
 * where(c, a, b) whose gradient is a true select (g to a where c, to b elsewhere). tfjs' own Select gradient is g·c,
 * which turns a NaN/inf cotangent in the unselected branch into NaN (NaN·0); under a gradient tape this is a
 * tf.customGrad op, otherwise plain tf.where. Operands broadcast (by position, like tf.where).
 */
export function select(tf: TF, c: TfTensor, a: TfTensor, b: TfTensor): TfTensor {
  if (!tf.engine().isTapeOn() || a.dtype !== "float32") return tf.where(c, a, b);
  let w = trueWhere.get(tf);
  if (w === undefined) {
    w = tf.customGrad((...args: unknown[]) => {
      const [cond, x, y, save] = args as [TfTensor, TfTensor, TfTensor, (ts: TfTensor[]) => void];
      save([cond]);
      return {
        value: tf.where(cond, x, y),
        gradFunc: (dy: TfTensor, saved: TfTensor[]) => {
          const z = tf.zerosLike(dy);
          return [tf.zeros(saved[0]!.shape, "float32"), tf.where(saved[0]!, dy, z), tf.where(saved[0]!, z, dy)];
        },
      };
    }) as Where3;
    trueWhere.set(tf, w);
  }
  const rank = Math.max(c.rank, a.rank, b.rank);
  const shape = Array.from({ length: rank }, (_, i) => Math.max(...[c, a, b].map((t) => t.shape[i - rank + t.rank] ?? 1)));
  const bc = (t: TfTensor): TfTensor =>
    t.shape.length === shape.length && t.shape.every((s, i) => s === shape[i]) ? t : tf.broadcastTo(t, shape);
  return w(bc(c), bc(a), bc(b));
}
