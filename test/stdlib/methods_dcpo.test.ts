// PG.DCPO (examples/dcpo.rlp; std dcpo_sas, dcpo_clip_bounds, ppo_clip_bounds): the smooth advantage standardisation
// over three steps of one prompt with the per-prompt state threaded between steps (the catalog's SAS example), state
// kept apart per prompt id, the reduction to the GRPO advantage when the state is reset, the dynamic bounds at their
// limits, and the reduction to DAPO's loss with fixed bounds.
import { describe, expect, it } from "vitest";
import type { StateValue } from "../../runtime/library/ops/state.ts";
import { expectPrinted } from "./harness.ts";
import {
  example,
  exampleDoc,
  expectAllClose,
  expectGradCheck,
  grad,
  nextState,
  randomBatch,
  res,
  runDoc,
  runText,
  scalar,
} from "./methods_helpers.ts";

const PG_ = ["P", "G"];
const PGT = ["P", "G", "T"];

function table(state: Record<string, StateValue>, name: string, key: number): number | undefined {
  const t = state[name];
  expect(t instanceof Map, `${name} is a keyed table`).toBe(true);
  return (t as Map<number, number>).get(key);
}

describe("PG.DCPO", () => {
  it("SAS over three visits of one prompt gives the catalog's advantages and cumulative statistics", () => {
    const program = example("dcpo");
    const doc = exampleDoc("dcpo");
    const steps = [
      { r: [1, 0, 0, 0], A: [1.5, -0.5, -0.5, -0.5], mu: 0.25, sd: 0.5 },
      { r: [1, 1, 1, 0], A: [0.697214, 0.697214, 0.697214, -1.19721], mu: 0.5, sd: 0.559017 },
      { r: [1, 1, 1, 1], A: [0.216295, 0.216295, 0.216295, 0.216295], mu: 0.666667, sd: 0.513701 },
    ];
    let state: Record<string, StateValue> = {};
    steps.forEach((s, i) => {
      const run = runDoc(program, { ...doc, reward: { dims: PG_, data: [s.r] } }, state);
      res(run.ev, "A", PG_).forEach((a, g) => expectPrinted(a, s.A[g]!, `step ${i + 1} A[${g}]`));
      state = nextState(state, run.ev);
      expect(table(state, "times", 7)).toBe(i + 1);
      expectPrinted(table(state, "mean_total", 7)!, s.mu, `step ${i + 1} mu_tot`);
      expectPrinted(table(state, "std_total", 7)!, s.sd, `step ${i + 1} sigma_tot`);
      expectGradCheck(run, "L", "logp");
    });
    // step 3: the group has zero variance, so A = Â_tot / 3 = 0.648886 / 3
    expect(0.648886 / 3).toBeCloseTo(0.216295, 6);
  });

  it("keeps the state of each prompt id apart, and a prompt never seen reads the initial values", () => {
    const program = example("dcpo");
    const doc = exampleDoc("dcpo");
    const s1 = runDoc(program, { ...doc, reward: { dims: PG_, data: [[1, 0, 0, 0]] } });
    // a different prompt id on step 2: its first visit, so its advantage is the plain standardised one
    const two = runDoc(
      program,
      { ...doc, reward: { dims: PG_, data: [[1, 1, 1, 0]] }, prompt_id: { dims: ["P"], data: [8] } },
      nextState({}, s1.ev),
    );
    expectAllClose(res(two.ev, "A", PG_), [0.5, 0.5, 0.5, -1.5], 1e-12, "first visit of prompt 8");
    const state = nextState(nextState({}, s1.ev), two.ev);
    expect(table(state, "times", 7)).toBe(1);
    expect(table(state, "times", 8)).toBe(1);
    expect(table(state, "mean_total", 7)).toBeCloseTo(0.25, 15);
    expect(table(state, "mean_total", 8)).toBeCloseTo(0.75, 15);
  });

  it("handles several prompts in one batch, each with its own history", () => {
    const program = example("dcpo");
    const b = randomBatch(50, 2, 4, 3, true);
    b.reward = {
      dims: PG_,
      data: [
        [1, 0, 0, 0],
        [0, 1, 1, 0],
      ],
    };
    const ids = { dims: ["P"], data: [7, 9] };
    const s1 = runDoc(program, { logp: b.logp, old_logp: b.old_logp, mask: b.mask, reward: b.reward, prompt_id: ids });
    const s2 = runDoc(
      program,
      {
        logp: b.logp,
        old_logp: b.old_logp,
        mask: b.mask,
        reward: {
          dims: PG_,
          data: [
            [1, 1, 1, 0],
            [0, 1, 1, 0],
          ],
        },
        prompt_id: ids,
      },
      nextState({}, s1.ev),
    );
    // prompt 7 follows the catalog's step 2; prompt 9 sees the same rewards twice: Â_new = Â_tot, so A = Â_new
    const A = res(s2.ev, "A", PG_);
    A.slice(0, 4).forEach((a, g) => expectPrinted(a, [0.697214, 0.697214, 0.697214, -1.19721][g]!, `prompt 7 A[${g}]`));
    const sd = Math.sqrt(1 / 3);
    expectAllClose(A.slice(4), [-0.5 / sd, 0.5 / sd, 0.5 / sd, -0.5 / sd], 1e-12, "prompt 9");
  });

  it("reduces to the GRPO advantage without eps when the state is reset every step (i = 1)", () => {
    const b = randomBatch(51, 3, 5, 2);
    const run = runText(
      `pipeline t {
  dims P, G
  input r: f32[P,G]
  let a, mu, sd = dcpo_sas(r, 0.0, 0.0, 0.0, over=G)
  output A = a
  output grpo = group_norm(r, over=G, eps=0.0)
  let c, mu2, sd2 = dcpo_sas(r, 0.0, 0.0, 0.0, over=G, norm_by_std=false)
  output centred = c
  output dr = group_center(r, over=G)
}`,
      { r: b.reward },
    );
    expectAllClose(res(run.ev, "A", PG_), res(run.ev, "grpo", PG_), 1e-12, "A");
    expectAllClose(res(run.ev, "centred", PG_), res(run.ev, "dr", PG_), 1e-15, "A without std");
  });

  it("has the catalog's dynamic bounds, which tend to [0.5, cap] for a rare token", () => {
    const run = runText(
      `pipeline t {
  dims B
  input old_logp: f32[B]
  let lo, hi = dcpo_clip_bounds(old_logp)
  output l = lo
  output h = hi
  let lo3, hi3 = dcpo_clip_bounds(old_logp, dual_clip=30.0)
  output h3 = hi3
}`,
      { old_logp: { dims: ["B"], data: [-0.2, -1.0, -30.0, 0.0] } },
    );
    const q = [-0.2, -1.0, -30.0, 0.0].map(Math.exp);
    expectAllClose(
      res(run.ev, "l", ["B"]),
      q.map((x) => 0.5 + 0.5 * Math.sqrt(Math.max(1 - 0.8 / x, 0))),
      1e-15,
      "lo",
    );
    expectAllClose(
      res(run.ev, "h", ["B"]),
      q.map((x) => Math.min(0.5 + 0.5 * Math.sqrt(1 + 1.12 / x), 10)),
      1e-15,
      "hi",
    );
    expect(res(run.ev, "l", ["B"])[2]).toBe(0.5);
    expect(res(run.ev, "h", ["B"])[2]).toBe(10); // the cap max(c, 10)
    expect(res(run.ev, "h3", ["B"])[2]).toBe(30);
  });

  it("with fixed bounds [1 − eps_low, 1 + eps_high] is DAPO's loss (PPO-clip with clip-higher and dual clip)", () => {
    const b = randomBatch(52, 2, 4, 4);
    const run = runText(
      `pipeline t {
  dims P, G, T
  input logp: f32[P,G,T] @policy
  input old_logp: f32[P,G,T]
  input mask: bool[P,G,T]
  input reward: f32[P,G]
  advantage A = group_norm(reward, over=G)
  let a, _ = ppo_clip_bounds(logp, old_logp, A, 0.8, 1.28, dual_clip=10.0)
  let b, _ = ppo_clip(logp, old_logp, A, eps_low=0.2, eps_high=0.28, dual_clip=10.0)
  loss La = token_mean(a, mask)
  loss Lb = token_mean(b, mask)
}`,
      { logp: b.logp, old_logp: b.old_logp, mask: b.mask, reward: b.reward },
    );
    expect(scalar(run.ev, "La")).toBe(scalar(run.ev, "Lb"));
    expectAllClose(grad(run, "La", "logp", PGT), grad(run, "Lb", "logp", PGT), 0, "gradient");
  });

  it("SAS without std normalisation works on r − μ", () => {
    const program = example("dcpo", { norm_by_std: false });
    const doc = exampleDoc("dcpo");
    const s1 = runDoc(program, doc);
    expectAllClose(res(s1.ev, "A", PG_), [0.75, -0.25, -0.25, -0.25], 1e-15, "step 1");
    const s2 = runDoc(program, { ...doc, reward: { dims: PG_, data: [[1, 1, 1, 0]] } }, nextState({}, s1.ev));
    // Â_new = r − 0.75, Â_tot = r − 0.5; i = 2: both blends are their mean r − 0.625
    expectAllClose(res(s2.ev, "A", PG_), [0.375, 0.375, 0.375, -0.625], 1e-15, "step 2");
  });
});
