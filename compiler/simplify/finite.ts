// "Finite by construction": a value that is finite (no inf, no NaN) whatever the inputs hold — inputs may hold NaN
// or inf at padding. Only such a derivative lets the simplifier drop a strong-zero guard (0 · d = 0 needs a finite
// d) or fold x · 0 to 0. Conservative: arithmetic that can overflow (add, mul, ...) is never finite here.
import type { IRNode } from "../ir/ir.ts";
import { isBoolBinary, REDUCE_FNS, SEGMENT_FNS, UNARY_FNS } from "../ir/ops.ts";

export function finiteByConstruction(nodes: readonly IRNode[]): (id: number) => boolean {
  const memo = new Map<number, boolean>();
  const finite = (id: number): boolean => {
    const hit = memo.get(id);
    if (hit !== undefined) return hit;
    const node = nodes[id]!;
    const all = (...ids: number[]): boolean => ids.every(finite);
    const op = node.op;
    let r: boolean;
    switch (op.op) {
      case "const":
      case "param":
        r = Number.isFinite(op.value);
        break;
      case "index":
      case "size":
      case "uniform":
      case "topk_mask":
      case "argfirst":
        r = true;
        break;
      case "reduce":
      case "segment":
        r = op.op === "reduce" ? REDUCE_FNS[op.fn].counts : SEGMENT_FNS[op.fn].counts; // a number of positions
        break;
      case "cast":
        // bool as 0/1 is finite; i32 data may hold anything its source held (a cast of inf stays inf)
        r = nodes[node.args[0]!]!.type.dtype === "bool" || op.to === "bool";
        break;
      case "unary":
        // bounded functions of a finite value, and sign/abs/neg/not of one
        r = UNARY_FNS[op.fn].keepsFinite && all(node.args[0]!);
        break;
      case "binary":
        // comparisons and logic give 0/1; maximum/minimum pick a finite operand
        r = isBoolBinary(op.fn) || ((op.fn === "maximum" || op.fn === "minimum") && all(...node.args));
        break;
      case "where":
        r = all(node.args[1]!, node.args[2]!);
        break;
      case "clamp":
        r = all(...node.args);
        break;
      case "select":
      case "rename":
      case "embed":
      case "stack":
      case "detach":
        r = all(...node.args);
        break;
      case "shift":
        r = all(...node.args);
        break;
      case "take":
        r = all(node.args[0]!, node.args[2]!);
        break;
      default:
        r = false;
    }
    memo.set(id, r);
    return r;
  };
  return finite;
}
