// The reverse sweep: from a loss node back to the inputs, applying the rule of each node (rules/index.ts) and
// accumulating the contributions per value.
import type { GradBuilder } from "./builder.ts";
import { GRAD_RULES } from "./rules/index.ts";
import { OPS } from "../ir/ops.ts";

/**
 * Ops whose args broadcast to the node's dims: a contribution to such an arg is over the node's dims (a dim it lacks
 * means "the same along it"), so it is expanded to the node's dims before the dims the arg lacks are summed away
 * (a sum along a broadcast dim counts every position). Structural rules return contributions that already carry
 * every dim their arg must be summed over.
 */

/**
 * The cotangent of every value that `lossNode` depends on differentiably, as a map from forward node id to the id of
 * its cotangent node (the gradient of sum(loss) w.r.t. that value; its dims are a subset of the value's). Values the
 * loss does not reach (or that carry no marks) have no entry.
 */
export function backward(b: GradBuilder, lossNode: number): Map<number, number> {
  const cot = new Map<number, number>();
  const loss = b.node(lossNode);
  if (loss.type.dtype !== "f32" || loss.grad.length === 0) return cot;
  cot.set(lossNode, b.constant(1));
  for (let id = lossNode; id >= 0; id--) {
    const g = cot.get(id);
    const node = b.node(id);
    if (g === undefined || node.grad.length === 0 || node.type.dtype !== "f32") continue;
    const rule = GRAD_RULES[node.op.op];
    if (rule === null) continue;
    const contributions = rule(b, node, g);
    contributions.forEach((c, i) => {
      if (c === undefined || !b.wants(node, i)) return;
      const arg = node.args[i]!;
      const argDims = b.dims(arg);
      const spread = OPS[node.op.op].elementwise
        ? b.expand(
            c,
            b.dims(node.id).filter((d) => !argDims.includes(d)),
          )
        : c;
      const part = b.sumTo(spread, argDims);
      const prev = cot.get(arg);
      cot.set(arg, prev === undefined ? part : b.add(prev, part));
    });
  }
  return cot;
}
