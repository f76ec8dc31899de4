// The record a rollout source gives (docs/training.md): the contract between the compiler, which types the fields a
// pipeline reads (compiler/elaborate/rollout.ts), and the trainer, which makes them (runtime/tools/train). Pure data.
import type { DType, IRRollout } from "./ir.ts";

export type RolloutSource = IRRollout["source"];

/** One field of a rollout record: its type, by the roles of the rollout's dims. */
export interface FieldSpec {
  dtype: DType;
  /** Roles of the dims (`prompts`, `group`, `tokens`, `vocab`, `batch`), in this order. */
  dims: string[];
  /** `i32<vocab>`: token ids. */
  indexOf?: string;
  /** Differentiable: carries the sampled model's mark (recomputed by the trainer under its gradient tape). */
  grad?: boolean;
  /** The mark a differentiable field carries when it is not the sampled model's (the critic's values). */
  mark?: string;
  /** What the trainer puts there (docs, messages). */
  doc: string;
}

export interface SourceSpec {
  /** Role -> default dim name. */
  dims: Record<string, string>;
  /** The static options after `model, task`. */
  options: { name: string; required: boolean; integer: boolean; min: number; default?: number }[];
  fields: Record<string, FieldSpec>;
  /** `task.NAME(record)` methods: results computed by the task on the host. */
  methods: Record<string, FieldSpec>;
}

/** The record types of the two rollout sources. */
export const ROLLOUT_SOURCES: Record<RolloutSource, SourceSpec> = {
  sample: {
    dims: { prompts: "P", group: "G", tokens: "T", vocab: "V" },
    options: [
      { name: "group", required: true, integer: true, min: 1 },
      { name: "max_tokens", required: true, integer: true, min: 1 },
      { name: "temperature", required: false, integer: false, min: 0, default: 1.0 },
    ],
    fields: {
      tokens: {
        dtype: "i32",
        dims: ["prompts", "group", "tokens"],
        indexOf: "vocab",
        doc: "the sampled response tokens (end-of-sequence included; padding after it)",
      },
      mask: {
        dtype: "bool",
        dims: ["prompts", "group", "tokens"],
        doc: "true at the response's tokens, the end-of-sequence token included; false at padding",
      },
      logp: {
        dtype: "f32",
        dims: ["prompts", "group", "tokens"],
        grad: true,
        doc: "log-prob of each sampled token under the model being trained, recomputed at each update (differentiable)",
      },
      old_logp: {
        dtype: "f32",
        dims: ["prompts", "group", "tokens"],
        doc: "log-prob of each sampled token under the model that sampled it (before this batch's updates)",
      },
      ref_logp: {
        dtype: "f32",
        dims: ["prompts", "group", "tokens"],
        doc: "log-prob of each sampled token under the frozen reference model (the starting policy)",
      },
      prompt_id: { dtype: "id", dims: ["prompts"], doc: "a stable key of each prompt (for state tables)" },
      values: {
        dtype: "f32",
        dims: ["prompts", "group", "tokens"],
        grad: true,
        mark: "critic",
        doc: "the critic's value of each response position (the state before the token), recomputed at each update (differentiable, @critic)",
      },
      old_values: {
        dtype: "f32",
        dims: ["prompts", "group", "tokens"],
        doc: "the critic's values when the batch was sampled (before this batch's updates)",
      },
    },
    methods: {
      score: { dtype: "f32", dims: ["prompts", "group"], doc: "the task's verifier: the reward of each response" },
    },
  },
  demonstrations: {
    dims: { batch: "B", tokens: "T", vocab: "V" },
    options: [
      { name: "batch", required: true, integer: true, min: 1 },
      { name: "max_tokens", required: false, integer: true, min: 1, default: 16 },
    ],
    fields: {
      tokens: {
        dtype: "i32",
        dims: ["batch", "tokens"],
        indexOf: "vocab",
        doc: "the task's reference answers (end-of-sequence included; padding after it)",
      },
      mask: { dtype: "bool", dims: ["batch", "tokens"], doc: "true at the answer's tokens, the end-of-sequence token included" },
      logits: {
        dtype: "f32",
        dims: ["batch", "tokens", "vocab"],
        grad: true,
        doc: "the model's logits for each answer position (differentiable)",
      },
      logp: {
        dtype: "f32",
        dims: ["batch", "tokens"],
        grad: true,
        doc: "log-prob of each answer token under the model (differentiable)",
      },
      prompt_id: { dtype: "id", dims: ["batch"], doc: "a stable key of each prompt" },
    },
    methods: {},
  },
};

/** The field `logp@M` of a sample rollout: M's log-probs of the sampled tokens, const. */
export function modelLogpSpec(model: string): FieldSpec {
  return {
    dtype: "f32",
    dims: ["prompts", "group", "tokens"],
    doc: `log-prob of each sampled token under the derived model '${model}' when the batch was sampled (const)`,
  };
}

/** The model a `logp@M` field reads, or undefined for any other field name. */
export function logpFieldModel(field: string): string | undefined {
  return field.startsWith("logp@") ? field.slice("logp@".length) : undefined;
}
