// PG.CLIP_COV (stdlib/covariance.rlp clip_cov; examples/clip_cov.rlp): the catalog's worked example for both
// possible draws, the seeded selection (deterministic per seed and step, different across seeds, and exactly the
// candidates with the smallest counter-based draws of the documented hash), the candidate rules, n_clip, the
// reduction to PPO-clip, edge cases and gradients.
import { describe, expect, it } from "vitest";
import { uniformAt } from "../../runtime/library/ops/select.ts";
import { at, expectPrinted, gradOf, result, scalarOf } from "./harness.ts";
import { example, exampleDoc, expectGradsMatchNumeric, expectTensor, nested, setup } from "./methods_util.ts";

const DIMS = ["P", "G", "T"];
/** Flat canonical index of (g, t) in the P=1, G=4, T=3 example. */
const flat = (g: number, t: number): number => g * 3 + t;

function chosenTokens(r: ReturnType<typeof example>): number[] {
  const c = result(r.ev, "detached");
  return Array.from(c.data).flatMap((v, i) => (v ? [i] : []));
}

describe("PG.CLIP_COV worked example", () => {
  it("seed 0 detaches (0,0): the catalog's first case", () => {
    const r = example("clip_cov");
    expect(chosenTokens(r)).toEqual([flat(0, 0)]);
    expectPrinted(scalarOf(r.ev, "L"), -0.0444444, "L");
    const g = gradOf(r.program, r.ev, "L").logp!;
    expectTensor(
      g,
      DIMS,
      [
        [
          [0, -0.222222, 0],
          [0.111111, 0.111111, 0],
          [0.055556, 0.055556, 0.055556],
          [0.055556, 0, 0],
        ],
      ],
      1e-6,
      "dL/dlogp",
    );
  });

  it("seed 2 detaches (3,0): the catalog's second case (L = -0.322222; (0,0) keeps -0.222222, (3,0) gets 0)", () => {
    const r = example("clip_cov", { seed: "2" });
    expect(chosenTokens(r)).toEqual([flat(3, 0)]);
    expectPrinted(scalarOf(r.ev, "L"), -0.322222, "L");
    const g = gradOf(r.program, r.ev, "L").logp!;
    expectPrinted(at(g, { P: 0, G: 0, T: 0 }), -0.222222, "dL/dlogp (0,0)");
    expect(at(g, { P: 0, G: 3, T: 0 })).toBe(0);
    expectGradsMatchNumeric(r, "L");
  });
});

describe("PG.CLIP_COV seeded selection", () => {
  it("is deterministic: the same seed and step give the same tokens (recompiled and re-evaluated)", () => {
    for (const seed of ["0", "1", "2", "7"]) {
      const a = chosenTokens(example("clip_cov", { seed }));
      const b = chosenTokens(example("clip_cov", { seed }));
      expect(a).toEqual(b);
      expect(a.length).toBe(1);
    }
  });

  it("differs across seeds, and across steps for one seed", () => {
    const bySeed = new Set([0, 1, 2, 3, 4, 5].map((s) => chosenTokens(example("clip_cov", { seed: String(s) }))[0]));
    expect(bySeed).toEqual(new Set([flat(0, 0), flat(3, 0)]));
    const doc = exampleDoc("clip_cov");
    const text = `
pipeline t {
  dims P, G, T
  input logp: f32[P,G,T] @policy
  input old_logp: f32[P,G,T]
  input mask: bool[P,G,T]
  input adv: f32[P,G]
  input step: i32
  let l, chosen, _ = clip_cov(logp, old_logp, where(mask, adv, 0.0), mask, batch=[P,G,T], seed=0, step=step)
  output c = chosen
}`;
    const picks = new Set<number>();
    for (let step = 0; step < 8; step++) {
      const r = setup(text, { ...doc, step }, "steps");
      const c = Array.from(result(r.ev, "c").data).flatMap((v, i) => (v ? [i] : []));
      expect(c.length).toBe(1);
      // the candidate with the smaller draw of the documented counter-based hash (the same bits on every backend)
      const expected = uniformAt(0, step, flat(0, 0)) < uniformAt(0, step, flat(3, 0)) ? flat(0, 0) : flat(3, 0);
      expect(c[0], `step ${step}`).toBe(expected);
      picks.add(c[0]!);
    }
    expect(picks.size).toBe(2);
  });

  it("takes min(n_clip, #candidates) with n_clip = max(floor(ratio * N_valid), 1)", () => {
    // ratio 0.25: floor(0.25 * 9) = 2 = both candidates; ratio 1: 9 > 2 candidates, still both
    for (const ratio of ["0.25", "1.0"]) {
      const r = example("clip_cov", { clip_cov_ratio: ratio });
      expect(chosenTokens(r)).toEqual([flat(0, 0), flat(3, 0)]);
    }
    // 2 candidates among 9 valid tokens; with ratio 0.2, floor(1.8) = 1
    expect(chosenTokens(example("clip_cov", { clip_cov_ratio: "0.2" })).length).toBe(1);
  });
});

