// The trainer with a second rollout on the first's prompts (runtime/tools/train/second_rollout.ts): the greedy rollout is
// ReMax's baseline — sampled on the same prompts, greedily, scored by the task, fed to the compiled stage as g.FIELD
// — its draws are a stream of their own, a tiny ReMax run trains and logs the greedy score, and resume stays exact.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinTask } from "../../runtime/tools/tasks/index.ts";
import { runTfjs, selectBackend, type TF } from "../../runtime/backends/tfjs/index.ts";
import { makeBatch } from "../../runtime/tools/train/batch.ts";
import { latestCheckpoint } from "../../runtime/tools/train/checkpoint.ts";
import { filterBatch, roundSeed } from "../../runtime/tools/train/filter.ts";
import { planTraining } from "../../runtime/tools/train/plan.ts";
import { freshPolicy } from "../../runtime/tools/train/warmstart.ts";
import { train, TRAINER_DEFAULTS, type TrainerOptions } from "../../runtime/tools/train/trainer.ts";
import { compiledProgram, metricsOf } from "./helpers.ts";

/** ReMax as in examples/train_remax.rlp, tiny; `SECOND` is the second rollout's options. */
const remax = (second: string): string => `pipeline tiny_remax {
  dims P, G, T
  rollout r = sample(policy, task, group=3, max_tokens=4, temperature=1.0)
  rollout g = sample(policy, task, prompts=r, ${second}, dims=[Gg, Tg])
  reward R = task.score(r)
  reward Rg = task.score(g)
  reward tr = kl_shaped_reward(R, r.mask, r.old_logp, r.ref_logp, beta=0.001, kind=k1)
  advantage A = remax_advantage(tr, mean(Rg, over=Gg), r.mask)
  loss L = token_mean(reinforce_loss(r.logp, A), r.mask)
  metric greedy_reward = mean(Rg, over=[P, Gg])
  metric greedy_len = mean(sum(f32(g.mask), over=Tg), over=[P, Gg])
}
`;
const GREEDY = remax("group=1, max_tokens=4, temperature=0.0");
const SAMPLED = remax("group=3, max_tokens=4, temperature=1.0");

const OPTIONS: TrainerOptions = {
  ...TRAINER_DEFAULTS,
  steps: 4,
  seed: 7,
  prompts: 4,
  checkpointEvery: 2,
  heldOut: 8,
  updatesPerBatch: 1,
  minibatches: 2,
};
const task = builtinTask("arith")!;
const sort = builtinTask("sort")!;
let tf: TF;
let dir: string;

