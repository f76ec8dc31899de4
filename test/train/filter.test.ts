// `filter P by keep, max_rounds=N` (DAPO's dynamic sampling): the checker's rules, the refill on the host
// (runtime/tools/train/filter.ts) on hand-made batches, and a short DAPO run whose metrics show the refill.
import { describe, expect, it } from "vitest";
import { compileFile } from "../../compiler/index.ts";
import { compileSource, errorLines, expectDiagnostic } from "../kit/index.ts";
import type { TrainPlan } from "../../runtime/tools/train/plan.ts";
import type { RolloutBatch } from "../../runtime/tools/train/batch.ts";
import { filterBatch, roundSeed } from "../../runtime/tools/train/filter.ts";
import { builtinTask } from "../../runtime/tools/tasks/index.ts";
import { selectBackend } from "../../runtime/backends/tfjs/index.ts";
import { train, TRAINER_DEFAULTS } from "../../runtime/tools/train/trainer.ts";
import { freshPolicy } from "../../runtime/tools/train/warmstart.ts";

function check(body: string) {
  const path = "/virtual/f.rlp";
  const src = `pipeline f {\n  dims P, G, T\n  rollout r = sample(policy, task, group=4, max_tokens=4)\n  reward S = task.score(r)\n${body}\n  advantage A = grpo_advantage(S, over=G)\n  loss L = token_mean(-A * r.logp, r.mask)\n}\n`;
  return compileSource(src, { path });
}

describe("filter: the checker", () => {
  it("records the filter for the trainer", () => {
    const r = check("  filter P by dapo_keep(S, over=G), max_rounds=3");
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const p = r.programs[0]!;
    expect(p.filter).toMatchObject({ dim: "P", maxRounds: 3, rollout: "r", result: "filter.P" });
    const res = p.results.find((x) => x.name === "filter.P")!;
    expect(res.kind).toBe("filter");
    expect(p.nodes[res.node]!.type).toEqual({ dtype: "bool", dims: ["P"] });
  });

  it.each([
    ["filter G by S > 0.0", "RLP307", /keeps or drops whole prompts: filter P/],
    ["filter P by S > 0.0", "RLP209", /must be one bool per prompt, bool\[P\], but it is bool\[P,G\]/],
    ["filter P by count(S, over=G)", "RLP209", /bool\[P\], but it is f32\[P\]/],
    ["filter P by dapo_keep(S, over=G), max_rounds=0", "RLP207", /max_rounds= of 'filter' must be a whole number >= 1/],
    ["filter P by dapo_keep(S, over=G)\n  filter P by dapo_keep(S, over=G)", "RLP307", /filters its prompts once/],
    ["filter P by dapo_keep(S, over=G), rounds=2", "RLP107", /filter has no parameter 'rounds'/],
  ])("%s -> %s", (body, code, message) => {
    const errs = check(`  ${body}`).diagnostics.filter((d) => d.severity === "error");
    expect(errs.map((d) => d.code)).toEqual([code]);
    expect(errs[0]!.message).toMatch(message);
  });

  it("needs a sampled rollout", () => {
    const path = "/virtual/g.rlp";
    const src = "pipeline g {\n  dims P\n  input x: f32[P] @policy\n  filter P by x > 0.0\n  loss L = mean(x, over=P)\n}\n";
    expect(errorLines(src, path).map((l) => l.split(" ")[0])).toEqual(["RLP307"]);
    expectDiagnostic(src, "RLP307", 4, 3, path);
  });
});

