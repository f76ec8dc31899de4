// `rlp eval` may be given the value of a rollout, reward or advantage stage instead of computing it
// (DESIGN.md section 3): the stage's node becomes an input of the same type, and what fed it is left unused.
import type { IRProgram } from "./ir/ir.ts";

const SUPPLIABLE = new Set(["rollout", "reward", "advantage", "once"]);

/** The names of the stages whose values a user may supply. */
export function suppliableStages(program: IRProgram): string[] {
  return program.results.filter((r) => SUPPLIABLE.has(r.kind)).map((r) => r.name);
}

/** A copy of `program` in which each named stage is read from the inputs instead of computed. */
export function withSuppliedStages(program: IRProgram, names: Iterable<string>): IRProgram {
  const wanted = new Set(names);
  const stages = program.results.filter((r) => SUPPLIABLE.has(r.kind) && wanted.has(r.name));
  if (stages.length === 0) return program;
  const nodes = program.nodes.map((n) => ({ ...n }));
  const inputs = [...program.inputs];
  for (const s of stages) {
    const node = nodes[s.node]!;
    node.op = { op: "input", name: s.name };
    node.args = [];
    node.grad = [];
    inputs.push({ name: s.name, node: s.node, type: node.type, ...(s.span ? { span: s.span } : {}) });
  }
  return { ...program, nodes, inputs };
}
