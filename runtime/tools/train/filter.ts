// `filter P by keep, max_rounds=N` (compiler/elaborate/filter.ts) on the host: DAPO's dynamic sampling. Each round samples
// a fresh batch of P prompts (round 0 is the step's usual batch; round k draws its prompts and samples from a seed of
// its own, so the run stays a pure function of (seed, step) and resumes exactly), evaluates `keep` with the pipeline's
// compiled program, and keeps the prompts where it holds, in order, until P are kept. When the rounds run out first,
// the rest of the batch is filled with the first rounds' prompts that were not kept (P is a static size of the
// compiled stage, and a batch is never empty); `filter_kept` in the metrics says how many passed.
import type { Responses } from "../policy/index.ts";
import type { Tensor } from "../../library/tensor.ts";
import type { RolloutBatch } from "./batch.ts";
import type { TrainPlan } from "./plan.ts";

export interface FilterOutcome {
  batch: RolloutBatch;
  /** Batches sampled (1 when the first one already had P prompts that pass). */
  rounds: number;
  /** Prompts in the batch that passed (P when the rounds sufficed). */
  kept: number;
}

/** The seed of refill round `round` (round 0 is the step's own seed). */
export function roundSeed(seed: number, round: number): number {
  return round === 0 ? seed : (seed ^ Math.imul(0x9e3779b1, round)) >>> 0;
}

/**
 * Samples up to `maxRounds` batches (`sample(round)`) and assembles P prompts that pass `keep(batch)` (one 0/1 per
 * prompt), filled with prompts that did not pass when the rounds run out.
 */
export function filterBatch(
  plan: TrainPlan,
  P: number,
  maxRounds: number,
  sample: (round: number) => RolloutBatch,
  keep: (b: RolloutBatch) => ArrayLike<number>,
): FilterOutcome {
  const passed: { b: RolloutBatch; i: number }[] = [];
  const rest: { b: RolloutBatch; i: number }[] = [];
  let rounds = 0;
  while (passed.length < P && rounds < maxRounds) {
    const b = sample(rounds++);
    const k = keep(b);
    for (let i = 0; i < b.prompts.length; i++) (k[i] ? passed : rest).push({ b, i });
  }
  const picked = passed.slice(0, P);
  const kept = picked.length;
  for (let j = 0; picked.length < P && j < rest.length; j++) picked.push(rest[j]!);
  return { batch: rounds === 1 && kept === P ? picked[0]!.b : assemble(plan, picked), rounds, kept };
}

/** One batch made of prompts taken from several (each with its whole group and every per-prompt tensor). */
function assemble(plan: TrainPlan, picked: { b: RolloutBatch; i: number }[]): RolloutBatch {
  const first = picked[0]!.b;
  const G = first.group,
    T = first.responses.length;
  const lead = plan.rollout.dims["prompts"]!;
  const tokens = new Int32Array(picked.length * G * T);
  const mask = new Uint8Array(picked.length * G * T);
  const scores = new Float64Array(picked.length * G);
  const correct = new Uint8Array(picked.length * G);
  picked.forEach(({ b, i }, j) => {
    tokens.set(b.responses.tokens.subarray(i * G * T, (i + 1) * G * T), j * G * T);
    mask.set(b.responses.mask.subarray(i * G * T, (i + 1) * G * T), j * G * T);
    scores.set(b.scores.subarray(i * G, (i + 1) * G), j * G);
    correct.set(b.correct.subarray(i * G, (i + 1) * G), j * G);
  });
  const responses: Responses = { n: picked.length * G, length: T, tokens, mask };
  const take = (of: (b: RolloutBatch) => Tensor | undefined): Tensor | undefined => {
    const t0 = of(first);
    if (!t0) return undefined;
    return stackLead(
      t0,
      lead,
      picked.map(({ b, i }) => ({ t: of(b)!, i })),
    );
  };
  const host: Record<string, Tensor> = {};
  for (const name of Object.keys(first.host)) host[name] = take((b) => b.host[name])!;
  const batches = [...new Set(picked.map((p) => p.b))];
  // Token-weighted means of the batches' sampling statistics (over the batches sampled for the picked prompts).
  const tokensAll = batches.reduce((s, b) => s + b.tokens, 0);
  const weighted = (f: (b: RolloutBatch) => number) =>
    tokensAll ? batches.reduce((s, b) => s + f(b) * b.tokens, 0) / tokensAll : 0;
  const valuesValue = take((b) => b.valuesValue);
  return {
    prompts: picked.map(({ b, i }) => b.prompts[i]!),
    rows: picked.flatMap(({ b, i }) => b.rows.slice(i * G, (i + 1) * G)),
    group: G,
    responses,
    texts: picked.flatMap(({ b, i }) => b.texts.slice(i * G, (i + 1) * G)),
    temperature: first.temperature,
    host,
    wrtValue: take((b) => b.wrtValue)!,
    ...(valuesValue ? { valuesValue } : {}),
    time: {
      rollout_s: batches.reduce((s, b) => s + b.time.rollout_s, 0),
      reward_s: batches.reduce((s, b) => s + b.time.reward_s, 0),
    },
    scores,
    correct,
    entropy: weighted((b) => b.entropy),
    kl: weighted((b) => b.kl),
    tokens: picked.reduce((s, { b, i }) => s + countMask(b.responses.mask, i * G * T, (i + 1) * G * T), 0),
  };
}

/** Slice `i` along the first dim (`lead`) of each tensor, stacked in order; a tensor without `lead` first is shared. */
function stackLead(t0: Tensor, lead: string, parts: { t: Tensor; i: number }[]): Tensor {
  if (t0.dims[0] !== lead) return t0;
  const inner = t0.shape.slice(1).reduce((a, b) => a * b, 1);
  const data = new Float64Array(parts.length * inner);
  parts.forEach(({ t, i }, j) => data.set(t.data.subarray(i * inner, (i + 1) * inner), j * inner));
  return { dtype: t0.dtype, dims: [...t0.dims], shape: [parts.length, ...t0.shape.slice(1)], data };
}

function countMask(mask: Uint8Array, lo: number, hi: number): number {
  let n = 0;
  for (let k = lo; k < hi; k++) n += mask[k]!;
  return n;
}
