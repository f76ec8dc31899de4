// PG.GRPO (examples/grpo.rlp; std group_norm, grpo_advantage, ppo_clip, kl_k3, seq_mean_token_mean): the advantage's
// properties (zero sum within a group, zero-variance and singleton groups, eps on the std), the whole loss and its
// gradient against an independent float64 implementation of the catalog's definition, and the reductions to DAPO.
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
  scalar,
} from "./methods_helpers.ts";
import { mulberry32 } from "../kit/index.ts";

const PG_ = ["P", "G"];
const PGT = ["P", "G", "T"];

/** The catalog's PG.GRPO definition, computed directly (float64). */
function grpoReference(
  doc: ReturnType<typeof randomBatch>,
  eps = 0.2,
  beta = 0.04,
  advEps = 1e-6,
): { A: number[]; L: number; g: number[] } {
  const logp = doc.logp.data as number[][][];
  const old = doc.old_logp.data as number[][][];
  const ref = doc.ref_logp.data as number[][][];
  const mask = doc.mask.data as number[][][];
  const reward = doc.reward.data as number[][];
  const A: number[][] = reward.map((r) => {
    const n = r.length;
    if (n === 1) return [r[0]! / (1 + advEps)];
    const mu = r.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mu) ** 2, 0) / (n - 1));
    return r.map((x) => (x - mu) / (sd + advEps));
  });
  let rows = 0;
  let total = 0;
  const g: number[] = [];
  logp.forEach((lp, p) =>
    lp.forEach((row, gi) => {
      const n = mask[p]![gi]!.filter((m) => m === 1).length;
      if (n > 0) rows++;
      let s = 0;
      row.forEach((x, t) => {
        if (mask[p]![gi]![t] !== 1) return;
        const a = A[p]![gi]!;
        const ratio = Math.exp(x - old[p]![gi]![t]!);
        const l1 = -a * ratio;
        const l2 = -a * Math.min(Math.max(ratio, 1 - eps), 1 + eps);
        const d = ref[p]![gi]![t]! - x;
        s += Math.max(l1, l2) + beta * (Math.exp(d) - d - 1);
      });
      if (n > 0) total += s / (n + 1e-8);
    }),
  );
  logp.forEach((lp, p) =>
    lp.forEach((row, gi) => {
      const n = mask[p]![gi]!.filter((m) => m === 1).length;
      row.forEach((x, t) => {
        if (mask[p]![gi]![t] !== 1) return g.push(0);
        const a = A[p]![gi]!;
        const ratio = Math.exp(x - old[p]![gi]![t]!);
        const active = (a > 0 && ratio <= 1 + eps) || (a < 0 && ratio >= 1 - eps);
        const w = 1 / (rows * (n + 1e-8));
        g.push(w * ((active ? -a * ratio : 0) + beta * (1 - Math.exp(ref[p]![gi]![t]! - x))));
      });
    }),
  );
  return { A: A.flat(), L: rows > 0 ? total / rows : 0, g };
}

