// `rlp train FILE`: trains a policy with a pipeline on a task (docs/training.md).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { hasErrors } from "../grammar/diagnostic.ts";
import {
  compileChecked,
  CommandUsageError,
  EXIT_CODES,
  firstLine,
  parseCommandArgs,
  pickPipeline,
  usageError,
} from "./command_util.ts";
import type { CliIO, OutStream } from "./main.ts";
import { renderDiagnostics, shouldColor } from "./render.ts";

export const TRAIN_HELP = `usage: rlp train FILE [--task NAME] [--steps N] [--seed S] [--out DIR] [--resume] [--backend NAME] [options]

Trains a policy with the pipeline in FILE: each step samples a rollout from the policy (the pipeline's
'rollout r = sample(...)'), scores it with the task's verifier ('reward R = task.score(r)'), runs the pipeline's
compiled advantage and loss, and takes an Adam step on the gradient of the loss through the policy (and, when the
pipeline reads the critic's r.values, on the value loss through a critic).
The policy starts from the SFT warm start (examples/sft.rlp on the task's demonstrations; trained once, then cached
in $RLP_CACHE or ~/.cache/rlp) unless --init says otherwise. A FILE whose rollout is demonstrations(...) is trained
from scratch (that is how the warm start is made).
Writes DIR/metrics.jsonl (one line per step), DIR/checkpoints/ (every --checkpoint-every steps and at the end,
atomically) and DIR/report.html (learning curves and the pipeline's graph). Ctrl-C stops after the current step with
a final checkpoint; --resume continues the run in DIR exactly where its last checkpoint left it.
Exit status: 0 done, 1 compile errors, 2 the pipeline does not fit the rollout, a non-finite loss or gradient, or a
bad --resume, 64 usage, 130 interrupted (Ctrl-C).

options:
  --task NAME|PATH         arith (default: small-number addition), sort, reverse, or a task plugin (a .ts
                           module exporting 'task'; examples/tasks/max_digit.ts)
  --steps N                training steps (default 200)
  --seed S                 seed of the prompts, the sampling and the initialisation (default 0)
  --out DIR                output directory (default runs/PIPELINE)
  --resume                 continue the run in DIR from its last checkpoint
  --backend NAME           tfjs backend: tfjs-node-gpu, tfjs-node, wasm, cpu (default: the first that loads)
  --size tiny|small        the built-in transformer (default small)
  --init warm|none|PATH    starting policy: the SFT warm start (default), a fresh one, or saved weights
  --policy PATH            a policy plugin: a .ts module exporting createPolicy(tf, task, { seed })
                           (examples/policies/bigram.ts); default: the built-in transformer of --size
                           (PATH.json + PATH.bin)
  --sft-steps N            steps of the warm start (default 250)
  --prompts N              prompts per step (default 16; the group size comes from the rollout)
  --lr X                   Adam learning rate (default: the pipeline's 'optimize policy with adam(lr=...)', else
                           5e-4; 3e-3 for demonstrations)
  --clip X                 clip the global gradient norm to X (default: the pipeline's adam(clip=...), else 1; 0: off)
                           (--lr and --clip are the policy's; a critic, made when the pipeline reads r.values,
                           takes 'optimize critic with adam(...)', else lr 1e-3, clip 1)
  --updates N              optimizer passes over each rollout batch (default 1)
  --minibatches N          minibatches per pass, split along the prompts (default 1)
  --checkpoint-every K     checkpoint every K steps (default 25)
  --eval-every K           held-out accuracy every K steps (default: before and after only)
  --held-out N             held-out prompts (default 256)
  --set name=value         override a param (repeatable)
  --pipeline NAME          the pipeline to train when FILE declares several
  --no-report              do not write DIR/report.html`;

const num = (v: string | undefined, name: string, def: number, integer = false): number => {
  if (v === undefined) return def;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < 0)
    throw new CommandUsageError(`--${name} must be a ${integer ? "non-negative integer" : "non-negative number"}, got '${v}'`);
  return n;
};

