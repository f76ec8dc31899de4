// Unit tests of the std nodes (stdlib/*.rlp), each through a small in-memory pipeline run by the float64 reference
// evaluator: worked examples of the catalog (shared/methods/*.md) at their printed precision, properties, edge cases
// (singleton and zero-variance groups, all-masked rows, clip boundaries) and gradients.
import { describe, expect, it } from "vitest";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import {
  at,
  compileText,
  compileTextDiagnostics,
  errorsOf,
  expectFinite,
  expectGradMatchesNumeric,
  expectPrinted,
  expectTensorPrinted,
  formatDiagnostics,
  gradOf,
  inputsFrom,
  type InputsDoc,
  numGradOf,
  result,
  run,
  scalarOf,
} from "./harness.ts";

const LN2 = Math.log(2);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/** Compiles `text`, reads `doc` and evaluates. */
function setup(
  text: string,
  doc: InputsDoc,
  name = "t",
): { program: IRProgram; inputs: Record<string, Tensor>; ev: ReturnType<typeof run> } {
  const program = compileText(text, name);
  const inputs = inputsFrom(program, doc);
  return { program, inputs, ev: run(program, inputs) };
}

/** Expects `t` (any dim order) to equal nested `data` along `dims` within `tol` (absolute); null entries skipped. */
function expectTensor(t: Tensor, dims: string[], data: unknown, tol: number, what: string): void {
  expectTensorPrinted(t, dims, data, what, undefined, tol);
}

/** Expects compiling `text` to fail with an error whose message mentions `phrase`. */
function expectCompileError(text: string, phrase: string): void {
  const r = compileTextDiagnostics(text);
  const errs = errorsOf(r.diagnostics);
  expect(
    errs.length,
    `expected a compile error mentioning "${phrase}"; diagnostics:\n${formatDiagnostics(r.diagnostics)}`,
  ).toBeGreaterThan(0);
  expect(
    errs.some((d) => d.message.includes(phrase) || d.notes.some((n) => n.message.includes(phrase))),
    formatDiagnostics(errs),
  ).toBe(true);
}

// ---------------------------------------------------------------- group.rlp

describe("group_norm / group_center (PG.GRPO step 1, §0.4)", () => {
  const text = `
pipeline t {
  dims P, G
  input r: f32[P,G]
  output A = group_norm(r, over=G, eps=1e-6)
  output A_default = group_norm(r)
  output C = group_center(r, over=G)
}`;

  it("matches the catalog's GRPO advantages, sums to 0 within each group, gives 0 for a zero-variance group", () => {
    const r = [
      [1, 0, 0, 0],
      [0.3, 0.9, 0.5, 0.1],
      [0.5, 0.5, 0.5, 0.5],
    ];
    const { ev } = setup(text, { r: { dims: ["P", "G"], data: r } });
    const A = result(ev, "A");
    expectTensorPrinted(
      A,
      ["P", "G"],
      [
        [1.5, -0.499999, -0.499999, -0.499999],
        [null, null, null, null],
        [null, null, null, null],
      ],
      "A (catalog PG.GRPO)",
    );
    for (let p = 0; p < 3; p++) {
      let s = 0;
      for (let g = 0; g < 4; g++) s += at(A, { P: p, G: g });
      expect(Math.abs(s), `sum of A over group ${p}`).toBeLessThan(1e-12);
    }
    // unbiased (ddof = 1) std, eps added to the std
    const row = r[1]!;
    const mu = row.reduce((a, b) => a + b, 0) / 4;
    const sd = Math.sqrt(row.reduce((a, b) => a + (b - mu) ** 2, 0) / 3);
    for (let g = 0; g < 4; g++) expect(at(A, { P: 1, G: g })).toBeCloseTo((row[g]! - mu) / (sd + 1e-6), 12);
    for (let g = 0; g < 4; g++) expect(at(A, { P: 2, G: g }), "zero-variance group").toBe(0);
    expect(Array.from(result(ev, "A_default").data)).toEqual(Array.from(A.data));
    // group_center: x − mean
    const C = result(ev, "C");
    expectTensor(
      C,
      ["P", "G"],
      [
        [0.75, -0.25, -0.25, -0.25],
        [-0.15, 0.45, 0.05, -0.35],
        [0, 0, 0, 0],
      ],
      1e-12,
      "C",
    );
  });

  it("treats a singleton group as verl does: mean 0 and std 1, so A = r / (1 + eps) and the centred value is r", () => {
    const { ev } = setup(text, { r: { dims: ["P", "G"], data: [[2.0], [-3.0]] } });
    expect(at(result(ev, "A"), { P: 0, G: 0 })).toBeCloseTo(2.0 / (1 + 1e-6), 14);
    expect(at(result(ev, "A"), { P: 1, G: 0 })).toBeCloseTo(-3.0 / (1 + 1e-6), 14);
    expect(at(result(ev, "C"), { P: 0, G: 0 })).toBe(2.0);
    expect(at(result(ev, "C"), { P: 1, G: 0 })).toBe(-3.0);
  });

  it("normalises over any dim named by `over`", () => {
    const { ev } = setup(
      `pipeline t {
  dims B, K
  input x: f32[B,K]
  output A = group_norm(x, over=K, eps=0.0)
}`,
      { x: { dims: ["B", "K"], data: [[1, 2, 3, 4]] } },
    );
    const sd = Math.sqrt(5 / 3);
    expectTensor(result(ev, "A"), ["B", "K"], [[-1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd]], 1e-12, "A over K");
  });
});

