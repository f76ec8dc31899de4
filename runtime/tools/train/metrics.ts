// What a training step reports (one line of metrics.jsonl) and the held-out evaluation.
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import type { Policy } from "../policy/index.ts";
import type { Task } from "../tasks/index.ts";
import type { Tensor } from "../../library/tensor.ts";
import type { RolloutBatch } from "./batch.ts";
import type { TrainPlan } from "./plan.ts";
import type { UpdateResult } from "./update.ts";

export interface StepMetrics {
  step: number;
  loss: number;
  reward: number;
  accuracy: number;
  kl: number;
  entropy: number;
  clip_frac: number | null;
  grad_norm: number;
  /** The critic's gradient norm (before clipping), with a critic. */
  critic_grad_norm?: number;
  response_len: number;
  tokens: number;
  metrics: Record<string, number>;
  /** Every trained loss (on the batch, before the update), when the pipeline trains more than one. */
  losses?: Record<string, number>;
  /** Wall-clock fields: the only ones that differ between a run and its resumed twin. */
  elapsed_s: number;
  tokens_per_s: number;
  /**
   * Where the step's time went (seconds, wall clock): sampling and the sampling-time log-probs/values; the task's
   * verifier; the compiled program (the whole pipeline on the batch, then each update's loss forward and symbolic
   * gradient); the models under the tape (forward, backward through tf.variableGrads, Adam).
   */
  time_s: { rollout: number; reward: number; loss: number; model: number };
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return xs.length ? s / xs.length : 0;
}

/** Greedy accuracy on the task's held-out prompts. */
export function heldOutAccuracy(policy: Policy, task: Task, n: number, maxTokens: number): number {
  const prompts = task.heldOut(n);
  let right = 0;
  for (let lo = 0; lo < prompts.length; lo += 256) {
    const chunk = prompts.slice(lo, lo + 256);
    const r = policy.sample(
      chunk.map((p) => p.tokens),
      { seed: 0, step: 0, temperature: 0, maxTokens },
    );
    chunk.forEach((p, i) => {
      if (task.correct(p, task.vocab.decode(r.tokens.subarray(i * maxTokens, (i + 1) * maxTokens)))) right++;
    });
  }
  return prompts.length ? right / prompts.length : 0;
}

function scalarOf(t: Tensor | undefined): number | undefined {
  return t && t.data.length === 1 ? t.data[0]! : undefined;
}

export function stepMetrics(
  program: IRProgram,
  plan: TrainPlan,
  batch: RolloutBatch,
  results: Record<string, Tensor>,
  step: number,
  upd: UpdateResult,
  elapsed: number,
  tokensSeen: number,
  preSeconds: number,
): StepMetrics {
  const metrics: Record<string, number> = {};
  for (const r of program.results) {
    if (r.kind !== "metric") continue;
    const v = scalarOf(results[r.name]);
    if (v !== undefined) metrics[r.name] = v;
  }
  const rewardResult = program.results.find((r) => r.kind === "reward");
  const reward = rewardResult && results[rewardResult.name] ? mean(results[rewardResult.name]!.data) : mean(batch.scores);
  let len = 0;
  for (let i = 0; i < batch.responses.mask.length; i++) len += batch.responses.mask[i]!;
  const lossOf = (name: string): number => scalarOf(results[name]) ?? upd.losses[name]?.[0] ?? NaN;
  const ms = (x: number): number => Math.round(x * 1e4) / 1e4;
  const m: StepMetrics = {
    step,
    loss: lossOf(plan.loss),
    reward,
    accuracy: mean(batch.correct),
    kl: batch.kl,
    entropy: batch.entropy,
    clip_frac: metrics["clip_frac"] ?? null,
    grad_norm: upd.gradNorms[plan.rollout.model] ?? 0,
    response_len: len / batch.responses.n,
    tokens: batch.tokens,
    metrics,
    elapsed_s: Math.round(elapsed * 1000) / 1000,
    tokens_per_s: Math.round(tokensSeen / Math.max(elapsed, 1e-9)),
    time_s: {
      rollout: ms(batch.time.rollout_s),
      reward: ms(batch.time.reward_s),
      loss: ms(preSeconds + upd.time.loss_s),
      model: ms(upd.time.model_s),
    },
  };
  if (upd.gradNorms["critic"] !== undefined) m.critic_grad_norm = upd.gradNorms["critic"];
  if (plan.losses.length > 1) m.losses = Object.fromEntries(plan.losses.map((l) => [l.name, lossOf(l.name)]));
  return m;
}
