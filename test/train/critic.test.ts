// Training with a critic (PPO): the trainer makes a critic when the pipeline reads r.values (@critic), routes each
// loss's gradient to the model(s) it trains (`loss L for M`), gives the critic its own Adam, checkpoints both models
// and both optimizers, and a run interrupted and resumed ends bit-identical to an uninterrupted one.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinTask } from "../../runtime/tools/tasks/index.ts";
import { selectBackend, type TF } from "../../runtime/backends/tfjs/index.ts";
import { latestCheckpoint } from "../../runtime/tools/train/checkpoint.ts";
import { train, TRAINER_DEFAULTS, type TrainerOptions } from "../../runtime/tools/train/trainer.ts";
import { freshPolicy } from "../../runtime/tools/train/warmstart.ts";
import { compiledProgram, metricsOf } from "./helpers.ts";

const PPO = (losses: string): string => `pipeline tiny_ppo {
  dims P, G, T
  rollout r = sample(policy, task, group=4, max_tokens=4)
  reward R = task.score(r) + 0.1 * count(r.mask, over=T)   // a fresh policy scores 0: the length gives signal
  reward tr = kl_shaped_reward(R, r.mask, r.old_logp, r.ref_logp, beta=0.01, kind=k1)
  let adv, ret = gae(tr, r.old_values, r.mask, gamma=1.0, lam=0.95, along=T)
  advantage A = masked_whiten(adv, r.mask)
  let pg, clipped = ppo_clip(r.logp, r.old_logp, A, eps=0.2, dual_clip=3.0)
  let vl = 0.5 * token_mean(value_clip_loss(r.values, r.old_values, ret, eps=0.5), r.mask)
${losses}
  optimize critic with adam(lr=2e-3, clip=0.5)
  metric clip_frac = token_mean(f32(clipped), r.mask)
}
`;

const OPTIONS: TrainerOptions = {
  ...TRAINER_DEFAULTS,
  steps: 4,
  seed: 3,
  prompts: 2,
  checkpointEvery: 2,
  heldOut: 8,
  updatesPerBatch: 2,
  minibatches: 2,
};
const task = builtinTask("arith")!;
let tf: TF;
let dir: string;

beforeAll(async () => {
  tf = (await selectBackend()).tf;
  dir = mkdtempSync(join(tmpdir(), "rlp-critic-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (out: string, f: string): Buffer => readFileSync(join(latestCheckpoint(out)!, f));

describe("rlp train with a critic (tiny PPO)", () => {
  const split = PPO("  loss L for policy = token_mean(pg, r.mask)\n  loss L_v for critic = vl");

  it("trains both models, checkpoints the critic and its optimizer, reports the time split", async () => {
    const out = join(dir, "a");
    const policy = freshPolicy(tf, task, "tiny", 3);
    const result = await train({ tf, program: compiledProgram("split", split), task, policy, options: OPTIONS, outDir: out });
    expect(result.status).toBe("done");
    const steps = readFileSync(join(out, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l["event"] === undefined);
    expect(steps).toHaveLength(4);
    expect(steps.some((l) => (l["critic_grad_norm"] as number) > 0)).toBe(true);
    for (const l of steps) {
      expect(Object.keys(l["losses"] as object)).toEqual(["L", "L_v"]);
      expect(l["critic_grad_norm"] as number).toBeGreaterThanOrEqual(0);
      const t = l["time_s"] as Record<string, number>;
      expect(Object.keys(t)).toEqual(["rollout", "reward", "loss", "model"]);
      for (const v of Object.values(t)) expect(v).toBeGreaterThanOrEqual(0);
      expect(t["model"]!).toBeGreaterThan(0);
    }
    const ck = latestCheckpoint(out)!;
    const meta = JSON.parse(readFileSync(join(ck, "checkpoint.json"), "utf8")) as {
      criticOptimizer: { t: number };
      options: Record<string, unknown>;
    };
    expect(meta.criticOptimizer.t).toBe(4 * 2 * 2); // steps x updates x minibatches
    expect(meta.options["critic_lr"]).toBe(2e-3);
    // the value head starts at zero: after training it is not
    const critic = JSON.parse(readFileSync(join(ck, "critic.json"), "utf8")) as {
      params: { name: string; offset: number; length: number }[];
    };
    const head = critic.params.find((p) => p.name === "value.w")!;
    const w = new Float32Array(new Uint8Array(bytes(out, "critic.bin")).buffer).subarray(head.offset, head.offset + head.length);
    expect(w.some((x) => x !== 0)).toBe(true);
    policy.dispose();
  });

  it("resumes exactly: metrics, both models and both optimizers", async () => {
    const out = join(dir, "b");
    const control = { stop: false };
    const p1 = freshPolicy(tf, task, "tiny", 3);
    const first = await train({
      tf,
      program: compiledProgram("split", split),
      task,
      policy: p1,
      options: OPTIONS,
      outDir: out,
      control,
      events: {
        step: (m) => {
          if (m.step === 1) control.stop = true;
        },
      },
    });
    expect(first.steps).toBe(1);
    p1.dispose();
    const p2 = freshPolicy(tf, task, "tiny", 99);
    await train({ tf, program: compiledProgram("split", split), task, policy: p2, options: OPTIONS, outDir: out, resume: true });
    expect(metricsOf(out)).toEqual(metricsOf(join(dir, "a")));
    for (const f of ["policy.bin", "critic.bin", "optimizer.bin", "critic_optimizer.bin"])
      expect(bytes(out, f).equals(bytes(join(dir, "a"), f)), f).toBe(true);
    p2.dispose();
  });

  it("routes gradients: 'loss J for critic' gives the policy nothing; a plain J trains both", async () => {
    const one = { ...OPTIONS, steps: 1, heldOut: 0 };
    const run = async (name: string, losses: string): Promise<string> => {
      const out = join(dir, name);
      const p = freshPolicy(tf, task, "tiny", 3);
      await train({ tf, program: compiledProgram(name, PPO(losses)), task, policy: p, options: one, outDir: out });
      p.dispose();
      return out;
    };
    // J reaches the policy too (through r.logp), in another direction than L
    const routed = await run(
      "routed",
      "  loss L for policy = token_mean(pg, r.mask)\n  loss J for critic = vl + token_mean(-r.logp, r.mask)",
    );
    const plain = await run("plain", "  loss L for policy = token_mean(pg, r.mask)\n  loss J = vl + token_mean(-r.logp, r.mask)");
    const a = join(dir, "a1");
    await run("a1", "  loss L for policy = token_mean(pg, r.mask)\n  loss L_v for critic = vl");
    expect(bytes(routed, "policy.bin").equals(bytes(a, "policy.bin"))).toBe(true);
    expect(bytes(routed, "critic.bin").equals(bytes(a, "critic.bin"))).toBe(true);
    expect(bytes(plain, "policy.bin").equals(bytes(a, "policy.bin"))).toBe(false); // L's gradient plus -logp's
  });
});
