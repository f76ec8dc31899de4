// PG.ENTROPY (stdlib/entropy.rlp entropy_bonus, agg_dist; stdlib/aggregate.rlp agg and the four modes;
// examples/entropy.rlp): the catalog's worked example, the bonus's closed-form gradient c·W·p·(log p + H) under every
// aggregation mode's weights W (§0.3), the distributed normalisers (global counts, dp_size: the average over ranks
// equals the global aggregate), all-masked edge cases and a zero coefficient.
import { describe, expect, it } from "vitest";
import { at, expectPrinted, expectTensorPrinted, gradOf, result, scalarOf } from "./harness.ts";
import { example, expectGradsMatchNumeric, expectTensor, setup } from "./methods_util.ts";

const LOGITS = [
  [
    [2, 0, -1],
    [0.5, 0.5, 0.5],
    [3, 1, 0],
  ],
  [
    [1, 0, 0],
    [0, 2, 0],
    [0, 0, 0],
  ],
];
const MASK = [
  [1, 1, 1],
  [1, 1, 0],
];
const doc = { logits: { dims: ["B", "T", "V"], data: LOGITS }, mask: { dims: ["B", "T"], data: MASK } };
const MODES = ["token_mean", "seq_mean_token_sum", "seq_mean_token_mean", "seq_mean_token_sum_norm"] as const;

function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** The aggregation weight W[b][t] of each mode (§0.3) for MASK. */
function weights(mode: (typeof MODES)[number]): number[][] {
  const n = MASK.map((r) => r.reduce((a, b) => a + b, 0));
  const N = n.reduce((a, b) => a + b, 0);
  const rows = n.filter((x) => x > 0).length;
  return MASK.map((r, b) =>
    r.map((m) => {
      if (!m) return 0;
      switch (mode) {
        case "token_mean":
          return 1 / N;
        case "seq_mean_token_sum":
          return 1 / rows;
        case "seq_mean_token_mean":
          return 1 / (rows * (n[b]! + 1e-8));
        case "seq_mean_token_sum_norm":
          return 1 / 3;
      }
    }),
  );
}

describe("PG.ENTROPY", () => {
  it("reproduces the catalog's worked example (H, the four modes, the gradient at token (0,0), 0 at the masked token)", () => {
    const r = example("entropy");
    expectTensorPrinted(
      result(r.ev, "entropy"),
      ["B", "T"],
      [
        [0.524267, 1.09861, 0.524267],
        [0.975328, 0.665573, null],
      ],
      "H",
    );
    expectPrinted(scalarOf(r.ev, "ent_token_mean"), 0.757609, "token-mean");
    expectPrinted(scalarOf(r.ev, "ent_seq_mean_token_sum"), 1.89402, "seq-mean-token-sum");
    expectPrinted(scalarOf(r.ev, "ent_seq_mean_token_mean"), 0.768083, "seq-mean-token-mean");
    expectPrinted(scalarOf(r.ev, "ent_seq_mean_token_sum_norm"), 1.26268, "seq-mean-token-sum-norm");
    const g = gradOf(r.program, r.ev, "L_ent").logits!;
    expectTensor(
      g,
      ["B", "T", "V"],
      [
        [
          [0.000598, -0.000376, -0.000222],
          [null, null, null],
          [null, null, null],
        ],
        [
          [null, null, null],
          [null, null, null],
          [0, 0, 0],
        ],
      ],
      1e-6,
      "dL_ent/dlogits",
    );
    expectGradsMatchNumeric(r, "L_ent");
    expectGradsMatchNumeric(r, "L");
  });

  it.each(MODES)("the bonus's gradient is entropy_coeff·W·p·(log p + H) under %s", (mode) => {
    const r = setup(
      `
pipeline t {
  dims B, T, V
  input logits: f32[B,T,V] @policy
  input mask: bool[B,T]
  loss L = entropy_bonus(logits, mask, entropy_coeff=0.01, mode=${mode})
}`,
      doc,
      mode,
    );
    const g = gradOf(r.program, r.ev, "L").logits!;
    const W = weights(mode);
    for (let b = 0; b < 2; b++) {
      for (let t = 0; t < 3; t++) {
        const p = softmax(LOGITS[b]![t]!);
        const H = -p.reduce((a, x) => a + x * Math.log(x), 0);
        for (let v = 0; v < 3; v++) {
          expect(at(g, { B: b, T: t, V: v }), `${mode} (${b},${t},${v})`).toBeCloseTo(
            0.01 * W[b]![t]! * p[v]! * (Math.log(p[v]!) + H),
            14,
          );
        }
      }
    }
  });

  it("uses the distributed normalisers when given (−c·ΣH/N_global·dp_size)", () => {
    const r = setup(
      `
pipeline t {
  dims B, T, V
  input logits: f32[B,T,V] @policy
  input mask: bool[B,T]
  loss L = entropy_bonus(logits, mask, entropy_coeff=0.01, global_tokens=20.0, dp_size=4.0)
  output sumH = sum(entropy_from_logits(logits, over=V), over=[B,T], where=mask)
}`,
      doc,
      "dist",
    );
    expect(scalarOf(r.ev, "L")).toBeCloseTo((-0.01 * scalarOf(r.ev, "sumH") * 4) / 20, 15);
  });

  it("has no term at entropy_coeff = 0 (verl's default)", () => {
    const r = setup(
      `
pipeline t {
  dims B, T, V
  input logits: f32[B,T,V] @policy
  input mask: bool[B,T]
  loss L = entropy_bonus(logits, mask) + 0.0 * sum(logits, over=[B,T,V])
}`,
      doc,
      "zero",
    );
    expect(Math.abs(scalarOf(r.ev, "L"))).toBe(0);
    for (const v of gradOf(r.program, r.ev, "L").logits!.data) expect(Math.abs(v)).toBe(0);
  });
});

