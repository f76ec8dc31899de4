// The policy plugin interface: a model the trainer samples from and differentiates. The built-in one is a small
// causal transformer in tfjs (runtime/tools/policy/transformer.ts); a plugin implements the same interface.
import type { TF, TfTensor } from "../../backends/tfjs/index.ts";

export interface SampleOptions {
  /** Sampling randomness is a pure function of (seed, step, position): runs are reproducible and resumable. */
  seed: number;
  step: number;
  /** Softmax temperature; 0 samples greedily (the most likely token). */
  temperature: number;
  /** Response budget in tokens (end-of-sequence included). */
  maxTokens: number;
}

/** Responses of N prompts, padded to `maxTokens` (row-major [N, T]). */
export interface Responses {
  n: number;
  /** T = maxTokens. */
  length: number;
  /** Token ids; padding after the end-of-sequence token. */
  tokens: Int32Array;
  /** 1 at the response's tokens (end-of-sequence included), 0 at padding. */
  mask: Uint8Array;
}

/** Per-token statistics of given responses under the policy (host values, no gradient). */
export interface TokenStats {
  /** log-prob of each response token at the given temperature, [N, T] (0 at padding). */
  logp: Float32Array;
  /** entropy of the next-token distribution at each position, [N, T] (0 at padding). */
  entropy: Float32Array;
}

export interface NamedParameter {
  name: string;
  variable: TfTensor & { assign(v: TfTensor): void; readonly name: string };
}

export interface Policy {
  readonly kind: string;
  readonly vocabSize: number;
  /** Longest prompt + response the policy accepts, in tokens. */
  readonly maxLength: number;
  readonly tf: TF;
  /** Samples one response per prompt (prompts are token lists, beginning-of-sequence first). */
  sample(prompts: readonly number[][], options: SampleOptions): Responses;
  /** Log-probs and entropies of given responses (no gradient). */
  tokenStats(prompts: readonly number[][], responses: Responses, temperature: number): TokenStats;
  /**
   * Differentiable log-probs of the given responses, [N, T], at the temperature: call it inside a tf gradient scope
   * (tf.variableGrads) to differentiate through the policy's parameters.
   */
  logProbs(prompts: readonly number[][], responses: Responses, temperature: number): TfTensor;
  /** Differentiable logits at each response position, [N, T, V] (the logits that predict token t). */
  logits(prompts: readonly number[][], responses: Responses): TfTensor;
  /** The trainable parameters, in a fixed order with stable names. */
  parameters(): NamedParameter[];
  /** A frozen copy (same weights, no longer trained): the reference model. */
  frozenCopy(): Policy;
  /** The configuration that rebuilds an identical model (saved with the weights). */
  config(): Record<string, number | string>;
  dispose(): void;
}