// ---------------------------------------------------------------- aggregate.rlp

describe("agg and the loss aggregation modes (§0.3, PG.ENTROPY)", () => {
  // PG.ENTROPY worked example: P·G = 2 rows, T = 3, V = 3
  const logits = [
    [
      [2, 0, -1],
      [0.5, 0.5, 0.5],
      [3, 1, 0],
    ],
    [
      [1, 0, 0],
      [0, 2, 0],
      [0, 0, 0],
    ], // the last token is masked
  ];
  const mask = [
    [1, 1, 1],
    [1, 1, 0],
  ];
  const entText = `
pipeline ent {
  dims B, T, V
  input logits: f32[B,T,V] @policy
  input mask: bool[B,T]
  let H = entropy_from_logits(logits, over=V)
  output H_logits = H
  output H_logp = entropy_from_logp(log_softmax(logits, over=V), over=V)
  output tm = agg(H, mask, mode=token_mean)
  output sts = agg(H, mask, mode=seq_mean_token_sum)
  output stm = agg(H, mask, mode=seq_mean_token_mean)
  output stsn = agg(H, mask, mode=seq_mean_token_sum_norm, norm=3.0)
  output stsn_T = agg(H, mask, mode=seq_mean_token_sum_norm)
  output w_tm = token_mean(H, mask)
  output w_sts = seq_mean_token_sum(H, mask)
  output w_stm = seq_mean_token_mean(H, mask)
  output w_stsn = seq_mean_token_sum_norm(H, mask, norm=3.0)
  loss L = -0.01 * agg(H, mask)
}`;
  const entDoc: InputsDoc = { logits: { dims: ["B", "T", "V"], data: logits }, mask: { dims: ["B", "T"], data: mask } };

  it("computes the catalog's token entropies and the four aggregations", () => {
    const { ev } = setup(entText, entDoc, "ent");
    const H = [
      [0.524267, 1.09861, 0.524267],
      [0.975328, 0.665573, null],
    ];
    expectTensorPrinted(result(ev, "H_logits"), ["B", "T"], H, "H from logits");
    expectTensorPrinted(result(ev, "H_logp"), ["B", "T"], H, "H from log-probs");
    const printed: Record<string, number> = { tm: 0.757609, sts: 1.89402, stm: 0.768083, stsn: 1.26268, stsn_T: 1.26268 };
    for (const [k, v] of Object.entries(printed)) expectPrinted(scalarOf(ev, k), v, `agg ${k}`);
    // the named nodes are the same computations
    expect(scalarOf(ev, "w_tm")).toBe(scalarOf(ev, "tm"));
    expect(scalarOf(ev, "w_sts")).toBe(scalarOf(ev, "sts"));
    expect(scalarOf(ev, "w_stm")).toBe(scalarOf(ev, "stm"));
    expect(scalarOf(ev, "w_stsn")).toBe(scalarOf(ev, "stsn"));
    expectPrinted(scalarOf(ev, "L"), -0.01 * 0.757609, "L = -0.01 token-mean(H)", undefined, 1e-8);
  });

  it("gives the catalog's entropy-bonus gradient, and exactly 0 on the masked token", () => {
    const { program, inputs, ev } = setup(entText, entDoc, "ent");
    const g = gradOf(program, ev, "L").logits!;
    expect(g).toBeDefined();
    const printed = [0.000598, -0.000376, -0.000222];
    for (let v = 0; v < 3; v++) expectPrinted(at(g, { B: 0, T: 0, V: v }), printed[v]!, `dL/dz[0,0,${v}]`);
    for (let v = 0; v < 3; v++) expect(at(g, { B: 1, T: 2, V: v }), "masked token").toBe(0);
    expectGradMatchesNumeric(g, numGradOf(program, inputs, "L", "logits"), "dL/dlogits");
  });

  it("aggregates the catalog's printed H values given as inputs", () => {
    const { ev } = setup(
      `pipeline t {
  dims B, T
  input H: f32[B,T]
  input mask: bool[B,T]
  output tm = agg(H, mask, mode=token_mean)
  output sts = agg(H, mask, mode=seq_mean_token_sum)
  output stm = agg(H, mask, mode=seq_mean_token_mean)
  output stsn = agg(H, mask, mode=seq_mean_token_sum_norm, norm=3.0)
}`,
      {
        H: {
          dims: ["B", "T"],
          data: [
            [0.524267, 1.09861, 0.524267],
            [0.975328, 0.665573, 0],
          ],
        },
        mask: { dims: ["B", "T"], data: mask },
      },
    );
    // the inputs are themselves rounded to 6 digits: allow the propagated rounding (< 1e-5)
    for (const [k, v] of Object.entries({ tm: 0.757609, sts: 1.89402, stm: 0.768083, stsn: 1.26268 }))
      expectPrinted(scalarOf(ev, k), v, k, undefined, 1e-5);
  });

  const maskedText = `
pipeline t {
  dims B, T
  input x: f32[B,T] @policy
  input mask: bool[B,T]
  loss tm = token_mean(x, mask)
  loss sts = seq_mean_token_sum(x, mask)
  loss stm = seq_mean_token_mean(x, mask)
  loss stsn = seq_mean_token_sum_norm(x, mask)
  loss mm = masked_mean(x, mask)
}`;

  it("lets an all-masked row contribute 0 (not counted in B'), with finite gradients that are 0 on it", () => {
    const x = [
      [1, 2, 3],
      [5, 6, 7],
    ];
    const { program, inputs, ev } = setup(maskedText, {
      x: { dims: ["B", "T"], data: x },
      mask: {
        dims: ["B", "T"],
        data: [
          [1, 1, 0],
          [0, 0, 0],
        ],
      },
    });
    expect(scalarOf(ev, "tm")).toBeCloseTo(1.5, 14);
    expect(scalarOf(ev, "sts")).toBeCloseTo(3, 14); // B' = 1
    expect(scalarOf(ev, "stm")).toBeCloseTo(3 / (2 + 1e-8), 14);
    expect(scalarOf(ev, "stsn")).toBeCloseTo(1, 14); // C = |T| = 3
    expect(scalarOf(ev, "mm")).toBeCloseTo(3 / (2 + 1e-8), 14);
    const expected: Record<string, number> = { tm: 0.5, sts: 1, stm: 1 / (2 + 1e-8), stsn: 1 / 3, mm: 1 / (2 + 1e-8) };
    for (const [loss, w] of Object.entries(expected)) {
      const g = gradOf(program, ev, loss).x!;
      expectFinite(g, `d${loss}/dx`);
      expectTensor(
        g,
        ["B", "T"],
        [
          [w, w, 0],
          [0, 0, 0],
        ],
        1e-14,
        `d${loss}/dx`,
      );
      for (let t = 0; t < 3; t++) expect(at(g, { B: 1, T: t }), `d${loss}/dx on the all-masked row`).toBe(0);
      expectGradMatchesNumeric(g, numGradOf(program, inputs, loss, "x"), `d${loss}/dx`);
    }
  });

  it("gives 0 and zero gradients, never NaN, when no token is valid", () => {
    const { program, ev } = setup(maskedText, {
      x: {
        dims: ["B", "T"],
        data: [
          [1, 2, 3],
          [5, 6, 7],
        ],
      },
      mask: {
        dims: ["B", "T"],
        data: [
          [0, 0, 0],
          [0, 0, 0],
        ],
      },
    });
    for (const loss of ["tm", "sts", "stm", "stsn", "mm"]) {
      expect(scalarOf(ev, loss), loss).toBe(0);
      const g = gradOf(program, ev, loss).x!;
      expectFinite(g, `d${loss}/dx`);
      for (const v of g.data) expect(v).toBe(0);
    }
  });

  it("weights a per-sequence value by each sequence's valid tokens (broadcast against the mask)", () => {
    const { ev } = setup(
      `pipeline t {
  dims B, T
  input a: f32[B]
  input mask: bool[B,T]
  output tm = token_mean(a, mask)
  output sts = seq_mean_token_sum(a, mask)
  output stm = seq_mean_token_mean(a, mask)
}`,
      {
        a: { dims: ["B"], data: [2, 5, 7] },
        mask: {
          dims: ["B", "T"],
          data: [
            [1, 1, 0],
            [1, 0, 0],
            [0, 0, 0],
          ],
        },
      },
    );
    expect(scalarOf(ev, "tm")).toBeCloseTo((2 * 2 + 5) / 3, 14);
    expect(scalarOf(ev, "sts")).toBeCloseTo((2 * 2 + 5) / 2, 14);
    expect(scalarOf(ev, "stm")).toBeCloseTo((4 / (2 + 1e-8) + 5 / (1 + 1e-8)) / 2, 14);
  });
});

