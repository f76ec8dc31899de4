// PG.CLIP_COV draws its tokens with the counter-based `uniform`: for the same seed and step, the reference
// evaluator, the fused JS kernels and the tfjs backend must pick exactly the same tokens; another seed or step
// picks others.
import { describe, expect, it } from "vitest";
import { compileFile } from "../../compiler/index.ts";
import { compileKernels } from "../../runtime/backends/js/index.ts";
import { evaluate } from "../../runtime/backends/reference/evaluate.ts";
import { tensor, type Tensor } from "../../runtime/library/tensor.ts";
import { runTfjs, selectBackend } from "../../runtime/backends/tfjs/index.ts";
import { mulberry32 } from "../kit/index.ts";

const P = 2,
  G = 4,
  T = 16;
// Wide covariance bounds make every valid token a candidate, so a quarter of them are drawn.
const SET = { clip_cov_ratio: "0.25", clip_cov_lb: "-100", clip_cov_ub: "100" };

function inputs(step: number): Record<string, Tensor> {
  const r = mulberry32(7);
  const n = P * G * T;
  const old = Float64Array.from({ length: n }, () => -1 - r());
  // Ratios stay inside the clip window, so every valid token is a Clip-Cov candidate.
  const logp = old.map((v) => v + (r() - 0.5) * 0.1);
  const mask = Float64Array.from({ length: n }, (_, i) => (i % T < T - (Math.floor(i / T) % 3) ? 1 : 0));
  const adv = Float64Array.from({ length: P * G }, () => r() * 2 - 1);
  return {
    logp: tensor("f32", ["P", "G", "T"], [P, G, T], logp),
    old_logp: tensor("f32", ["P", "G", "T"], [P, G, T], old),
    mask: tensor("bool", ["P", "G", "T"], [P, G, T], mask),
    adv: tensor("f32", ["P", "G"], [P, G], adv),
    step: tensor("i32", [], [], [step]),
  };
}

async function chosenEverywhere(seed: number, step: number): Promise<number[][]> {
  const p = compileFile("examples/clip_cov.rlp", { set: { ...SET, seed: String(seed) } }).programs[0]!;
  const x = inputs(step);
  const ref = evaluate(p, x).results.detached!;
  const kernels = compileKernels(p, { threads: 1 });
  const js = (await kernels.evaluate(x)).results.detached!;
  kernels.close();
  const { tf } = await selectBackend("cpu");
  const tfjs = runTfjs(tf, p, x).results.detached!;
  return [Array.from(ref.data), Array.from(js.data), Array.from(tfjs.data)];
}

describe("Clip-Cov's seeded selection", () => {
  it("picks the same tokens on the reference, fused JS and tfjs backends", async () => {
    for (const seed of [0, 1, 2]) {
      const [ref, js, tfjs] = await chosenEverywhere(seed, 0);
      expect(ref.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      expect(js).toEqual(ref);
      expect(tfjs).toEqual(ref);
    }
  });

  it("picks other tokens for another seed or another step", async () => {
    const [a] = await chosenEverywhere(0, 0);
    const [b] = await chosenEverywhere(1, 0);
    const [c] = await chosenEverywhere(0, 1);
    expect(b).not.toEqual(a);
    expect(c).not.toEqual(a);
  });
});