function fmtEta(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${Math.round(s)}s`;
}

/** The progress line: rewritten in place on a terminal, plain lines (every few steps) otherwise. */
class Progress {
  private lastLen = 0;
  constructor(
    private readonly out: OutStream,
    private readonly tty: boolean,
    private readonly every: number,
  ) {}
  step(text: string, step: number, total: number): void {
    if (this.tty) {
      this.out.write(`\r${text.padEnd(this.lastLen)}`);
      this.lastLen = text.length;
      if (step === total) {
        this.out.write("\n");
        this.lastLen = 0;
      }
    } else if (step % this.every === 0 || step === total || step === 1) this.out.write(text + "\n");
  }
  line(text: string): void {
    if (this.tty && this.lastLen > 0) {
      this.out.write("\n");
      this.lastLen = 0;
    }
    this.out.write(text + "\n");
  }
}

export async function trainCommand(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandArgs(argv, {
      task: { type: "string" },
      steps: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      resume: { type: "boolean" },
      backend: { type: "string" },
      size: { type: "string" },
      init: { type: "string" },
      policy: { type: "string" },
      "sft-steps": { type: "string" },
      prompts: { type: "string" },
      lr: { type: "string" },
      clip: { type: "string" },
      updates: { type: "string" },
      minibatches: { type: "string" },
      "checkpoint-every": { type: "string" },
      "eval-every": { type: "string" },
      "held-out": { type: "string" },
      set: { type: "string", multiple: true },
      pipeline: { type: "string" },
      "no-report": { type: "boolean" },
    });
  } catch (e) {
    if (e instanceof CommandUsageError) return usageError(io, "train", e.message, TRAIN_HELP);
    throw e;
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    io.stdout.write(TRAIN_HELP + "\n");
    return EXIT_CODES.ok;
  }
  if (positionals.length !== 1)
    return usageError(
      io,
      "train",
      positionals.length === 0 ? "no file given" : `expected one file, got ${positionals.length}`,
      TRAIN_HELP,
    );
  let clip: number | undefined;
  let steps: number,
    seed: number,
    prompts: number,
    updates: number,
    minibatches: number,
    every: number,
    evalEvery: number,
    heldOut: number,
    sftSteps: number;
  let lr: number | undefined;
  try {
    steps = num(v.steps, "steps", 200, true);
    seed = num(v.seed, "seed", 0, true);
    prompts = Math.max(1, num(v.prompts, "prompts", 16, true));
    clip = v.clip === undefined ? undefined : num(v.clip, "clip", 1);
    updates = Math.max(1, num(v.updates, "updates", 1, true));
    minibatches = Math.max(1, num(v.minibatches, "minibatches", 1, true));
    every = num(v["checkpoint-every"], "checkpoint-every", 25, true);
    evalEvery = num(v["eval-every"], "eval-every", 0, true);
    heldOut = num(v["held-out"], "held-out", 256, true);
    sftSteps = num(v["sft-steps"], "sft-steps", 250, true);
    lr = v.lr === undefined ? undefined : num(v.lr, "lr", 0);
  } catch (e) {
    if (e instanceof CommandUsageError) return usageError(io, "train", e.message, TRAIN_HELP);
    throw e;
  }
  const size = v.size ?? "small";
  const { resolveTask, TaskError, DEFAULT_TASK } = await import("../runtime/tools/tasks/index.ts");
  let task;
  try {
    task = await resolveTask(v.task ?? DEFAULT_TASK);
  } catch (e) {
    if (e instanceof TaskError) return usageError(io, "train", e.message, TRAIN_HELP);
    throw e;
  }
  const { POLICY_SIZES } = await import("../runtime/tools/policy/index.ts");
  if (!POLICY_SIZES[size])
    return usageError(io, "train", `--size must be ${Object.keys(POLICY_SIZES).join(" or ")}, got '${size}'`, TRAIN_HELP);
  const { parseSetFlags } = await import("../runtime/library/io/read_inputs.ts");
  const { set, errors } = parseSetFlags(v.set ?? []);
  if (errors.length > 0) return usageError(io, "train", errors[0]!.message, TRAIN_HELP);

  const file = positionals[0]!;
  const compiled = compileChecked(file, v.pipeline === undefined ? { set } : { set, pipeline: v.pipeline });
  const shown = compiled.diagnostics.filter((d) => d.severity !== "info");
  if (shown.length > 0)
    io.stderr.write(renderDiagnostics(shown, compiled.sources, { color: shouldColor(io.stderr, io.env), cwd: process.cwd() }));
  if (hasErrors(compiled.diagnostics)) return EXIT_CODES.compile;
  const picked = pickPipeline(file, compiled.programs, v.pipeline);
  if ("error" in picked) {
    io.stderr.write(`rlp train: ${picked.error}\n`);
    return EXIT_CODES.compile;
  }
  const program = picked.program;
  const out = v.out ?? join("runs", program.pipeline);

  const { planTraining, PlanError } = await import("../runtime/tools/train/plan.ts");
  const { train, TRAINER_DEFAULTS, NonFiniteError, TrainSetupError } = await import("../runtime/tools/train/trainer.ts");
  const demos = program.rollouts?.[0]?.source === "demonstrations";
  // Rejected before anything is loaded or trained: inputs the rollout does not provide.
  let plan;
  try {
    plan = planTraining(program, { group: TRAINER_DEFAULTS.group, maxTokens: TRAINER_DEFAULTS.maxTokens, temperature: 1 });
  } catch (e) {
    if (e instanceof PlanError) {
      io.stderr.write(`rlp train: ${e.message}\n`);
      return EXIT_CODES.input;
    }
    throw e;
  }
  const { selectBackend, BackendError } = await import("../runtime/backends/tfjs/index.ts");
  let backend;
  try {
    backend = await selectBackend(v.backend);
  } catch (e) {
    if (e instanceof BackendError) {
      io.stderr.write(`rlp train: ${e.message}\n`);
      return EXIT_CODES.usage;
    }
    throw e;
  }
  const tf = backend.tf;
  const progress = new Progress(io.stdout, io.stdout.isTTY === true, Math.max(1, Math.floor(steps / 25)));
  progress.line(`rlp train: ${program.pipeline} on task '${task.name}' (${task.description}); tfjs backend ${backend.name}`);

  const { warmStart, freshPolicy, WARM_START_DEFAULTS } = await import("../runtime/tools/train/warmstart.ts");
  const { loadPolicy } = await import("../runtime/tools/policy/index.ts");
  const init = v.init ?? (demos ? "none" : "warm");
  const { resolvePolicy, PolicyError } = await import("../runtime/tools/policy/index.ts");
  let factory;
  try {
    factory = await resolvePolicy(v.policy, size);
  } catch (e) {
    if (e instanceof PolicyError) return usageError(io, "train", e.message, TRAIN_HELP);
    throw e;
  }
  const plugin = v.policy !== undefined ? factory : undefined;
  let policy;
  try {
    if (init === "none") policy = plugin ? plugin.make(tf, task, seed) : freshPolicy(tf, task, size, seed);
    else if (init === "warm") {
      const t0 = performance.now();
      const ws = await warmStart(tf, task, {
        size,
        seed,
        steps: sftSteps,
        lr: WARM_START_DEFAULTS.lr,
        ...(plugin ? { policy: plugin } : {}),
        events: {
          step: (m, total) =>
            progress.step(
              `warm start (SFT, examples/sft.rlp) step ${m.step}/${total} | loss ${m.loss.toFixed(3)} | token acc ${fmt(m.metrics["token_acc"])}`,
              m.step,
              total,
            ),
        },
      });
      policy = ws.policy;
      progress.line(
        ws.cached
          ? `warm start: ${ws.path} (cached)`
          : `warm start: SFT for ${sftSteps} steps in ${((performance.now() - t0) / 1000).toFixed(1)}s, cached at ${ws.path}`,
      );
    } else {
      if (!existsSync(`${init}.json`))
        return usageError(
          io,
          "train",
          `--init ${init}: no ${init}.json (give warm, none or the path of saved weights without .json)`,
          TRAIN_HELP,
        );
      policy = plugin ? plugin.load(tf, task, init) : loadPolicy(tf, init);
    }
  } catch (e) {
    io.stderr.write(`rlp train: cannot make the starting policy: ${firstLine(e)}\n`);
    return EXIT_CODES.input;
  }

  const control = { stop: false };
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    control.stop = true;
    progress.line("rlp train: interrupted; finishing this step and writing a checkpoint (Ctrl-C again to quit now)");
  };
  process.on("SIGINT", onSigint);
  const killAt = io.env["RLP_TRAIN_KILL_AFTER_CHECKPOINT"];
  const started = performance.now();
  try {
    const options = {
      ...TRAINER_DEFAULTS,
      steps,
      seed,
      prompts,
      updatesPerBatch: updates,
      minibatches,
      checkpointEvery: every,
      evalEvery,
      heldOut,
      // the command line, then the pipeline's `optimize policy with adam(...)`, then the defaults
      adam: {
        ...TRAINER_DEFAULTS.adam,
        lr: demos ? 3e-3 : 5e-4,
        ...plan.optimizer,
        ...(lr !== undefined ? { lr } : {}),
        ...(clip !== undefined ? { clip } : {}),
      },
    };
    const result = await train({
      tf,
      program,
      task,
      policy,
      options,
      outDir: out,
      resume: v.resume === true,
      control,
      ...(killAt !== undefined ? { killAfterCheckpoint: Number(killAt) } : {}),
      events: {
        step: (m, total, eta) =>
          progress.step(
            `step ${m.step}/${total} | loss ${m.loss.toFixed(4)}${otherLosses(m.losses, plan.loss)} | reward ${m.reward.toFixed(3)} | acc ${(100 * m.accuracy).toFixed(1)}% | kl ${m.kl.toFixed(4)} | ent ${m.entropy.toFixed(3)} | clip ${m.clip_frac === null ? "-" : m.clip_frac.toFixed(3)} | ${m.tokens_per_s} tok/s | ETA ${fmtEta(eta)}`,
            m.step,
            total,
          ),
        eval: (s, acc) =>
          progress.line(`held-out accuracy (greedy, ${heldOut} prompts) at step ${s}: ${(100 * acc).toFixed(1)}%`),
        message: (t) => progress.line(t),
      },
    });
    const secs = (performance.now() - started) / 1000;
    if (result.evalBefore !== undefined && result.evalAfter !== undefined) {
      progress.line(
        `held-out accuracy: ${(100 * result.evalBefore).toFixed(1)}% before -> ${(100 * result.evalAfter).toFixed(1)}% after (${result.evalAfter >= result.evalBefore ? "+" : ""}${(100 * (result.evalAfter - result.evalBefore)).toFixed(1)} points) in ${secs.toFixed(1)}s`,
      );
    }
    if (result.checkpoint) progress.line(`checkpoint: ${result.checkpoint}`);
    if (!v["no-report"]) {
      const { readMetrics, writeReport } = await import("../runtime/tools/train/report.ts");
      const path = join(out, "report.html");
      await writeReport(path, {
        title: `rlp train ${file} — ${program.pipeline} on ${task.name}`,
        lines: readMetrics(join(out, "metrics.jsonl")),
        settings: {
          file,
          pipeline: program.pipeline,
          task: task.name,
          steps,
          seed,
          backend: backend.name,
          size,
          init,
          prompts,
          lr: options.adam.lr,
          clip: options.adam.clip,
          updates,
          minibatches,
        },
        program,
        sources: compiled.sources,
        file,
      });
      progress.line(`report: ${path}`);
    }
    return result.status === "interrupted" ? 130 : EXIT_CODES.ok;
  } catch (e) {
    if (
      e instanceof NonFiniteError ||
      e instanceof TrainSetupError ||
      e instanceof PlanError ||
      e instanceof TaskError ||
      e instanceof PolicyError
    ) {
      progress.line("");
      io.stderr.write(`rlp train: ${e.message}\n`);
      return EXIT_CODES.input;
    }
    throw e;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

/** The losses beside the policy's (a critic's value loss), for the progress line. */
function otherLosses(losses: Record<string, number> | undefined, main: string): string {
  return Object.entries(losses ?? {})
    .filter(([k]) => k !== main)
    .map(([k, x]) => ` | ${k} ${x.toFixed(4)}`)
    .join("");
}

function fmt(x: number | undefined): string {
  return x === undefined ? "-" : x.toFixed(3);
}
