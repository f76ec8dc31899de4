// PG.DISCO (stdlib/disco.rlp disco_loss; examples/disco.rlp): every printed case of the catalog's worked example
// (discob, disco with tau 10 and 1, the active KL constraint, Lratio), the reductions (disco → discob as tau → ∞;
// DisCO-b with logL = REINFORCE with advantages +1/|pos| and −1/|neg|), degenerate prompts in the denominator, the k3
// budget, the run-time checks, and gradients against central differences with the stop-gradients held fixed.
import { describe, expect, it } from "vitest";
import { expectPrinted, gradOf, scalarOf } from "./harness.ts";
import { example, exampleDoc, expectGradsMatchNumeric, expectRunFails, expectTensor, setup } from "./methods_util.ts";

const DIMS = ["P", "G", "T"];

describe("PG.DISCO worked example", () => {
  it("disco, logL, tau = 10 (the example's defaults)", () => {
    const r = example("disco");
    expectPrinted(scalarOf(r.ev, "L"), 11.0333, "L (forward value)");
    expectTensor(
      gradOf(r.program, r.ev, "L").logp!,
      DIMS,
      [
        [
          [-0.333333, -0.333333, -0.333333],
          [0.163504, 0.163504, 0],
          [0.114782, 0.114782, 0.114782],
          [0.328646, 0, 0],
        ],
      ],
      1e-6,
      "dL/dlogp",
    );
    expectGradsMatchNumeric(r, "L");
  });

  it("discob, logL", () => {
    const r = example("disco", { variant: "discob" });
    expectPrinted(scalarOf(r.ev, "L"), 0.172222, "L");
    expectTensor(
      gradOf(r.program, r.ev, "L").logp!,
      DIMS,
      [
        [
          [-0.333333, -0.333333, -0.333333],
          [0.166667, 0.166667, 0],
          [0.111111, 0.111111, 0.111111],
          [0.333333, 0, 0],
        ],
      ],
      1e-6,
      "dL/dlogp",
    );
    expectGradsMatchNumeric(r, "L");
  });

  it("disco, logL, tau = 1", () => {
    const r = example("disco", { tau: "1.0" });
    expectTensor(
      gradOf(r.program, r.ev, "L").logp!,
      DIMS,
      [
        [
          [-0.333333, -0.333333, -0.333333],
          [0.134131, 0.134131, 0],
          [0.149907, 0.149907, 0.149907],
          [0.282016, 0, 0],
        ],
      ],
      1e-6,
      "dL/dlogp",
    );
  });

  it("the active KL constraint (logp = old_logp − 0.01 on valid tokens, tau = 10): coefficient 9.9", () => {
    const doc = exampleDoc("disco");
    const old = (doc.old_logp as { data: number[][][] }).data;
    const mask = (doc.mask as { data: number[][][] }).data;
    doc.logp = { dims: DIMS, data: old.map((p, i) => p.map((g, j) => g.map((v, k) => (mask[i]![j]![k] ? v - 0.01 : v)))) };
    const ra = setup(
      `
pipeline t {
  dims P, G, T
  input logp: f32[P,G,T] @policy
  input old_logp: f32[P,G,T]
  input mask: bool[P,G,T]
  input reward: f32[P,G]
  loss L = disco_loss(logp, old_logp, mask, reward)
  metric kl = token_mean(old_logp - logp, mask)
}`,
      doc,
      "active",
    );
    expectPrinted(scalarOf(ra.ev, "kl"), 0.01, "KL");
    expectPrinted(scalarOf(ra.ev, "L"), 11.2757, "L");
    expectTensor(
      gradOf(ra.program, ra.ev, "L").logp!,
      DIMS,
      [
        [
          [-1.43333, -1.43333, -1.43333],
          [-0.9236, -0.9236, 0],
          [-0.982987, -0.982987, -0.982987],
          [-0.80384, 0, 0],
        ],
      ],
      1e-5,
      "dL/dlogp",
    );
    expectGradsMatchNumeric(ra, "L");
  });

  it("Lratio, tau = 1", () => {
    const r = example("disco", { score: "Lratio" }); // tau defaults to 1 for Lratio
    expectPrinted(scalarOf(r.ev, "L"), -0.151677, "L");
    expectTensor(
      gradOf(r.program, r.ev, "L").logp!,
      DIMS,
      [
        [
          [-0.449953, -0.333333, -0.36839],
          [0.009142, 0.007485, 0],
          [0.018097, 0.013406, 0.022103],
          [4.20136, 0, 0],
        ],
      ],
      1e-5,
      "dL/dlogp",
    );
    expectGradsMatchNumeric(r, "L");
  });
});

const PIPE = (args: string) => `
pipeline t {
  dims P, G, T
  input logp: f32[P,G,T] @policy
  input old_logp: f32[P,G,T]
  input mask: bool[P,G,T]
  input reward: f32[P,G]
  loss L = disco_loss(logp, old_logp, mask, reward${args})
}`;

