// Gradient rules of the reductions and the segment reductions. Only SELECTED positions get gradient: the cotangent
// is selected with `where(mask, ·, 0)` (never multiplied by the mask), so a NaN or inf at an unselected position
// cannot reach it.
import { forArgs, opOf, type GradRule } from "./rule.ts";
import { REDUCE_FNS, SEGMENT_FNS, unreachable } from "../../ir/ops.ts";

export const reduceRule: GradRule = (b, node, g) => {
  const op = opOf(node, "reduce");
  if (REDUCE_FNS[op.fn].counts) return [];
  const x = node.args[0]!;
  const mask = op.hasWhere ? node.args[1] : undefined;
  const selected = (v: number): number => (mask === undefined ? v : b.keep(mask, v));
  return forArgs(b, node, [
    () => {
      switch (op.fn) {
        case "sum":
          return selected(g);
        case "mean": {
          // g / count at the selected positions; a row that selects nothing has no positions to receive it
          const n = b.reduce("count", x, op.over, mask);
          return selected(b.emit({ op: "safe_div" }, [g, n, b.binary("gt", n, b.constant(0)), b.constant(0)]));
        }
        case "max":
        case "min": {
          // the first (canonical order) selected position that holds the extreme takes g
          const args = mask === undefined ? [x, node.id] : [x, node.id, mask];
          return b.keep(b.emit({ op: "argfirst", over: op.over, hasKey: false, hasWhere: mask !== undefined }, args), g);
        }
        case "logsumexp": {
          // softmax weights exp(x − y), 0 where x = -inf (so an all -inf row gives 0, not NaN)
          const w = b.where(b.binary("eq", x, b.constant(-Infinity)), b.constant(0), b.unary("exp", b.sub(x, node.id)));
          return selected(b.sz(g, w));
        }
        case "count":
          return undefined;
        default:
          return unreachable(op.fn, "autodiff: reduce function");
      }
    },
  ]);
};

export const segmentRule: GradRule = (b, node, g) => {
  const op = opOf(node, "segment");
  if (SEGMENT_FNS[op.fn].counts) return [];
  const [x, key] = node.args as [number, number];
  const mask = op.hasWhere ? node.args[2] : undefined;
  const withMask = (args: number[]): number[] => (mask === undefined ? args : [...args, mask]);
  return forArgs(b, node, [
    () => {
      // the group's Σg over its selected members, at each selected member (0 elsewhere); g is expanded to the node's
      // dims first, since the groups are formed over them
      const gFull = b.expand(g, b.dims(node.id));
      const groupSum = b.emit({ op: "segment", fn: "sum", over: op.over, hasWhere: mask !== undefined }, withMask([gFull, key]));
      switch (op.fn) {
        case "sum":
          return groupSum;
        case "mean": {
          const n = b.emit({ op: "segment", fn: "count", over: op.over, hasWhere: mask !== undefined }, withMask([x, key]));
          return b.emit({ op: "safe_div" }, [groupSum, n, b.binary("gt", n, b.constant(0)), b.constant(0)]);
        }
        case "max":
        case "min":
        case "first": {
          // the member that gives the statistic: the first selected one (canonical order) equal to it
          const arg = b.emit(
            { op: "argfirst", over: op.over, hasKey: true, hasWhere: mask !== undefined },
            withMask([x, node.id, key]),
          );
          return b.keep(arg, groupSum);
        }
        case "count":
          return undefined;
        default:
          return unreachable(op.fn, "autodiff: segment function");
      }
    },
  ]);
};
