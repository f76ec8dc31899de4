// Appends IR nodes while the checker walks the source. Node inlining happens during checking, so the
// checked program comes out as one flat SSA graph of primitives (compiler/ir/ir.ts).
import type { Span } from "../../grammar/ast.ts";
import type { CallSite, IRNode, IRType, Op } from "../ir/ir.ts";
import { nodeKey } from "../ir/key.ts";

export class GraphBuilder {
  readonly nodes: IRNode[] = [];
  private readonly memo = new Map<string, number>();

  /** `currentSite` tells which node call (outermost, in the pipeline body) is being inlined, if any. */
  constructor(private readonly currentSite: () => CallSite | undefined = () => undefined) {}

  /** Adds a node; identical pure nodes (same op, attrs, args, type) are shared. */
  add(op: Op, args: number[], type: IRType, grad: string[], span?: Span): number {
    const key = op.op === "input" || op.op === "uniform" ? undefined : nodeKey(op, args, type);
    if (key !== undefined) {
      const hit = this.memo.get(key);
      if (hit !== undefined) return hit;
    }
    const id = this.nodes.length;
    const node: IRNode = { id, op, args, type, grad };
    if (span) node.span = span;
    const site = this.currentSite();
    if (site) node.site = site;
    this.nodes.push(node);
    if (key !== undefined) this.memo.set(key, id);
    return id;
  }
}
