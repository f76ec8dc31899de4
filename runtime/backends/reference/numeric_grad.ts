// Central differences of the float64 reference evaluator: `rlp test --gradcheck` checks custom nodes' hand-written
// gradients against them, and tests check the symbolic gradients.
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import { EvalError } from "../../library/ops/common.ts";
import { shapeSize, tensor, transpose, type Tensor } from "../../library/tensor.ts";
import { evaluate, type EvaluateOptions } from "./evaluate.ts";

/**
 * Central-difference gradient of sum(values[lossNode]) w.r.t. input `inputName`, in the input's canonical dims.
 * For tests: 2 evaluations per element.
 */
export function numericGradient(
  program: IRProgram,
  inputs: Record<string, Tensor>,
  lossNode: number,
  inputName: string,
  h = 1e-6,
  options: EvaluateOptions = {},
): Tensor {
  const decl = program.inputs.find((i) => i.name === inputName);
  const given = inputs[inputName];
  if (decl === undefined || given === undefined) throw new EvalError("missing-input", `numericGradient: no input ${inputName}`);
  const canon = program.dims.map((d) => d.name).filter((d) => given.dims.includes(d));
  const base = transpose(given, canon);
  const out = new Float64Array(shapeSize(base.shape));
  const f = (t: Tensor): number => {
    const v = evaluate(program, { ...inputs, [inputName]: t }, options).values[lossNode]!;
    let s = 0;
    for (const x of v.data) s += x;
    return s;
  };
  for (let i = 0; i < out.length; i++) {
    const plus = { ...base, data: Float64Array.from(base.data) };
    const minus = { ...base, data: Float64Array.from(base.data) };
    plus.data[i]! += h;
    minus.data[i]! -= h;
    out[i] = (f(plus) - f(minus)) / (2 * h);
  }
  return tensor("f32", base.dims, base.shape, out);
}
