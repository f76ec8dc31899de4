// PG.REINFORCE (examples/reinforce.rlp; std reinforce_advantage, ema_update, reinforce_loss): the baseline kinds,
// the EMA baseline across two steps (state), the seq-mean-token-sum loss and its gradient against an independent
// computation, all-masked rows, importance weights, and the reduction of GRPO to REINFORCE.
import { describe, expect, it } from "vitest";
import {
  example,
  exampleDoc,
  expectAllClose,
  expectGradCheck,
  grad,
  nextState,
  pg,
  randomBatch,
  res,
  runDoc,
  runText,
  scalar,
} from "./methods_helpers.ts";

const PG_ = ["P", "G"];
const PGT = ["P", "G", "T"];

/** −(1/B')·Σ_i A_i·Σ_t m·w·logp over rows with ≥ 1 valid token, and its gradient −m·w·A_i/B'. */
function reinforceReference(logp: number[][][], mask: number[][][], A: number[][], w = 1): { L: number; g: number[] } {
  let sum = 0;
  let rows = 0;
  const g: number[] = [];
  logp.forEach((lp, p) =>
    lp.forEach((row, gi) => {
      const valid = mask[p]![gi]!.some((m) => m === 1);
      if (valid) rows++;
      row.forEach((x, t) => {
        if (mask[p]![gi]![t] === 1) sum += -w * A[p]![gi]! * x;
      });
    }),
  );
  logp.forEach((lp, p) =>
    lp.forEach((row, gi) => row.forEach((_, t) => g.push(mask[p]![gi]![t] === 1 ? (-w * A[p]![gi]!) / rows : 0))),
  );
  return { L: rows > 0 ? sum / rows : 0, g };
}

