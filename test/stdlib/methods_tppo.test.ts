// PG.TPPO (stdlib/tppo.rlp egae; examples/tppo.rlp): the catalog's worked example at lambda 1 and 0.95, the
// reduction to the std gae (PG.PPO) when every response is finished, the bootstrap rules (finished responses ignore
// v_boot; masked tokens are skipped), the critic trained only on finished responses, and gradients.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { at, gradOf, repoPath, result } from "./harness.ts";
import { example, exampleDoc, expectGradsMatchNumeric, expectTensor, setup } from "./methods_util.ts";

const EGAE = `
pipeline t {
  dims B, T
  param lam: f32 = 1.0
  param gamma: f32 = 1.0
  input tr: f32[B,T]
  input values: f32[B,T]
  input mask: bool[B,T]
  input finished: bool[B]
  input v_boot: f32[B]
  let a, r = egae(tr, values, mask, finished, v_boot=v_boot, gamma=gamma, lam=lam)
  let g, gr = gae(tr, values, mask, gamma=gamma, lam=lam)
  output A = a
  output R = r
  output A_gae = where(mask, g, 0.0)
  output R_gae = where(mask, gr, 0.0)
}`;
const catalogDoc = {
  tr: {
    dims: ["B", "T"],
    data: [
      [0, 0, 1],
      [0, 0, 0],
    ],
  },
  values: {
    dims: ["B", "T"],
    data: [
      [0.5, 0.6, 0.8],
      [0.4, 0.45, 0.5],
    ],
  },
  mask: {
    dims: ["B", "T"],
    data: [
      [1, 1, 1],
      [1, 1, 1],
    ],
  },
  finished: { dims: ["B"], data: [1, 0] },
  v_boot: { dims: ["B"], data: [0, 0.55] },
};

describe("PG.TPPO extended GAE", () => {
  it("reproduces the catalog's worked example at lambda 1 and 0.95", () => {
    const r1 = setup(EGAE, catalogDoc);
    expectTensor(
      result(r1.ev, "A"),
      ["B", "T"],
      [
        [0.5, 0.4, 0.2],
        [0.15, 0.1, 0.05],
      ],
      1e-12,
      "A, lambda 1",
    );
    const r2 = setup(EGAE.replace("lam: f32 = 1.0", "lam: f32 = 0.95"), catalogDoc);
    expectTensor(
      result(r2.ev, "A"),
      ["B", "T"],
      [
        [0.4705, 0.39, 0.2],
        [0.142625, 0.0975, 0.05],
      ],
      1e-12,
      "A, lambda 0.95",
    );
    expectTensor(
      result(r2.ev, "R"),
      ["B", "T"],
      [
        [0.9705, 0.99, 1.0],
        [0.542625, 0.5475, 0.55],
      ],
      1e-12,
      "returns = A + V",
    );
  });

  it("equals gae() (PG.PPO) when every response is finished, whatever v_boot says, with padding skipped", () => {
    const doc = {
      tr: {
        dims: ["B", "T"],
        data: [
          [0.1, -0.2, 0.0, 1.0],
          [0.0, 0.3, 0.7, 0.0],
          [0.2, 0.0, 0.0, 0.0],
        ],
      },
      values: {
        dims: ["B", "T"],
        data: [
          [0.5, 0.2, 0.9, 0.4],
          [0.3, 0.6, 0.1, 0.8],
          [0.7, 0.2, 0.5, 0.5],
        ],
      },
      mask: {
        dims: ["B", "T"],
        data: [
          [1, 1, 0, 1],
          [1, 1, 1, 0],
          [1, 0, 0, 0],
        ],
      },
      finished: { dims: ["B"], data: [1, 1, 1] },
      v_boot: { dims: ["B"], data: [3.0, -1.0, 7.0] },
    };
    for (const [lam, gamma] of [
      ["1.0", "1.0"],
      ["0.95", "0.99"],
      ["0.0", "0.9"],
    ]) {
      const r = setup(
        EGAE.replace("lam: f32 = 1.0", `lam: f32 = ${lam}`).replace("gamma: f32 = 1.0", `gamma: f32 = ${gamma}`),
        doc,
        `gae_${lam}`,
      );
      const a = result(r.ev, "A");
      const g = result(r.ev, "A_gae");
      for (let i = 0; i < a.data.length; i++) expect(a.data[i]).toBeCloseTo(g.data[i]!, 14);
      const ra = result(r.ev, "R");
      const rg = result(r.ev, "R_gae");
      for (let i = 0; i < ra.data.length; i++) expect(ra.data[i]).toBeCloseTo(rg.data[i]!, 14);
    }
  });

  it("bootstraps an unfinished response at its last generated token, past right padding", () => {
    const r = setup(EGAE, {
      tr: { dims: ["B", "T"], data: [[0, 0, 0]] },
      values: { dims: ["B", "T"], data: [[0.4, 0.5, 9.0]] },
      mask: { dims: ["B", "T"], data: [[1, 1, 0]] },
      finished: { dims: ["B"], data: [0] },
      v_boot: { dims: ["B"], data: [0.8] },
    });
    // lambda 1, gamma 1: A_t = v_boot − V_t; the padded token outputs 0
    expectTensor(result(r.ev, "A"), ["B", "T"], [[0.4, 0.3, 0]], 1e-12, "A");
  });
});

describe("PG.TPPO example", () => {
  it("trains the critic only on finished responses, towards Monte-Carlo returns", () => {
    const r = example("tppo");
    expectTensor(
      result(r.ev, "egae_raw"),
      ["B", "T"],
      [
        [0.4705, 0.39, 0.2],
        [0.142625, 0.0975, 0.05],
      ],
      1e-12,
      "EGAE",
    );
    const gv = gradOf(r.program, r.ev, "L_v").values!;
    for (let t = 0; t < 3; t++) expect(at(gv, { B: 1, T: t }), "no critic gradient from the unfinished row").toBe(0);
    expectTensor(
      result(r.ev, "returns"),
      ["B", "T"],
      [
        [1, 1, 1],
        [0, 0, 0],
      ],
      1e-12,
      "MC returns",
    );
    expectGradsMatchNumeric(r, "L");
    expectGradsMatchNumeric(r, "L_v");
  });

  it("puts only the current window's tokens in the policy loss (EGAE and whitening still see every generated token)", () => {
    const doc = exampleDoc("tppo");
    doc.window = {
      dims: ["B", "T"],
      data: [
        [1, 1, 1],
        [0, 1, 1],
      ],
    };
    const r = setup(readFileSync(repoPath("examples/tppo.rlp"), "utf8"), doc, "window");
    const full = example("tppo");
    expect(Array.from(result(r.ev, "A").data)).toEqual(Array.from(result(full.ev, "A").data));
    const A = result(r.ev, "A");
    const g = gradOf(r.program, r.ev, "L").logp!;
    expect(at(g, { B: 1, T: 0 })).toBe(0);
    for (const [b, t] of [
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 1],
      [1, 2],
    ] as const)
      expect(at(g, { B: b, T: t })).toBeCloseTo(-at(A, { B: b, T: t }) / 5, 14);
  });
});
