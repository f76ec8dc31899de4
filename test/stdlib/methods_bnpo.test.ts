// PG.BNPO (stdlib/bnpo.rlp; examples/bnpo.rlp): the catalog's worked example, both documented reductions
// (alpha = beta = 1 gives the Dr. GRPO advantage s − p; alpha = beta = 3/2 gives (π/8)·(s − p)/sqrt(p(1 − p))), the
// degenerate statistics decided in docs/stdlib-decisions.md (v = 0, p ∈ {0, 1}, singleton groups, a single prompt),
// the affine reward map and its range check, and the advantage decomposition.
import { describe, expect, it } from "vitest";
import { at, result } from "./harness.ts";
import { example, expectGradsMatchNumeric, expectRunFails, expectTensor, setup } from "./methods_util.ts";

const PIPE = (args = "") => `
pipeline t {
  dims P, G
  input reward: f32[P,G]
  output A = bnpo_advantage(reward${args})
  output A_drgrpo = group_center(reward, over=G)
}`;

function advantages(reward: number[][], args = ""): number[][] {
  const r = setup(PIPE(args), { reward: { dims: ["P", "G"], data: reward } });
  const A = result(r.ev, "A");
  return reward.map((row, p) => row.map((_, g) => at(A, { P: p, G: g })));
}

describe("PG.BNPO", () => {
  it("reproduces the catalog's worked example, and alpha = beta = 3/2 gives (π/8)(s − p)/sqrt(p(1 − p))", () => {
    const r = example("bnpo");
    const A = result(r.ev, "A");
    expectTensor(
      A,
      ["P", "G"],
      [
        [0.680175, -0.226725, -0.226725, -0.226725],
        [0.226725, 0.226725, 0.226725, -0.680175],
        [0.392699, -0.392699, 0.392699, -0.392699],
      ],
      1e-6,
      "A",
    );
    const rewards = [
      [1, 0, 0, 0],
      [1, 1, 1, 0],
      [1, 0, 1, 0],
    ];
    rewards.forEach((row, q) => {
      const p = row.reduce((a, b) => a + b, 0) / 4;
      row.forEach((s, g) => expect(at(A, { P: q, G: g })).toBeCloseTo(((Math.PI / 8) * (s - p)) / Math.sqrt(p * (1 - p)), 12));
    });
    expectGradsMatchNumeric(r, "L");
  });

  it("reduces to the Dr. GRPO advantage s − p when the fit gives alpha = beta = 1", () => {
    // p = [0, 0, 1, 1, 0.5]: m = 0.5, v = 0.25 = m(1 − m), so kappa = 0 and alpha = beta = 1 (w = 1)
    const reward = [
      [0, 0],
      [0, 0],
      [1, 1],
      [1, 1],
      [1, 0],
    ];
    const A = advantages(reward);
    expect(A[4]![0]).toBeCloseTo(0.5, 14);
    expect(A[4]![1]).toBeCloseTo(-0.5, 14);
    // v = 0 (every prompt at p = 0.5): alpha = beta = 1 by decision, so A = s − p exactly, never NaN
    const same = [
      [1, 0],
      [0, 1],
      [1, 0],
    ];
    const r = setup(PIPE(), { reward: { dims: ["P", "G"], data: same } });
    const a = result(r.ev, "A");
    const d = result(r.ev, "A_drgrpo");
    for (let i = 0; i < a.data.length; i++) expect(a.data[i]).toBeCloseTo(d.data[i]!, 14);
  });

  it("gives A = 0 for groups with p ∈ {0, 1} (all rewards equal) and for singleton groups, never NaN", () => {
    const A = advantages([
      [1, 1, 1],
      [0, 0, 0],
      [1, 0, 0],
      [0, 1, 1],
    ]);
    expect(A[0]).toEqual([0, 0, 0]);
    expect(A[1]).toEqual([0, 0, 0]);
    for (const row of A) for (const v of row) expect(Number.isFinite(v)).toBe(true);
    // singleton groups: p := 0 (the code), so A = 0 instead of the code's 1e6·s (alpha > 1) or NaN (alpha = 1)
    const single = advantages([[1], [0], [1]]);
    expect(single).toEqual([[0], [0], [0]]);
  });

  it("uses m = 0, v = 1 for a single prompt (alpha = beta = 1: A = s − p)", () => {
    const A = advantages([[1, 0, 0, 0]]);
    expectTensor(
      result(setup(PIPE(), { reward: { dims: ["P", "G"], data: [[1, 0, 0, 0]] } }).ev, "A"),
      ["P", "G"],
      [[0.75, -0.25, -0.25, -0.25]],
      1e-14,
      "A",
    );
    expect(A[0]![0]).toBeCloseTo(0.75, 14);
  });

  it("maps rewards affinely from [min_value, max_value] and checks the range at run time", () => {
    const base = advantages([
      [1, 0, 0, 0],
      [1, 1, 1, 0],
      [1, 0, 1, 0],
    ]);
    const scaled = advantages(
      [
        [5, -1, -1, -1],
        [5, 5, 5, -1],
        [5, -1, 5, -1],
      ],
      ", min_value=-1.0, max_value=5.0",
    );
    for (let q = 0; q < 3; q++) for (let g = 0; g < 4; g++) expect(scaled[q]![g]).toBeCloseTo(base[q]![g]!, 12);
    expectRunFails(
      PIPE(),
      {
        reward: {
          dims: ["P", "G"],
          data: [
            [2, 2],
            [0, 1],
          ],
        },
      },
      "outside [0, 1]",
    );
  });

  it("caps the weight at weight_clamp_max", () => {
    const A = advantages(
      [
        [1, 0, 0, 0],
        [1, 1, 1, 0],
        [1, 0, 1, 0],
      ],
      ", weight_clamp_max=0.5",
    );
    expect(A[0]![0]).toBeCloseTo(0.5 * 0.75, 14);
  });

  it("averages per-component advantages with bnpo_advantage_decomposed (each component fitted separately)", () => {
    const comp = [
      [
        [1, 0, 0, 0],
        [1, 1, 1, 0],
        [1, 0, 1, 0],
      ],
      [
        [0, 1, 1, 1],
        [1, 0, 0, 0],
        [0.5, 0.5, 1, 0],
      ],
    ];
    const r = setup(
      `
pipeline t {
  dims K, P, G
  input reward: f32[K,P,G]
  output A = bnpo_advantage_decomposed(reward, components=K)
}`,
      { reward: { dims: ["K", "P", "G"], data: comp } },
    );
    const a0 = advantages(comp[0]!);
    const a1 = advantages(comp[1]!);
    const A = result(r.ev, "A");
    for (let q = 0; q < 3; q++)
      for (let g = 0; g < 4; g++) expect(at(A, { P: q, G: g })).toBeCloseTo((a0[q]![g]! + a1[q]![g]!) / 2, 12);
  });
});
