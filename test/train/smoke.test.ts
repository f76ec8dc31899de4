// CI smoke test of `rlp train`: a few GRPO steps on a tiny configuration (finite loss and metrics, a checkpoint that
// loads), exact resume (a run interrupted after a checkpoint and resumed ends bit-identical to an uninterrupted one:
// in process via the Ctrl-C path, and through the CLI with a real SIGKILL), and a non-finite advantage stopping the
// run with a message naming the step and the tensor while the last good checkpoint is kept.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { loadPolicy } from "../../runtime/tools/policy/index.ts";
import { builtinTask } from "../../runtime/tools/tasks/index.ts";
import { selectBackend, type TF } from "../../runtime/backends/tfjs/index.ts";
import { latestCheckpoint } from "../../runtime/tools/train/checkpoint.ts";
import { freshPolicy } from "../../runtime/tools/train/warmstart.ts";
import { NonFiniteError, train, TRAINER_DEFAULTS, type TrainerOptions } from "../../runtime/tools/train/trainer.ts";
import { compiledProgram, metricsOf } from "./helpers.ts";

const TINY_GRPO = `pipeline tiny_grpo {
  dims P, G, T
  rollout r = sample(policy, task, group=4, max_tokens=4)
  reward R = task.score(r)
  advantage A = group_norm(R, over=G)
  let pg, clipped = ppo_clip(r.logp, r.old_logp, A, eps=0.2)
  loss L = token_mean(pg + 0.04 * kl_k3(r.logp, r.ref_logp), r.mask)
  metric clip_frac = token_mean(f32(clipped), r.mask)
  state seen: table f32 = 0.0                        // keyed state: restored on resume, or the metric below differs
  update seen[r.prompt_id] = seen[r.prompt_id] + 1.0
  metric mean_seen = mean(seen[r.prompt_id], over=P)
}
`;

const NAN_AT_3 = `pipeline nan_at_3 {
  dims P, G, T
  state n: f32 = 0.0
  rollout r = sample(policy, task, group=4, max_tokens=4)
  reward R = task.score(r)
  advantage A = (R + 1.0) / (2.0 - n)          // n = 2 at step 3: division by zero
  update n = n + 1.0
  loss L = token_mean(-A * r.logp, r.mask)
}
`;

const OPTIONS: TrainerOptions = {
  ...TRAINER_DEFAULTS,
  steps: 4,
  seed: 3,
  prompts: 2,
  checkpointEvery: 2,
  heldOut: 16,
  updatesPerBatch: 2,
  minibatches: 2,
};

let tf: TF;
let dir: string;
const task = builtinTask("arith")!;