describe("masked_mean / masked_whiten (§0.5)", () => {
  const text = `
pipeline t {
  dims B, T
  input x: f32[B,T]
  input mask: bool[B,T]
  output w = masked_whiten(x, mask)
  output w_keep = masked_whiten(x, mask, shift_mean=false)
  output mm = masked_mean(x, mask)
}`;

  it("whitens over all valid tokens with the count epsilon, the Bessel factor and the variance epsilon", () => {
    const x = [
      [1, 2, 3],
      [4, 100, -50],
    ];
    const m = [
      [1, 1, 1],
      [1, 0, 0],
    ];
    const { ev } = setup(text, { x: { dims: ["B", "T"], data: x }, mask: { dims: ["B", "T"], data: m } });
    const valid = [1, 2, 3, 4];
    const n = 4;
    const mu = valid.reduce((a, b) => a + b, 0) / (n + 1e-8);
    const v = (valid.reduce((a, b) => a + (b - mu) ** 2, 0) / (n + 1e-8)) * (n / (n - 1));
    const w = (y: number) => (y - mu) / Math.sqrt(v + 1e-8);
    expect(scalarOf(ev, "mm")).toBeCloseTo(mu, 14);
    // masked positions are whitened too (as verl does); they are not meaningful but must be finite
    expectTensor(
      result(ev, "w"),
      ["B", "T"],
      [
        [w(1), w(2), w(3)],
        [w(4), w(100), w(-50)],
      ],
      1e-10,
      "w",
    );
    expectTensor(
      result(ev, "w_keep"),
      ["B", "T"],
      [
        [w(1) + mu, w(2) + mu, w(3) + mu],
        [w(4) + mu, null, null],
      ],
      1e-12,
      "w_keep",
    );
    // the whitened valid tokens have mean ~0 and unbiased variance ~1
    const wv = [w(1), w(2), w(3), w(4)];
    const wm = wv.reduce((a, b) => a + b, 0) / 4;
    expect(Math.abs(wm)).toBeLessThan(1e-7);
    expect(wv.reduce((a, b) => a + (b - wm) ** 2, 0) / 3).toBeCloseTo(1, 7);
  });

  it("requires at least 2 valid tokens (a run-time check)", () => {
    const program = compileText(text);
    const inputs = inputsFrom(program, {
      x: {
        dims: ["B", "T"],
        data: [
          [1, 2, 3],
          [4, 5, 6],
        ],
      },
      mask: {
        dims: ["B", "T"],
        data: [
          [0, 1, 0],
          [0, 0, 0],
        ],
      },
    });
    expect(() => run(program, inputs)).toThrow(/at least 2 valid tokens/);
  });
});

