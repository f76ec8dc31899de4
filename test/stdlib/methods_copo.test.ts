// PG.COPO (stdlib/copo.rlp; examples/copo.rlp): the catalog's worked example, the answer-entropy factor (G distinct
// answers give 1/G, one answer gives 1), the reductions (no_global = GRPO; only_global = PPO-clip on the global
// advantage), the blend modes, a single prompt (A^glob = 0) and gradients.
import { describe, expect, it } from "vitest";
import { at, expectPrinted, gradOf, result, scalarOf } from "./harness.ts";
import { example, exampleDoc, expectGradsMatchNumeric, expectTensor, setup } from "./methods_util.ts";

const DIMS = ["P", "G", "T"];
const PIPE = (mode: string) => `
pipeline t {
  dims P, G, T
  input logp: f32[P,G,T] @policy
  input old_logp: f32[P,G,T]
  input mask: bool[P,G,T]
  input reward: f32[P,G]
  input answer: id[P,G]
  let Ag, H = copo_global_advantage(reward, answer)
  let Al = group_norm(reward)
  let w = copo_blend_weight(H, Al, mode=${mode})
  let l, _ = copo_loss(logp, old_logp, Ag, Al, w)
  loss L = token_mean(l, mask)
  let lg, _ = ppo_clip(logp, old_logp, Ag, eps=0.2, dual_clip=3.0)
  let ll, _ = ppo_clip(logp, old_logp, Al, eps=0.2, dual_clip=3.0)
  loss L_global = token_mean(lg, mask)
  loss L_local = token_mean(ll, mask)
  output weight = w
  output entropy = H
  output A_glob = Ag
}`;

/** An off-policy version of the worked example (ratios away from 1, some clipped). */
function offPolicyDoc() {
  const doc = exampleDoc("copo");
  doc.logp = {
    dims: DIMS,
    data: [
      [[-0.5], [-1.5], [-0.5], [-1.6]],
      [[-0.1], [-0.9], [-0.9], [-1.1]],
    ],
  };
  return doc;
}

describe("PG.COPO", () => {
  it("reproduces the catalog's worked example", () => {
    const r = example("copo");
    expectPrinted(scalarOf(r.ev, "L"), -0.258468, "L");
    expectTensor(result(r.ev, "A_global"), ["P"], [-0.707106, 0.707106], 1e-6, "A^glob");
    expectTensor(
      result(r.ev, "local_share"),
      ["P", "G"],
      [
        [0.731059, 0.731059, 0.731059, 0.731059],
        [0, 0, 0, 0],
      ],
      1e-6,
      "w",
    );
    expectTensor(
      gradOf(r.program, r.ev, "L").logp!,
      DIMS,
      [
        [[-0.113302], [0.069462], [0.069462], [0.069462]],
        [[-0.0883883], [-0.0883883], [-0.0883883], [-0.0883883]],
      ],
      1e-6,
      "dL/dlogp",
    );
  });

  it("weights the success rate by 1 − λH: 1/G for G distinct answers, 1 for a single answer", () => {
    const r = setup(PIPE("soft_with_forced"), {
      ...exampleDoc("copo"),
      reward: {
        dims: ["P", "G"],
        data: [
          [1, 0, 1, 0],
          [1, 1, 0, 1],
        ],
      },
      answer: {
        dims: ["P", "G"],
        data: [
          [1, 2, 3, 4],
          [5, 5, 5, 5],
        ],
      },
    });
    const H = result(r.ev, "entropy");
    expect(at(H, { P: 0 })).toBeCloseTo(2, 6); // log2(4) bits (up to the 1e-8 inside the log)
    const lam = (1 - 1 / 4) / 2;
    expect(1 - lam * at(H, { P: 0 })).toBeCloseTo(1 / 4, 6);
    expect(1 - lam * at(H, { P: 1 })).toBeCloseTo(1, 6);
    // g = [0.5/4, 0.75]; A^glob = (g − mean)/(std_unbiased + 1e-6) = ∓ 1/√2
    expectTensor(result(r.ev, "A_glob"), ["P"], [-Math.SQRT1_2, Math.SQRT1_2], 1e-5, "A^glob");
  });

  it("reduces to GRPO with no_global (w = 1) and to PPO-clip on the global advantage with only_global (w = 0)", () => {
    const doc = offPolicyDoc();
    const a = setup(PIPE("no_global"), doc);
    expect(scalarOf(a.ev, "L")).toBeCloseTo(scalarOf(a.ev, "L_local"), 14);
    const b = setup(PIPE("only_global"), doc);
    expect(scalarOf(b.ev, "L")).toBeCloseTo(scalarOf(b.ev, "L_global"), 14);
    const ga = gradOf(a.program, a.ev, "L").logp!;
    const gl = gradOf(a.program, a.ev, "L_local").logp!;
    for (let i = 0; i < ga.data.length; i++) expect(ga.data[i]).toBeCloseTo(gl.data[i]!, 14);
  });

  it("blends with the documented weights in every mode", () => {
    const doc = offPolicyDoc();
    const soft = [1 / (1 + Math.exp(-(1.5 - 0.5))), 1 / (1 + Math.exp(-(0 - 0.5)))];
    const want: Record<string, number[][]> = {
      soft_with_forced: [
        [soft[0]!, soft[0]!, soft[0]!, soft[0]!],
        [0, 0, 0, 0],
      ],
      only_soft: [
        [soft[0]!, soft[0]!, soft[0]!, soft[0]!],
        [soft[1]!, soft[1]!, soft[1]!, soft[1]!],
      ],
      only_forced: [
        [1, 1, 1, 1],
        [0, 0, 0, 0],
      ],
      only_global: [
        [0, 0, 0, 0],
        [0, 0, 0, 0],
      ],
      no_global: [
        [1, 1, 1, 1],
        [1, 1, 1, 1],
      ],
    };
    for (const [mode, w] of Object.entries(want)) {
      const r = setup(PIPE(mode), doc, mode);
      expectTensor(result(r.ev, "weight"), ["P", "G"], w, 1e-7, `w (${mode})`);
      // the blended loss is (1 − w)·global + w·local per token
      expectGradsMatchNumeric(r, "L");
    }
  });

  it("gives A^glob = 0 for a batch of one prompt (its std is 0 by the ddof rule)", () => {
    const doc = exampleDoc("copo");
    const one: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc)) one[k] = { ...(v as object), data: [(v as { data: unknown[] }).data[0]] };
    const r = setup(PIPE("soft_with_forced"), one as never);
    expect(Array.from(result(r.ev, "A_glob").data)).toEqual([0]);
  });
});
