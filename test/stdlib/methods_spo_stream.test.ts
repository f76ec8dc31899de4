// PG.SPO_STREAM (stdlib/spo.rlp; examples/spo_stream.rlp): the persistent per-prompt Beta tracker across two steps
// of the reference evaluator's state (step 1 = the catalog's worked example from an empty tracker; step 2 reads the
// catalog's post-step alpha, beta), last-write-wins for a prompt repeated in a batch, the offline initialisation,
// the forgetting factor, the batch normalisation, the drift input D and the run-time checks.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StateValue } from "../../runtime/library/ops/state.ts";
import { expectPrinted, repoPath, result } from "./harness.ts";
import { example, exampleDoc, expectGradsMatchNumeric, expectRunFails, expectTensor, setup } from "./methods_util.ts";

/** The example pipeline's text (compiled in memory so a test can give it other data and state). */
const EXAMPLE_TEXT = readFileSync(repoPath("examples/spo_stream.rlp"), "utf8");

/** The catalog's tracker after step 1 (printed to 6 digits): prompt id -> value. */
const ALPHA1 = new Map([
  [0, 2.13333],
  [1, 5.05556],
  [2, 7.61111],
]);
const BETA1 = new Map([
  [0, 6.54667],
  [1, 2.94444],
  [2, 0.388889],
]);

function table(v: StateValue | undefined): Map<number, number> {
  expect(v instanceof Map, "a keyed table").toBe(true);
  return v as Map<number, number>;
}

describe("PG.SPO_STREAM tracker across steps", () => {
  it("step 1 (empty tracker, offline initialisation) writes the catalog's alpha, beta; the last row of a repeated prompt wins", () => {
    const r = example("spo_stream");
    expectTensor(result(r.ev, "A"), ["B"], [1.27802, -1.09545, 0.182574, -0.365148], 1e-5, "A");
    // row-wise written values (prompt 0 occurs in rows 0 and 3)
    expectTensor(result(r.ev, "spo_alpha"), ["B"], [3.13333, 5.05556, 7.61111, 2.13333], 1e-5, "alpha rows");
    expectTensor(result(r.ev, "spo_beta"), ["B"], [5.54667, 2.94444, 0.388889, 6.54667], 1e-5, "beta rows");
    const a = table(r.ev.stateUpdates.spo_alpha);
    const b = table(r.ev.stateUpdates.spo_beta);
    expect([...a.keys()].sort()).toEqual([0, 1, 2]);
    for (const [k, v] of ALPHA1) expectPrinted(a.get(k)!, v, `alpha[${k}]`);
    for (const [k, v] of BETA1) expectPrinted(b.get(k)!, v, `beta[${k}]`);
    expectGradsMatchNumeric(r, "L");
  });

  it("step 2 reads the state written by step 1 (saved and loaded as JSON) and gives the expected second-step values", () => {
    const step1 = example("spo_stream");
    // save / load: the tables as JSON entries
    const saved = JSON.stringify(
      Object.fromEntries(Object.entries(step1.ev.stateUpdates).map(([k, v]) => [k, [...table(v).entries()]])),
    );
    const loaded: Record<string, StateValue> = Object.fromEntries(
      Object.entries(JSON.parse(saved) as Record<string, [number, number][]>).map(([k, v]) => [k, new Map(v)]),
    );

    // step 2: prompts [2, 0, 1, 3] — 3 is new (4 offline successes of 8) — rewards [0, 1, 1, 1], drifts D
    const doc = exampleDoc("spo_stream");
    doc.prompt_id = { dims: ["B"], data: [2, 0, 1, 3] };
    doc.reward = { dims: ["B"], data: [0, 1, 1, 1] };
    doc.offline_successes = { dims: ["B"], data: [0, 0, 0, 4] };
    doc.D = { dims: ["B"], data: [0.06, 0.01, 0.0, 0.0] };
    const r = setup(EXAMPLE_TEXT, doc, "step2", loaded);

    // expected from the catalog's printed tracker
    const a0 = [ALPHA1.get(2)!, ALPHA1.get(0)!, ALPHA1.get(1)!, (8 * 4.5) / 9];
    const b0 = [BETA1.get(2)!, BETA1.get(0)!, BETA1.get(1)!, (8 * 4.5) / 9];
    const p = a0.map((a, i) => a / (a + b0[i]!));
    expectTensor(result(r.ev, "p_hat"), ["B"], p, 2e-6, "p_hat (step 2)");
    const rew = [0, 1, 1, 1];
    const raw = rew.map((x, i) => x - p[i]!);
    const mu = raw.reduce((s, x) => s + x, 0) / 4;
    const sd = Math.sqrt(raw.reduce((s, x) => s + (x - mu) ** 2, 0) / 3);
    expectTensor(
      result(r.ev, "A"),
      ["B"],
      raw.map((x) => (x - mu) / (sd + 1e-8)),
      2e-5,
      "A (step 2)",
    );
    const rho = [0.06, 0.01, 0, 0].map((d) => Math.min(Math.max(2 ** (-d / 0.06), 0.875), 0.96));
    expectTensor(result(r.ev, "forgetting"), ["B"], rho, 1e-12, "rho (step 2)");
    const a2 = a0.map((a, i) => rho[i]! * a + rew[i]!);
    const b2 = b0.map((b, i) => rho[i]! * b + (1 - rew[i]!));
    const A = table(r.ev.stateUpdates.spo_alpha);
    const B = table(r.ev.stateUpdates.spo_beta);
    [2, 0, 1, 3].forEach((k, i) => {
      expect(Math.abs(A.get(k)! - a2[i]!), `alpha[${k}]`).toBeLessThan(2e-5);
      expect(Math.abs(B.get(k)! - b2[i]!), `beta[${k}]`).toBeLessThan(2e-5);
    });
    expect(A.size).toBe(4);
  });

  it("keeps the entries of prompts absent from a step", () => {
    const doc = exampleDoc("spo_stream");
    doc.prompt_id = { dims: ["B"], data: [7, 8, 7, 8] };
    const state = { spo_alpha: new Map(ALPHA1), spo_beta: new Map(BETA1) };
    const r = setup(EXAMPLE_TEXT, doc, "absent", state);
    const A = table(r.ev.stateUpdates.spo_alpha);
    for (const [k, v] of ALPHA1) expect(A.get(k)).toBe(v);
    expect(A.has(7) && A.has(8)).toBe(true);
    // the state passed in is not modified
    expect(state.spo_alpha.has(7)).toBe(false);
  });
});

