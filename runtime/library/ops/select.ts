// Selection and layout primitives: topk_mask, uniform, take, put, log_softmax, select, stack, rename.
import {
  broadcastData,
  broadcastStrides,
  canonicalDims,
  forEachLine,
  shapeSize,
  stridesOf,
  Walker,
  type Tensor,
} from "../tensor.ts";
import { axisOf, nodeError, result, shapeFor, type NodeCtx, type OpOf } from "./common.ts";
import { lineLayout } from "./scan.ts";

/**
 * `topk_mask(x, k[, where], over=D, largest)`: within each slice of the non-D dims, true at the k largest (smallest)
 * selected elements. k (a runtime tensor over the slice dims, usually a scalar) is truncated to an integer and clamped
 * to [0, #selected]. Ties: the smaller canonical flat index first. NaN ranks above every number (as in torch.topk).
 */
export function evalTopkMask(ctx: NodeCtx, op: OpOf<"topk_mask">): Tensor {
  const n = shapeSize(ctx.shape);
  const x = broadcastData(ctx.args[0]!, ctx.dims, ctx.shape);
  const wd = op.hasWhere ? broadcastData(ctx.args[2]!, ctx.dims, ctx.shape) : undefined;
  const sliceDims = ctx.dims.filter((d) => !op.over.includes(d));
  const sliceShape = sliceDims.map((d) => ctx.shape[ctx.dims.indexOf(d)]!);
  const kData = broadcastData(ctx.args[1]!, sliceDims, sliceShape);
  const members: number[][] = Array.from({ length: kData.length }, () => []);
  const w = new Walker(ctx.shape, [broadcastStrides(ctx.dims, sliceDims, sliceShape)]);
  for (let i = 0; i < n; i++, w.next()) if (wd === undefined || wd[i] !== 0) members[w.off[0]!]!.push(i);
  const sign = op.largest ? -1 : 1;
  const rank = (v: number): number => (Number.isNaN(v) ? Infinity : v); // NaN counts as +inf
  const out = new Float64Array(n);
  members.forEach((m, s) => {
    const kv = kData[s]!;
    const k = Math.min(Math.max(Number.isNaN(kv) ? 0 : Math.trunc(kv), 0), m.length);
    if (k === 0) return;
    m.sort((i, j) => {
      const a = rank(x[i]!);
      const b = rank(x[j]!);
      if (a !== b) return sign * (a < b ? -1 : 1);
      return i - j;
    });
    for (let r = 0; r < k; r++) out[m[r]!] = 1;
  });
  return result(ctx, out);
}

/** murmur3's 32-bit finaliser (a bijection on 32-bit words). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * THE random function of rlp (every backend must reproduce it bit for bit). With u32(v) = ToUint32(v) (truncate,
 * then mod 2^32; NaN -> 0), all arithmetic mod 2^32:
 *   h = fmix32(u32(seed) + 0x9E3779B9)
 *   h = fmix32((h ^ u32(step)) + 0x7F4A7C15)
 *   h = fmix32((h ^ i) + 0x165667B1)            i = the canonical flat index of the element in the node's dims
 *   u = (h >>> 8) / 2^24                         24 random bits: exact in f32, in [0, 1)
 */
export function uniformAt(seed: number, step: number, i: number): number {
  let h = fmix32((seed >>> 0) + 0x9e3779b9);
  h = fmix32(((h ^ (step >>> 0)) + 0x7f4a7c15) >>> 0);
  h = fmix32(((h ^ (i >>> 0)) + 0x165667b1) >>> 0);
  return (h >>> 8) / 16777216;
}

/** `uniform(step)` with attr seed: uniformAt(seed, step, i) at every element (step broadcast, usually a scalar). */
export function evalUniform(ctx: NodeCtx, op: OpOf<"uniform">): Tensor {
  const step = broadcastData(ctx.args[0]!, ctx.dims, ctx.shape);
  const out = new Float64Array(step.length);
  for (let i = 0; i < out.length; i++) out[i] = uniformAt(op.seed, step[i]!, i);
  return result(ctx, out);
}

/** Plan for `take`: x's strides over the node's dims (S excluded), the stride of S in x and |S|. */
export function takePlan(ctx: NodeCtx, along: string): { walker: () => Walker; strideS: number; nS: number; n: number } {
  const [x, idx, fill] = ctx.args as [Tensor, Tensor, Tensor];
  const sAx = x.dims.indexOf(along);
  if (sAx < 0) throw nodeError(ctx.node, `take along ${along}, which x lacks`);
  const strides = [
    broadcastStrides(ctx.dims, x.dims, x.shape, [along]),
    broadcastStrides(ctx.dims, idx.dims, idx.shape),
    broadcastStrides(ctx.dims, fill.dims, fill.shape),
  ];
  return {
    walker: () => new Walker(ctx.shape, strides),
    strideS: stridesOf(x.shape)[sAx]!,
    nS: x.shape[sAx]!,
    n: shapeSize(ctx.shape),
  };
}

/** `take(x, idx, fill, along=S)`: out = x[..., S=idx[...]]; idx -1 or out of range (or not an integer) gives fill. */
export function evalTake(ctx: NodeCtx, op: OpOf<"take">): Tensor {
  const [x, idx, fill] = ctx.args as [Tensor, Tensor, Tensor];
  const p = takePlan(ctx, op.along);
  const w = p.walker();
  const out = new Float64Array(p.n);
  for (let i = 0; i < p.n; i++, w.next()) {
    const s = idx.data[w.off[1]!]!;
    out[i] = Number.isInteger(s) && s >= 0 && s < p.nS ? x.data[w.off[0]! + s * p.strideS]! : fill.data[w.off[2]!]!;
  }
  return result(ctx, out);
}

