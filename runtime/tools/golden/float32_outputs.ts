// What the float32 golden backends (js: runtime/tools/golden/js_backend.ts, tfjs: runtime/tools/golden/tfjs_backend.ts)
// return, named as `rlp eval [--grad]` prints it (evalOutputs in backends.ts): every loss, metric, output and
// advantage by name, then `dL/dx` for every loss L and differentiable input x (zeros where L does not reach x).
import { isDifferentiable, type IRProgram } from "../../../compiler/ir/ir.ts";
import { filled, type Tensor } from "../../library/tensor.ts";
import { RESULT_KINDS } from "./backends.ts";

/** Tolerances of a float32 backend against the float64 goldens: the three-way agreement's (DESIGN.md §4). */
export const FLOAT32_RTOL = 1e-4;
export const FLOAT32_ATOL = 1e-5;

/** Does `rlp eval --grad` print any gradient for this program (a loss and a differentiable input)? */
export function hasGradients(program: IRProgram): boolean {
  return program.results.some((r) => r.kind === "loss") && program.inputs.some((i) => isDifferentiable(program, i));
}

/**
 * The outputs from a backend's results by name (`results` holds the program's results and, with `grad`, the
 * symbolic gradient program's `dL/dx` results) and the run's dim sizes.
 */
export function goldenOutputs(
  program: IRProgram,
  results: Record<string, Tensor>,
  dimSizes: Record<string, number>,
  grad: boolean,
): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const r of program.results) {
    const v = results[r.name];
    if (RESULT_KINDS.has(r.kind) && v) out[r.name] = v;
  }
  if (!grad) return out;
  const marked = program.inputs.filter((i) => isDifferentiable(program, i));
  for (const loss of program.results.filter((r) => r.kind === "loss")) {
    for (const x of marked) {
      const name = `d${loss.name}/d${x.name}`;
      out[name] =
        results[name] ??
        filled(
          "f32",
          x.type.dims,
          x.type.dims.map((d) => dimSizes[d] ?? 0),
          0,
        );
    }
  }
  return out;
}