// ---------------------------------------------------------------- kl.rlp

describe("KL estimators (§0.2)", () => {
  const text = `
pipeline t {
  dims B
  input logp: f32[B] @policy
  input ref: f32[B]
  loss L1 = sum(kl_k1(logp, ref), over=B)
  loss L2 = sum(kl_k2(logp, ref), over=B)
  loss L3 = sum(kl_k3(logp, ref), over=B)
  loss La = sum(kl_abs(logp, ref), over=B)
  output k1 = kl_k1(logp, ref)
  output k2 = kl_k2(logp, ref)
  output k3 = kl_k3(logp, ref)
  output k2p = kl_penalty(logp, ref, kind=k2)
  output k3p = kl_penalty(logp, ref)
}`;
  // d = logp − ref = [0.4, 0.1, −0.1, 0, 15, −30]: the last two make verl's k3 value clamp (at 10) bind
  const logp = [-0.7, -0.5, -1.9, -1.0, 0.5, -30.0];
  const ref = [-1.1, -0.6, -1.8, -1.0, -14.5, 0.0];
  const d = logp.map((x, i) => x - ref[i]!);
  const doc: InputsDoc = { logp: { dims: ["B"], data: logp }, ref: { dims: ["B"], data: ref } };

  it("gives k1 = d, k2 = d²/2, k3 = exp(−d) + d − 1 (clamped to [−10, 10]) and matches the catalog's k3", () => {
    const { ev } = setup(text, doc);
    expectTensor(result(ev, "k1"), ["B"], d, 1e-15, "k1");
    expectTensor(
      result(ev, "k2"),
      ["B"],
      d.map((x) => 0.5 * x * x),
      1e-13,
      "k2",
    );
    const k3 = d.map((x) => Math.min(10, Math.max(-10, Math.exp(-x) + x - 1)));
    expectTensor(result(ev, "k3"), ["B"], k3, 1e-13, "k3");
    // catalog PG.GRPO k3 at d = 0.4, 0.1, −0.1
    expectTensorPrinted(result(ev, "k3"), ["B"], [0.07032, 0.004837, 0.005171, 0, null, null], "k3 (catalog)");
    expect(Array.from(result(ev, "k2p").data)).toEqual(Array.from(result(ev, "k2").data));
    expect(Array.from(result(ev, "k3p").data)).toEqual(Array.from(result(ev, "k3").data));
  });

  it("has gradients 1, d, 1 − exp(ref − logp) (0 where verl's clamps bind) and sign(d) with abs'(0) = 0", () => {
    const { program, inputs, ev } = setup(text, doc);
    expectTensor(
      gradOf(program, ev, "L1").logp!,
      ["B"],
      d.map(() => 1),
      0,
      "dk1",
    );
    expectTensor(gradOf(program, ev, "L2").logp!, ["B"], d, 1e-15, "dk2");
    expectTensor(gradOf(program, ev, "L3").logp!, ["B"], [...d.slice(0, 4).map((x) => 1 - Math.exp(-x)), 0, 0], 1e-14, "dk3");
    expectTensor(gradOf(program, ev, "La").logp!, ["B"], [1, 1, -1, 0, 1, -1], 0, "dabs");
    for (const L of ["L1", "L3"])
      expectGradMatchesNumeric(gradOf(program, ev, L).logp!, numGradOf(program, inputs, L, "logp"), `d${L}`);
  });
});

// ---------------------------------------------------------------- returns.rlp

