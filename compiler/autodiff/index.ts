// Symbolic reverse-mode autodiff on the IR: `differentiate` returns a new program with the forward nodes, the
// gradient nodes (only IR primitives; rules in rules/index.ts) and one result `dL/dx` of kind "grad" per loss L and
// differentiable input x. The input program is not modified.
import { isDifferentiable, type IRProgram, type IRResult } from "../ir/ir.ts";
import { backward } from "./backward.ts";
import { GradBuilder } from "./builder.ts";

export interface DifferentiateOptions {
  /** The loss results to differentiate (default: every result of kind "loss"). */
  losses?: string[];
}

export function differentiate(program: IRProgram, options: DifferentiateOptions = {}): IRProgram {
  const losses = program.results.filter(
    (r) => r.kind === "loss" && (options.losses === undefined || options.losses.includes(r.name)),
  );
  const missing = (options.losses ?? []).filter((n) => !losses.some((r) => r.name === n));
  if (missing.length > 0) throw new Error(`differentiate: no loss named ${missing.join(", ")}`);
  const wrt = program.inputs.filter((i) => isDifferentiable(program, i));
  const b = new GradBuilder(program);
  const grads: IRResult[] = [];
  for (const loss of losses) {
    const cot = backward(b, loss.node);
    for (const x of wrt) {
      const g = cot.get(x.node);
      // an input the loss does not reach gets an explicit zero of its type
      const node = g === undefined ? b.constant(0, "f32", x.type.dims) : b.expand(g, x.type.dims);
      grads.push({ name: `d${loss.name}/d${x.name}`, kind: "grad", node, of: loss.name, wrt: x.name });
    }
  }
  const replaced = new Set(grads.map((r) => r.name));
  return {
    ...program,
    dims: program.dims.map((d) => ({ ...d })),
    inputs: program.inputs.map((i) => ({ ...i, type: { ...i.type, dims: [...i.type.dims] } })),
    params: program.params.map((p) => ({ ...p })),
    nodes: b.nodes,
    results: [...program.results.filter((r) => !replaced.has(r.name)).map((r) => ({ ...r })), ...grads],
    states: program.states.map((s) => ({ ...s })),
    requires: program.requires.map((r) => ({ ...r })),
    marks: [...program.marks],
  };
}

export { GRAD_RULES } from "./rules/index.ts";
