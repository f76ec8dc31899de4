// Gradient rules of the structural primitives (reductions, scans, segments, take/put, layout ops).
// See the table at the top of reverse_mode.ts. Strong zero: a product g·d is 0 whenever g is exactly 0.
import { unreachable, type ScanOpName, type SelectScanName } from "../../compiler/ir/ops.ts";
import { broadcastData, forEachLine, shapeSize, Walker, type Tensor } from "../../runtime/library/tensor.ts";
import { customVjp } from "../../runtime/library/plugin/host.ts";
import { axisOf, type NodeCtx } from "../../runtime/library/ops/common.ts";
import { argExtreme, reducePlan } from "../../runtime/library/ops/reduce.ts";
import { lineLayout, takesArg } from "../../runtime/library/ops/scan.ts";
import { segmentGroups, segmentStats } from "../../runtime/library/ops/segment.ts";
import { putPlan, renamed, selectPlan, takePlan } from "../../runtime/library/ops/select.ts";

/** A node in the backward pass: its forward value, its cotangent g, and ways to deliver gradients to its args. */
export interface BackCtx extends NodeCtx {
  out: Tensor;
  g: Float64Array;
  /** The cotangent buffer of arg i (in the arg's own layout), or undefined when it takes no gradient. */
  buf(i: number): Float64Array | undefined;
  /** Adds `data` (laid out as dims/shape, a superset of the arg's dims) to arg i, summing over broadcast dims. */
  add(i: number, data: Float64Array, dims: readonly string[], shape: readonly number[]): void;
}

function sz(g: number, d: number): number {
  return g === 0 ? 0 : g * d;
}

/** One line of a scan's adjoint: gx (in scan order through `pos`) from x and the cotangent g of y. */
type ScanBack = (x: Float64Array, g: Float64Array, gx: Float64Array, pos: (k: number) => number, n: number) => void;

/** cummax/cummin: g_k goes to the running arg (the first extreme in scan order; a NaN sticks). */
function selectBack(fn: SelectScanName): ScanBack {
  return (x, g, gx, pos, n) => {
    let arg = -1;
    for (let k = 0; k < n; k++) {
      const p = pos(k);
      const v = x[p]!;
      if (arg < 0) arg = p;
      else if (takesArg(fn, v, x[arg]!)) arg = p;
      gx[arg]! += g[p]!;
    }
  };
}

const SCAN_BACK: Record<ScanOpName, ScanBack> = {
  // the adjoint of a cumsum is the cumsum in the other direction
  cumsum: (_x, g, gx, pos, n) => {
    let acc = 0;
    for (let k = n - 1; k >= 0; k--) {
      acc += g[pos(k)]!;
      gx[pos(k)] = acc;
    }
  },
  // y_k = Π_(j<=k) x_j: gx_j = E_j·z_j with E_j = Π_(i<j) x_i and z_j = g_j + x_(j+1)·z_(j+1); no division, exact at zeros
  cumprod: (x, g, gx, pos, n) => {
    let z = 0;
    let xNext = 0;
    for (let k = n - 1; k >= 0; k--) {
      z = g[pos(k)]! + xNext * z;
      gx[pos(k)] = z;
      xNext = x[pos(k)]!;
    }
    let e = 1;
    for (let k = 0; k < n; k++) {
      gx[pos(k)] = e * gx[pos(k)]!;
      e *= x[pos(k)]!;
    }
  },
  cummax: selectBack("cummax"),
  cummin: selectBack("cummin"),
};

