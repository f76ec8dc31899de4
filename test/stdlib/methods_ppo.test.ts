// PG.PPO (examples/ppo.rlp; std kl_shaped_reward, gae, masked_whiten, ppo_clip, value_clip_loss, adaptive_kl_coef):
// the adaptive KL controller across two steps (state), the fixed controller, the dual clip, and the reduction to
// REINFORCE++ (lambda = gamma = 1, V = 0).
import { describe, expect, it } from "vitest";
import {
  example,
  exampleDoc,
  expectAllClose,
  expectGradCheck,
  grad,
  nextState,
  randomBatch,
  res,
  runDoc,
  scalar,
} from "./methods_helpers.ts";

const PGT = ["P", "G", "T"];

/** verl AdaptiveKLController: KL = mean over rows of the masked token mean (count + 1e-8) of k1(old, ref). */
function adaptiveBeta(beta: number, old: number[][], ref: number[][], mask: number[][], target: number, horizon: number): number {
  const rows = old.map((row, i) => {
    const n = mask[i]!.reduce((a, b) => a + b, 0);
    return row.reduce((s, x, t) => s + mask[i]![t]! * (x - ref[i]![t]!), 0) / (n + 1e-8);
  });
  const kl = rows.reduce((a, b) => a + b, 0) / rows.length;
  const err = Math.min(Math.max(kl / target - 1, -0.2), 0.2);
  return beta * (1 + (err * rows.length) / horizon);
}

describe("PG.PPO", () => {
  const doc = exampleDoc("ppo");
  const old = (doc.old_logp as { data: number[][][] }).data[0]!;
  const ref = (doc.ref_logp as { data: number[][][] }).data[0]!;
  const mask = (doc.mask as { data: number[][][] }).data[0]!;

  it("adaptive KL controller: two steps give the expected second-step coefficient, token rewards and loss", () => {
    const program = example("ppo", { kl_ctrl: "adaptive" });
    const s1 = runDoc(program, doc);
    // step 1 uses the initial coefficient 0.001: the catalog's worked example
    expect(scalar(s1.ev, "L")).toBeCloseTo(scalar(runDoc(example("ppo"), doc).ev, "L"), 15);
    // the batch KL is −0.120833 < target: the error clips at −0.2, beta ← 0.001·(1 − 0.2·4/10000) = 0.00099992
    const beta2 = adaptiveBeta(0.001, old, ref, mask, 0.1, 10000);
    expect(beta2).toBeCloseTo(0.00099992, 15);
    expect(s1.ev.stateUpdates.kl_beta).toBeCloseTo(beta2, 15);
    // step 2 reads 0.00099992: the same as a fixed controller with that coefficient
    const s2 = runDoc(program, doc, nextState({}, s1.ev));
    const fixed = runDoc(example("ppo", { kl_coef: beta2 }), doc);
    expectAllClose(res(s2.ev, "tr", PGT), res(fixed.ev, "tr", PGT), 1e-15, "step 2 token rewards");
    expect(res(s2.ev, "tr", PGT)[0]).toBeCloseTo(-beta2 * 0.1, 15);
    expect(scalar(s2.ev, "L")).toBeCloseTo(scalar(fixed.ev, "L"), 15);
    expect(s2.ev.stateUpdates.kl_beta).toBeCloseTo(beta2 * (1 - (0.2 * 4) / 10000), 15);
  });

  it("adaptive KL controller: an unclipped proportional error moves beta by err·n/horizon", () => {
    // old − ref = 0.105 on every valid token: KL ≈ 0.105 (the count epsilon), error 0.05, n = 4 rows
    const shifted = { ...doc, ref_logp: { dims: PGT, data: [old.map((row) => row.map((x) => x - 0.105))] } };
    const s1 = runDoc(example("ppo", { kl_ctrl: "adaptive", kl_horizon: 10 }), shifted);
    const expected = adaptiveBeta(
      0.001,
      old,
      old.map((row) => row.map((x) => x - 0.105)),
      mask,
      0.1,
      10,
    );
    expect(expected).toBeCloseTo(0.001 * (1 + (0.05 * 4) / 10), 9);
    expect(s1.ev.stateUpdates.kl_beta).toBeCloseTo(expected, 15);
  });

  it("fixed controller: the coefficient never changes", () => {
    const s1 = runDoc(example("ppo"), doc, { kl_beta: 0.5 });
    expect(s1.ev.stateUpdates.kl_beta).toBe(0.5);
    expect(res(s1.ev, "tr", PGT)[0]).toBeCloseTo(-0.001 * 0.1, 15); // kl_coef, not the state
  });

  it("dual clip: the token with ratio 4.48 > c and A < 0 is capped at −c·A with gradient 0; c = 0 gives standard PPO-clip", () => {
    const on = runDoc(example("ppo"), doc);
    const off = runDoc(example("ppo", { clip_c: 0 }), doc);
    const i = 9; // (g3, t0)
    expect(grad(on, "L", "logp", PGT)[i]).toBe(0);
    expect(grad(off, "L", "logp", PGT)[i]).toBeGreaterThan(0);
    expectGradCheck(off, "L", "logp");
  });

  it("with lambda = gamma = 1 and V = 0 has REINFORCE++'s advantage (k1 KL in the reward, whitened)", () => {
    const b = randomBatch(33, 2, 3, 4);
    const zeros = { dims: PGT, data: (b.logp.data as number[][][]).map((x) => x.map((y) => y.map(() => 0))) };
    const ppo = runDoc(example("ppo", { lam: 1, gamma: 1, kl_coef: 0.05 }), { ...b, values: zeros, values_old: zeros });
    const rpp = runDoc(example("reinforce_pp", { beta: 0.05 }), b);
    const m = (b.mask.data as number[][][]).flat(2);
    expectAllClose(
      res(ppo.ev, "A", PGT).map((a, i) => (m[i] ? a : 0)),
      res(rpp.ev, "A", PGT),
      1e-12,
      "A",
    );
    expect(scalar(ppo.ev, "L")).toBeCloseTo(
      scalar(rpp.ev, "L") /* both token-mean of PPO-clip; dual clip only binds at ratio > 3 */,
      12,
    );
    expectGradCheck(ppo, "L", "logp");
    expectGradCheck(ppo, "L_v", "values");
  });
});