describe("PG.ENTROPY distributed normalisers (agg_dist)", () => {
  const PIPE = `
pipeline t {
  dims B, T
  input x: f32[B,T] @policy
  input mask: bool[B,T]
  input n_tok: f32
  input n_seq: f32
  input dp: f32
${MODES.map(
  (m) => `  output local_${m} = agg_dist(x, mask, mode=${m})
  output agg_${m} = agg(x, mask, mode=${m})
  output dist_${m} = agg_dist(x, mask, mode=${m}, global_tokens=n_tok, global_seqs=n_seq, dp_size=dp)`,
).join("\n")}
  loss L = agg_dist(x, mask, mode=seq_mean_token_mean, global_tokens=n_tok, global_seqs=n_seq, dp_size=dp)
}`;
  const X = [
    [0.3, -1.2, 2.0, 0.5],
    [1.1, 0.4, -0.7, 0.0],
    [0.9, 0.0, 0.0, 0.0],
    [-0.4, 2.2, 0.6, 1.5],
    [0.0, 0.0, 0.0, 0.0],
  ];
  const M = [
    [1, 1, 1, 0],
    [1, 1, 0, 0],
    [1, 0, 0, 0],
    [1, 1, 1, 1],
    [0, 0, 0, 0],
  ];
  const rank = (rows: number[], n_tok: number, n_seq: number, dp: number) =>
    setup(
      PIPE,
      {
        x: { dims: ["B", "T"], data: rows.map((i) => X[i]) },
        mask: { dims: ["B", "T"], data: rows.map((i) => M[i]) },
        n_tok,
        n_seq,
        dp,
      },
      "rank",
    );

  it("equals agg with dp_size 1 and the local counts", () => {
    const r = rank([0, 1, 2, 3, 4], 0, 0, 1);
    for (const m of MODES) {
      expect(scalarOf(r.ev, `local_${m}`), m).toBe(scalarOf(r.ev, `agg_${m}`));
      expect(scalarOf(r.ev, `dist_${m}`), m).toBe(scalarOf(r.ev, `agg_${m}`));
    }
  });

  it("averaged over data-parallel ranks, gives the aggregate of the whole batch (Σ/N·dp_size)", () => {
    const whole = rank([0, 1, 2, 3, 4], 0, 0, 1);
    const nTok = M.flat().reduce((a, b) => a + b, 0); // 10 valid tokens
    const nSeq = 4; // rows with a valid token
    const r0 = rank([0, 1], nTok, nSeq, 2);
    const r1 = rank([2, 3, 4], nTok, nSeq, 2);
    for (const m of MODES) {
      if (m === "seq_mean_token_sum_norm") continue; // a constant normaliser: no global count
      const avg = (scalarOf(r0.ev, `dist_${m}`) + scalarOf(r1.ev, `dist_${m}`)) / 2;
      expect(avg, m).toBeCloseTo(scalarOf(whole.ev, `agg_${m}`), 14);
    }
    // token_mean: local sum / global count · dp_size
    const s0 = 0.3 - 1.2 + 2.0 + 1.1 + 0.4;
    expect(scalarOf(r0.ev, "dist_token_mean")).toBeCloseTo((s0 / nTok) * 2, 14);
    // the constant normaliser does not depend on the other ranks: it is Σ/C on each rank
    expect(scalarOf(r0.ev, "dist_seq_mean_token_sum_norm")).toBe(scalarOf(r0.ev, "agg_seq_mean_token_sum_norm"));
    expectGradsMatchNumeric(r1, "L");
  });

  it("gives 0 (never NaN) and zero gradient for an all-masked batch in every mode", () => {
    const r = rank([4, 4], 0, 0, 1);
    for (const m of MODES) {
      expect(scalarOf(r.ev, `local_${m}`), m).toBe(0);
      expect(scalarOf(r.ev, `agg_${m}`), m).toBe(0);
    }
    for (const v of gradOf(r.program, r.ev, "L").x!.data) expect(v).toBe(0);
  });
});