describe("gae (PG.PPO step 2: masked tokens skipped)", () => {
  const text = `
pipeline t {
  dims B, T
  input r: f32[B,T]
  input v: f32[B,T]
  input mask: bool[B,T]
  let adv, ret = gae(r, v, mask, gamma=0.9, lam=0.8)
  output adv_o = adv
  output ret_o = ret
  let a1, r1 = gae(r, v, mask)
  output adv_1 = a1
}`;

  it("carries next_value and gae through masked tokens, as verl's loop does", () => {
    const { ev } = setup(text, {
      r: {
        dims: ["B", "T"],
        data: [
          [0, 5, 1],
          [0, 1, 7],
        ],
      },
      v: {
        dims: ["B", "T"],
        data: [
          [0.5, 9.0, 0.2],
          [0.2, 0.3, 4.0],
        ],
      },
      mask: {
        dims: ["B", "T"],
        data: [
          [1, 0, 1],
          [1, 1, 0],
        ],
      },
    });
    // row 0: an interleaved masked token; row 1: right padding (verl writes the carried gae, 0, there)
    expectTensor(
      result(ev, "adv_o"),
      ["B", "T"],
      [
        [0.256, 0.8, 0.8],
        [0.574, 0.7, 0],
      ],
      1e-14,
      "adv",
    );
    expectTensor(
      result(ev, "ret_o"),
      ["B", "T"],
      [
        [0.756, 9.8, 1.0],
        [0.774, 1.0, 4.0],
      ],
      1e-14,
      "returns = adv + values",
    );
  });

  it("with gamma = lambda = 1 (the defaults) and V = 0 gives the reward-to-go over valid tokens", () => {
    const { ev } = setup(text, {
      r: { dims: ["B", "T"], data: [[1, 2, 3, 4]] },
      v: { dims: ["B", "T"], data: [[0, 0, 0, 0]] },
      mask: { dims: ["B", "T"], data: [[1, 0, 1, 1]] },
    });
    expectTensor(result(ev, "adv_1"), ["B", "T"], [[8, 7, 7, 4]], 1e-14, "reward-to-go");
  });
});

describe("gae_done / discounted_return (CB.GAE, CB.DISCOUNTED_RETURN)", () => {
  const text = `
pipeline t {
  dims B, T
  input r: f32[B,T]
  input v: f32[B,T]
  input done: bool[B,T]
  input mask: bool[B,T]
  input v_last: f32[B]
  let A, R = gae_done(r, v, done, mask, gamma=0.9, lam=0.8, v_last=v_last)
  output A_o = A
  output R_o = R
  let A1, R1 = gae_done(r, v, done, mask, gamma=0.9, lam=1.0, v_last=v_last)
  output A1_o = A1
  output G = discounted_return(r, done, mask, gamma=0.9, v_last=v_last)
  output G1 = discounted_return(r, done, mask, gamma=1.0)
}`;
  // row 0: the catalog's example plus one padded step; row 1: all masked; row 2: no done, no padding
  const doc: InputsDoc = {
    r: {
      dims: ["B", "T"],
      data: [
        [1, 0, 2, 1, 0.5, 0],
        [1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 1, 1],
      ],
    },
    v: {
      dims: ["B", "T"],
      data: [
        [0.5, 0.4, 1.0, 0.3, 0.6, 0],
        [1, 1, 1, 1, 1, 1],
        [0, 0, 0, 0, 0, 0],
      ],
    },
    done: {
      dims: ["B", "T"],
      data: [
        [0, 0, 1, 0, 0, 0],
        [0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0],
      ],
    },
    mask: {
      dims: ["B", "T"],
      data: [
        [1, 1, 1, 1, 1, 0],
        [0, 0, 0, 0, 0, 0],
        [1, 1, 1, 1, 1, 1],
      ],
    },
    v_last: { dims: ["B"], data: [0.8, 0.3, 0] },
  };

  it("reproduces the catalog's worked examples; padded and all-masked steps give 0", () => {
    const { ev } = setup(text, doc);
    const z = [0, 0, 0, 0, 0, 0];
    expectTensorPrinted(
      result(ev, "A_o"),
      ["B", "T"],
      [[1.7384, 1.22, 1.0, 1.6864, 0.62, 0], z, [null, null, null, null, null, null]],
      "A (CB.GAE)",
    );
    expectTensorPrinted(
      result(ev, "R_o"),
      ["B", "T"],
      [[2.2384, 1.62, 2.0, 1.9864, 1.22, 0], z, [null, null, null, null, null, null]],
      "R (CB.GAE)",
    );
    expectTensorPrinted(
      result(ev, "G"),
      ["B", "T"],
      [[2.62, 1.8, 2.0, 2.098, 1.22, 0], z, [null, null, null, null, null, null]],
      "G (CB.DISCOUNTED_RETURN)",
    );
    // gamma = 1, no bootstrap: the reward-to-go, cut at done
    expectTensor(result(ev, "G1"), ["B", "T"], [[3, 2, 2, 1.5, 0.5, 0], z, [6, 5, 4, 3, 2, 1]], 1e-14, "reward-to-go");
  });

  it("with lambda = 1 gives the discounted return minus the baseline (CB.GAE 'reduces to')", () => {
    const { ev } = setup(text, doc);
    const A1 = result(ev, "A1_o");
    const G = result(ev, "G");
    const vv = doc.v as { data: number[][] };
    const mm = doc.mask as { data: number[][] };
    for (let b = 0; b < 3; b++) {
      for (let t = 0; t < 6; t++) {
        const want = mm.data[b]![t] ? at(G, { B: b, T: t }) - vv.data[b]![t]! : 0;
        expect(at(A1, { B: b, T: t }), `A1[${b},${t}]`).toBeCloseTo(want, 12);
      }
    }
  });

  it("accepts a scalar v_last", () => {
    const { ev } = setup(
      `pipeline t {
  dims B, T
  input r: f32[B,T]
  input v: f32[B,T]
  input done: bool[B,T]
  input mask: bool[B,T]
  let A, R = gae_done(r, v, done, mask, gamma=0.9, lam=0.8, v_last=0.8)
  output A_o = A
  output G = discounted_return(r, done, mask, gamma=0.9, v_last=0.8)
}`,
      {
        r: { dims: ["B", "T"], data: [[1, 0, 2, 1, 0.5]] },
        v: { dims: ["B", "T"], data: [[0.5, 0.4, 1.0, 0.3, 0.6]] },
        done: { dims: ["B", "T"], data: [[0, 0, 1, 0, 0]] },
        mask: { dims: ["B", "T"], data: [[1, 1, 1, 1, 1]] },
      },
    );
    expectTensorPrinted(result(ev, "A_o"), ["B", "T"], [[1.7384, 1.22, 1.0, 1.6864, 0.62]], "A (CB.GAE)");
    expectTensorPrinted(result(ev, "G"), ["B", "T"], [[2.62, 1.8, 2.0, 2.098, 1.22]], "G (CB.DISCOUNTED_RETURN)");
  });
});

