// The gradient-side primitives (produced by compiler/autodiff, ordinary primitives otherwise): argfirst, scan_grad,
// embed. Each one is what the symbolic gradient needs where the plain primitives cannot say "the first position that
// gives the value" (max/min reductions, segment max/min/first, cummax/cummin) or "scatter into one slice" (select).
import { broadcastData, broadcastStrides, forEachLine, shapeSize, stridesOf, Walker, type Tensor } from "../tensor.ts";
import { axisOf, nodeError, result, type NodeCtx, type OpOf } from "./common.ts";
import { takesArg } from "./scan.ts";

/** x == y, except that NaN matches NaN: a NaN extreme (which max/min propagate) is found again by its arg. */
export function sameValue(x: number, y: number): boolean {
  return x === y || (Number.isNaN(x) && Number.isNaN(y));
}

/**
 * `argfirst(x, y [, key] [, where], over=D)`: every operand broadcast to the node's dims (the union of theirs); the
 * positions are grouped by the slice of the non-D dims (and, with a key, by key value within the slice, as in
 * `segment`). True at the first selected position of each group (canonical flat order) where x == y (NaN matches
 * NaN); false everywhere else. A group with no such position has no true.
 */
export function evalArgfirst(ctx: NodeCtx, op: OpOf<"argfirst">): Tensor {
  for (const d of op.over) if (!ctx.dims.includes(d)) throw nodeError(ctx.node, `argfirst over ${d}, which its result lacks`);
  const n = shapeSize(ctx.shape);
  const x = broadcastData(ctx.args[0]!, ctx.dims, ctx.shape);
  const y = broadcastData(ctx.args[1]!, ctx.dims, ctx.shape);
  const key = op.hasKey ? broadcastData(ctx.args[2]!, ctx.dims, ctx.shape) : undefined;
  const where = op.hasWhere ? broadcastData(ctx.args[op.hasKey ? 3 : 2]!, ctx.dims, ctx.shape) : undefined;
  const sliceDims = ctx.dims.filter((d) => !op.over.includes(d));
  const sliceShape = sliceDims.map((d) => ctx.shape[ctx.dims.indexOf(d)]!);
  const w = new Walker(ctx.shape, [broadcastStrides(ctx.dims, sliceDims, sliceShape)]);
  // found[slice] holds the key values (or the single marker 0 without a key) whose first match was already taken
  const found: Set<number>[] = Array.from({ length: shapeSize(sliceShape) }, () => new Set());
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++, w.next()) {
    if (where !== undefined && where[i] === 0) continue;
    if (!sameValue(x[i]!, y[i]!)) continue;
    const taken = found[w.off[0]!]!;
    const k = key === undefined ? 0 : key[i]!;
    if (taken.has(k)) continue;
    taken.add(k);
    out[i] = 1;
  }
  return result(ctx, out);
}

/**
 * `scan_grad(x, g, fn, along, reverse)`: the gradient of `scan(fn, x, along, reverse)` for the cotangent g, both
 * broadcast to the node's dims. Along each line in scan order, g_k goes to the running arg of the scan at k: the first
 * extreme seen so far (a NaN, once seen, stays the arg), exactly as test/oracle/reverse_ops.ts does for the scan.
 */
export function evalScanGrad(ctx: NodeCtx, op: OpOf<"scan_grad">): Tensor {
  const ax = axisOf(ctx.node, ctx.dims, op.along);
  const x = broadcastData(ctx.args[0]!, ctx.dims, ctx.shape);
  const g = broadcastData(ctx.args[1]!, ctx.dims, ctx.shape);
  const out = new Float64Array(x.length);
  forEachLine(ctx.shape, ax, (base, stride, n) => {
    const pos = (k: number): number => base + (op.reverse ? n - 1 - k : k) * stride;
    let arg = -1;
    for (let k = 0; k < n; k++) {
      const p = pos(k);
      const v = x[p]!;
      if (arg < 0) arg = p;
      else if (takesArg(op.fn, v, x[arg]!)) arg = p;
      out[arg]! += g[p]!;
    }
  });
  return result(ctx, out);
}

/**
 * `embed(g, dim, position)`: the node's dims are g's plus `dim`; the result is g at `position` along dim and 0 at every
 * other position (the adjoint of `select`). g must not have dim.
 */
export function evalEmbed(ctx: NodeCtx, op: OpOf<"embed">): Tensor {
  const g = ctx.args[0]!;
  if (g.dims.includes(op.dim)) throw nodeError(ctx.node, `embeds along ${op.dim}, which its operand already has`);
  const ax = axisOf(ctx.node, ctx.dims, op.dim);
  if (!(Number.isInteger(op.position) && op.position >= 0 && op.position < ctx.shape[ax]!)) {
    throw nodeError(ctx.node, `position ${op.position} is outside ${op.dim} (size ${ctx.shape[ax]})`);
  }
  const n = shapeSize(ctx.shape);
  const out = new Float64Array(n);
  const sliceDims = ctx.dims.filter((d) => d !== op.dim);
  const sliceShape = ctx.shape.filter((_, i) => i !== ax);
  const slice = broadcastData(g, sliceDims, sliceShape);
  const base = op.position * stridesOf(ctx.shape)[ax]!;
  const w = new Walker(sliceShape, [broadcastStrides(sliceDims, ctx.dims, ctx.shape, [op.dim])]);
  for (let i = 0; i < slice.length; i++, w.next()) out[base + w.off[0]!] = slice[i]!;
  return result(ctx, out);
}