describe("PG.CLIP_COV candidates and reductions", () => {
  it("excludes PPO-clipped tokens and masked tokens, and uses strict bounds", () => {
    // (0,2) has cov 2.2321 inside (1, 5) but is PPO-clipped; widen the bounds so every valid token is in range
    const r = example("clip_cov", { clip_cov_lb: "-100.0", clip_cov_ub: "100.0", clip_cov_ratio: "1.0" });
    const c = nested(result(r.ev, "detached"), DIMS);
    expect(c).toEqual([
      [
        [1, 1, 0],
        [1, 1, 0],
        [1, 1, 1],
        [1, 0, 0],
      ],
    ]);
    // a bound equal to a token's covariance excludes it: (3,0) has cov 1.04321; with lb = that value only (0,0) is left
    const covRun = setup(
      `
pipeline t {
  dims P, G, T
  input logp: f32[P,G,T]
  input old_logp: f32[P,G,T]
  input mask: bool[P,G,T]
  input adv: f32[P,G]
  let A = where(mask, adv, 0.0)
  output cov = (A - masked_mean(A, mask)) * (logp - masked_mean(logp, mask))
}`,
      exampleDoc("clip_cov"),
      "cov",
    );
    const cov30 = at(result(covRun.ev, "cov"), { P: 0, G: 3, T: 0 });
    expectPrinted(cov30, 1.04321, "cov (3,0)");
    const r2 = example("clip_cov", { clip_cov_lb: String(cov30), clip_cov_ratio: "1.0" });
    expect(chosenTokens(r2)).toEqual([flat(0, 0)]);
  });

  it("reduces to PPO-clip without the log-ratio clamp when there is no candidate (lb >= ub)", () => {
    const doc = exampleDoc("clip_cov");
    const r = setup(
      `
pipeline t {
  dims P, G, T
  input logp: f32[P,G,T] @policy
  input old_logp: f32[P,G,T]
  input mask: bool[P,G,T]
  input adv: f32[P,G]
  let A = where(mask, adv, 0.0)
  let l, chosen, clipped = clip_cov(logp, old_logp, A, mask, batch=[P,G,T], clip_cov_lb=5.0, clip_cov_ub=1.0)
  let p, pc = ppo_clip(logp, old_logp, A, eps=0.2, log_ratio_clamp=1e30)
  loss L = token_mean(l, mask)
  loss L_ppo = token_mean(p, mask)
  output n_chosen = count(chosen, over=[P,G,T])
  output same_clip = all(clipped == (pc and mask), over=[P,G,T])
}`,
      doc,
      "reduce",
    );
    expect(scalarOf(r.ev, "n_chosen")).toBe(0);
    expect(scalarOf(r.ev, "same_clip")).toBe(1);
    expect(scalarOf(r.ev, "L")).toBeCloseTo(scalarOf(r.ev, "L_ppo"), 14);
    const g = gradOf(r.program, r.ev, "L").logp!;
    const gp = gradOf(r.program, r.ev, "L_ppo").logp!;
    for (let i = 0; i < g.data.length; i++) expect(g.data[i]).toBeCloseTo(gp.data[i]!, 14);
  });

  it("has no log-ratio clamp: a log-ratio of 30 still gives ratio e^30", () => {
    const r = setup(
      `
pipeline t {
  dims B, T
  input logp: f32[B,T] @policy
  input old_logp: f32[B,T]
  input A: f32[B,T]
  input mask: bool[B,T]
  let l, _, _ = clip_cov(logp, old_logp, A, mask, batch=[B,T], clip_cov_lb=5.0, clip_cov_ub=1.0)
  output loss_tok = l
}`,
      {
        logp: { dims: ["B", "T"], data: [[0.0]] },
        old_logp: { dims: ["B", "T"], data: [[-30.0]] },
        A: { dims: ["B", "T"], data: [[-1.0]] },
        mask: { dims: ["B", "T"], data: [[1]] },
      },
      "noclamp",
    );
    expect(at(result(r.ev, "loss_tok"), { B: 0, T: 0 })).toBeCloseTo(Math.exp(30), 0);
  });

  it("gives 0 and chooses nothing for an all-masked batch", () => {
    const doc = exampleDoc("clip_cov");
    doc.mask = {
      dims: DIMS,
      data: [
        [
          [0, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
          [0, 0, 0],
        ],
      ],
    };
    const r = setup(
      `
pipeline t {
  dims P, G, T
  input logp: f32[P,G,T] @policy
  input old_logp: f32[P,G,T]
  input mask: bool[P,G,T]
  input adv: f32[P,G]
  let l, chosen, _ = clip_cov(logp, old_logp, where(mask, adv, 0.0), mask, batch=[P,G,T])
  loss L = token_mean(l, mask)
  output n = count(chosen, over=[P,G,T])
}`,
      doc,
      "empty",
    );
    expect(scalarOf(r.ev, "L")).toBe(0);
    expect(scalarOf(r.ev, "n")).toBe(0);
    for (const v of gradOf(r.program, r.ev, "L").logp!.data) expect(v).toBe(0);
  });

  it("has gradients that match central differences for every seed (chosen tokens get exactly 0)", () => {
    for (const seed of ["0", "2"]) {
      const r = example("clip_cov", { seed, clip_cov_ratio: "0.5", clip_cov_lb: "-100.0", clip_cov_ub: "100.0" });
      expectGradsMatchNumeric(r, "L");
      const g = gradOf(r.program, r.ev, "L").logp!;
      const c = result(r.ev, "detached");
      for (let i = 0; i < c.data.length; i++) if (c.data[i]) expect(g.data[i]).toBe(0);
    }
  });
});