describe("PG.REINFORCE", () => {
  it("gives each baseline kind's advantage", () => {
    const doc = randomBatch(11, 2, 3, 4);
    const r = (doc.reward.data as number[][]).map((row) => [...row]);
    const all = r.flat();
    const batchMean = all.reduce((a, b) => a + b, 0) / all.length;
    const expected: Record<string, (p: number, g: number) => number> = {
      none: (p, g) => r[p]![g]!,
      batch_mean: (p, g) => r[p]![g]! - batchMean,
      group_mean: (p, g) => r[p]![g]! - r[p]!.reduce((a, b) => a + b, 0) / 3,
      given: (p, g) => r[p]![g]! - [0.3, -0.2][p]!,
      ema: (p, g) => r[p]![g]! - 0.4,
    };
    for (const [kind, f] of Object.entries(expected)) {
      const run = runDoc(
        example("reinforce", { baseline: kind }),
        { ...doc, given_baseline: { dims: ["P"], data: [0.3, -0.2] } },
        { reward_ema: 0.4 },
      );
      expectAllClose(res(run.ev, "A", PG_), pg(2, 3, f).flat(), 1e-12, `A (${kind})`);
    }
  });

  it("gives A = 0 for a singleton group under the group-mean baseline", () => {
    const run = runText(
      `pipeline t {
  dims P, G
  input r: f32[P,G]
  output A = reinforce_advantage(r, over=G, baseline=group_mean)
}`,
      { r: { dims: PG_, data: [[2.5], [-1.0]] } },
    );
    expect(res(run.ev, "A", PG_)).toEqual([0, 0]);
  });

  it("keeps an EMA baseline in state: two steps give the expected second-step advantage and state", () => {
    const program = example("reinforce", { baseline: "ema", ema_decay: 0.9 });
    const doc = exampleDoc("reinforce");
    const s1 = runDoc(program, doc);
    // step 1 reads the initial value 0: A = reward; the EMA becomes 0.9*0 + 0.1*mean(reward) = 0.025
    expectAllClose(res(s1.ev, "A", PG_), [1, 0, 0, 0], 1e-15, "step 1 A");
    expect(s1.ev.stateUpdates.reward_ema).toBeCloseTo(0.025, 15);
    // step 2 reads 0.025; with rewards [0, 1, 1, 0] the EMA becomes 0.9*0.025 + 0.1*0.5 = 0.0725
    const state = nextState({}, s1.ev);
    const s2 = runDoc(program, { ...doc, reward: { dims: PG_, data: [[0, 1, 1, 0]] } }, state);
    expectAllClose(res(s2.ev, "A", PG_), [-0.025, 0.975, 0.975, -0.025], 1e-15, "step 2 A");
    expect(s2.ev.stateUpdates.reward_ema).toBeCloseTo(0.0725, 15);
    // a state update never feeds the step that writes it: the loss of step 2 uses the baseline 0.025
    const fixed = runDoc(example("reinforce", { baseline: "given" }), {
      ...doc,
      reward: { dims: PG_, data: [[0, 1, 1, 0]] },
      given_baseline: { dims: ["P"], data: [0.025] },
    });
    expect(scalar(s2.ev, "L")).toBeCloseTo(scalar(fixed.ev, "L"), 15);
  });

  it("matches an independent computation of the seq-mean-token-sum loss and its gradient, all-masked rows excluded", () => {
    const doc = randomBatch(5, 2, 4, 5);
    const mask = doc.mask.data as number[][][];
    mask[1]![2] = [0, 0, 0, 0, 0]; // an all-masked row: contributes 0 and is not counted in B'
    const run = runDoc(example("reinforce"), doc);
    const A = pg(2, 4, (p, g) => res(run.ev, "A", PG_)[p * 4 + g]!);
    const ref = reinforceReference(doc.logp.data as number[][][], mask, A);
    expect(scalar(run.ev, "L")).toBeCloseTo(ref.L, 12);
    expectAllClose(grad(run, "L", "logp", PGT), ref.g, 1e-12, "dL/dlogp");
    expectGradCheck(run, "L", "logp");
  });

  it("gives L = 0 with zero, finite gradients when no row has a valid token (B' = 0)", () => {
    const doc = exampleDoc("reinforce");
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
    const run = runDoc(example("reinforce"), doc);
    expect(scalar(run.ev, "L")).toBe(0);
    for (const v of grad(run, "L", "logp", PGT)) expect(v).toBe(0);
  });

  it("scales the loss and the gradient by a per-token importance weight", () => {
    const doc = exampleDoc("reinforce");
    const base = runDoc(example("reinforce"), doc);
    const weighted = runDoc(example("reinforce"), {
      ...doc,
      is_weight: {
        dims: PGT,
        data: [
          [
            [0.5, 0.5, 0.5],
            [0.5, 0.5, 0.5],
            [0.5, 0.5, 0.5],
            [0.5, 0.5, 0.5],
          ],
        ],
      },
    });
    expect(scalar(weighted.ev, "L")).toBeCloseTo(0.5 * 0.2875, 15);
    expectAllClose(
      grad(weighted, "L", "logp", PGT),
      grad(base, "L", "logp", PGT).map((g) => 0.5 * g),
      1e-15,
      "weighted gradient",
    );
  });

  it("is what GRPO reduces to: eps → ∞, beta = 0, on-policy (ratio 1), std-normalised group advantage (same gradient)", () => {
    const doc = randomBatch(21, 2, 4, 3);
    doc.old_logp = doc.logp; // one update per batch: old_logp == logp, ratio == 1
    const grpo = runDoc(example("grpo", { clip_eps: 1e9, beta: 0 }), doc);
    const reinforce = runText(
      `pipeline t {
  dims P, G, T
  input logp: f32[P,G,T] @policy
  input mask: bool[P,G,T]
  input reward: f32[P,G]
  advantage A = group_norm(reward, over=G, eps=1e-6)
  // rlp-allow RLP404
  loss L = seq_mean_token_mean(reinforce_loss(logp, A), mask)
}`,
      { logp: doc.logp, mask: doc.mask, reward: doc.reward },
    );
    expectAllClose(grad(grpo, "L", "logp", PGT), grad(reinforce, "L", "logp", PGT), 1e-14, "GRPO vs REINFORCE gradient");
  });
});
