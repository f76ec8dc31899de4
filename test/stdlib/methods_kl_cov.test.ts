// PG.KL_COV (stdlib/covariance.rlp kl_cov; examples/kl_cov.rlp): the catalog's worked example, the top-k selection
// (count, plain means, ties), the reduction to −A·ratio at kl_coef = 0, the first on-policy step (the |·| penalty has
// subgradient 0) and gradients.
import { describe, expect, it } from "vitest";
import { at, expectPrinted, gradOf, result, scalarOf } from "./harness.ts";
import { example, exampleDoc, expectGradsMatchNumeric, expectTensor, nested, setup } from "./methods_util.ts";

const DIMS = ["P", "G", "T"];

const node = (args: string) => `
pipeline t {
  dims P, G, T
  input logp: f32[P,G,T] @policy
  input old_logp: f32[P,G,T]
  input mask: bool[P,G,T]
  input adv: f32[P,G]
  let A = where(mask, adv, 0.0)
  let l, sel = kl_cov(logp, old_logp, A, mask${args})
  loss L = token_mean(l, mask)
  loss L_pg = token_mean(-A * exp(logp - old_logp), mask)
  output selected = sel
  output token_loss = l
}`;

describe("PG.KL_COV", () => {
  it("reproduces the catalog's worked example (k = 1 selects (0,0))", () => {
    const r = example("kl_cov");
    expect(nested(result(r.ev, "penalised"), DIMS)).toEqual([
      [
        [1, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ],
    ]);
    expectPrinted(scalarOf(r.ev, "L"), -0.234482, "L");
    const g = gradOf(r.program, r.ev, "L").logp!;
    expectPrinted(at(g, { P: 0, G: 0, T: 0 }), (-2 * Math.exp(0.1) + 1) / 9, "(0,0): (-2 e^0.1 + 1)/9", undefined, 1e-12);
    expectGradsMatchNumeric(r, "L");
  });

  it("selects max(1, floor(N * ratio)) tokens of largest covariance; ratio 0 selects none", () => {
    const doc = exampleDoc("kl_cov");
    // 9 valid tokens: ratio 0.25 -> 2 tokens: (0,0) cov 2.58765 and (0,2) cov 2.2321
    expect(nested(result(setup(node(", kl_cov_ratio=0.25"), doc).ev, "selected"), DIMS)).toEqual([
      [
        [1, 0, 1],
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ],
    ]);
    // ratio 0.1: floor(0.9) = 0 -> at least 1
    expect(nested(result(setup(node(", kl_cov_ratio=0.1"), doc).ev, "selected"), DIMS)).toEqual([
      [
        [1, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ],
    ]);
    const none = setup(node(", kl_cov_ratio=0.0"), doc);
    expect(Array.from(result(none.ev, "selected").data).every((v) => v === 0)).toBe(true);
    expect(scalarOf(none.ev, "L")).toBeCloseTo(scalarOf(none.ev, "L_pg"), 14);
  });

  it("defaults to the official code's ratio 2e-3 (k_percent 0.2 %): 1000 valid tokens select 2", () => {
    const n = 1000;
    const lp = Array.from({ length: n }, (_, i) => -((i * 37) % 101) / 50);
    const adv = Array.from({ length: n }, (_, i) => (((i * 53) % 97) - 48) / 48);
    const r = setup(
      `
pipeline t {
  dims B, T
  input logp: f32[B,T] @policy
  input A: f32[B,T]
  input mask: bool[B,T]
  let l, sel = kl_cov(logp, logp, A, mask)
  output n_sel = count(sel, over=[B,T])
}`,
      {
        logp: { dims: ["B", "T"], data: [lp] },
        A: { dims: ["B", "T"], data: [adv] },
        mask: { dims: ["B", "T"], data: [lp.map(() => 1)] },
      },
      "default",
    );
    expect(scalarOf(r.ev, "n_sel")).toBe(2);
  });

  it("never selects a masked token and breaks covariance ties toward the earlier token", () => {
    // equal advantages and log-probs in two rows: equal covariances; k = 1 takes the first in canonical order
    const r = setup(node(""), {
      logp: {
        dims: DIMS,
        data: [
          [
            [-0.1, -5.0],
            [-0.1, -5.0],
            [-9.0, -9.0],
          ],
        ],
      },
      old_logp: {
        dims: DIMS,
        data: [
          [
            [-0.1, -5.0],
            [-0.1, -5.0],
            [-9.0, -9.0],
          ],
        ],
      },
      mask: {
        dims: DIMS,
        data: [
          [
            [1, 1],
            [1, 1],
            [0, 0],
          ],
        ],
      },
      adv: { dims: ["P", "G"], data: [[1.0, 1.0, 50.0]] },
    });
    expect(nested(result(r.ev, "selected"), DIMS)).toEqual([
      [
        [1, 0],
        [0, 0],
        [0, 0],
      ],
    ]);
  });

  it("reduces to the unclipped importance-weighted PG (-A * ratio) when kl_coef = 0", () => {
    const r = setup(node(", kl_coef=0.0, kl_cov_ratio=0.5"), exampleDoc("kl_cov"));
    expect(scalarOf(r.ev, "L")).toBeCloseTo(scalarOf(r.ev, "L_pg"), 14);
    const g = gradOf(r.program, r.ev, "L").logp!;
    const gp = gradOf(r.program, r.ev, "L_pg").logp!;
    for (let i = 0; i < g.data.length; i++) expect(g.data[i]).toBeCloseTo(gp.data[i]!, 14);
  });

  it("is not PPO-clip: a ratio far outside [0.8, 1.2] keeps the full -A * ratio", () => {
    const doc = exampleDoc("kl_cov");
    doc.old_logp = {
      dims: DIMS,
      data: [
        [
          [-0.1, -1.5, -0.3],
          [-1.6, -1.7, 0.0],
          [-2.0, -1.4, -2.4],
          [-4.0, 0.0, 0.0],
        ],
      ],
    };
    const r = setup(node(""), doc);
    // token (3,0): A = -0.5, ratio e^1: not selected, loss 0.5 e
    expectTensor(
      result(r.ev, "token_loss"),
      DIMS,
      [
        [
          [null, null, null],
          [null, null, null],
          [null, null, null],
          [0.5 * Math.E, null, null],
        ],
      ],
      1e-12,
      "token loss",
    );
  });

  it("has no effect on the first on-policy step (|d| has value and subgradient 0 at logp = old_logp)", () => {
    const doc = exampleDoc("kl_cov");
    doc.old_logp = doc.logp!;
    const r = setup(node(", kl_cov_ratio=0.5"), doc);
    expect(Array.from(result(r.ev, "selected").data).some((v) => v === 1)).toBe(true);
    const g = gradOf(r.program, r.ev, "L").logp!;
    const gp = gradOf(r.program, r.ev, "L_pg").logp!;
    expect(Array.from(g.data)).toEqual(Array.from(gp.data));
    expectGradsMatchNumeric(setup(node(", kl_cov_ratio=0.5"), exampleDoc("kl_cov")), "L");
  });
});
