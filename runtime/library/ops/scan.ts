// Scans along one dim: cumsum / cumprod / cummax / cummin, the linear recurrence `linrec`, and `shift`.
// Operands are broadcast by name to node.type.dims first; each line along the dim is processed independently.
import type { ScanOpName, SelectScanName } from "../../../compiler/ir/ops.ts";
import { broadcastData, forEachLine, type Tensor } from "../tensor.ts";
import { axisOf, result, type NodeCtx, type OpOf } from "./common.ts";

/** dims/shape of the node without `along` (the layout of linrec's init and of per-line values). */
export function lineLayout(ctx: NodeCtx, along: string): { dims: string[]; shape: number[] } {
  const ax = ctx.dims.indexOf(along);
  return { dims: ctx.dims.filter((_, i) => i !== ax), shape: ctx.shape.filter((_, i) => i !== ax) };
}

/** Each scan's combine ⊕ (running value, next element). cummax/cummin propagate NaN once seen. */
const COMBINE: Record<ScanOpName, (acc: number, v: number) => number> = {
  cumsum: (acc, v) => acc + v,
  cumprod: (acc, v) => acc * v,
  cummax: (acc, v) => (Number.isNaN(acc) || Number.isNaN(v) ? NaN : Math.max(acc, v)),
  cummin: (acc, v) => (Number.isNaN(acc) || Number.isNaN(v) ? NaN : Math.min(acc, v)),
};

/** Does v replace the running arg `best` of a selecting scan (the first extreme in scan order stays)? */
export const BEATS: Record<SelectScanName, (v: number, best: number) => boolean> = {
  cummax: (v, best) => v > best,
  cummin: (v, best) => v < best,
};

/** The running arg of a selecting scan moves to v (a NaN, once the arg, stays it). */
export function takesArg(fn: SelectScanName, v: number, best: number): boolean {
  return !Number.isNaN(best) && (Number.isNaN(v) || BEATS[fn](v, best));
}

/**
 * `scan(fn, x, along, reverse)`: y_t = x_0 ⊕ ... ⊕ x_t (forward) or x_t ⊕ ... ⊕ x_(n-1) (reverse), ⊕ = COMBINE[fn].
 */
export function evalScan(ctx: NodeCtx, op: OpOf<"scan">): Tensor {
  const ax = axisOf(ctx.node, ctx.dims, op.along);
  const x = broadcastData(ctx.args[0]!, ctx.dims, ctx.shape);
  const out = new Float64Array(x.length);
  const combine = COMBINE[op.fn];
  forEachLine(ctx.shape, ax, (base, stride, n) => {
    let acc = 0;
    for (let k = 0; k < n; k++) {
      const p = base + (op.reverse ? n - 1 - k : k) * stride;
      const v = x[p]!;
      acc = k === 0 ? v : combine(acc, v);
      out[p] = acc;
    }
  });
  return result(ctx, out);
}

/**
 * `linrec(a, b[, init])`: y_t = b_t + a_t * y_prev, y_prev = y_(t-1) forward or y_(t+1) reverse; at the boundary
 * y_prev = init (dims of init = node dims − along; 0 when there is no init).
 */
export function evalLinrec(ctx: NodeCtx, op: OpOf<"linrec">): Tensor {
  const ax = axisOf(ctx.node, ctx.dims, op.along);
  const a = broadcastData(ctx.args[0]!, ctx.dims, ctx.shape);
  const b = broadcastData(ctx.args[1]!, ctx.dims, ctx.shape);
  const line = lineLayout(ctx, op.along);
  const init = op.hasInit ? broadcastData(ctx.args[2]!, line.dims, line.shape) : undefined;
  const out = new Float64Array(a.length);
  forEachLine(ctx.shape, ax, (base, stride, n, li) => {
    let y = init ? init[li]! : 0;
    for (let k = 0; k < n; k++) {
      const p = base + (op.reverse ? n - 1 - k : k) * stride;
      y = b[p]! + a[p]! * y;
      out[p] = y;
    }
  });
  return result(ctx, out);
}

/** `shift(x, fill, along, by=k)`: y_t = x_(t-k) when 0 <= t-k < |T|, else fill (fill broadcast, may lack T). */
export function evalShift(ctx: NodeCtx, op: OpOf<"shift">): Tensor {
  const ax = axisOf(ctx.node, ctx.dims, op.along);
  const x = broadcastData(ctx.args[0]!, ctx.dims, ctx.shape);
  const fill = broadcastData(ctx.args[1]!, ctx.dims, ctx.shape);
  const out = new Float64Array(x.length);
  forEachLine(ctx.shape, ax, (base, stride, n) => {
    for (let t = 0; t < n; t++) {
      const s = t - op.by;
      const p = base + t * stride;
      out[p] = s >= 0 && s < n ? x[base + s * stride]! : fill[p]!;
    }
  });
  return result(ctx, out);
}
