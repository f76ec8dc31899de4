// The host stage of one training step: the rollout's record (prompts, sampled or demonstrated responses, sampling-time
// and reference log-probs, the verifier's scores) as host tensors named like the pipeline's inputs, and the
// differentiable field (r.logp or d.logits) recomputed from the policy under the gradient tape.
import type { Policy, Responses, TransformerCritic } from "../policy/index.ts";
import { uniformAt } from "../../library/ops/select.ts";
import type { Prompt, Task } from "../tasks/index.ts";
import type { Tensor } from "../../library/tensor.ts";
import type { TF, TfTensor } from "../../backends/tfjs/index.ts";
import type { TrainPlan } from "./plan.ts";
import { sampleSecondRollout } from "./second_rollout.ts";

export interface RolloutBatch {
  prompts: Prompt[];
  /** One row per response: the prompt's tokens (a prompt repeated `group` times). */
  rows: number[][];
  /** Rows per prompt (group for sample, 1 for demonstrations). */
  group: number;
  responses: Responses;
  texts: string[];
  temperature: number;
  /** Inputs of the compiled stage (every field the pipeline reads except the differentiable one), by input name. */
  host: Record<string, Tensor>;
  /** The differentiable field's current value (no gradient): for the metrics evaluated before the update. */
  wrtValue: Tensor;
  /** The critic's values at sampling time (r.old_values; also r.values before the first update), when read. */
  valuesValue?: Tensor;
  /** Seconds spent sampling (and computing the sampling-time log-probs and values) and scoring. */
  time: { rollout_s: number; reward_s: number };
  /** Per response: the verifier's score and exact correctness. */
  scores: Float64Array;
  correct: Uint8Array;
  /** Means over valid tokens: entropy of the sampling distribution, k3 KL to the reference. */
  entropy: number;
  kl: number;
  tokens: number;
}

/** The seed stream of the demonstrator's draws (distinct from the prompt stream, which uses the seed itself). */
const DEMO_STREAM = 0x27d4eb2f;

function hostTensor(dtype: Tensor["dtype"], dims: string[], shape: number[], data: ArrayLike<number>): Tensor {
  return { dtype, dims, shape, data: Float64Array.from(data) };
}

/** The rollout dims by role. */
function roleDims(plan: TrainPlan): { prompts: string; group: string; tokens: string; vocab: string; batch: string } {
  const d = plan.rollout.dims;
  return {
    prompts: d["prompts"] ?? "",
    group: d["group"] ?? "",
    tokens: d["tokens"] ?? "",
    vocab: d["vocab"] ?? "V",
    batch: d["batch"] ?? "",
  };
}

/** Logp [N, T] of responses under `policy`, read back (float32 values, computed as the differentiable path does). */
function logpOf(tf: TF, policy: Policy, rows: number[][], responses: Responses, temperature: number): Float32Array {
  return tf.tidy(() => policy.logProbs(rows, responses, temperature).dataSync() as Float32Array);
}

export interface BatchOptions {
  seed: number;
  step: number;
  /** Prompts per step (P) for sample rollouts; the batch option is used for demonstrations. */
  prompts: number;
}

