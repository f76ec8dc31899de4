// A second rollout on the first's prompts (ReMax's greedy baseline; compiler/elaborate/second_rollout.ts, docs/training.md
// section 1c) on the host: its plan (which program input carries which of its fields) and its sampling. It samples
// the first rollout's prompts again with the same policy (before the step's update), `group` responses each at its
// own temperature (0: greedy), and the task scores them. Its draws come from a stream of their own, so they are a
// pure function of (seed, step) — distinct from the first rollout's — and a resumed run is exact.
import { ROLLOUT_SOURCES } from "../../../compiler/ir/rollout_record.ts";
import type { IRInput, IRProgram, IRRollout } from "../../../compiler/ir/ir.ts";
import type { Policy } from "../policy/index.ts";
import type { Prompt, Task } from "../tasks/index.ts";
import type { Tensor } from "../../library/tensor.ts";
import { PlanError } from "./plan.ts";

export interface SecondRolloutPlan {
  rollout: IRRollout;
  /** Field -> the program input that carries it (tokens, mask, prompt_id, score). */
  inputs: Record<string, IRInput>;
}

/** The seed stream of the second rollout's draws (the first rollout's policy.sample uses the seed itself). */
const SECOND_STREAM = 0x5bd1e995;

/** The second rollout of a pipeline (the one with `prompts=`), its inputs mapped and checked; undefined if none. */
export function planSecondRollout(program: IRProgram): SecondRolloutPlan | undefined {
  const declared = program.rollouts ?? [];
  const second = declared.find((r) => r.prompts !== undefined);
  if (!second) return undefined;
  const first = declared.find((r) => r.name === second.prompts);
  if (!first || first.source !== "sample" || declared.length !== 2) {
    throw new PlanError(
      `rollout '${second.name}' samples on the prompts of '${second.prompts}', which is not the pipeline's first sample rollout`,
    );
  }
  if (second.model !== first.model) {
    throw new PlanError(
      `rollout '${second.name}' samples from ${second.model}, but rlp train samples both rollouts from the trained policy '${first.model}'`,
    );
  }
  const spec = ROLLOUT_SOURCES.sample;
  const inputs: Record<string, IRInput> = {};
  for (const [field, name] of Object.entries(second.fields)) {
    const inp = program.inputs.find((i) => i.name === name);
    const f = spec.fields[field] ?? spec.methods[field];
    if (!inp || !f) throw new PlanError(`rollout '${second.name}': rlp train does not make its field '${field}'`);
    const dims = f.dims.map((r) => second.dims[r]!);
    if (
      inp.mark !== undefined ||
      inp.type.dtype !== f.dtype ||
      dims.length !== inp.type.dims.length ||
      !dims.every((d) => inp.type.dims.includes(d))
    ) {
      throw new PlanError(
        `pipeline input '${inp.name}' is not typed as rollout '${second.name}' makes its ${field} (${f.dtype}[${dims.join(",")}], const)`,
      );
    }
    inputs[field] = inp;
  }
  return { rollout: second, inputs };
}

/** The names of the program inputs the second rollout provides (the first rollout's plan leaves them out). */
export function secondRolloutInputNames(program: IRProgram): Set<string> {
  return new Set((program.rollouts ?? []).filter((r) => r.prompts !== undefined).flatMap((r) => Object.values(r.fields)));
}

export interface SecondRolloutBatch {
  /** Its inputs of the compiled stage, by input name; P (the first rollout's prompts) is each one's first dim. */
  host: Record<string, Tensor>;
  /** Seconds sampling and scoring. */
  rollout_s: number;
  reward_s: number;
  /** Mean score of its responses. */
  meanScore: number;
}

/** Samples the second rollout on `prompts` (the first rollout's, in its order) and scores it. */
export function sampleSecondRollout(
  plan: SecondRolloutPlan,
  policy: Policy,
  task: Task,
  prompts: Prompt[],
  o: { seed: number; step: number },
): SecondRolloutBatch {
  const t0 = performance.now();
  const r = plan.rollout;
  const G = r.options["group"]!,
    T = r.options["max_tokens"]!;
  const temperature = r.options["temperature"] ?? 1;
  const rows = prompts.flatMap((p) => Array.from({ length: G }, () => p.tokens));
  const responses = policy.sample(rows, { seed: (o.seed ^ SECOND_STREAM) >>> 0, step: o.step, temperature, maxTokens: T });
  const t1 = performance.now();
  const N = rows.length;
  const scores = new Float64Array(N);
  let sum = 0;
  if (plan.inputs["score"]) {
    for (let i = 0; i < N; i++) {
      const text = task.vocab.decode(responses.tokens.subarray(i * T, (i + 1) * T));
      sum += scores[i] = task.score(prompts[Math.floor(i / G)]!, text);
    }
  }
  const t2 = performance.now();
  const P = prompts.length;
  const [dp, dg, dt] = [r.dims["prompts"]!, r.dims["group"]!, r.dims["tokens"]!];
  const make: Record<string, () => Tensor> = {
    tokens: () => ({ dtype: "i32", dims: [dp, dg, dt], shape: [P, G, T], data: Float64Array.from(responses.tokens) }),
    mask: () => ({ dtype: "bool", dims: [dp, dg, dt], shape: [P, G, T], data: Float64Array.from(responses.mask) }),
    prompt_id: () => ({ dtype: "id", dims: [dp], shape: [P], data: Float64Array.from(prompts.map((p) => p.id)) }),
    score: () => ({ dtype: "f32", dims: [dp, dg], shape: [P, G], data: scores }),
  };
  const host: Record<string, Tensor> = {};
  for (const [field, inp] of Object.entries(plan.inputs)) host[inp.name] = make[field]!();
  return { host, rollout_s: (t1 - t0) / 1000, reward_s: (t2 - t1) / 1000, meanScore: N ? sum / N : 0 };
}