// ---------------------------------------------------------------- preference.rlp

describe("dpo_loss (PO.DPO)", () => {
  // the catalog's pair example E1 on the [P, Y, T] layout (Y = {w, l}); masked positions hold 0
  const E1 = {
    lp: [
      [
        [-0.5, -1.0, -0.2],
        [-0.8, -1.5, 0],
      ],
      [
        [-1.2, -0.3, 0],
        [-0.4, -0.7, -1.1],
      ],
    ],
    rlp: [
      [
        [-0.6, -1.1, -0.3],
        [-0.7, -1.2, 0],
      ],
      [
        [-1.0, -0.5, 0],
        [-0.6, -0.6, -1.0],
      ],
    ],
    m: [
      [
        [1, 1, 1],
        [1, 1, 0],
      ],
      [
        [1, 1, 0],
        [1, 1, 1],
      ],
    ],
  };
  const PYT = ["P", "Y", "T"];
  const docOf = (lp: unknown, rlp: unknown, m: unknown): InputsDoc => ({
    lp: { dims: PYT, data: lp },
    rlp: { dims: PYT, data: rlp },
    m: { dims: PYT, data: m },
  });
  const pipeline = (args: string) => `
pipeline t {
  dims P, T
  input lp: f32[P,Y,T] @policy
  input rlp: f32[P,Y,T]
  input m: bool[P,Y,T]
  loss L = dpo_loss(lp, rlp, m${args})
}`;
  /** dL/dlp for per-pair contrast gradients g = dℓ/dh (sum form): +g·m_w/P on w, −g·m_l/P on l. */
  const closedForm = (g: number[], m = E1.m): number[][][] =>
    m.map((pair, p) => pair.map((row, y) => row.map((mk) => (mk ? ((y === 0 ? 1 : -1) * g[p]!) / m.length : 0))));

  it("is log 2 at policy == reference, with dL/dlp = ∓beta/2 per valid token / P", () => {
    const { program, inputs, ev } = setup(pipeline(", beta=0.1"), docOf(E1.rlp, E1.rlp, E1.m));
    expect(scalarOf(ev, "L")).toBeCloseTo(LN2, 14);
    const g = gradOf(program, ev, "L").lp!;
    expectTensor(g, PYT, closedForm([-0.05, -0.05]), 1e-15, "dL/dlp at h = 0");
    expectTensor(
      g,
      PYT,
      [
        [
          [-0.025, -0.025, -0.025],
          [0.025, 0.025, 0],
        ],
        [
          [-0.025, -0.025, 0],
          [0.025, 0.025, 0.025],
        ],
      ],
      1e-15,
      "dL/dlp at h = 0",
    );
    expectGradMatchesNumeric(g, numGradOf(program, inputs, "L", "lp"), "dL/dlp");
  });

  it("reproduces the catalog's E1 values for cDPO, rDPO and IPO", () => {
    const cases: { args: string; L: number; w0: number; gradFull?: number[][][] }[] = [
      { args: ", beta=0.1, label_smoothing=0.1", L: 0.679453, w0: -0.019125 },
      { args: ", beta=0.1, label_smoothing=0.1, loss_type=robust", L: 0.671578, w0: -0.030375 },
      { args: ", beta=0.1, loss_type=ipo, ipo_length_norm=false", L: 21.745, w0: -4.3 },
      {
        args: ", beta=0.1, loss_type=ipo",
        L: 23.545,
        w0: -1.566667,
        gradFull: [
          [
            [-1.566667, -1.566667, -1.566667],
            [2.35, 2.35, 0],
          ],
          [
            [-2.5, -2.5, 0],
            [1.666667, 1.666667, 1.666667],
          ],
        ],
      },
    ];
    for (const c of cases) {
      const { program, inputs, ev } = setup(pipeline(c.args), docOf(E1.lp, E1.rlp, E1.m));
      expectPrinted(scalarOf(ev, "L"), c.L, `L${c.args}`);
      const g = gradOf(program, ev, "L").lp!;
      for (let t = 0; t < 3; t++) expectPrinted(at(g, { P: 0, Y: 0, T: t }), c.w0, `dL/dlp_w[0,${t}]${c.args}`);
      if (c.gradFull) expectTensorPrinted(g, PYT, c.gradFull, `dL/dlp${c.args}`);
      expectGradMatchesNumeric(g, numGradOf(program, inputs, "L", "lp"), `dL/dlp${c.args}`);
    }
    // IPO on sums: chosen row 1 gets −5.0 per valid token
    const { program, ev } = setup(pipeline(", beta=0.1, loss_type=ipo, ipo_length_norm=false"), docOf(E1.lp, E1.rlp, E1.m));
    const g = gradOf(program, ev, "L").lp!;
    expectPrinted(at(g, { P: 1, Y: 0, T: 0 }), -5.0, "IPO sums dL/dlp_w[1,0]");
    expect(at(g, { P: 1, Y: 0, T: 2 }), "masked").toBe(0);
  });

  it("sigmoid on E1 (h = [0.7, 0]) follows the closed form; the rewards use sequence sums", () => {
    const { program, ev } = setup(pipeline(", beta=0.1"), docOf(E1.lp, E1.rlp, E1.m));
    const h = [0.7, 0.0];
    expect(scalarOf(ev, "L")).toBeCloseTo((softplus(-0.1 * h[0]!) + softplus(-0.1 * h[1]!)) / 2, 13);
    expectPrinted(scalarOf(ev, "L"), 0.675953, "L (catalog)");
    expectTensor(gradOf(program, ev, "L").lp!, PYT, closedForm(h.map((x) => -0.1 * sigmoid(-0.1 * x))), 1e-13, "dL/dlp");
  });

  it("hinge: relu(1 − beta·h), gradient −beta where beta·h < 1 and 0 at exactly beta·h = 1", () => {
    // derived, not printed by the catalog: beta·h = [0.07, 0] ⇒ L = (0.93 + 1)/2, g = −beta for both pairs
    const { program, ev } = setup(pipeline(", beta=0.1, loss_type=hinge"), docOf(E1.lp, E1.rlp, E1.m));
    expect(scalarOf(ev, "L")).toBeCloseTo(0.965, 13);
    expectTensor(gradOf(program, ev, "L").lp!, PYT, closedForm([-0.1, -0.1]), 1e-14, "dL/dlp hinge");
    // beta·h = 0.5 · 2 = 1 exactly
    const b = setup(pipeline(", beta=0.5, loss_type=hinge"), docOf([[[2.0], [0.0]]], [[[0.0], [0.0]]], [[[1], [1]]]));
    expect(scalarOf(b.ev, "L")).toBe(0);
    for (const v of gradOf(b.program, b.ev, "L").lp!.data) expect(v).toBe(0);
  });

  it("reference_free drops the reference: h = S(lp_w) − S(lp_l)", () => {
    const { ev } = setup(pipeline(", beta=0.1, reference_free=true"), docOf(E1.lp, E1.rlp, E1.m));
    const h = [-1.7 + 2.3, -1.5 + 2.2];
    expect(scalarOf(ev, "L")).toBeCloseTo((softplus(-0.1 * h[0]!) + softplus(-0.1 * h[1]!)) / 2, 13);
  });

  it("rejects the robust loss with label_smoothing >= 0.5 at compile time", () => {
    expectCompileError(pipeline(", loss_type=robust, label_smoothing=0.5"), "label_smoothing < 0.5");
  });
});