/** A batch of P prompts (group 2, one token) whose ids are `ids`, with a per-prompt host tensor and scores. */
function fakeBatch(ids: number[]): RolloutBatch {
  const G = 2,
    P = ids.length;
  const f = (dims: string[], shape: number[], data: number[]) => ({
    dtype: "f32" as const,
    dims,
    shape,
    data: Float64Array.from(data),
  });
  return {
    prompts: ids.map((id) => ({ id, text: String(id), tokens: [1, id] })),
    rows: ids.flatMap((id) => [
      [1, id],
      [1, id],
    ]),
    group: G,
    responses: {
      n: P * G,
      length: 1,
      tokens: Int32Array.from(ids.flatMap((id) => [id, id])),
      mask: new Uint8Array(P * G).fill(1),
    },
    texts: ids.flatMap((id) => [String(id), String(id)]),
    temperature: 1,
    host: {
      "r.score": f(
        ["P", "G"],
        [P, G],
        ids.flatMap((id) => [id, id + 0.5]),
      ),
      shared: f([], [], [7]),
    },
    wrtValue: f(
      ["P", "G", "T"],
      [P, G, 1],
      ids.flatMap((id) => [-id, -id]),
    ),
    time: { rollout_s: 1, reward_s: 0.5 },
    scores: Float64Array.from(ids.flatMap((id) => [id, id + 0.5])),
    correct: new Uint8Array(P * G),
    entropy: 1,
    kl: 0,
    tokens: P * G,
  };
}

const PLAN = { rollout: { dims: { prompts: "P", group: "G", tokens: "T" } } } as unknown as TrainPlan;

describe("filter: the refill", () => {
  // round k samples prompts 10k .. 10k+3; even ids pass
  const sample = (round: number) => fakeBatch([0, 1, 2, 3].map((j) => 10 * round + j));
  const keepEven = (b: RolloutBatch) => b.prompts.map((p) => (p.id % 2 === 0 ? 1 : 0));

  it("keeps passing prompts in order across rounds until P pass, with every per-prompt tensor", () => {
    const out = filterBatch(PLAN, 4, 5, sample, keepEven);
    expect(out.rounds).toBe(2);
    expect(out.kept).toBe(4);
    expect(out.batch.prompts.map((p) => p.id)).toEqual([0, 2, 10, 12]);
    expect(Array.from(out.batch.host["r.score"]!.data)).toEqual([0, 0.5, 2, 2.5, 10, 10.5, 12, 12.5]);
    expect(out.batch.host["r.score"]!.shape).toEqual([4, 2]);
    expect(Array.from(out.batch.wrtValue.data)).toEqual([-0, -0, -2, -2, -10, -10, -12, -12]);
    expect(Array.from(out.batch.responses.tokens)).toEqual([0, 0, 2, 2, 10, 10, 12, 12]);
    expect(out.batch.rows).toHaveLength(8);
    expect(out.batch.host["shared"]!.data[0]).toBe(7);
    expect(out.batch.time.rollout_s).toBe(2);
  });

  it("fills with prompts that did not pass when the rounds run out", () => {
    const out = filterBatch(PLAN, 4, 1, sample, keepEven);
    expect(out.rounds).toBe(1);
    expect(out.kept).toBe(2);
    expect(out.batch.prompts.map((p) => p.id)).toEqual([0, 2, 1, 3]);
  });

  it("returns the first batch itself when all of it passes", () => {
    const first = sample(0);
    const out = filterBatch(
      PLAN,
      4,
      3,
      () => first,
      () => [1, 1, 1, 1],
    );
    expect(out.batch).toBe(first);
    expect(out.rounds).toBe(1);
  });

  it("draws each round from a seed of its own", () => {
    expect(roundSeed(5, 0)).toBe(5);
    expect(new Set([0, 1, 2, 3].map((k) => roundSeed(5, k))).size).toBe(4);
  });
});

describe("filter: training", () => {
  it("a DAPO step trains on the refilled batch and reports the rounds", async () => {
    const compiled = compileFile("examples/train_dapo.rlp");
    const program = compiled.programs[0]!;
    expect(program.filter?.maxRounds).toBe(4);
    const { tf } = await selectBackend();
    const task = builtinTask("sort")!;
    const result = await train({
      tf,
      program,
      task,
      policy: freshPolicy(tf, task, "tiny", 2),
      options: { ...TRAINER_DEFAULTS, steps: 2, seed: 2, prompts: 4, heldOut: 0, checkpointEvery: 0 },
    });
    const m = result.last!.metrics;
    expect(m["filter_rounds"]).toBeGreaterThanOrEqual(1);
    expect(m["filter_rounds"]).toBeLessThanOrEqual(4);
    // keep evaluated on the batch the step trained on agrees with what the refill found
    expect(m["kept_frac"]).toBeCloseTo(m["filter_kept"]!, 12);
    expect(Number.isFinite(result.last!.loss)).toBe(true);
  }, 60_000);
});
