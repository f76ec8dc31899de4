// once(e): a value fixed at the first update on a batch. The checker records it (a result of kind "once", suppliable
// in rlp eval), and the trainer evaluates it once per batch: PPO written with once(r.logp) in place of r.old_logp
// trains bit-identically over two updates and two minibatches (were once recomputed at each update, the ratio would
// be 1 at the second update and the runs would differ).
import { describe, expect, it } from "vitest";
import { compileSource } from "../kit/index.ts";
import { withSuppliedStages } from "../../compiler/stage_inputs.ts";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { evaluate } from "../../runtime/backends/reference/index.ts";
import { builtinTask } from "../../runtime/tools/tasks/index.ts";
import { selectBackend } from "../../runtime/backends/tfjs/index.ts";
import { train, TRAINER_DEFAULTS } from "../../runtime/tools/train/trainer.ts";
import { freshPolicy } from "../../runtime/tools/train/warmstart.ts";
import { tensor } from "../../runtime/library/tensor.ts";

const PPO = (old: string) => `pipeline p {
  dims P, G, T
  rollout r = sample(policy, task, group=4, max_tokens=4)
  reward S = task.score(r)
  advantage A = grpo_advantage(S, over=G)
  let pg, clipped = ppo_clip(r.logp, ${old}, A, eps=0.2)
  loss L = token_mean(pg, r.mask)
}
`;

function compile(source: string): IRProgram {
  const path = "/virtual/once.rlp";
  const r = compileSource(source, { path });
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.programs[0]!;
}

describe("once(e)", () => {
  it("is a result of kind once, and rlp eval may supply it", () => {
    const program = compile(PPO("once(r.logp)"));
    const once = program.results.filter((r) => r.kind === "once");
    expect(once.map((r) => r.name)).toEqual(["once.1"]);
    expect(program.nodes[once[0]!.node]!.grad).toEqual([]);
    const dims = ["P", "G", "T"];
    const inputs = {
      "r.logp": tensor(
        "f32",
        dims,
        [1, 4, 4],
        Array.from({ length: 16 }, (_, i) => -0.1 * (i + 1)),
      ),
      "r.mask": tensor("bool", dims, [1, 4, 4], Array(16).fill(1)),
      "r.score": tensor("f32", ["P", "G"], [1, 4], [1, 0, 0, 1]),
    };
    // computed: once(r.logp) = r.logp, so the ratio is 1 and the loss is -mean(A) over tokens = 0
    expect(evaluate(program, inputs).results["L"]!.data[0]).toBeCloseTo(0, 12);
    // supplied: the ratio is exp(logp - supplied)
    const supplied = withSuppliedStages(program, ["once.1"]);
    const shifted = {
      ...inputs,
      "once.1": tensor(
        "f32",
        dims,
        [1, 4, 4],
        inputs["r.logp"].data.map((v, i) => v - 0.05 * (i % 3)),
      ),
    };
    expect(evaluate(supplied, shifted).results["L"]!.data[0]).not.toBeCloseTo(0, 3);
  });

  it("trains exactly as r.old_logp over several updates and minibatches", async () => {
    const { tf } = await selectBackend();
    const task = builtinTask("sort")!;
    const run = async (old: string) => {
      const result = await train({
        tf,
        program: compile(PPO(old)),
        task,
        policy: freshPolicy(tf, task, "tiny", 9),
        options: {
          ...TRAINER_DEFAULTS,
          steps: 2,
          seed: 9,
          prompts: 4,
          heldOut: 0,
          checkpointEvery: 0,
          updatesPerBatch: 2,
          minibatches: 2,
        },
      });
      return result.last!;
    };
    const withOld = await run("r.old_logp");
    const withOnce = await run("once(r.logp)");
    expect(withOnce.loss).toBe(withOld.loss);
    expect(withOnce.grad_norm).toBe(withOld.grad_norm);
    // and differs from a ratio recomputed at every update
    const recomputed = await run("detach(r.logp)");
    expect(recomputed.grad_norm).not.toBe(withOld.grad_norm);
  }, 90_000);
});