describe("log_sigmoid / relu (math.rlp)", () => {
  it("log σ(x) = −softplus(−x): stable for large |x|, gradient σ(−x) (0.5 at 0); relu'(0) = 0", () => {
    const { program, inputs, ev } = setup(
      `pipeline t {
  dims B
  input x: f32[B] @policy
  loss L = sum(log_sigmoid(x), over=B)
  loss R = sum(relu(x), over=B)
  output ls = log_sigmoid(x)
}`,
      { x: { dims: ["B"], data: [0, -800, 800, 2] } },
    );
    expectTensor(result(ev, "ls"), ["B"], [-LN2, -800, 0, -softplus(-2)], 1e-14, "log_sigmoid");
    const g = gradOf(program, ev, "L").x!;
    expectTensor(g, ["B"], [0.5, 1, 0, sigmoid(-2)], 1e-14, "dlog_sigmoid");
    expectTensor(gradOf(program, ev, "R").x!, ["B"], [0, 0, 1, 1], 0, "drelu");
    void inputs;
  });
});

// ---------------------------------------------------------------- clip.rlp

describe("ppo_clip (§0.1)", () => {
  const pipeline = (args: string) => `
pipeline t {
  dims B
  input logp: f32[B] @policy
  input old: f32[B]
  input A: f32[B]
  let l, c = ppo_clip(logp, old, A${args})
  loss L = sum(l, over=B)
  output l_o = l
  output clipped = f32(c)
}`;

  it("gives the full unclipped gradient at ratio exactly on the clip bound (max ties go to l1)", () => {
    // eps = 0 puts both bounds at 1, and logp == old_logp makes ratio exactly 1: A > 0 sits on hi, A < 0 on lo
    const { program, inputs, ev } = setup(pipeline(", eps=0.0"), {
      logp: { dims: ["B"], data: [-0.5, -1.0] },
      old: { dims: ["B"], data: [-0.5, -1.0] },
      A: { dims: ["B"], data: [1.5, -0.5] },
    });
    expectTensor(result(ev, "l_o"), ["B"], [-1.5, 0.5], 0, "l");
    expectTensor(result(ev, "clipped"), ["B"], [0, 0], 0, "clipped (l2 > l1 is false at a tie)");
    expectTensor(gradOf(program, ev, "L").logp!, ["B"], [-1.5, 0.5], 0, "dl/dlogp = −A·ratio at the bound");
    void inputs;
  });

  it("clips outside [1 − eps, 1 + eps], dual-clips above c for A < 0, and flags l2 > l1", () => {
    const dl = [0.1, 0.3, -0.1, -0.3, 0.5, 1.5];
    const A = [1, 1, -1, -1, -1, -1];
    const { program, inputs, ev } = setup(pipeline(", eps=0.2, dual_clip=3.0"), {
      logp: { dims: ["B"], data: dl },
      old: { dims: ["B"], data: dl.map(() => 0) },
      A: { dims: ["B"], data: A },
    });
    const r = dl.map(Math.exp);
    // 0: inside (A>0); 1: above hi (A>0, clipped); 2: inside (A<0); 3: below lo (A<0, clipped);
    // 4: above hi with A<0 (active: not clipped by plain PPO), ratio < c; 5: ratio 4.48 > c = 3: l = −c·A
    expectTensor(result(ev, "l_o"), ["B"], [-r[0]!, -1.2, r[2]!, 0.8, r[4]!, 3], 1e-14, "l");
    expectTensor(result(ev, "clipped"), ["B"], [0, 1, 0, 1, 0, 0], 0, "clipped");
    const g = gradOf(program, ev, "L").logp!;
    expectTensor(g, ["B"], [-r[0]!, 0, r[2]!, 0, r[4]!, 0], 1e-14, "dl/dlogp");
    expectGradMatchesNumeric(g, numGradOf(program, inputs, "L", "logp"), "dl/dlogp");
  });

  it("gives 0 gradient at ratio exactly c under dual clip (the min tie goes to the constant −c·A: active ⇔ ratio < c)", () => {
    // c is written as the double exp(0.5) (17 significant digits round-trip), so ratio = exp(0.5) equals it exactly
    const c = Math.exp(0.5);
    const { program, ev } = setup(pipeline(`, eps=0.2, dual_clip=${c.toPrecision(17)}`), {
      logp: { dims: ["B"], data: [0.5, 0.4] },
      old: { dims: ["B"], data: [0, 0] },
      A: { dims: ["B"], data: [-1, -1] },
    });
    expectTensor(result(ev, "l_o"), ["B"], [c, Math.exp(0.4)], 0, "l");
    expectTensor(gradOf(program, ev, "L").logp!, ["B"], [0, Math.exp(0.4)], 1e-15, "dl/dlogp");
  });

  it("supports clip-higher bounds (eps_low, eps_high) and clamps the log-ratio at ±20 (gradient 0 beyond)", () => {
    const { program, ev } = setup(pipeline(", eps=0.2, eps_low=0.1, eps_high=0.5"), {
      logp: { dims: ["B"], data: [0.3, -0.15, 25] },
      old: { dims: ["B"], data: [0, 0, 0] },
      A: { dims: ["B"], data: [1, -1, -1] },
    });
    // ratio 1.35 < 1.5 is inside for A > 0; ratio 0.86 < 0.9 is clipped for A < 0; ratio e^25 → e^20
    expectTensor(result(ev, "l_o"), ["B"], [-Math.exp(0.3), 0.9, Math.exp(20)], 1e-9, "l");
    expectTensor(gradOf(program, ev, "L").logp!, ["B"], [-Math.exp(0.3), 0, 0], 1e-14, "dl/dlogp");
  });

  it("rejects a dual-clip constant that is not > 1 at compile time", () => {
    expectCompileError(pipeline(", dual_clip=0.5"), "dual_clip must be 0");
  });
});

