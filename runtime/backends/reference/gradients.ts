// The gradients that `rlp eval --grad`, `rlp test`'s reference backend and `--gradcheck` report: the symbolic gradient
// program (compiler/pipeline: differentiate + simplify, the program `rlp compile` emits kernels for) evaluated by the
// float64 reference evaluator, so what a user sees with --grad is what the compiled module computes. (The plain
// float64 reverse mode that once served here lives on in test/oracle/ as an independent check of the autodiff.)
import { isDifferentiable, type IRProgram } from "../../../compiler/ir/ir.ts";
import { gradientProgram } from "../../../compiler/pipeline/index.ts";
import type { Tensor } from "../../library/tensor.ts";
import { evaluate, type EvaluateOptions } from "./evaluate.ts";

/** True when some loss may reach a differentiable input (else there is nothing to differentiate). */
export function hasDifferentiableLoss(program: IRProgram): boolean {
  return program.results.some((r) => r.kind === "loss") && program.inputs.some((i) => isDifferentiable(program, i));
}

/**
 * `dL/dx` for every loss L and differentiable input x, by that name, in x's canonical dims (an explicit zero where L
 * does not reach x). Custom nodes' plugins must be loaded (the gradient program calls their `gradient`).
 */
export function symbolicGradients(
  program: IRProgram,
  inputs: Record<string, Tensor>,
  options: EvaluateOptions = {},
): Record<string, Tensor> {
  if (!hasDifferentiableLoss(program)) return {};
  const grad = gradientProgram(program);
  const ev = evaluate(grad, inputs, options);
  const out: Record<string, Tensor> = {};
  for (const r of grad.results) {
    if (r.kind !== "grad") continue;
    const v = ev.results[r.name] ?? ev.values[r.node];
    if (v) out[r.name] = v;
  }
  return out;
}