describe("PG.GRPO", () => {
  const advText = `
pipeline t {
  dims P, G
  input r: f32[P,G]
  output A = grpo_advantage(r, over=G)
  output A_trl = grpo_advantage(r, over=G, eps=1e-4)
  output A_centred = grpo_advantage(r, over=G, norm_by_std=false)
  output N = group_norm(r, over=G, eps=1e-6)
  output C = group_center(r, over=G)
}`;

  it("has group advantages that sum to 0 within every group (any rewards)", () => {
    const r = mulberry32(3);
    const rewards = pg(5, 6, () => Math.round(r() * 10) / 10);
    const run = runText(advText, { r: { dims: PG_, data: rewards } });
    for (const name of ["A", "A_centred"]) {
      const A = res(run.ev, name, PG_);
      for (let p = 0; p < 5; p++)
        expect(Math.abs(A.slice(p * 6, p * 6 + 6).reduce((a, b) => a + b, 0)), `${name} group ${p}`).toBeLessThan(1e-12);
    }
    expect(res(run.ev, "A", PG_)).toEqual(res(run.ev, "N", PG_));
    expect(res(run.ev, "A_centred", PG_)).toEqual(res(run.ev, "C", PG_));
  });

  it("gives the catalog's advantages (verl eps 1e-6; TRL eps 1e-4), 0 for a zero-variance group, r/(1+eps) for a singleton", () => {
    const run = runText(advText, {
      r: {
        dims: PG_,
        data: [
          [1, 0, 0, 0],
          [1, 1, 1, 1],
        ],
      },
    });
    expectAllClose(res(run.ev, "A", PG_), [1.499997, -0.499999, -0.499999, -0.499999, 0, 0, 0, 0], 1e-6, "A");
    expectAllClose(res(run.ev, "A_trl", PG_), [1.4997, -0.4999, -0.4999, -0.4999, 0, 0, 0, 0], 1e-4, "A (TRL eps)");
    const single = runText(advText, { r: { dims: PG_, data: [[0.7]] } });
    expect(res(single.ev, "A", PG_)[0]).toBeCloseTo(0.7 / (1 + 1e-6), 15);
    expect(res(single.ev, "A_centred", PG_)[0]).toBe(0.7);
  });

  it("matches an independent implementation of the catalog's definition: advantage, loss and gradient", () => {
    for (const seed of [1, 2, 3]) {
      const doc = randomBatch(seed, 2, 4, 5, true);
      (doc.mask.data as number[][][])[0]![1] = [0, 0, 0, 0, 0]; // an all-masked response
      const ref = grpoReference(doc);
      const run = runDoc(example("grpo"), doc);
      expectAllClose(res(run.ev, "A", PG_), ref.A, 1e-12, `A (seed ${seed})`);
      expect(scalar(run.ev, "L"), `L (seed ${seed})`).toBeCloseTo(ref.L, 12);
      expectAllClose(grad(run, "L", "logp", PGT), ref.g, 1e-12, `dL/dlogp (seed ${seed})`);
      expectGradCheck(run, "L", "logp");
    }
  });

  it("has the catalog's clip fraction and gives the KL gradient only at a clipped token", () => {
    const run = runDoc(example("grpo"), exampleDoc("grpo"));
    expect(scalar(run.ev, "clip_frac")).toBeCloseTo(2 / 9, 15);
    // token (0,0): A > 0, ratio 1.35 > 1.2 — only beta * (1 - exp(ref - logp)) / (B' n) remains
    const g00 = grad(run, "L", "logp", PGT)[0]!;
    expect(g00).toBeCloseTo((0.04 * (1 - Math.exp(-1.1 + 0.7))) / (4 * (3 + 1e-8)), 15);
  });

  it("reduces to DAPO's loss with eps_low = eps_high, beta = 0 and token-mean aggregation", () => {
    const doc = randomBatch(8, 2, 4, 3);
    const grpoTokenMean = runText(
      `pipeline t {
  dims P, G, T
  input logp: f32[P,G,T] @policy
  input old_logp: f32[P,G,T]
  input mask: bool[P,G,T]
  input reward: f32[P,G]
  advantage A = group_norm(reward, over=G, eps=1e-6)
  let pg, clipped = ppo_clip(logp, old_logp, A, eps=0.2)
  loss L = token_mean(pg, mask)
}`,
      { logp: doc.logp, old_logp: doc.old_logp, mask: doc.mask, reward: doc.reward },
    );
    // every group varies, and no response is anywhere near the overlong buffer: DAPO keeps and shapes nothing
    const dapo = runDoc(example("dapo", { eps_high: 0.2 }), {
      logp: doc.logp,
      old_logp: doc.old_logp,
      mask: doc.mask,
      score: doc.reward,
      acc: doc.reward,
    });
    expect(res(dapo.ev, "keep", ["P"])).toEqual([1, 1]);
    expect(scalar(dapo.ev, "L")).toBeCloseTo(scalar(grpoTokenMean.ev, "L"), 15);
    expectAllClose(grad(dapo, "L", "logp", PGT), grad(grpoTokenMean, "L", "logp", PGT), 1e-15, "gradient");
  });
});
