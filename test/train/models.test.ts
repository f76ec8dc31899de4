// Derived models kept by the trainer (runtime/tools/train/models.ts): `frozen(policy)` is the starting policy (the same
// log-probs as r.ref_logp), an `ema` follows the policy by its decay rule after every optimizer step, a `snapshot`
// equals the policy at its steps, logprob(M, r) is computed at sampling time, the models are checkpointed, and a run
// interrupted and resumed ends bit-identical to an uninterrupted one.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinTask } from "../../runtime/tools/tasks/index.ts";
import { selectBackend, type TF } from "../../runtime/backends/tfjs/index.ts";
import { PlanError, planTraining } from "../../runtime/tools/train/plan.ts";
import { train, TRAINER_DEFAULTS, type TrainerOptions } from "../../runtime/tools/train/trainer.ts";
import { freshPolicy } from "../../runtime/tools/train/warmstart.ts";
import { compiledProgram, metricsOf } from "./helpers.ts";

const DECAY = 0.5; // large, so that one step's move is far above float32 rounding
const SOURCE = `pipeline tiny_models {
  dims P, G, T
  model ref = frozen(policy)
  model avg = ema(policy, decay=${DECAY})
  model prev = snapshot(policy, every=3)
  rollout r = sample(policy, task, group=4, max_tokens=4)
  reward R = task.score(r) + 0.1 * count(r.mask, over=T)   // a fresh policy scores 0: the length gives signal
  advantage A = group_norm(R, over=G, eps=1e-6)
  loss L = token_mean(-A * r.logp + 0.1 * kl_k3(r.logp, logprob(avg, r)), r.mask)
  metric ref_gap = token_mean(abs(logprob(ref, r) - r.ref_logp), r.mask)
  metric avg_gap = token_mean(abs(logprob(avg, r) - r.ref_logp), r.mask)
  metric prev_gap = token_mean(abs(logprob(prev, r) - logprob(policy, r)), r.mask)
}
`;

const OPTIONS: TrainerOptions = { ...TRAINER_DEFAULTS, steps: 4, seed: 7, prompts: 2, checkpointEvery: 1, heldOut: 0 };
const task = builtinTask("arith")!;
let tf: TF;
let dir: string;