describe("PG.DISCO properties", () => {
  it("disco tends to discob as tau → ∞ (the softmax over negatives becomes uniform)", () => {
    const doc = exampleDoc("disco");
    const a = setup(PIPE(", tau=1e7"), doc);
    const b = setup(PIPE(", variant=discob"), doc);
    const ga = gradOf(a.program, a.ev, "L").logp!;
    const gb = gradOf(b.program, b.ev, "L").logp!;
    for (let i = 0; i < ga.data.length; i++) expect(ga.data[i]).toBeCloseTo(gb.data[i]!, 6);
  });

  it("DisCO-b with logL has the gradient of REINFORCE with advantages +1/|pos| and −1/|neg| (per-token mean, /Q)", () => {
    const doc = {
      logp: {
        dims: DIMS,
        data: [
          [
            [-0.2, -0.9],
            [-1.1, -0.4],
            [-0.6, -0.3],
          ],
          [
            [-0.5, -0.5],
            [-2.0, -0.1],
            [-0.7, -1.3],
          ],
        ],
      },
      old_logp: {
        dims: DIMS,
        data: [
          [
            [-0.2, -0.9],
            [-1.1, -0.4],
            [-0.6, -0.3],
          ],
          [
            [-0.5, -0.5],
            [-2.0, -0.1],
            [-0.7, -1.3],
          ],
        ],
      },
      mask: {
        dims: DIMS,
        data: [
          [
            [1, 1],
            [1, 0],
            [1, 1],
          ],
          [
            [1, 0],
            [1, 1],
            [1, 1],
          ],
        ],
      },
      reward: {
        dims: ["P", "G"],
        data: [
          [1, 0, 0],
          [1, 1, 0],
        ],
      },
    };
    const r = setup(PIPE(", variant=discob"), doc);
    const g = gradOf(r.program, r.ev, "L").logp!;
    // reference: with Q prompts and G responses, mean over [P,G] divides by Q·G: scale by G to get /Q
    const ref = setup(
      `
pipeline ref {
  dims P, G, T
  input logp: f32[P,G,T] @policy
  input mask: bool[P,G,T]
  input reward: f32[P,G]
  let pos = f32(reward == 1.0)
  let neg = f32(reward == 0.0)
  let A = safe_div(pos, sum(pos, over=G), sum(pos, over=G) > 0.0) - safe_div(neg, sum(neg, over=G), sum(neg, over=G) > 0.0)
  let n = count(mask, over=T)
  loss L = -sum(A * safe_div(sum(logp, over=T, where=mask), n, n > 0.0, fill=0.0), over=[P,G]) / f32(size(P))
}`,
      { logp: doc.logp, mask: doc.mask, reward: doc.reward },
      "ref",
    );
    const gr = gradOf(ref.program, ref.ev, "L").logp!;
    for (let i = 0; i < g.data.length; i++) expect(g.data[i]).toBeCloseTo(gr.data[i]!, 14);
  });

  it("keeps degenerate prompts in the denominator Q, and gives J = 0 when no prompt is valid", () => {
    const doc = exampleDoc("disco");
    const one = setup(PIPE(""), doc);
    // add a second prompt whose responses are all incorrect: it contributes 0 to J but halves it
    const two = JSON.parse(JSON.stringify(doc));
    for (const k of ["logp", "old_logp", "mask"]) two[k].data = [two[k].data[0], two[k].data[0]];
    two.reward.data = [
      [1, 0, 0, 0],
      [0, 0, 0, 0],
    ];
    const r2 = setup(PIPE(""), two);
    const g1 = gradOf(one.program, one.ev, "L").logp!;
    const g2 = gradOf(r2.program, r2.ev, "L").logp!;
    // KL is unchanged (the same tokens twice) and inactive: the J part halves, the degenerate prompt gets 0
    for (let i = 0; i < 12; i++) expect(g2.data[i]).toBeCloseTo(g1.data[i]! / 2, 14);
    for (let i = 12; i < 24; i++) expect(Math.abs(g2.data[i]!)).toBe(0);
    const none = setup(PIPE(""), { ...doc, reward: { dims: ["P", "G"], data: [[0, 0, 0, 0]] } });
    expect(Math.abs(scalarOf(none.ev, "L"))).toBe(0); // J = 0 and the k1 KL (−0.233) is below the budget
  });

  it("uses the k3 estimate (ratio − 1) − log(ratio) of KL(pi_old || pi) when kl=k3", () => {
    const doc = exampleDoc("disco");
    const r = setup(PIPE(", variant=discob, kl=k3, delta=0.0, beta=1.0"), doc);
    const lp = [[-0.7, -0.5, -1.9], [-0.5, -1.6], [-0.4, -0.2, -1.0], [-1.0]];
    const old = [[-1.0, -0.5, -2.0], [-0.3, -1.2], [-0.7, -0.2, -1.5], [-2.5]];
    let s = 0;
    lp.forEach((row, i) =>
      row.forEach((v, t) => {
        const d = v - old[i]![t]!;
        s += Math.exp(d) - 1 - d;
      }),
    );
    const kl = s / 9;
    // L = −J + max(kl, 0)·kl with beta 1 and delta 0; discob's −J = 0.172222
    expectPrinted(scalarOf(r.ev, "L"), 0.17222222222222 + kl * kl, "L with the k3 budget", undefined, 1e-9);
    expectGradsMatchNumeric(r, "L");
  });

  it("checks binary rewards and non-empty responses at run time", () => {
    const doc = exampleDoc("disco");
    expectRunFails(PIPE(""), { ...doc, reward: { dims: ["P", "G"], data: [[1, 0.5, 0, 0]] } }, "binary rewards");
    const empty = JSON.parse(JSON.stringify(doc));
    empty.mask.data[0][3] = [0, 0, 0];
    expectRunFails(PIPE(""), empty, "at least one valid token");
  });
});