describe("PG.SPO_STREAM nodes", () => {
  const nodes = `
pipeline t {
  dims B, T
  input a: f32[B]
  input b: f32[B]
  input s: f32[B]
  input D: f32[B]
  input r: f32[B]
  input lp_then: f32[B,T]
  input lp_now: f32[B,T]
  input m: bool[B,T]
  let a0, b0 = spo_tracker_init(a, b, s, offline_n=0.0)
  output init0_a = a0
  output init0_b = b0
  let a8, b8 = spo_tracker_init(a, b, s)
  output init8_a = a8
  output rho_kl = spo_rho(D)
  output rho_const = spo_rho(D, kind=constant, rho_value=0.9)
  output adv = spo_advantage(r, a8, b8)
  output drift = spo_drift(lp_then, lp_now, m)
  output weight = spo_sample_weight(a8, b8)
}`;
  const doc = {
    a: { dims: ["B"], data: [0, 3.0, 0] },
    b: { dims: ["B"], data: [0, 1.0, 0] },
    s: { dims: ["B"], data: [2, 6, 8] },
    D: { dims: ["B"], data: [0, 0.03, 1.0] },
    r: { dims: ["B"], data: [1, 0, 1] },
    lp_then: {
      dims: ["B", "T"],
      data: [
        [-1, -2],
        [-0.5, 0],
        [0, 0],
      ],
    },
    lp_now: {
      dims: ["B", "T"],
      data: [
        [-1.2, -1.7],
        [-0.4, 5],
        [0, 0],
      ],
    },
    m: {
      dims: ["B", "T"],
      data: [
        [1, 1],
        [1, 0],
        [0, 0],
      ],
    },
  };

  it("initialises unseen prompts from offline samples (0.5 each with offline_n = 0) and keeps seen ones", () => {
    const r = setup(nodes, doc);
    expectTensor(result(r.ev, "init0_a"), ["B"], [0.5, 3.0, 0.5], 1e-15, "alpha, offline_n 0");
    expectTensor(result(r.ev, "init0_b"), ["B"], [0.5, 1.0, 0.5], 1e-15, "beta, offline_n 0");
    expectTensor(result(r.ev, "init8_a"), ["B"], [(8 * 2.5) / 9, 3.0, (8 * 8.5) / 9], 1e-14, "alpha, offline_n 8");
  });

  it("clamps the KL-adaptive forgetting factor to [0.875, 0.96]; the constant kind ignores D", () => {
    const r = setup(nodes, doc);
    expectTensor(result(r.ev, "rho_kl"), ["B"], [0.96, 0.875, 0.875], 1e-15, "rho kl");
    expectTensor(result(r.ev, "rho_const"), ["B"], [0.9, 0.9, 0.9], 1e-15, "rho constant");
  });

  it("normalises the advantage over the batch (mean 0, unbiased std 1)", () => {
    const A = Array.from(result(setup(nodes, doc).ev, "adv").data);
    const mu = A.reduce((s, x) => s + x, 0) / A.length;
    const sd = Math.sqrt(A.reduce((s, x) => s + (x - mu) ** 2, 0) / (A.length - 1));
    expect(Math.abs(mu)).toBeLessThan(1e-14);
    expect(sd).toBeCloseTo(1, 7);
  });

  it("measures the drift D as the mean |Δ logp| over valid tokens (0 without any)", () => {
    expectTensor(result(setup(nodes, doc).ev, "drift"), ["B"], [0.25, 0.1, 0], 1e-14, "D");
  });

  it("gives the catalog's sampling weights", () => {
    const r = example("spo_stream");
    expectTensor(result(r.ev, "sample_weight"), ["B"], [0.497903, 0.497903, 0.279061, 0.497903], 1e-6, "weights");
  });

  it("checks rewards in [0, 1] and a batch of at least 2 rows at run time", () => {
    const d = exampleDoc("spo_stream");
    expectRunFails(EXAMPLE_TEXT, { ...d, reward: { dims: ["B"], data: [1, 0, 2, 0] } }, "[0, 1]");
    const one: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(d)) one[k] = { ...(v as object), data: [(v as { data: unknown[] }).data[0]] };
    expectRunFails(EXAMPLE_TEXT, one as never, "at least 2 rows");
  });
});