beforeAll(async () => {
  tf = (await selectBackend()).tf;
  dir = mkdtempSync(join(tmpdir(), "rlp-models-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ck = (out: string, step: number): string => join(out, "checkpoints", `step-${String(step).padStart(6, "0")}`);
const bytes = (path: string, f: string): Buffer => readFileSync(join(path, f));
const weights = (path: string, f: string): Float32Array => new Float32Array(new Uint8Array(bytes(path, f)).buffer);

describe("derived models in rlp train", () => {
  const a = (): string => join(dir, "a");

  it("computes logprob(M, r) at sampling time: frozen = r.ref_logp, ema starts at it, snapshot = the policy at its steps", async () => {
    const policy = freshPolicy(tf, task, "tiny", 7);
    const result = await train({
      tf,
      program: compiledProgram("tiny_models", SOURCE),
      task,
      policy,
      options: OPTIONS,
      outDir: a(),
    });
    policy.dispose();
    expect(result.status).toBe("done");
    const gaps = metricsOf(a()).map((l) => l["metrics"] as Record<string, number>);
    expect(gaps).toHaveLength(4);
    for (const g of gaps) expect(g["ref_gap"]).toBe(0);
    // the ema starts as the starting policy, then moves with the policy
    expect(gaps[0]!["avg_gap"]).toBe(0);
    for (const g of gaps.slice(1)) expect(g["avg_gap"]!).toBeGreaterThan(1e-5);
    // prev is the policy at step 0, then at step 3: the sampler's own log-probs at steps 1 and 4 only
    expect(gaps.map((g) => g["prev_gap"] === 0)).toEqual([true, false, false, true]);
  });

  it("moves the ema by avg <- decay * avg + (1 - decay) * policy after each optimizer step; saves the snapshot", () => {
    const [e3, e4, p4] = [
      weights(ck(a(), 3), "model-avg.bin"),
      weights(ck(a(), 4), "model-avg.bin"),
      weights(ck(a(), 4), "policy.bin"),
    ];
    expect(e4.length).toBe(p4.length);
    let moved = 0;
    for (let i = 0; i < e4.length; i++) {
      const want = DECAY * e3[i]! + (1 - DECAY) * p4[i]!;
      expect(Math.abs(e4[i]! - want), `parameter value ${i}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
      if (e4[i] !== e3[i]) moved++;
    }
    expect(moved).toBeGreaterThan(e4.length / 2);
    // snapshot(every=3): taken after step 3, still the same at step 4
    expect(bytes(ck(a(), 3), "model-prev.bin").equals(bytes(ck(a(), 3), "policy.bin"))).toBe(true);
    expect(bytes(ck(a(), 4), "model-prev.bin").equals(bytes(ck(a(), 3), "policy.bin"))).toBe(true);
    expect(bytes(ck(a(), 4), "model-prev.bin").equals(bytes(ck(a(), 4), "policy.bin"))).toBe(false);
    const meta = JSON.parse(readFileSync(join(ck(a(), 4), "checkpoint.json"), "utf8")) as { options: Record<string, string> };
    expect(JSON.parse(meta.options["models"]!)).toEqual([
      { name: "ref", kind: "frozen", options: {} },
      { name: "avg", kind: "ema", options: { decay: DECAY } },
      { name: "prev", kind: "snapshot", options: { every: 3 } },
    ]);
  });

  it("resumes exactly: metrics, the policy, the ema and the snapshot", async () => {
    const out = join(dir, "b");
    const control = { stop: false };
    const p1 = freshPolicy(tf, task, "tiny", 7);
    const first = await train({
      tf,
      program: compiledProgram("tiny_models", SOURCE),
      task,
      policy: p1,
      options: OPTIONS,
      outDir: out,
      control,
      events: {
        step: (m) => {
          if (m.step === 2) control.stop = true;
        },
      },
    });
    p1.dispose();
    expect(first.steps).toBe(2);
    const p2 = freshPolicy(tf, task, "tiny", 99);
    await train({
      tf,
      program: compiledProgram("tiny_models", SOURCE),
      task,
      policy: p2,
      options: OPTIONS,
      outDir: out,
      resume: true,
    });
    p2.dispose();
    expect(metricsOf(out)).toEqual(metricsOf(a()));
    for (const f of ["policy.bin", "reference.bin", "optimizer.bin", "model-avg.bin", "model-prev.bin"]) {
      expect(bytes(ck(out, 4), f).equals(bytes(ck(a(), 4), f)), f).toBe(true);
    }
  });

  it("refuses to resume with another decay", async () => {
    const p = freshPolicy(tf, task, "tiny", 7);
    await expect(
      train({
        tf,
        program: compiledProgram("tiny_models", SOURCE.replace(`decay=${DECAY}`, "decay=0.9")),
        task,
        policy: p,
        options: { ...OPTIONS, steps: 5 },
        outDir: a(),
        resume: true,
      }),
    ).rejects.toThrow(/--resume: the checkpoint was made with models=.*"decay":0.5.*this run has models=.*"decay":0.9/);
    p.dispose();
  });

  it("rejects before training a model rlp train does not make", () => {
    const judged = compiledProgram(
      "tiny_models",
      SOURCE.replace("model prev = snapshot(policy, every=3)", 'model prev = external("judge")'),
    );
    expect(() => planTraining(judged, { group: 8, maxTokens: 8, temperature: 1 })).toThrow(PlanError);
    expect(() => planTraining(judged, { group: 8, maxTokens: 8, temperature: 1 })).toThrow(
      "logprob(prev, r): rlp train makes frozen, ema and snapshot models, not external(...) yet",
    );
  });
});