beforeAll(async () => {
  tf = (await selectBackend()).tf;
  dir = mkdtempSync(join(tmpdir(), "rlp-second-rollout-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a second rollout in the trainer", () => {
  it("samples the first rollout's prompts greedily and scores them: g.tokens, g.mask, g.score", () => {
    const program = compiledProgram("greedy", GREEDY);
    const plan = planTraining(program, { group: 8, maxTokens: 4, temperature: 1 });
    expect(plan.second?.rollout.name).toBe("g");
    expect(Object.keys(plan.second!.inputs).sort()).toEqual(["mask", "score"]);
    const policy = freshPolicy(tf, sort, "tiny", 1);
    const reference = policy.frozenCopy();
    const b = makeBatch(tf, plan, policy, reference, sort, { seed: 7, step: 1, prompts: 4 });
    const score = b.host["g.score"]!,
      mask = b.host["g.mask"]!;
    expect(score.dims).toEqual(["P", "Gg"]);
    expect(score.shape).toEqual([4, 1]);
    expect(mask.shape).toEqual([4, 1, 4]);
    // the greedy answers to the same prompts, decoded independently (temperature 0: the argmax, whatever the seed)
    const greedy = policy.sample(
      b.prompts.map((p) => p.tokens),
      { seed: 12345, step: 99, temperature: 0, maxTokens: 4 },
    );
    expect(Array.from(mask.data)).toEqual(Array.from(greedy.mask));
    const want = b.prompts.map((p, i) => sort.score(p, sort.vocab.decode(greedy.tokens.subarray(i * 4, (i + 1) * 4))));
    expect(Array.from(score.data)).toEqual(want);
    expect(b.time.rollout_s).toBeGreaterThan(0);
    // the compiled stage's advantage is the reward-to-go minus the greedy score (no KL: the reference is the policy)
    const pre = runTfjs(tf, program, { ...b.host, "r.logp": b.wrtValue }).results;
    const A = pre["A"]!,
      R = b.host["r.score"]!,
      rmask = b.host["r.mask"]!;
    expect(A.dims).toEqual(["P", "G", "T"]);
    expect(
      want.some((x) => x !== 0),
      "a greedy score is not 0 (sort gives partial credit)",
    ).toBe(true);
    for (let k = 0; k < A.data.length; k++) {
      const pg = Math.floor(k / 4),
        p = Math.floor(pg / 3);
      expect(A.data[k]!).toBeCloseTo(rmask.data[k] ? R.data[pg]! - want[p]! : 0, 5);
    }
    reference.dispose();
    policy.dispose();
  });

  it("draws from a stream of its own: a sampled second rollout like the first does not repeat its tokens", () => {
    const program = compiledProgram(
      "sampled",
      SAMPLED.replace("metric greedy_len", "output gt = g.tokens\n  output rt = r.tokens\n  metric greedy_len"),
    );
    const plan = planTraining(program, { group: 8, maxTokens: 4, temperature: 1 });
    const policy = freshPolicy(tf, task, "tiny", 1);
    const reference = policy.frozenCopy();
    const b = makeBatch(tf, plan, policy, reference, task, { seed: 7, step: 1, prompts: 4 });
    const again = makeBatch(tf, plan, policy, reference, task, { seed: 7, step: 1, prompts: 4 });
    expect(Array.from(b.host["g.tokens"]!.data)).toEqual(Array.from(again.host["g.tokens"]!.data)); // a function of (seed, step)
    expect(Array.from(b.host["g.tokens"]!.data)).not.toEqual(Array.from(b.host["r.tokens"]!.data));
    reference.dispose();
    policy.dispose();
  });

  it("filter P keeps each prompt's greedy answer with it when the batch is assembled from several rounds", () => {
    const program = compiledProgram(
      "filtered",
      GREEDY.replace("  reward tr", "  filter P by index(P) % 2 == 0, max_rounds=3\n  reward tr"),
    );
    const plan = planTraining(program, { group: 8, maxTokens: 4, temperature: 1 });
    const policy = freshPolicy(tf, sort, "tiny", 1);
    const reference = policy.frozenCopy();
    const sample = (round: number) =>
      makeBatch(tf, plan, policy, reference, sort, { seed: roundSeed(7, round), step: 1, prompts: 4 });
    const keep = (b: ReturnType<typeof sample>) =>
      runTfjs(tf, program, { ...b.host, "r.logp": b.wrtValue }).results[program.filter!.result]!.data;
    const out = filterBatch(plan, 4, 3, sample, keep);
    expect(out.rounds).toBe(2); // half of each round's prompts pass
    const b = out.batch;
    const greedy = policy.sample(
      b.prompts.map((p) => p.tokens),
      { seed: 0, step: 0, temperature: 0, maxTokens: 4 },
    );
    const want = b.prompts.map((p, i) => sort.score(p, sort.vocab.decode(greedy.tokens.subarray(i * 4, (i + 1) * 4))));
    expect(Array.from(b.host["g.score"]!.data)).toEqual(want);
    expect(Array.from(b.host["g.mask"]!.data)).toEqual(Array.from(greedy.mask));
    reference.dispose();
    policy.dispose();
  });

  it("trains a tiny ReMax run (the greedy score is logged) and resumes it exactly", async () => {
    const program = compiledProgram("tiny_remax", GREEDY);
    const full = join(dir, "full");
    const p1 = freshPolicy(tf, task, "tiny", 3);
    const a = await train({ tf, program, task, policy: p1, options: OPTIONS, outDir: full });
    expect(a.status).toBe("done");
    const steps = metricsOf(full).filter((l) => l["event"] === undefined);
    expect(steps).toHaveLength(4);
    for (const l of steps) {
      const m = l["metrics"] as Record<string, number>;
      expect(m["greedy_reward"]).toBeGreaterThanOrEqual(0);
      expect(m["greedy_reward"]).toBeLessThanOrEqual(1);
      expect(m["greedy_len"]).toBeGreaterThan(0);
      expect(Number.isFinite(l["loss"])).toBe(true);
    }
    p1.dispose();

    const cut = join(dir, "cut");
    const control = { stop: false };
    const p2 = freshPolicy(tf, task, "tiny", 3);
    const first = await train({
      tf,
      program,
      task,
      policy: p2,
      options: OPTIONS,
      outDir: cut,
      control,
      events: {
        step: (m) => {
          if (m.step === 1) control.stop = true;
        },
      },
    });
    expect(first.status).toBe("interrupted");
    p2.dispose();
    const p3 = freshPolicy(tf, task, "tiny", 99);
    const second = await train({ tf, program, task, policy: p3, options: OPTIONS, outDir: cut, resume: true });
    expect(second.status).toBe("done");
    expect(metricsOf(cut)).toEqual(metricsOf(full));
    expect(
      readFileSync(join(latestCheckpoint(cut)!, "policy.bin")).equals(readFileSync(join(latestCheckpoint(full)!, "policy.bin"))),
    ).toBe(true);
    p3.dispose();
    // the second rollout's options are part of the run's identity
    const other = compiledProgram("tiny_remax", remax("group=1, max_tokens=3, temperature=0.0"));
    const p4 = freshPolicy(tf, task, "tiny", 3);
    await expect(train({ tf, program: other, task, policy: p4, options: OPTIONS, outDir: full, resume: true })).rejects.toThrow(
      /--resume: the checkpoint was made with second_rollout=/,
    );
    p4.dispose();
  }, 120_000);
});
