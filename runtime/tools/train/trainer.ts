// The training loop: rollout (host) -> reward (host verifier) -> advantage, loss, metrics (the pipeline's compiled
// stage, fed with the rollout's tensors) -> gradient of each loss through the model(s) it trains — the policy, and a
// critic when the pipeline reads r.values (update.ts) -> an Adam step per model. Every random draw is a pure function
// of (seed, step, index) and the tfjs cpu and wasm backends are deterministic, so a run resumed from a checkpoint is
// bit-identical to an uninterrupted one.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gradientProgram } from "../../../compiler/pipeline/index.ts";
import { withSuppliedStages } from "../../../compiler/stage_inputs.ts";
import { loadPlugins } from "../../library/plugin/registry.ts";
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import type { StateValue } from "../../library/ops/state.ts";
import { TransformerCritic, type Policy } from "../policy/index.ts";
import type { Task } from "../tasks/index.ts";
import type { Tensor } from "../../library/tensor.ts";
import { runTfjs, type TF } from "../../backends/tfjs/index.ts";
import { Adam, ADAM_DEFAULTS, type AdamOptions } from "./adam.ts";
import { makeBatch, type RolloutBatch } from "./batch.ts";
import { filterBatch, roundSeed } from "./filter.ts";
import {
  decodeState,
  encodeState,
  latestCheckpoint,
  readCheckpointMeta,
  restoreCheckpoint,
  saveCheckpoint,
} from "./checkpoint.ts";
import { planTraining, type TrainPlan } from "./plan.ts";
import { DerivedModels } from "./models.ts";
import { heldOutAccuracy, stepMetrics, type StepMetrics } from "./metrics.ts";
import { update, UpdateNonFinite, type TrainedModel, type UpdateResult } from "./update.ts";

export { heldOutAccuracy, type StepMetrics } from "./metrics.ts";

export interface TrainerOptions {
  steps: number;
  seed: number;
  /** Prompts per step (sample rollouts; a demonstrations rollout has its own batch=). */
  prompts: number;
  /** Optimizer passes over each rollout batch, and minibatches per pass (split along the prompts). */
  updatesPerBatch: number;
  minibatches: number;
  adam: AdamOptions;
  /** The critic's Adam: overrides of CRITIC_ADAM_DEFAULTS and the pipeline's `optimize critic with adam(...)`. */
  criticAdam?: Partial<AdamOptions>;
  /** Checkpoint every K steps (and at the end); 0: only at the end. */
  checkpointEvery: number;
  /** Held-out greedy accuracy every K steps (and before and after); 0: before and after only. */
  evalEvery: number;
  heldOut: number;
  /** Defaults of an inferred rollout (pipelines without a rollout statement). */
  group: number;
  maxTokens: number;
  temperature: number;
}

export const TRAINER_DEFAULTS: TrainerOptions = {
  steps: 100,
  seed: 0,
  prompts: 16,
  updatesPerBatch: 1,
  minibatches: 1,
  adam: ADAM_DEFAULTS,
  checkpointEvery: 25,
  evalEvery: 0,
  heldOut: 256,
  group: 8,
  maxTokens: 8,
  temperature: 1,
};

/** The critic's Adam unless the pipeline says otherwise: value regression takes a larger step than the policy. */
export const CRITIC_ADAM_DEFAULTS: AdamOptions = { ...ADAM_DEFAULTS, lr: 1e-3 };

/** What the trainer reports while it runs. */
export interface TrainerEvents {
  step?(m: StepMetrics, total: number, etaSeconds: number): void;
  eval?(step: number, accuracy: number): void;
  checkpoint?(path: string, step: number): void;
  message?(text: string): void;
}