export function backStructural(c: BackCtx): void {
  const op = c.node.op;
  const { g, dims, shape } = c;
  switch (op.op) {
    case "reduce": {
      const gx = c.buf(0);
      if (!gx || op.fn === "count") return;
      const x = c.args[0]!;
      const where = op.hasWhere ? c.args[1] : undefined;
      const plan = reducePlan(c, op.over, x, where);
      const sel = (w: Walker): boolean => where === undefined || where.data[w.off[1]!] !== 0;
      if (op.fn === "max" || op.fn === "min") {
        // the first (canonical order) selected arg gets the gradient
        const arg = argExtreme(plan, x, where, g.length, op.fn === "max");
        for (let o = 0; o < g.length; o++) if (arg[o]! >= 0) gx[arg[o]!]! += g[o]!;
        return;
      }
      const cnt = new Float64Array(g.length);
      if (op.fn === "mean") {
        const w = plan.walker();
        for (let i = 0; i < plan.n; i++, w.next()) if (sel(w)) cnt[w.off[2]!]!++;
      }
      const y = c.out.data;
      const w = plan.walker();
      for (let i = 0; i < plan.n; i++, w.next()) {
        if (!sel(w)) continue; // unselected elements get nothing (not g·0)
        const o = w.off[2]!;
        const xv = x.data[w.off[0]!]!;
        if (op.fn === "sum") gx[w.off[0]!]! += g[o]!;
        else if (op.fn === "mean") gx[w.off[0]!]! += g[o]! / cnt[o]!;
        else if (op.fn === "logsumexp")
          gx[w.off[0]!]! += sz(g[o]!, xv === -Infinity ? 0 : Math.exp(xv - y[o]!)); // softmax weight
        else unreachable(op.fn, "reference gradient: reduce function");
      }
      return;
    }
    case "scan": {
      const ax = axisOf(c.node, dims, op.along);
      const x = broadcastData(c.args[0]!, dims, shape);
      const gx = new Float64Array(g.length);
      forEachLine(shape, ax, (base, stride, n) => {
        const pos = (k: number): number => base + (op.reverse ? n - 1 - k : k) * stride;
        SCAN_BACK[op.fn](x, g, gx, pos, n);
      });
      c.add(0, gx, dims, shape);
      return;
    }
    case "linrec": {
      // y_k = b_k + a_k·y_(k-1) in scan order; λ_k = g_k + a_(k+1)·λ_(k+1); b gets λ, a gets λ_k·y_(k-1), init a_0·λ_0
      const ax = axisOf(c.node, dims, op.along);
      const a = broadcastData(c.args[0]!, dims, shape);
      const line = lineLayout(c, op.along);
      const init = op.hasInit ? broadcastData(c.args[2]!, line.dims, line.shape) : undefined;
      const y = c.out.data;
      const [ga, gb, gi] = [new Float64Array(g.length), new Float64Array(g.length), new Float64Array(shapeSize(line.shape))];
      forEachLine(shape, ax, (base, stride, n, li) => {
        const pos = (k: number): number => base + (op.reverse ? n - 1 - k : k) * stride;
        let lam = 0;
        for (let k = n - 1; k >= 0; k--) {
          const p = pos(k);
          lam = g[p]! + (k === n - 1 ? 0 : sz(lam, a[pos(k + 1)]!));
          gb[p] = lam;
          const prev = k > 0 ? y[pos(k - 1)]! : init ? init[li]! : 0;
          ga[p] = sz(lam, prev);
          if (k === 0) gi[li] = sz(lam, a[p]!);
        }
      });
      c.add(0, ga, dims, shape);
      c.add(1, gb, dims, shape);
      if (op.hasInit) c.add(2, gi, line.dims, line.shape);
      return;
    }
    case "shift": {
      // y_t = x_(t-k): x_s gets g_(s+k); fill gets g_t where t-k is outside
      const ax = axisOf(c.node, dims, op.along);
      const [gx, gf] = [new Float64Array(g.length), new Float64Array(g.length)];
      forEachLine(shape, ax, (base, stride, n) => {
        for (let t = 0; t < n; t++) {
          const s = t - op.by;
          if (s >= 0 && s < n) gx[base + s * stride]! += g[base + t * stride]!;
          else gf[base + t * stride] = g[base + t * stride]!;
        }
      });
      c.add(0, gx, dims, shape);
      c.add(1, gf, dims, shape);
      return;
    }
    case "segment": {
      if (op.fn === "count" || !c.buf(0)) return;
      const sg = segmentGroups(c, op);
      const { arg } = segmentStats(op.fn, sg, false);
      const gsum = new Float64Array(sg.nGroups);
      const cnt = new Float64Array(sg.nGroups);
      for (let i = 0; i < g.length; i++) {
        if (!sg.sel[i]) continue;
        gsum[sg.group[i]!]! += g[i]!;
        cnt[sg.group[i]!]!++;
      }
      const gx = new Float64Array(g.length);
      for (let i = 0; i < g.length; i++) {
        if (!sg.sel[i]) continue;
        const gr = sg.group[i]!;
        if (op.fn === "sum") gx[i] = gsum[gr]!;
        else if (op.fn === "mean") gx[i] = gsum[gr]! / cnt[gr]!;
        else if (op.fn === "max" || op.fn === "min" || op.fn === "first") {
          if (arg[gr] === i) gx[i] = gsum[gr]!; // the member that gives the statistic
        } else unreachable(op.fn, "reference gradient: segment function");
      }
      c.add(0, gx, dims, shape);
      return;
    }
    case "take": {
      // adjoint of take is put: scatter-add g to the taken positions; fill gets g where idx is invalid
      const [gx, gf] = [c.buf(0), c.buf(2)];
      const idx = c.args[1]!;
      const p = takePlan(c, op.along);
      const w = p.walker();
      for (let i = 0; i < p.n; i++, w.next()) {
        const s = idx.data[w.off[1]!]!;
        if (Number.isInteger(s) && s >= 0 && s < p.nS) {
          if (gx) gx[w.off[0]! + s * p.strideS]! += g[i]!;
        } else if (gf) gf[w.off[2]!]! += g[i]!;
      }
      return;
    }
    case "put": {
      // adjoint of put is take: x[..., s] gets g[..., at[..., s]]
      const gx = c.buf(0);
      if (!gx) return;
      const at = c.args[1]!;
      const p = putPlan(c, op);
      const w = p.walker();
      for (let i = 0; i < p.n; i++, w.next()) {
        const t = at.data[w.off[1]!]!;
        if (Number.isInteger(t) && t >= 0 && t < p.nT) gx[w.off[0]!]! += g[w.off[2]! + t * p.strideT]!;
      }
      return;
    }
    case "log_softmax": {
      const ax = axisOf(c.node, dims, op.over);
      const y = c.out.data;
      const gx = new Float64Array(g.length);
      forEachLine(shape, ax, (base, stride, n) => {
        let s = 0;
        for (let k = 0; k < n; k++) s += g[base + k * stride]!;
        for (let k = 0; k < n; k++) gx[base + k * stride] = g[base + k * stride]! - sz(s, Math.exp(y[base + k * stride]!));
      });
      c.add(0, gx, dims, shape);
      return;
    }
    case "select": {
      // scatter g into the selected slice
      const gx = c.buf(0);
      if (!gx) return;
      const p = selectPlan(c, op);
      const w = new Walker(shape, [p.strides]);
      for (let i = 0; i < g.length; i++, w.next()) gx[p.base + w.off[0]!]! += g[i]!;
      return;
    }
    case "stack": {
      const ax = axisOf(c.node, dims, op.dim);
      const line = lineLayout(c, op.dim);
      for (let j = 0; j < c.args.length; j++) {
        const part = new Float64Array(shapeSize(line.shape));
        forEachLine(shape, ax, (base, stride, _n, li) => (part[li] = g[base + j * stride]!));
        c.add(j, part, line.dims, line.shape);
      }
      return;
    }
    case "embed": {
      // adjoint of embed is select: x gets g's slice at the position
      const ax = axisOf(c.node, dims, op.dim);
      const line = lineLayout(c, op.dim);
      const part = new Float64Array(shapeSize(line.shape));
      forEachLine(shape, ax, (base, stride, _n, li) => (part[li] = g[base + op.position * stride]!));
      c.add(0, part, line.dims, line.shape);
      return;
    }
    case "scan_grad": {
      // linear in its cotangent argument: the cotangent at position k reads g at the running arg of k
      const ax = axisOf(c.node, dims, op.along);
      const x = broadcastData(c.args[0]!, dims, shape);
      const gg = new Float64Array(g.length);
      forEachLine(shape, ax, (base, stride, n) => {
        const pos = (k: number): number => base + (op.reverse ? n - 1 - k : k) * stride;
        let arg = -1;
        for (let k = 0; k < n; k++) {
          const p = pos(k);
          const v = x[p]!;
          if (arg < 0) arg = p;
          else if (takesArg(op.fn, v, x[arg]!)) arg = p;
          gg[p] = g[arg]!;
        }
      });
      c.add(1, gg, dims, shape);
      return;
    }
    case "rename": {
      // rename back: g's `to` dim is x's `from` dim
      const back = renamed({ ...c.out, data: g }, op.to, op.from);
      c.add(0, g, back.dims, shape);
      return;
    }
    case "custom": {
      // the node's own vector-Jacobian product, once per differentiable argument (runtime/library/plugin/host.ts)
      if (!op.call.differentiable) return;
      const cot = { ...c.out, data: g };
      for (const t of op.call.argv) {
        if (t.kind !== "tensor" || !t.grad || !c.buf(t.index)) continue;
        const gx = customVjp(op.call, op.output, t.index, c.args, cot, c.dimSizes);
        c.add(t.index, gx.data, gx.dims, gx.shape);
      }
      return;
    }
    // no gradient (see the table in grad.ts); custom_vjp is gradient-side only
    case "input":
    case "param":
    case "const":
    case "index":
    case "size":
    case "topk_mask":
    case "uniform":
    case "argfirst":
    case "custom_vjp":
    case "table_get":
    case "table_read":
      return;
    // elementwise: backElementwise (grad.ts)
    case "unary":
    case "binary":
    case "cast":
    case "where":
    case "clamp":
    case "safe_div":
    case "detach":
      return;
    default:
      unreachable(op, "reference gradient: op");
  }
}
