// PG.RLOO (examples/rloo.rlp; std rloo_advantage, reinforce_loss): the leave-one-out baseline, advantages that sum to
// zero within each group, the singleton choice (verl loop vs vectorised), the PPO-clip loss at ratio 1 giving the
// REINFORCE gradient, and unequal group sizes through separate groups.
import { describe, expect, it } from "vitest";
import {
  example,
  exampleDoc,
  expectAllClose,
  expectGradCheck,
  grad,
  pg,
  randomBatch,
  res,
  runDoc,
  runText,
} from "./methods_helpers.ts";
import { mulberry32 } from "../kit/index.ts";

const PG_ = ["P", "G"];
const PGT = ["P", "G", "T"];

const advText = `
pipeline t {
  dims P, G
  input r: f32[P,G]
  output keep = rloo_advantage(r, over=G)
  output zero = rloo_advantage(r, over=G, singleton=zero)
}`;

describe("PG.RLOO", () => {
  it("subtracts the mean of the other responses of the group; advantages sum to 0 within each group", () => {
    for (const G of [2, 3, 4, 7]) {
      const r = mulberry32(G);
      const rewards = pg(4, G, () => Math.round(r() * 20) / 10 - 1);
      const run = runText(advText, { r: { dims: PG_, data: rewards } });
      const A = res(run.ev, "keep", PG_);
      const expected = rewards.flatMap((row) =>
        row.map((x, g) => x - row.filter((_, j) => j !== g).reduce((a, b) => a + b, 0) / (G - 1)),
      );
      expectAllClose(A, expected, 1e-12, `A (G = ${G})`);
      for (let p = 0; p < 4; p++) expect(Math.abs(A.slice(p * G, p * G + G).reduce((a, b) => a + b, 0))).toBeLessThan(1e-12);
      expect(res(run.ev, "zero", PG_)).toEqual(A);
    }
  });

  it("gives a singleton group A = r (verl's loop implementation, the default) or 0 (singleton = zero)", () => {
    const run = runText(advText, { r: { dims: PG_, data: [[0.8], [-0.3]] } });
    expect(res(run.ev, "keep", PG_)).toEqual([0.8, -0.3]);
    expect(res(run.ev, "zero", PG_)).toEqual([0, 0]);
  });

  it("has the catalog's baselines and the REINFORCE gradient −m·A/B'", () => {
    const run = runDoc(example("rloo"), exampleDoc("rloo"));
    expectAllClose(res(run.ev, "baseline", PG_), [0, 1 / 3, 1 / 3, 1 / 3], 1e-15, "baselines");
    const A = [1, -1 / 3, -1 / 3, -1 / 3];
    const mask = [
      [1, 1, 1],
      [1, 1, 0],
      [1, 1, 1],
      [1, 0, 0],
    ];
    expectAllClose(
      grad(run, "L", "logp", PGT),
      mask.flatMap((row, g) => row.map((m) => (m ? -A[g]! / 4 : 0))),
      1e-15,
      "dL/dlogp",
    );
  });

  it("with verl's PPO-clip loss on-policy (ratio 1) has the same gradient as the REINFORCE loss", () => {
    const doc = randomBatch(17, 2, 5, 4);
    doc.old_logp = doc.logp;
    const reinforce = runDoc(example("rloo"), doc);
    const ppo = runDoc(example("rloo", { loss: "ppo_clip" }), doc);
    expectAllClose(grad(ppo, "L", "logp", PGT), grad(reinforce, "L", "logp", PGT), 1e-15, "gradient");
    expectGradCheck(ppo, "L", "logp");
    expectGradCheck(reinforce, "L", "logp");
  });
});