export function makeBatch(
  tf: TF,
  plan: TrainPlan,
  policy: Policy,
  reference: Policy | undefined,
  task: Task,
  o: BatchOptions,
  critic?: TransformerCritic,
): RolloutBatch {
  const t0 = performance.now();
  const r = plan.rollout;
  const dims = roleDims(plan);
  const T = r.options["max_tokens"]!;
  if (r.source === "demonstrations") return demonstrations(tf, plan, policy, task, o, T, dims);
  const G = r.options["group"]!;
  const temperature = r.options["temperature"] ?? 1;
  const prompts = task.trainBatch(o.seed, o.step, o.prompts);
  const rows = prompts.flatMap((p) => Array.from({ length: G }, () => p.tokens));
  const responses = policy.sample(rows, { seed: o.seed, step: o.step, temperature, maxTokens: T });
  const N = rows.length;
  const t1 = performance.now();
  const texts = Array.from({ length: N }, (_, i) => task.vocab.decode(responses.tokens.subarray(i * T, (i + 1) * T)));
  const scores = new Float64Array(N);
  const correct = new Uint8Array(N);
  texts.forEach((t, i) => {
    const p = prompts[Math.floor(i / G)]!;
    scores[i] = task.score(p, t);
    correct[i] = task.correct(p, t) ? 1 : 0;
  });
  const t2 = performance.now();
  const old = logpOf(tf, policy, rows, responses, temperature);
  const ref = reference ? logpOf(tf, reference, rows, responses, temperature) : undefined;
  const stats = policy.tokenStats(rows, responses, temperature);
  let ent = 0,
    kl = 0,
    count = 0;
  for (let k = 0; k < N * T; k++) {
    if (!responses.mask[k]) continue;
    count++;
    ent += stats.entropy[k]!;
    if (ref) {
      const d = ref[k]! - old[k]!;
      kl += Math.exp(d) - d - 1;
    }
  }
  const P = prompts.length;
  const pgt = [dims.prompts, dims.group, dims.tokens];
  const shape = [P, G, T];
  const host: Record<string, Tensor> = {};
  const put = (field: string, make: () => Tensor): void => {
    const inp = plan.inputs[field];
    if (inp && inp !== plan.wrt && inp !== plan.critic?.input) host[inp.name] = make();
  };
  put("tokens", () => hostTensor("i32", pgt, shape, responses.tokens));
  put("mask", () => hostTensor("bool", pgt, shape, responses.mask));
  put("old_logp", () => hostTensor("f32", pgt, shape, old));
  put("ref_logp", () => {
    if (!ref) throw new Error("the pipeline reads ref_logp but the trainer has no reference model");
    return hostTensor("f32", pgt, shape, ref);
  });
  put("prompt_id", () =>
    hostTensor(
      "id",
      [dims.prompts],
      [P],
      prompts.map((p) => p.id),
    ),
  );
  put("score", () => hostTensor("f32", [dims.prompts, dims.group], [P, G], scores));
  let valuesValue: Tensor | undefined;
  if (plan.inputs["values"] || plan.inputs["old_values"]) {
    if (!critic) throw new Error("the pipeline reads the critic's values but the trainer has no critic");
    valuesValue = hostTensor(
      "f32",
      pgt,
      shape,
      tf.tidy(() => critic.values(rows, responses).dataSync() as Float32Array),
    );
    put("old_values", () => valuesValue!);
  }
  const rolloutSeconds = (performance.now() - t0 - (t2 - t1)) / 1000;
  // a second rollout on these prompts (prompts=r): its sampling is rollout time, its scoring reward time
  const second = plan.second ? sampleSecondRollout(plan.second, policy, task, prompts, o) : undefined;
  if (second) Object.assign(host, second.host);
  return {
    prompts,
    rows,
    group: G,
    responses,
    texts,
    temperature,
    host,
    ...(valuesValue ? { valuesValue } : {}),
    time: { rollout_s: rolloutSeconds + (second?.rollout_s ?? 0), reward_s: (t2 - t1) / 1000 + (second?.reward_s ?? 0) },
    wrtValue: hostTensor("f32", pgt, shape, old),
    scores,
    correct,
    entropy: count ? ent / count : 0,
    kl: count ? kl / count : 0,
    tokens: count,
  };
}

function demonstrations(
  tf: TF,
  plan: TrainPlan,
  policy: Policy,
  task: Task,
  o: BatchOptions,
  T: number,
  dims: ReturnType<typeof roleDims>,
): RolloutBatch {
  const t0 = performance.now();
  const B = plan.rollout.options["batch"]!;
  const prompts = task.trainBatch(o.seed, o.step, B);
  const rows = prompts.map((p) => p.tokens);
  const tokens = new Int32Array(B * T);
  const mask = new Uint8Array(B * T);
  const texts: string[] = [];
  prompts.forEach((p, i) => {
    const answer = task.demonstrate(p, uniformAt((o.seed ^ DEMO_STREAM) >>> 0, o.step, i));
    texts.push(answer);
    const ids = [...task.vocab.encode(answer), task.vocab.eos].slice(0, T);
    ids.forEach((id, t) => {
      tokens[i * T + t] = id;
      mask[i * T + t] = 1;
    });
  });
  const responses: Responses = { n: B, length: T, tokens, mask };
  const stats = policy.tokenStats(rows, responses, 1);
  let ent = 0,
    count = 0;
  for (let k = 0; k < B * T; k++) {
    if (!mask[k]) continue;
    ent += stats.entropy[k]!;
    count++;
  }
  const bt = [dims.batch, dims.tokens];
  const host: Record<string, Tensor> = {};
  const put = (field: string, make: () => Tensor): void => {
    const inp = plan.inputs[field];
    if (inp && inp !== plan.wrt) host[inp.name] = make();
  };
  put("tokens", () => hostTensor("i32", bt, [B, T], tokens));
  put("mask", () => hostTensor("bool", bt, [B, T], mask));
  put("prompt_id", () =>
    hostTensor(
      "id",
      [dims.batch],
      [B],
      prompts.map((p) => p.id),
    ),
  );
  const V = policy.vocabSize;
  const wrtValue =
    plan.wrtField === "logits"
      ? hostTensor(
          "f32",
          [...bt, dims.vocab],
          [B, T, V],
          tf.tidy(() => policy.logits(rows, responses).dataSync() as Float32Array),
        )
      : hostTensor("f32", bt, [B, T], logpOf(tf, policy, rows, responses, 1));
  return {
    prompts,
    rows,
    group: 1,
    responses,
    texts,
    temperature: 1,
    host,
    wrtValue,
    time: { rollout_s: (performance.now() - t0) / 1000, reward_s: 0 },
    scores: new Float64Array(B).fill(1),
    correct: new Uint8Array(B).fill(1),
    entropy: count ? ent / count : 0,
    kl: 0,
    tokens: count,
  };
}

