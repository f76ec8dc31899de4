// PG.DR_GRPO (examples/dr_grpo.rlp; std grpo_advantage, group_center, constant_norm_agg): the two normalisers (TRL's
// B·L_max and verl's L_max), the reduction back to GRPO's loss, RLOO = G/(G−1) × Dr. GRPO's advantage, the constant
// normaliser's scaling and the all-masked batch.
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
import { expectPrinted } from "./harness.ts";

const PG_ = ["P", "G"];
const PGT = ["P", "G", "T"];

describe("PG.DR_GRPO", () => {
  it("gives the catalog's loss with both normalisers: TRL / paper Σ/(B·L_max) and verl Σ/L_max (B times larger)", () => {
    const doc = exampleDoc("dr_grpo");
    const trl = runDoc(example("dr_grpo"), doc);
    const verl = runDoc(example("dr_grpo", { divide_by_num_seqs: false }), doc);
    expectPrinted(scalar(trl.ev, "L"), 0.00382265, "L (TRL)");
    expectPrinted(scalar(verl.ev, "L"), 0.0152906, "L (verl)");
    expect(scalar(verl.ev, "L")).toBeCloseTo(4 * scalar(trl.ev, "L"), 15);
    expectAllClose(
      grad(verl, "L", "logp", PGT),
      grad(trl, "L", "logp", PGT).map((g) => 4 * g),
      1e-15,
      "verl gradient = B × TRL",
    );
  });

  it("with norm_by_std, seq-mean-token-mean and beta = 0.04 is exactly GRPO (loss and gradient)", () => {
    for (const [seed, doc] of [
      [0, exampleDoc("grpo")],
      [1, randomBatch(31, 2, 4, 5, true)],
      [2, randomBatch(32, 3, 3, 4)],
    ] as const) {
      const grpo = runDoc(example("grpo"), doc);
      const dr = runDoc(example("dr_grpo", { norm_by_std: true, loss_agg: "seq_mean_token_mean", beta: 0.04 }), doc);
      expect(scalar(dr.ev, "L"), `L (case ${seed})`).toBe(scalar(grpo.ev, "L"));
      expectAllClose(grad(dr, "L", "logp", PGT), grad(grpo, "L", "logp", PGT), 0, `gradient (case ${seed})`);
    }
  });

  it("has RLOO's advantage = G/(G−1) × its advantage", () => {
    for (const G of [2, 3, 5]) {
      const doc = randomBatch(40 + G, 3, G, 2);
      const run = runText(
        `pipeline t {
  dims P, G
  input reward: f32[P,G]
  output dr = grpo_advantage(reward, over=G, norm_by_std=false)
  output loo = rloo_advantage(reward, over=G)
}`,
        { reward: doc.reward },
      );
      expectAllClose(
        res(run.ev, "loo", PG_),
        res(run.ev, "dr", PG_).map((a) => (G / (G - 1)) * a),
        1e-12,
        `G = ${G}`,
      );
    }
  });

  it("divides by a constant: the loss scales as 1/L_max and does not depend on response lengths", () => {
    const doc = exampleDoc("dr_grpo");
    const l3 = scalar(runDoc(example("dr_grpo"), doc).ev, "L");
    const l8 = scalar(runDoc(example("dr_grpo", { max_len: 8 }), doc).ev, "L");
    expect(l8).toBeCloseTo((l3 * 3) / 8, 15);
    // the gradient weight of every valid token is the same constant 1/(B·L_max), whatever its response's length
    const run = runDoc(example("dr_grpo", { clip_eps: 1e9 }), { ...doc, old_logp: doc.logp });
    const A = [0.75, -0.25, -0.25, -0.25];
    const mask = (doc.mask as { data: number[][][] }).data[0]!;
    const expected = mask.flatMap((row, g) => row.map((m) => (m ? -A[g]! / (4 * 3) : 0)));
    expectAllClose(grad(run, "L", "logp", PGT), expected, 1e-15, "unclipped gradient −A/(B·L_max)");
  });

  it("gives 0 (no 0/0) when every token is masked, with zero gradients", () => {
    const doc = exampleDoc("dr_grpo");
    doc.mask = {
      dims: PGT,
      data: [
        [
          [0, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
        ],
      ],
    };
    for (const divide of [true, false]) {
      const run = runDoc(example("dr_grpo", { divide_by_num_seqs: divide }), doc);
      expect(scalar(run.ev, "L")).toBe(0);
      for (const v of grad(run, "L", "logp", PGT)) expect(v).toBe(0);
    }
  });

  it("has gradients that match central differences on a random batch", () => {
    const run = runDoc(example("dr_grpo", { beta: 0.04 }), randomBatch(9, 2, 3, 4));
    expectGradCheck(run, "L", "logp");
  });
});