export interface TrainRun {
  tf: TF;
  program: IRProgram;
  task: Task;
  /** The starting policy (trained in place) — ignored on --resume, where the checkpoint's weights are loaded into it. */
  policy: Policy;
  options: TrainerOptions;
  /** Output directory (metrics.jsonl, checkpoints); undefined: nothing is written (the warm start). */
  outDir?: string;
  resume?: boolean;
  events?: TrainerEvents;
  /** Set `stop` (e.g. on SIGINT) to end after the current step with a final checkpoint. */
  control?: { stop: boolean };
  /** Testing: SIGKILL this process right after the checkpoint of this step is written. */
  killAfterCheckpoint?: number;
}

export interface TrainResult {
  status: "done" | "interrupted";
  steps: number;
  evalBefore?: number;
  evalAfter?: number;
  last?: StepMetrics;
  checkpoint?: string;
  plan: TrainPlan;
}

/** Training stopped on a non-finite value; the message names the step and the first non-finite tensor. */
export class NonFiniteError extends Error {
  constructor(
    readonly step: number,
    readonly tensor: string,
    detail: string,
  ) {
    super(
      `step ${step}: ${tensor} is not finite (${detail}); stopped without applying this step's update, the last good checkpoint is kept`,
    );
  }
}

/** Mismatched options on --resume, an existing run without --resume, and the like. */
export class TrainSetupError extends Error {}

function firstNonFinite(data: ArrayLike<number>, mask?: ArrayLike<number>): string | undefined {
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (!Number.isFinite(x) && (!mask || mask[i]))
      return `${Number.isNaN(x) ? "NaN" : x > 0 ? "+inf" : "-inf"} at flat index ${i}`;
  }
  return undefined;
}

/** The options a resumed run must share with the run it continues. */
function identity(
  run: TrainRun,
  plan: TrainPlan,
  criticAdam: AdamOptions | undefined,
): Record<string, number | string | boolean> {
  const o = run.options;
  const critic: Record<string, number> = criticAdam
    ? {
        critic_lr: criticAdam.lr,
        critic_clip: criticAdam.clip,
        critic_beta1: criticAdam.beta1,
        critic_beta2: criticAdam.beta2,
        critic_eps: criticAdam.eps,
      }
    : {};
  return {
    ...critic,
    pipeline: run.program.pipeline,
    task: run.task.name,
    seed: o.seed,
    prompts: o.prompts,
    updatesPerBatch: o.updatesPerBatch,
    minibatches: o.minibatches,
    lr: o.adam.lr,
    clip: o.adam.clip,
    beta1: o.adam.beta1,
    beta2: o.adam.beta2,
    eps: o.adam.eps,
    source: plan.rollout.source,
    rollout: JSON.stringify(plan.rollout.options),
    ...(plan.second ? { second_rollout: JSON.stringify(plan.second.rollout.options) } : {}),
  };
}

