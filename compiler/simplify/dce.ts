// Dead-code elimination: keeps every input and param node, everything the results (and update keys) and the
// requires read, and what those read; drops the rest and renumbers densely (the relative order is kept).
import type { IRNode, IRProgram } from "../ir/ir.ts";
import { remapProgram } from "./rebuild.ts";

export function eliminateDeadCode(program: IRProgram): IRProgram {
  const live = new Set<number>();
  const roots = [
    ...program.nodes.filter((n) => n.op.op === "input" || n.op.op === "param").map((n) => n.id),
    ...program.results.flatMap((r) => (r.key === undefined ? [r.node] : [r.node, r.key])),
    ...program.requires.map((r) => r.cond),
  ];
  const stack = [...roots];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (live.has(id)) continue;
    live.add(id);
    stack.push(...program.nodes[id]!.args);
  }
  const map = new Map<number, number>();
  const nodes: IRNode[] = [];
  for (const n of program.nodes) {
    if (!live.has(n.id)) continue;
    map.set(n.id, nodes.length);
    nodes.push({
      ...n,
      id: nodes.length,
      args: n.args.map((a) => map.get(a)!),
      type: { ...n.type, dims: [...n.type.dims] },
      grad: [...n.grad],
    });
  }
  return remapProgram(program, nodes, (id) => map.get(id)!);
}