/** Rows [lo, hi) of prompts (with their group) as a sub-batch: responses, host tensors sliced along the prompts dim. */
export function sliceBatch(
  plan: TrainPlan,
  b: RolloutBatch,
  lo: number,
  hi: number,
): { rows: number[][]; responses: Responses; host: Record<string, Tensor> } {
  if (lo === 0 && hi === b.prompts.length) return { rows: b.rows, responses: b.responses, host: b.host };
  const G = b.group,
    T = b.responses.length;
  const r0 = lo * G,
    r1 = hi * G;
  const responses: Responses = {
    n: r1 - r0,
    length: T,
    tokens: b.responses.tokens.slice(r0 * T, r1 * T),
    mask: b.responses.mask.slice(r0 * T, r1 * T),
  };
  const lead = plan.rollout.source === "sample" ? plan.rollout.dims["prompts"]! : plan.rollout.dims["batch"]!;
  const host: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(b.host)) host[name] = sliceLead(t, lead, lo, hi);
  return { rows: b.rows.slice(r0, r1), responses, host };
}

/** Slices a host tensor whose FIRST dim is `dim` (the rollout makes them so) to [lo, hi). */
function sliceLead(t: Tensor, dim: string, lo: number, hi: number): Tensor {
  if (t.dims[0] !== dim) return t;
  const inner = t.shape.slice(1).reduce((a, b) => a * b, 1);
  return { dtype: t.dtype, dims: [...t.dims], shape: [hi - lo, ...t.shape.slice(1)], data: t.data.slice(lo * inner, hi * inner) };
}

/**
 * The differentiable field for rows of the batch, as a device tensor laid out in the input's (canonical) dims:
 * call inside tf.variableGrads so the gradient reaches the policy's parameters.
 */
export function differentiableField(
  tf: TF,
  plan: TrainPlan,
  policy: Policy,
  rows: number[][],
  responses: Responses,
  group: number,
  temperature: number,
): TfTensor {
  const dims = roleDims(plan);
  const T = responses.length;
  if (plan.wrtField === "logits") {
    const x = policy.logits(rows, responses); // [B, T, V]
    return toCanonical(tf, x, [dims.batch, dims.tokens, dims.vocab], plan.wrt.type.dims);
  }
  const lp = policy.logProbs(rows, responses, temperature); // [N, T]
  if (plan.rollout.source === "demonstrations") return toCanonical(tf, lp, [dims.batch, dims.tokens], plan.wrt.type.dims);
  const shaped = tf.reshape(lp, [responses.n / group, group, T]);
  return toCanonical(tf, shaped, [dims.prompts, dims.group, dims.tokens], plan.wrt.type.dims);
}

/** The critic's values for rows of the batch, [P,G,T] in the critic input's dims: call inside tf.variableGrads. */
export function criticField(
  tf: TF,
  plan: TrainPlan,
  critic: TransformerCritic,
  rows: number[][],
  responses: Responses,
  group: number,
): TfTensor {
  const dims = roleDims(plan);
  const v = tf.reshape(critic.values(rows, responses), [responses.n / group, group, responses.length]);
  return toCanonical(tf, v, [dims.prompts, dims.group, dims.tokens], plan.critic!.input.type.dims);
}

function toCanonical(tf: TF, x: TfTensor, have: string[], want: string[]): TfTensor {
  if (have.every((d, i) => want[i] === d)) return x;
  return tf.transpose(
    x,
    want.map((d) => have.indexOf(d)),
  );
}