export async function train(run: TrainRun): Promise<TrainResult> {
  const { tf, program, task, options: o } = run;
  const plan = planTraining(program, { group: o.group, maxTokens: o.maxTokens, temperature: o.temperature });
  // once(e): read from the whole-batch evaluation before the first update, then supplied to every update as an input.
  const onces = program.results.filter((r) => r.kind === "once").map((r) => r.name);
  const trained = onces.length > 0 ? withSuppliedStages(program, onces) : program;
  const gradProgram = gradientProgram(trained);
  // Custom TypeScript nodes run on the host; their modules are imported before the first (synchronous) lowering.
  await loadPlugins(program, gradProgram);
  const policy = run.policy;
  const reference = plan.rollout.source === "sample" ? policy.frozenCopy() : undefined;
  // the models read with logprob(M, r): frozen is the reference; ema and snapshot start as copies of the policy
  const derived = new DerivedModels(tf, plan.models, plan.rollout, policy, reference);
  const adam = new Adam(tf, policy.parameters(), o.adam);
  const criticAdam = plan.critic ? { ...CRITIC_ADAM_DEFAULTS, ...plan.critic.optimizer, ...o.criticAdam } : undefined;
  // the critic's trunk starts as the starting policy's (on --resume the checkpoint's critic replaces it)
  const critic = plan.critic ? TransformerCritic.fromPolicy(tf, policy) : undefined;
  const cadam = critic && criticAdam ? new Adam(tf, critic.parameters(), criticAdam) : undefined;
  const criticParts = critic && cadam ? { model: critic, optimizer: cadam } : undefined;
  const models: TrainedModel[] = [{ name: plan.rollout.model, params: policy.parameters(), adam }];
  if (critic && cadam) models.push({ name: "critic", params: critic.parameters(), adam: cadam });
  const ev = run.events ?? {};
  const maxTokens = plan.rollout.options["max_tokens"]!;
  const dir = run.outDir;
  const metricsPath = dir ? join(dir, "metrics.jsonl") : undefined;
  let state: Record<string, StateValue> = {};
  let step = 0;
  let metricsLines = 0;
  let evalBefore: number | undefined;
  const ident = { ...identity(run, plan, criticAdam), ...derived.identity() };

  try {
    if (dir) {
      mkdirSync(dir, { recursive: true });
      const ck = latestCheckpoint(dir);
      if (run.resume) {
        if (!ck) throw new TrainSetupError(`--resume: ${dir} has no checkpoint`);
        const meta = readCheckpointMeta(ck);
        for (const [k, v] of Object.entries(ident)) {
          if (meta.options[k] !== v)
            throw new TrainSetupError(
              `--resume: the checkpoint was made with ${k}=${String(meta.options[k])}, this run has ${k}=${String(v)}`,
            );
        }
        restoreCheckpoint(tf, ck, {
          policy,
          reference,
          optimizer: adam,
          ...(criticParts ? { critic: criticParts } : {}),
          derived: derived.saved(),
        });
        step = meta.step;
        state = decodeState(meta.state);
        metricsLines = meta.metricsLines;
        const kept = existsSync(metricsPath!)
          ? readFileSync(metricsPath!, "utf8")
              .split("\n")
              .filter((l) => l !== "")
              .slice(0, metricsLines)
          : [];
        writeFileSync(metricsPath!, kept.map((l) => l + "\n").join(""));
        const before = kept
          .map((l) => JSON.parse(l) as { event?: string; step: number; accuracy: number })
          .find((l) => l.event === "eval" && l.step === 0);
        evalBefore = before?.accuracy;
        ev.message?.(`resuming from ${ck} (step ${step})`);
      } else {
        if (ck)
          throw new TrainSetupError(`${dir} already holds a run (${ck}); pass --resume to continue it, or choose another --out`);
        writeFileSync(metricsPath!, "");
      }
    }
    const log = (obj: object): void => {
      if (!metricsPath) return;
      appendFileSync(metricsPath, JSON.stringify(obj) + "\n");
      metricsLines++;
    };
    const heldOut = o.heldOut > 0;
    if (heldOut && evalBefore === undefined && step === 0) {
      evalBefore = heldOutAccuracy(policy, task, o.heldOut, maxTokens);
      log({ event: "eval", step: 0, accuracy: evalBefore });
      ev.eval?.(0, evalBefore);
    }
    const checkpoint = (): string | undefined => {
      if (!dir) return undefined;
      const path = saveCheckpoint(dir, {
        meta: { step, rng: { seed: o.seed, nextStep: step + 1 }, metricsLines, state: encodeState(state), options: ident },
        policy,
        reference,
        optimizer: adam,
        ...(criticParts ? { critic: criticParts } : {}),
        derived: derived.saved(),
      });
      ev.checkpoint?.(path, step);
      if (run.killAfterCheckpoint === step) process.kill(process.pid, "SIGKILL");
      return path;
    };

    const started = performance.now();
    const startStep = step;
    let tokensSeen = 0;
    let last: StepMetrics | undefined;
    let lastCheckpoint: string | undefined;
    let status: TrainResult["status"] = "done";
    while (step < o.steps) {
      const s = step + 1;
      const sample = (round: number) =>
        derived.addLogps(
          makeBatch(tf, plan, policy, reference, task, { seed: roundSeed(o.seed, round), step: s, prompts: o.prompts }, critic),
        );
      const inputsOf = (b: RolloutBatch): Record<string, Tensor> => ({
        ...b.host,
        [plan.wrt.name]: b.wrtValue,
        ...(plan.critic ? { [plan.critic.input.name]: b.valuesValue! } : {}),
      });
      // `filter P by keep`: keep is a result of the compiled program, evaluated on each sampled batch.
      const filter = program.filter;
      const filtered = filter
        ? filterBatch(
            plan,
            o.prompts,
            filter.maxRounds,
            sample,
            (b) => runTfjs(tf, program, inputsOf(b), { state }).results[filter.result]!.data,
          )
        : undefined;
      const batch = filtered?.batch ?? sample(0);
      const inputs = inputsOf(batch);
      const tPre = performance.now();
      for (const [name, t] of Object.entries(inputs)) {
        const bad = firstNonFinite(t.data);
        if (bad) throw new NonFiniteError(s, `rollout input '${name}'`, bad);
      }
      const pre = runTfjs(tf, program, inputs, { state });
      for (const r of program.results) {
        const t = pre.results[r.name];
        const bad = t && firstNonFinite(t.data);
        if (bad) throw new NonFiniteError(s, `${r.kind} '${r.name}'`, bad);
      }
      const preSeconds = (performance.now() - tPre) / 1000;
      let upd: UpdateResult;
      try {
        const fixed =
          onces.length > 0
            ? { ...batch, host: { ...batch.host, ...Object.fromEntries(onces.map((n) => [n, pre.results[n]!])) } }
            : batch;
        upd = update(
          {
            tf,
            program: trained,
            gradProgram,
            plan,
            policy,
            critic,
            models,
            state,
            updatesPerBatch: o.updatesPerBatch,
            minibatches: o.minibatches,
            afterOptimizerStep: () => derived.afterOptimizerStep(),
          },
          fixed,
        );
      } catch (e) {
        if (e instanceof UpdateNonFinite) throw new NonFiniteError(s, e.tensor, e.detail);
        throw e;
      }
      state = { ...state, ...pre.stateUpdates };
      step = s;
      derived.afterStep(s);
      tokensSeen += batch.tokens;
      const elapsed = (performance.now() - started) / 1000;
      last = stepMetrics(program, plan, batch, pre.results, s, upd, elapsed, tokensSeen, preSeconds);
      if (filtered) Object.assign(last.metrics, { filter_rounds: filtered.rounds, filter_kept: filtered.kept / o.prompts });
      log(last);
      const eta = ((o.steps - step) * elapsed) / Math.max(1, step - startStep);
      ev.step?.(last, o.steps, eta);
      if (heldOut && o.evalEvery > 0 && step % o.evalEvery === 0 && step < o.steps) {
        const acc = heldOutAccuracy(policy, task, o.heldOut, maxTokens);
        log({ event: "eval", step, accuracy: acc });
        ev.eval?.(step, acc);
      }
      // Let signal handlers (Ctrl-C sets control.stop) and stream writes run between steps.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const stopping = run.control?.stop === true;
      if ((o.checkpointEvery > 0 && step % o.checkpointEvery === 0) || step === o.steps || stopping)
        lastCheckpoint = checkpoint() ?? lastCheckpoint;
      if (stopping && step < o.steps) {
        status = "interrupted";
        break;
      }
    }
    let evalAfter: number | undefined;
    if (heldOut && status === "done") {
      evalAfter = heldOutAccuracy(policy, task, o.heldOut, maxTokens);
      log({ event: "eval", step, accuracy: evalAfter });
      ev.eval?.(step, evalAfter);
    }
    const result: TrainResult = { status, steps: step, plan };
    if (evalBefore !== undefined) result.evalBefore = evalBefore;
    if (evalAfter !== undefined) result.evalAfter = evalAfter;
    if (last) result.last = last;
    if (lastCheckpoint) result.checkpoint = lastCheckpoint;
    return result;
  } finally {
    adam.dispose();
    cadam?.dispose();
    critic?.dispose();
    reference?.dispose();
    derived.dispose();
  }
}
