// The `js` backend of `rlp test` (runtime/tools/golden/backends.ts): the fused JS kernels (float32 storage, float64
// accumulators) on the calling thread, forward and gradients in one set of kernels (evaluateWithGrad). Custom
// TypeScript nodes run as library kernels (their plugins are loaded by the first evaluation).
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import { GoldenRunError, type GoldenBackend } from "./backends.ts";
import { FLOAT32_ATOL, FLOAT32_RTOL, goldenOutputs, hasGradients } from "./float32_outputs.ts";
import { EvalError } from "../../library/ops/common.ts";
import type { Tensor } from "../../library/tensor.ts";
import { compileKernels } from "../../backends/js/compiled.ts";

export const goldenBackend: GoldenBackend = {
  name: "js",
  rtol: FLOAT32_RTOL,
  atol: FLOAT32_ATOL,
  async run(program: IRProgram, inputs: Record<string, Tensor>, options) {
    const grad = options.grad && hasGradients(program);
    const ck = compileKernels(program, { threads: 1 });
    try {
      const r = grad ? await ck.evaluateWithGrad(inputs) : await ck.evaluate(inputs);
      return goldenOutputs(program, r.results, r.dimSizes, options.grad);
    } catch (e) {
      if (e instanceof EvalError) throw new GoldenRunError(e.code, e.message.split("\n")[0] ?? "");
      throw e;
    } finally {
      await ck.close();
    }
  },
};
