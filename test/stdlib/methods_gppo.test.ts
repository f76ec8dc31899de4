// PG.GPPO (examples/gppo.rlp; std gppo_clip): the forward value equals clip-higher PPO with dual clip (DAPO's), the
// clamp-form implementation gives the identical gradient, beta1 = beta2 = 0 gives PPO-clip's gradient, clipped tokens
// keep a bounded gradient, and the dual-clip region has none.
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

const PGT = ["P", "G", "T"];

/** GPPO, the general form, and the reference forms it is compared with, on the same inputs. */
const text = (b1: number, b2: number) => `
pipeline t {
  dims P, G, T
  input logp: f32[P,G,T] @policy
  input old_logp: f32[P,G,T]
  input mask: bool[P,G,T]
  input A: f32[P,G]
  let l, clipped = gppo_clip(logp, old_logp, A, eps_low=0.2, eps_high=0.28, dual_clip=10.0, beta1=${b1}, beta2=${b2})
  let d, _ = ppo_clip(logp, old_logp, A, eps_low=0.2, eps_high=0.28, dual_clip=10.0)
  // the one-line change of the PPO clamp (Klear's compute_gppo_loss): clamp(ρ, (1−ε_l)·ρ/sg(ρ), (1+ε_h)·ρ/sg(ρ))
  let ratio = exp(logp - old_logp)
  let k = ratio / detach(ratio)
  let c = maximum(-A * ratio, -A * clamp(ratio, lo=0.8 * k, hi=1.28 * k))
  let cf = where(A < 0.0, minimum(-10.0 * A, c), c)
  loss L = token_mean(l, mask)
  loss L_dapo = token_mean(d, mask)
  loss L_clamp = token_mean(cf, mask)
  output lv = l
  output dv = d
  output clip_frac = token_mean(f32(clipped), mask)
}`;

function docWith(seed: number) {
  const b = randomBatch(seed, 2, 4, 5);
  // spread the ratios so that every branch occurs: clipped high, clipped low, dual-clipped, unclipped
  const lp = b.logp.data as number[][][];
  const old = b.old_logp.data as number[][][];
  lp.forEach((x, p) => x.forEach((y, g) => y.forEach((_, t) => (y[t] = old[p]![g]![t]! + [-0.6, -0.1, 0.1, 0.5, 2.5][t]!))));
  return {
    logp: b.logp,
    old_logp: b.old_logp,
    mask: b.mask,
    A: {
      dims: ["P", "G"],
      data: [
        [1.2, -0.7, 0.3, -0.8],
        [-1.5, 0.9, -0.2, 0.6],
      ],
    },
  };
}

describe("PG.GPPO", () => {
  it("has the forward value of clip-higher PPO with dual clip (DAPO's), per token and aggregated", () => {
    const run = runText(text(1, 1), docWith(1));
    expectAllClose(res(run.ev, "lv", PGT), res(run.ev, "dv", PGT), 1e-15, "token loss");
    expect(scalar(run.ev, "L")).toBeCloseTo(scalar(run.ev, "L_dapo"), 15);
  });

  it("gives the clamp-form implementation's gradient exactly (beta1 = beta2 = 1)", () => {
    const run = runText(text(1, 1), docWith(2));
    expectAllClose(grad(run, "L", "logp", PGT), grad(run, "L_clamp", "logp", PGT), 1e-15, "gradient");
    expect(scalar(run.ev, "L")).toBeCloseTo(scalar(run.ev, "L_clamp"), 15);
  });

  it("keeps −beta·bound·A·W at clipped tokens, 0 in the dual-clip region, and PPO-clip's gradient with beta = 0", () => {
    const doc = docWith(3);
    const run = runText(text(0.25, 0.5), doc);
    const zero = runText(text(0, 0), doc);
    const g = grad(run, "L", "logp", PGT);
    const gd = grad(run, "L_dapo", "logp", PGT);
    expectAllClose(grad(zero, "L", "logp", PGT), gd, 1e-15, "beta = 0 gives PPO-clip's gradient");
    const mask = (doc.mask.data as number[][][]).flat(2);
    const n = mask.reduce((a, b) => a + b, 0);
    const A = (doc.A.data as number[][]).flat();
    const ratios = [-0.6, -0.1, 0.1, 0.5, 2.5].map(Math.exp);
    g.forEach((v, i) => {
      if (!mask[i]) return expect(v).toBe(0);
      const a = A[Math.floor(i / 5)]!;
      const rho = ratios[i % 5]!;
      const expected =
        a < 0 && rho > 10
          ? 0
          : a < 0 && rho < 0.8
            ? (-0.25 * 0.8 * a) / n
            : a > 0 && rho > 1.28
              ? (-0.5 * 1.28 * a) / n
              : (-a * rho) / n;
      expect(v, `token ${i}`).toBeCloseTo(expected, 14);
    });
    expectGradCheck(run, "L", "logp");
  });

  it("has the catalog's clipped-token gradients, where DAPO's are 0", () => {
    const run = runDoc(example("gppo"), exampleDoc("gppo"));
    const g = grad(run, "L", "logp", PGT);
    expect(g[0]).toBeCloseTo((-1.28 * 1.499997) / 9, 6); // (0,0) high-clipped
    expect(g[4]).toBeCloseTo((0.8 * 0.499999) / 9, 6); // (1,1) low-clipped
    expect(scalar(run.ev, "clip_frac")).toBeCloseTo(2 / 9, 15);
  });
});
