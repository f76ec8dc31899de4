// The `tfjs` backend of `rlp test` (runtime/tools/golden/backends.ts): the program op by op on tfjs (the best engine that
// loads: tfjs-node-gpu, tfjs-node, wasm, cpu), float32. Gradients are the symbolic gradient program
// (compiler/autodiff) run on tfjs ops — what training plugs into tfjs autograd (tfjsCustomGrad) — so they follow
// the reference's conventions at ties and kinks, where tfjs' own autograd differs (grad.ts).
import { gradientProgram } from "../../../compiler/pipeline/index.ts";
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import { GoldenRunError, type GoldenBackend } from "./backends.ts";
import { FLOAT32_ATOL, FLOAT32_RTOL, goldenOutputs, hasGradients } from "./float32_outputs.ts";
import { loadPlugins } from "../../library/plugin/registry.ts";
import { EvalError } from "../../library/ops/common.ts";
import type { Tensor } from "../../library/tensor.ts";
import { selectBackend } from "../../backends/tfjs/backend.ts";
import { runTfjs } from "../../backends/tfjs/lower.ts";

export async function createGoldenBackend(): Promise<GoldenBackend> {
  const { tf } = await selectBackend();
  return {
    name: "tfjs",
    rtol: FLOAT32_RTOL,
    atol: FLOAT32_ATOL,
    async run(program: IRProgram, inputs: Record<string, Tensor>, options) {
      try {
        const run = options.grad && hasGradients(program) ? gradientProgram(program) : program;
        await loadPlugins(run);
        const r = runTfjs(tf, run, inputs);
        return goldenOutputs(program, r.results, r.dimSizes, options.grad);
      } catch (e) {
        if (e instanceof EvalError) throw new GoldenRunError(e.code, e.message.split("\n")[0] ?? "");
        throw e;
      }
    },
  };
}
