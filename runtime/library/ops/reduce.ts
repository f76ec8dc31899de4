// Masked reductions: sum, mean, max, min, logsumexp, count over named dims.
// The operand is first broadcast against the `where` mask: the iteration space is (dims(x) ∪ dims(where)), which is
// node.type.dims ∪ over, in canonical order; the result has node.type.dims = that space − over.
// Only selected elements count. Empty sum/count/mean = 0; empty max/min/logsumexp = the `empty` attribute.
// Masked positions never produce NaN: an all-masked row gives 0 (or `empty`), never 0/0. Accumulation is float64.
import { broadcastStrides, canonicalDims, shapeSize, Walker, type Tensor } from "../tensor.ts";
import { nodeError, result, shapeFor, type NodeCtx, type OpOf } from "./common.ts";
import { unreachable } from "../../../compiler/ir/ops.ts";

/** The iteration space of a reduction and a walker over it yielding [x offset, where offset, out offset]. */
export interface ReducePlan {
  fullDims: string[];
  fullShape: number[];
  n: number;
  walker(): Walker;
}

export function reducePlan(ctx: NodeCtx, over: readonly string[], x: Tensor, where: Tensor | undefined): ReducePlan {
  const order = ctx.program.dims.map((d) => d.name);
  for (const d of over) {
    if (ctx.dims.includes(d)) throw nodeError(ctx.node, `reduces over ${d} but its result keeps ${d}`);
  }
  const fullDims = canonicalDims([...ctx.dims, ...over], order);
  const fullShape = shapeFor(fullDims, ctx.dimSizes);
  const strides = [
    broadcastStrides(fullDims, x.dims, x.shape),
    where ? broadcastStrides(fullDims, where.dims, where.shape) : fullDims.map(() => 0),
    broadcastStrides(fullDims, ctx.dims, ctx.shape),
  ];
  return { fullDims, fullShape, n: shapeSize(fullShape), walker: () => new Walker(fullShape, strides) };
}

/** Forward pass of `reduce`. Exported pieces (argExtreme) are reused by the gradient. */
export function evalReduce(ctx: NodeCtx, op: OpOf<"reduce">): Tensor {
  const x = ctx.args[0]!;
  const where = op.hasWhere ? ctx.args[1] : undefined;
  const plan = reducePlan(ctx, op.over, x, where);
  const m = shapeSize(ctx.shape);
  const out = new Float64Array(m);
  const xd = x.data;
  const wd = where?.data;
  const w = plan.walker();
  const sel = (): boolean => wd === undefined || wd[w.off[1]!]! !== 0;

  switch (op.fn) {
    case "sum":
    case "mean": {
      // sum over selected; mean = sum / count, 0 when count is 0 (never 0/0)
      const cnt = new Float64Array(m);
      for (let i = 0; i < plan.n; i++, w.next()) {
        if (!sel()) continue;
        out[w.off[2]!]! += xd[w.off[0]!]!;
        cnt[w.off[2]!]!++;
      }
      if (op.fn === "mean") for (let j = 0; j < m; j++) out[j] = cnt[j]! > 0 ? out[j]! / cnt[j]! : 0;
      break;
    }
    case "count": {
      // counts selected elements; a bool operand counts its true (and selected) elements; the result is f32
      const isBool = x.dtype === "bool";
      for (let i = 0; i < plan.n; i++, w.next()) {
        if (!sel()) continue;
        if (isBool && xd[w.off[0]!]! === 0) continue;
        out[w.off[2]!]!++;
      }
      break;
    }
    case "max":
    case "min": {
      // the extreme over selected elements; `empty` when none is selected
      const arg = argExtreme(plan, x, where, m, op.fn === "max");
      for (let j = 0; j < m; j++) out[j] = arg[j]! < 0 ? op.empty : xd[arg[j]!]!;
      break;
    }
    case "logsumexp": {
      // stable: m + log Σ exp(x - m) over selected elements; `empty` when none is selected
      const arg = argExtreme(plan, x, where, m, true);
      const mx = new Float64Array(m);
      for (let j = 0; j < m; j++) mx[j] = arg[j]! < 0 ? 0 : xd[arg[j]!]!;
      for (let i = 0; i < plan.n; i++, w.next()) {
        if (!sel()) continue;
        const o = w.off[2]!;
        if (Number.isFinite(mx[o]!)) out[o]! += Math.exp(xd[w.off[0]!]! - mx[o]!);
      }
      for (let j = 0; j < m; j++) {
        if (arg[j]! < 0) out[j] = op.empty;
        else if (!Number.isFinite(mx[j]!))
          out[j] = mx[j]!; // all -inf gives -inf; any +inf (or NaN) gives that
        else out[j] = mx[j]! + Math.log(out[j]!);
      }
      break;
    }
    default:
      unreachable(op.fn, "reference: reduce function");
  }
  return result(ctx, out);
}

/**
 * For each output position, the x offset of the first (canonical order) selected maximum (or minimum), -1 if none
 * is selected. A NaN counts as the extreme (it propagates, as in torch).
 */
export function argExtreme(plan: ReducePlan, x: Tensor, where: Tensor | undefined, m: number, largest: boolean): Int32Array {
  const arg = new Int32Array(m).fill(-1);
  const xd = x.data;
  const wd = where?.data;
  const w = plan.walker();
  for (let i = 0; i < plan.n; i++, w.next()) {
    if (wd !== undefined && wd[w.off[1]!]! === 0) continue;
    const o = w.off[2]!;
    const v = xd[w.off[0]!]!;
    const a = arg[o]!;
    if (a < 0) {
      arg[o] = w.off[0]!;
      continue;
    }
    const cur = xd[a]!;
    if (Number.isNaN(cur)) continue;
    if (Number.isNaN(v) || (largest ? v > cur : v < cur)) arg[o] = w.off[0]!;
  }
  return arg;
}
