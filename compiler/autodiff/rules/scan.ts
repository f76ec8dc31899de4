// Gradient rules of the scans along one dim: cumsum, cumprod, cummax/cummin, linrec and shift. Each needs the cotangent at
// every position along the dim, so it is expanded to the node's dims first.
import type { OpOfKind, ScanOpName, SelectScanName } from "../../ir/ops.ts";
import { forArgs, opOf, type GradRule } from "./rule.ts";

/** The adjoint of one scan function: the gradient w.r.t. x (the node's only arg), g expanded to the node's dims. */
type ScanAdjoint = (b: Parameters<GradRule>[0], node: Parameters<GradRule>[1], op: OpOfKind<"scan">, gFull: number) => number;

/** cummax/cummin: each g_k goes to the running arg at k (the first extreme in scan order). */
const selectAdjoint =
  (fn: SelectScanName): ScanAdjoint =>
  (b, node, op, gFull) =>
    b.emit({ op: "scan_grad", fn, along: op.along, reverse: op.reverse }, [node.args[0]!, gFull]);

const SCAN_ADJOINTS: Record<ScanOpName, ScanAdjoint> = {
  // the adjoint of a running sum is the running sum from the other end
  cumsum: (b, _node, op, gFull) => b.emit({ op: "scan", fn: "cumsum", along: op.along, reverse: !op.reverse }, [gFull]),
  // y_k = Π_(j<=k) x_j (k in scan order): dx_j = E_j·z_j with E_j = Π_(i<j) x_i = y_(j-1) (1 at the first step) and
  // z_j = g_j + x_(j+1)·z_(j+1), a linrec in the other direction. No division: exact where x has zeros.
  cumprod: (b, node, op, gFull) => {
    const x = node.args[0]!;
    const toPrevious = op.reverse ? -1 : 1; // shift(v, by) reads v_(t - by): `toPrevious` reads the previous step
    const exclusive = b.emit({ op: "shift", along: op.along, by: toPrevious }, [node.id, b.constant(1)]);
    const xNext = b.emit({ op: "shift", along: op.along, by: -toPrevious }, [x, b.constant(0)]);
    const z = b.emit({ op: "linrec", along: op.along, reverse: !op.reverse, hasInit: false }, [xNext, gFull]);
    return b.mul(exclusive, z);
  },
  cummax: selectAdjoint("cummax"),
  cummin: selectAdjoint("cummin"),
};

export const scanRule: GradRule = (b, node, g) => {
  const op = opOf(node, "scan");
  const gFull = b.expand(g, b.dims(node.id));
  return forArgs(b, node, [() => SCAN_ADJOINTS[op.fn](b, node, op, gFull)]);
};

/**
 * linrec(a, b[, init]): y_k = b_k + a_k·y_(k-1) in scan order (k-1 = the previous position: t-1 forward, t+1 reverse).
 * Adjoint: λ_k = g_k + a_(k+1)·λ_(k+1), the recurrence in the other direction with a shifted by one step (a_(k+1)
 * read at k; beyond the last step λ is 0). Then b gets λ, a gets λ_k·y_(k-1) (init, or 0, before the first step)
 * and init gets a·λ at the first step. The products inside the backward recurrence are plain, not strong zero:
 * they agree with the reference whenever a is finite.
 */
export const linrecRule: GradRule = (b, node, g) => {
  const op = opOf(node, "linrec");
  const [a, , init] = node.args as [number, number, number | undefined];
  const along = op.along;
  const toPrevious = op.reverse ? -1 : 1; // shift(x, by) reads x_(t - by): `toPrevious` reads the previous step
  let lambda: number | undefined;
  const adjoint = (): number => {
    if (lambda !== undefined) return lambda;
    // a_(k+1) at k; an `a` without the dim is the same at every step (the value past the end meets λ = 0 anyway)
    const aNext = b.dims(a).includes(along) ? b.emit({ op: "shift", along, by: -toPrevious }, [a, b.constant(0)]) : a;
    lambda = b.emit({ op: "linrec", along, reverse: !op.reverse, hasInit: false }, [aNext, b.expand(g, b.dims(node.id))]);
    return lambda;
  };
  return forArgs(b, node, [
    () => {
      const before = init === undefined ? b.constant(0) : init;
      return b.sz(adjoint(), b.emit({ op: "shift", along, by: toPrevious }, [node.id, before]));
    },
    adjoint,
    () => {
      // a·λ at the first step of the scan: a masked sum over the dim, the mask true at that one position
      const first = b.shiftFillMask(along, toPrevious);
      return b.reduce("sum", b.sz(adjoint(), a), [along], first);
    },
  ]);
};

/** shift(x, fill, by): y_t = x_(t-by). x_s gets g_(s+by) (the shift back); fill gets g at the positions it filled. */
export const shiftRule: GradRule = (b, node, g) => {
  const op = opOf(node, "shift");
  const gFull = b.expand(g, b.dims(node.id));
  return forArgs(b, node, [
    () => b.emit({ op: "shift", along: op.along, by: -op.by }, [gFull, b.constant(0)]),
    () => b.reduce("sum", gFull, [op.along], b.shiftFillMask(op.along, op.by)),
  ]);
};

/** Second order through scan_grad is not supported: it would need a gather from the running arg. */
export const scanGradRule: GradRule = (b, node) => {
  if (b.wants(node, 1)) throw new Error("autodiff: no gradient rule for scan_grad (second-order gradients of cummax/cummin)");
  return [];
};