describe("value_clip_loss (PG.PPO step 4)", () => {
  it("takes the max of the unclipped and clipped squared errors; the gradient follows the unclipped term", () => {
    const { program, inputs, ev } = setup(
      `pipeline t {
  dims B
  input v: f32[B] @critic
  input old: f32[B]
  input R: f32[B]
  loss L = sum(value_clip_loss(v, old, R, eps=0.5), over=B)
  output lv = value_clip_loss(v, old, R)
}`,
      {
        v: { dims: ["B"], data: [0.9, 0.2, 1.5] },
        old: { dims: ["B"], data: [0.3, 0.4, 0.3] },
        R: { dims: ["B"], data: [0.95, 0.98, 0.0] },
      },
    );
    // 0: v outside the window, the clipped term dominates ⇒ gradient 0; 1: inside (tie) ⇒ 2(v − R);
    // 2: outside, the unclipped term dominates ⇒ 2(v − R)
    expectTensor(result(ev, "lv"), ["B"], [0.15 ** 2, 0.78 ** 2, 2.25], 1e-14, "value loss");
    const g = gradOf(program, ev, "L").v!;
    expectTensor(g, ["B"], [0, 2 * (0.2 - 0.98), 3.0], 1e-14, "dL/dv");
    expectGradMatchesNumeric(g, numGradOf(program, inputs, "L", "v"), "dL/dv");
  });
});