beforeAll(async () => {
  tf = (await selectBackend()).tf;
  dir = mkdtempSync(join(tmpdir(), "rlp-train-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("rlp train (tiny GRPO)", () => {
  const program = (): IRProgram => compiledProgram("tiny_grpo", TINY_GRPO);

  it("trains a few steps: finite loss and metrics, a checkpoint that loads", async () => {
    const out = join(dir, "a");
    const policy = freshPolicy(tf, task, "tiny", 3);
    const result = await train({ tf, program: program(), task, policy, options: OPTIONS, outDir: out });
    expect(result.status).toBe("done");
    expect(result.steps).toBe(4);
    const lines = metricsOf(out);
    const steps = lines.filter((l) => l["event"] === undefined);
    expect(steps.map((l) => l["step"])).toEqual([1, 2, 3, 4]);
    for (const l of steps) {
      for (const k of ["loss", "reward", "accuracy", "kl", "entropy", "grad_norm", "response_len"])
        expect(Number.isFinite(l[k]), `${k} at step ${String(l["step"])}`).toBe(true);
      expect(Number.isFinite((l["metrics"] as Record<string, number>)["clip_frac"])).toBe(true);
    }
    expect(lines.filter((l) => l["event"] === "eval").map((l) => l["step"])).toEqual([0, 4]);
    const ck = latestCheckpoint(out)!;
    expect(ck).toMatch(/step-000004$/);
    const meta = JSON.parse(readFileSync(join(ck, "checkpoint.json"), "utf8")) as {
      state: { seen: [number, number][] };
      rng: unknown;
    };
    expect(meta.state.seen.reduce((a, [, v]) => a + v, 0)).toBe(4 * OPTIONS.prompts);
    expect(meta.rng).toEqual({ seed: 3, nextStep: 5 });
    const loaded = loadPolicy(tf, join(ck, "policy"));
    const a = policy.parameters().map((p) => Array.from(p.variable.dataSync()));
    const b = loaded.parameters().map((p) => Array.from(p.variable.dataSync()));
    expect(b).toEqual(a);
    loaded.dispose();
    policy.dispose();
  });

  it("resumes exactly after an interruption (Ctrl-C path)", async () => {
    const out = join(dir, "b");
    const control = { stop: false };
    const p1 = freshPolicy(tf, task, "tiny", 3);
    const first = await train({
      tf,
      program: program(),
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
    expect(first.status).toBe("interrupted");
    expect(first.steps).toBe(1);
    p1.dispose();
    const p2 = freshPolicy(tf, task, "tiny", 99); // other initial weights: the checkpoint's must replace them
    const second = await train({ tf, program: program(), task, policy: p2, options: OPTIONS, outDir: out, resume: true });
    expect(second.status).toBe("done");
    expect(metricsOf(out)).toEqual(metricsOf(join(dir, "a")));
    for (const f of ["policy.bin", "reference.bin", "optimizer.bin"]) {
      expect(
        readFileSync(join(latestCheckpoint(out)!, f)).equals(readFileSync(join(latestCheckpoint(join(dir, "a"))!, f))),
        f,
      ).toBe(true);
    }
    p2.dispose();
  });

  it("refuses to overwrite a run without --resume, and a resume with other options", async () => {
    const p = freshPolicy(tf, task, "tiny", 3);
    await expect(train({ tf, program: program(), task, policy: p, options: OPTIONS, outDir: join(dir, "a") })).rejects.toThrow(
      /already holds a run .* pass --resume/,
    );
    await expect(
      train({ tf, program: program(), task, policy: p, options: { ...OPTIONS, seed: 4 }, outDir: join(dir, "a"), resume: true }),
    ).rejects.toThrow(/--resume: the checkpoint was made with seed=3, this run has seed=4/);
    p.dispose();
  });

  it("stops on a non-finite advantage, naming the step and the tensor, keeping the last good checkpoint", async () => {
    const out = join(dir, "nan");
    const p = freshPolicy(tf, task, "tiny", 3);
    const run = train({
      tf,
      program: compiledProgram("nan_at_3", NAN_AT_3),
      task,
      policy: p,
      options: { ...OPTIONS, checkpointEvery: 1, updatesPerBatch: 1, minibatches: 1 },
      outDir: out,
    });
    await expect(run).rejects.toThrow(NonFiniteError);
    await expect(run).rejects.toThrow(
      /^step 3: advantage 'A' is not finite \((NaN|\+inf) at flat index \d+\); stopped without applying this step's update/,
    );
    expect(latestCheckpoint(out)).toMatch(/step-000002$/);
    p.dispose();
  });
});

describe("rlp train on the command line", () => {
  const cli = (
    args: string[],
    env: Record<string, string> = {},
  ): { status: number | null; signal: string | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, ["bin/rlp.mjs", "train", ...args], {
      encoding: "utf8",
      env: { ...process.env, RLP_CACHE: join(dir, "cache"), ...env },
    });
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  };
  const base = [
    "examples/train_grpo.rlp",
    "--size",
    "tiny",
    "--init",
    "none",
    "--steps",
    "3",
    "--prompts",
    "2",
    "--held-out",
    "8",
    "--checkpoint-every",
    "1",
    "--seed",
    "5",
  ];

  it("resumes bit-identically after SIGKILL", () => {
    const full = join(dir, "cli-full"),
      killed = join(dir, "cli-killed");
    const a = cli([...base, "--out", full, "--no-report"]);
    expect(a.stderr).toBe("");
    expect(a.status).toBe(0);
    const k = cli([...base, "--out", killed, "--no-report"], { RLP_TRAIN_KILL_AFTER_CHECKPOINT: "2" });
    expect(k.signal).toBe("SIGKILL");
    expect(latestCheckpoint(killed)).toMatch(/step-000002$/);
    const r = cli([...base, "--out", killed, "--resume"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/resuming from .*step-000002 \(step 2\)/);
    expect(r.stdout).toMatch(/held-out accuracy: [\d.]+% before -> [\d.]+% after/);
    expect(metricsOf(killed)).toEqual(metricsOf(full));
    expect(
      readFileSync(join(latestCheckpoint(killed)!, "policy.bin")).equals(
        readFileSync(join(latestCheckpoint(full)!, "policy.bin")),
      ),
    ).toBe(true);
    const html = readFileSync(join(killed, "report.html"), "utf8");
    expect(html).toContain("uPlot");
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<script[^>]+src=/);
  }, 120_000);

  it("on Ctrl-C (SIGINT) finishes the step, writes a checkpoint, exits 130; --resume ends as an uninterrupted run", async () => {
    // checkpoints only at the end (every 25 steps): the one found after the interruption is the Ctrl-C checkpoint
    const args = [
      "examples/train_grpo.rlp",
      "--size",
      "tiny",
      "--init",
      "none",
      "--steps",
      "12",
      "--prompts",
      "2",
      "--held-out",
      "8",
      "--seed",
      "5",
      "--no-report",
    ];
    const full = join(dir, "sigint-full"),
      cut = join(dir, "sigint-cut");
    expect(cli([...args, "--out", full]).status).toBe(0);
    const child = spawn(process.execPath, ["bin/rlp.mjs", "train", ...args, "--out", cut], {
      env: { ...process.env, RLP_CACHE: join(dir, "cache") },
    });
    let stdout = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
      if (/step 1\/12/.test(stdout) && child.exitCode === null && !child.killed) child.kill("SIGINT");
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stdout).toMatch(/interrupted; finishing this step and writing a checkpoint/);
    const ck = latestCheckpoint(cut);
    expect(ck).toMatch(/step-0000(0[1-9]|1[01])$/);
    expect(cli([...args, "--out", cut, "--resume"]).status).toBe(0);
    expect(metricsOf(cut)).toEqual(metricsOf(full));
    expect(
      readFileSync(join(latestCheckpoint(cut)!, "policy.bin")).equals(readFileSync(join(latestCheckpoint(full)!, "policy.bin"))),
    ).toBe(true);
  }, 120_000);

  it("rejects an input the rollout does not provide before training, naming it", () => {
    const path = join(dir, "extra.rlp");
    writeFileSync(path, TINY_GRPO.replace("  rollout r", "  input bonus: f32[P,G]\n  rollout r"));
    const r = cli([path, "--out", join(dir, "extra")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^rlp train: pipeline input 'bonus' \(f32\[P,G\]\) is not provided by the rollout/);
    expect(existsSync(join(dir, "extra"))).toBe(false);
  });

  it("says which backend cannot be loaded, in one line", () => {
    const r = cli([...base, "--out", join(dir, "nobackend"), "--backend", "tfjs-node"]);
    expect(r.status).toBe(64);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^rlp train: tfjs backend 'tfjs-node' is not available/);
  });
});