/** Plan for `put`: iteration over dims(x) ∪ dims(at) yielding [x offset, at offset, out offset without T]. */
export function putPlan(ctx: NodeCtx, op: OpOf<"put">): { walker: () => Walker; n: number; strideT: number; nT: number } {
  const [x, at] = ctx.args as [Tensor, Tensor];
  const order = ctx.program.dims.map((d) => d.name);
  const fullDims = canonicalDims([...x.dims, ...at.dims], order);
  if (op.into !== op.over && fullDims.includes(op.into))
    throw nodeError(ctx.node, `put into ${op.into}, which the operands already have`);
  const fullShape = shapeFor(fullDims, ctx.dimSizes);
  const tAx = axisOf(ctx.node, ctx.dims, op.into);
  const strides = [
    broadcastStrides(fullDims, x.dims, x.shape),
    broadcastStrides(fullDims, at.dims, at.shape),
    broadcastStrides(fullDims, ctx.dims, ctx.shape, [op.into]),
  ];
  return {
    walker: () => new Walker(fullShape, strides),
    n: shapeSize(fullShape),
    strideT: stridesOf(ctx.shape)[tAx]!,
    nT: ctx.shape[tAx]!,
  };
}

/** `put(x, at, into=T, over=S)`: out[..., t] = Σ_s x[..., s]·[at[..., s] == t]; at -1 or out of range is dropped. */
export function evalPut(ctx: NodeCtx, op: OpOf<"put">): Tensor {
  const [x, at] = ctx.args as [Tensor, Tensor];
  const p = putPlan(ctx, op);
  const w = p.walker();
  const out = new Float64Array(shapeSize(ctx.shape));
  for (let i = 0; i < p.n; i++, w.next()) {
    const t = at.data[w.off[1]!]!;
    if (Number.isInteger(t) && t >= 0 && t < p.nT) out[w.off[2]! + t * p.strideT]! += x.data[w.off[0]!]!;
  }
  return result(ctx, out);
}

/** `log_softmax(x, over=V)` = x − (m + log Σ exp(x − m)), m = max along V (stable). */
export function evalLogSoftmax(ctx: NodeCtx, op: OpOf<"log_softmax">): Tensor {
  const ax = axisOf(ctx.node, ctx.dims, op.over);
  const x = broadcastData(ctx.args[0]!, ctx.dims, ctx.shape);
  const out = new Float64Array(x.length);
  forEachLine(ctx.shape, ax, (base, stride, n) => {
    let m = -Infinity;
    for (let k = 0; k < n; k++) m = Math.max(m, x[base + k * stride]!);
    let s = 0;
    for (let k = 0; k < n; k++) s += Math.exp(x[base + k * stride]! - m);
    const lse = m + Math.log(s);
    for (let k = 0; k < n; k++) out[base + k * stride] = x[base + k * stride]! - lse;
  });
  return result(ctx, out);
}

/** Strides of x over the node's dims for `select`, and the offset of the selected slice (0 if x lacks the dim). */
export function selectPlan(ctx: NodeCtx, op: OpOf<"select">): { strides: number[]; base: number } {
  const x = ctx.args[0]!;
  const ax = x.dims.indexOf(op.dim);
  if (ax >= 0 && !(op.position >= 0 && op.position < x.shape[ax]!)) {
    throw nodeError(ctx.node, `position ${op.position} is outside ${op.dim} (size ${x.shape[ax]})`);
  }
  return {
    strides: broadcastStrides(ctx.dims, x.dims, x.shape, [op.dim]),
    base: ax < 0 ? 0 : op.position * stridesOf(x.shape)[ax]!,
  };
}

/** `select(dim, position)`: the slice at `position` along dim (the dim is dropped). */
export function evalSelect(ctx: NodeCtx, op: OpOf<"select">): Tensor {
  const x = ctx.args[0]!;
  const p = selectPlan(ctx, op);
  const n = shapeSize(ctx.shape);
  const out = new Float64Array(n);
  const w = new Walker(ctx.shape, [p.strides]);
  for (let i = 0; i < n; i++, w.next()) out[i] = x.data[p.base + w.off[0]!]!;
  return result(ctx, out);
}

/** `stack(dim)`: args are the slices in label order; the result gains dim (each slice broadcast to the rest). */
export function evalStack(ctx: NodeCtx, op: OpOf<"stack">): Tensor {
  const ax = axisOf(ctx.node, ctx.dims, op.dim);
  if (ctx.shape[ax] !== ctx.args.length)
    throw nodeError(ctx.node, `stacks ${ctx.args.length} values into ${op.dim} of size ${ctx.shape[ax]}`);
  const line = lineLayout(ctx, op.dim);
  const parts = ctx.args.map((a) => broadcastData(a, line.dims, line.shape));
  const out = new Float64Array(shapeSize(ctx.shape));
  forEachLine(ctx.shape, ax, (base, stride, n, li) => {
    for (let j = 0; j < n; j++) out[base + j * stride] = parts[j]![li]!;
  });
  return result(ctx, out);
}

/** x's dims with `from` renamed `to` (the data is unchanged). */
export function renamed(x: Tensor, from: string, to: string): Tensor {
  return { ...x, dims: x.dims.map((d) => (d === from ? to : d)) };
}

/** `rename(from, to)`: the same data with the dim renamed, then reordered to the canonical order. */
export function evalRename(ctx: NodeCtx, op: OpOf<"rename">): Tensor {
  return result(ctx, broadcastData(renamed(ctx.args[0]!, op.from, op.to), ctx.dims, ctx.shape));
}
