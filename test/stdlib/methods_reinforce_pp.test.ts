// PG.REINFORCE_PP (examples/reinforce_pp.rlp; std kl_shaped_reward, last_valid, return_with_reset,
// reinforce_pp_advantage, reinforce_pp_baseline_advantage): the return that resets at masked tokens (unlike GAE's
// skip), the global whitening (mean 0, unbiased variance 1 over the valid tokens, 0 at masked positions), the
// baseline variant against an independent computation, and the reduction to a token-weighted z-score of rewards.
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
} from "./methods_helpers.ts";

const PGT = ["P", "G", "T"];

/** masked_whiten over the valid entries (§0.5): count epsilon, Bessel factor, variance epsilon. */
function whiten(values: number[], valid: boolean[]): number[] {
  const xs = values.filter((_, i) => valid[i]);
  const n = xs.length;
  const mu = xs.reduce((a, b) => a + b, 0) / (n + 1e-8);
  const v = (xs.reduce((a, b) => a + (b - mu) ** 2, 0) / (n + 1e-8)) * (n / (n - 1));
  return values.map((x, i) => (valid[i] ? (x - mu) / Math.sqrt(v + 1e-8) : 0));
}

describe("PG.REINFORCE_PP", () => {
  it("resets the return at masked tokens (a valid segment never sees rewards after a gap); GAE skips them instead", () => {
    const run = runText(
      `pipeline t {
  dims B, T
  input r: f32[B,T]
  input mask: bool[B,T]
  output reset = return_with_reset(r, mask, gamma=0.5)
  output skip = discounted_return(r, mask and false, mask, gamma=0.5)
  output last = f32(last_valid(mask))
}`,
      { r: { dims: ["B", "T"], data: [[1, 2, 0, 4, 8]] }, mask: { dims: ["B", "T"], data: [[1, 1, 0, 1, 1]] } },
    );
    // reset: G_4 = 8, G_3 = 4 + 4 = 8, G_2 (masked) = 0 + 0.5·8 = 4 but not carried on, G_1 = 2, G_0 = 1 + 1 = 2
    expectAllClose(res(run.ev, "reset", ["B", "T"]), [2, 2, 4, 8, 8], 1e-15, "reset");
    expectAllClose(res(run.ev, "skip", ["B", "T"]), [1 + 0.5 * 6, 2 + 0.5 * 8, 0, 8, 8], 1e-15, "skip");
    expect(res(run.ev, "last", ["B", "T"])).toEqual([0, 0, 0, 0, 1]);
  });

  it("whitens the returns over every valid token of the batch: mean 0, unbiased variance ≈ 1, 0 at masked positions", () => {
    const doc = randomBatch(4, 3, 4, 5);
    const run = runDoc(example("reinforce_pp", { beta: 0.05 }), doc);
    const mask = (doc.mask.data as number[][][]).flat(2).map((m) => m === 1);
    const A = res(run.ev, "A", PGT);
    const G = res(run.ev, "returns", PGT);
    expectAllClose(A, whiten(G, mask), 1e-12, "A = masked_whiten(G) · m");
    const valid = A.filter((_, i) => mask[i]);
    const m = valid.reduce((a, b) => a + b, 0) / valid.length;
    expect(Math.abs(m)).toBeLessThan(1e-9);
    expect(valid.reduce((a, b) => a + (b - m) ** 2, 0) / (valid.length - 1)).toBeCloseTo(1, 6);
    expect(A.filter((_, i) => !mask[i]).every((a) => a === 0)).toBe(true);
    expectGradCheck(run, "L", "logp");
  });

  it("with beta = 0 and gamma = 1 gives every token of a response its reward, whitened with token-count weights", () => {
    const doc = randomBatch(6, 2, 3, 4);
    const run = runDoc(example("reinforce_pp", { beta: 0 }), doc);
    const mask = (doc.mask.data as number[][][]).flat(2).map((m) => m === 1);
    const r = (doc.reward.data as number[][]).flat();
    const perToken = mask.map((_, i) => r[Math.floor(i / 4)]!);
    expectAllClose(res(run.ev, "A", PGT), whiten(perToken, mask), 1e-12, "A");
  });

  it("baseline variant: whitens the group-centred sequence scores (a singleton group keeps its raw score)", () => {
    const doc = exampleDoc("reinforce_pp");
    const run = runDoc(example("reinforce_pp", { beta: 0.01, variant: "baseline" }), doc);
    // scores = Σ_t token rewards: [1 + 0.001 - 0.002 ... ] computed from the printed token rewards
    const tr = [
      [-0.001, -0.001, 1.002],
      [-0.001, 0.002, 0],
      [-0.002, -0.001, 0.001],
      [0.005, 0, 0],
    ];
    const score = tr.map((row) => row.reduce((a, b) => a + b, 0));
    const mu = score.reduce((a, b) => a + b, 0) / 4;
    const mask = [
      [1, 1, 1],
      [1, 1, 0],
      [1, 1, 1],
      [1, 0, 0],
    ]
      .flat()
      .map((m) => m === 1);
    const perToken = mask.map((_, i) => score[Math.floor(i / 3)]! - mu);
    expectAllClose(res(run.ev, "A", PGT), whiten(perToken, mask), 1e-12, "A (baseline variant)");
    const single = runText(
      `pipeline t {
  dims P, G, T
  input s: f32[P,G]
  input mask: bool[P,G,T]
  output A = reinforce_pp_baseline_advantage(s, mask, over=G)
}`,
      { s: { dims: ["P", "G"], data: [[2], [0], [1]] }, mask: { dims: PGT, data: [[[1, 1]], [[1, 0]], [[1, 1]]] } },
    );
    // raw scores 2, 0, 1 (no centring) with token weights 2, 1, 2
    expectAllClose(
      res(single.ev, "A", PGT),
      whiten([2, 2, 0, 0, 1, 1], [true, true, true, false, true, true]),
      1e-12,
      "singletons",
    );
  });

  it("needs at least 2 valid tokens in the batch (a run-time require)", () => {
    const doc = exampleDoc("reinforce_pp");
    doc.mask = {
      dims: PGT,
      data: [
        [
          [1, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
        ],
      ],
    };
    expect(() => runDoc(example("reinforce_pp"), doc)).toThrow(/at least 2 valid tokens/);
  });

  it("puts the k1 KL penalty of the rollout policy on every valid token and the score on the last one", () => {
    const run = runDoc(example("reinforce_pp", { beta: 0.5 }), exampleDoc("reinforce_pp"));
    const old = [
      [-1.0, -0.5, -2.0],
      [-0.3, -1.2, 0.0],
      [-0.7, -0.2, -1.5],
      [-2.5, 0.0, 0.0],
    ].flat();
    const ref = [
      [-1.1, -0.6, -1.8],
      [-0.4, -1.0, 0.0],
      [-0.9, -0.3, -1.4],
      [-2.0, 0.0, 0.0],
    ].flat();
    const mask = [
      [1, 1, 1],
      [1, 1, 0],
      [1, 1, 1],
      [1, 0, 0],
    ].flat();
    const last = [0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0];
    const reward = [1, 0, 0, 0];
    const expected = mask.map((m, i) => (m ? (last[i] ? reward[Math.floor(i / 3)]! : 0) - 0.5 * (old[i]! - ref[i]!) : 0));
    expectAllClose(res(run.ev, "tr", PGT), expected, 1e-15, "token rewards");
    expect(grad(run, "L", "logp", PGT).length).toBe(12);
  });
});
