// PG.REMAX (examples/remax.rlp; std kl_shaped_reward, remax_advantage): the greedy-reward baseline, the reduction to
// REINFORCE with a prompt-specific baseline, the KL in the token rewards, and no gradient through the baseline.
import { describe, expect, it } from "vitest";
import {
  example,
  exampleDoc,
  expectAllClose,
  expectGradCheck,
  grad,
  randomBatch,
  res,
  runDoc,
  runText,
  scalar,
} from "./methods_helpers.ts";
import { gradOf } from "./harness.ts";

const PGT = ["P", "G", "T"];

describe("PG.REMAX", () => {
  it("gives the catalog's advantages for greedy rewards 1 and 0 (no KL)", () => {
    const run = runDoc(example("remax", { beta: 0 }), exampleDoc("remax"));
    expectAllClose(
      res(run.ev, "A", PGT),
      [
        [0, 0, 0],
        [-1, -1, 0],
        [-1, -1, -1],
        [-1, 0, 0],
        [1, 1, 1],
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ].flat(),
      0,
      "A",
    );
  });

  it("is REINFORCE with the prompt's greedy reward as its baseline (no KL: the reward-to-go is the reward)", () => {
    const doc = randomBatch(23, 3, 4, 5);
    const greedy = { dims: ["P"], data: [0.2, 0.9, 0.5] };
    const remax = runDoc(example("remax", { beta: 0, loss_agg: "seq_mean_token_sum" }), { ...doc, greedy_reward: greedy });
    const reinforce = runDoc(example("reinforce", { baseline: "given" }), {
      logp: doc.logp,
      mask: doc.mask,
      reward: doc.reward,
      given_baseline: greedy,
    });
    expect(scalar(remax.ev, "L")).toBeCloseTo(scalar(reinforce.ev, "L"), 14);
    expectAllClose(grad(remax, "L", "logp", PGT), grad(reinforce, "L", "logp", PGT), 1e-14, "gradient");
    expectGradCheck(remax, "L", "logp");
  });

  it("subtracts beta·k1(old, ref) from every valid token's reward and sums the reward-to-go", () => {
    const run = runText(
      `pipeline t {
  dims B, T
  input r: f32[B]
  input old_logp: f32[B,T]
  input ref_logp: f32[B,T]
  input mask: bool[B,T]
  input b: f32[B]
  reward tr = kl_shaped_reward(r, mask, old_logp, ref_logp, beta=0.1)
  advantage A = remax_advantage(tr, b, mask)
}`,
      {
        r: { dims: ["B"], data: [2] },
        old_logp: { dims: ["B", "T"], data: [[-1, -2, -3, 0]] },
        ref_logp: { dims: ["B", "T"], data: [[-2, -2, -1, 0]] },
        mask: { dims: ["B", "T"], data: [[1, 1, 1, 0]] },
        b: { dims: ["B"], data: [0.5] },
      },
    );
    expectAllClose(res(run.ev, "tr", ["B", "T"]), [-0.1, 0, 2 + 0.2, 0], 1e-15, "token rewards");
    expectAllClose(res(run.ev, "A", ["B", "T"]), [2.1 - 0.5, 2.2 - 0.5, 2.2 - 0.5, 0], 1e-15, "A = reward-to-go − b");
  });

  it("gives no gradient through the greedy baseline and works with verl's PPO-clip loss", () => {
    const doc = randomBatch(29, 2, 3, 3);
    const run = runDoc(example("remax", { loss: "ppo_clip" }), { ...doc, greedy_reward: { dims: ["P"], data: [0.4, 0.6] } });
    expect(Object.keys(gradOf(run.program, run.ev, "L"))).toEqual(["logp"]);
    expect(run.program.inputs.find((i) => i.name === "greedy_reward")?.mark).toBeUndefined();
    expectGradCheck(run, "L", "logp");
  });
});
