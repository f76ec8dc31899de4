// Key-based segment reductions, broadcast back: `segment(fn, x, key[, where], over=D)`.
// Within each slice of the dims NOT in D, positions are grouped by equal key value (key broadcast like the other
// operands); the statistic of x over the SELECTED members of a group is written back to every selected member of the
// group; positions not selected get 0. `first` = the selected member with the smallest canonical flat index.
// Empty statistics cannot occur at a selected position (it is a member of its own group), so no NaN arises.
import { broadcastData, broadcastStrides, shapeSize, Walker, type Tensor } from "../tensor.ts";
import { nodeError, result, type NodeCtx, type OpOf } from "./common.ts";
import { unreachable } from "../../../compiler/ir/ops.ts";

export interface SegmentGroups {
  /** x, key and where broadcast to the node's layout. */
  x: Float64Array;
  sel: Uint8Array;
  /** Dense group id of every position (groups of different slices are distinct). */
  group: Int32Array;
  nGroups: number;
}

/** Assigns every position of the node's layout to its group (slice of the non-`over` dims × key value). */
export function segmentGroups(ctx: NodeCtx, op: OpOf<"segment">): SegmentGroups {
  for (const d of op.over) if (!ctx.dims.includes(d)) throw nodeError(ctx.node, `segment over ${d}, which its result lacks`);
  const n = shapeSize(ctx.shape);
  const x = broadcastData(ctx.args[0]!, ctx.dims, ctx.shape);
  const key = broadcastData(ctx.args[1]!, ctx.dims, ctx.shape);
  const whereData = op.hasWhere ? broadcastData(ctx.args[2]!, ctx.dims, ctx.shape) : undefined;
  const sel = new Uint8Array(n);
  for (let i = 0; i < n; i++) sel[i] = whereData === undefined || whereData[i] !== 0 ? 1 : 0;

  const sliceDims = ctx.dims.filter((d) => !op.over.includes(d));
  const sliceShape = sliceDims.map((d) => ctx.shape[ctx.dims.indexOf(d)]!);
  const maps: Map<number, number>[] = Array.from({ length: shapeSize(sliceShape) }, () => new Map());
  const w = new Walker(ctx.shape, [broadcastStrides(ctx.dims, sliceDims, sliceShape)]);
  const group = new Int32Array(n);
  let nGroups = 0;
  for (let i = 0; i < n; i++, w.next()) {
    const m = maps[w.off[0]!]!;
    const k = key[i]!;
    let g = m.get(k);
    if (g === undefined) {
      g = nGroups++;
      m.set(k, g);
    }
    group[i] = g;
  }
  return { x, sel, group, nGroups };
}

/** Per-group statistic over selected members (and, for max/min/first, the flat index of the member that gives it). */
export function segmentStats(
  fn: OpOf<"segment">["fn"],
  sg: SegmentGroups,
  xIsBool: boolean,
): { stat: Float64Array; arg: Int32Array } {
  const { x, sel, group, nGroups } = sg;
  const stat = new Float64Array(nGroups);
  const cnt = new Float64Array(nGroups);
  const arg = new Int32Array(nGroups).fill(-1);
  for (let i = 0; i < x.length; i++) {
    if (!sel[i]) continue;
    const g = group[i]!;
    const v = x[i]!;
    cnt[g]!++;
    switch (fn) {
      case "sum":
      case "mean":
        stat[g]! += v;
        break;
      case "count":
        // counts selected members; a bool x counts its true (and selected) members
        if (!xIsBool || v !== 0) stat[g]!++;
        break;
      case "first":
        if (arg[g]! < 0) arg[g] = i;
        break;
      case "max":
      case "min": {
        // first (canonical order) extreme; NaN propagates
        const a = arg[g]!;
        if (a < 0) arg[g] = i;
        else if (!Number.isNaN(x[a]!) && (Number.isNaN(v) || (fn === "max" ? v > x[a]! : v < x[a]!))) arg[g] = i;
        break;
      }
      default:
        unreachable(fn, "reference: segment function");
    }
  }
  for (let g = 0; g < nGroups; g++) {
    if (fn === "mean") stat[g] = cnt[g]! > 0 ? stat[g]! / cnt[g]! : 0;
    else if (fn === "first" || fn === "max" || fn === "min") stat[g] = arg[g]! >= 0 ? x[arg[g]!]! : 0;
  }
  return { stat, arg };
}

export function evalSegment(ctx: NodeCtx, op: OpOf<"segment">): Tensor {
  const sg = segmentGroups(ctx, op);
  const { stat } = segmentStats(op.fn, sg, ctx.args[0]!.dtype === "bool");
  const out = new Float64Array(sg.x.length);
  for (let i = 0; i < out.length; i++) out[i] = sg.sel[i] ? stat[sg.group[i]!]! : 0;
  return result(ctx, out);
}
