// A policy that predicts the next token from a left-padded sequence: everything the trainer needs (sampling, token
// statistics, differentiable log-probs and logits of given responses) built on one `forward` that gives the logits
// at every position. The built-in transformer extends it, and so may a policy plugin (examples/policies/bigram.ts):
// it then writes only forward, parameters, config, frozenCopy and dispose.
// Sampling randomness is the language's counter-based hash (uniformAt) of (seed, step, sequence, position).
import { uniformAt } from "../../library/ops/select.ts";
import type { TF, TfTensor } from "../../backends/tfjs/index.ts";
import { layout } from "./trunk.ts";
import type { NamedParameter, Policy, Responses, SampleOptions, TokenStats } from "./types.ts";

/** The seed stream of sampling, distinct from the task's prompt stream (which uses the run's seed itself). */
export const SAMPLE_STREAM = 0x3c6ef372;

export abstract class AutoregressivePolicy implements Policy {
  abstract readonly kind: string;
  abstract readonly vocabSize: number;
  abstract readonly maxLength: number;
  abstract readonly tf: TF;
  abstract parameters(): NamedParameter[];
  abstract config(): Record<string, number | string>;
  abstract frozenCopy(): Policy;
  abstract dispose(): void;
  /**
   * Logits [N, L, V] of left-padded sequences `tokens` [N, L] (row-major) whose first `pads[i]` tokens are padding:
   * the logits at position l predict token l + 1. Differentiable (tf ops on the policy's variables).
   */
  protected abstract forward(tokens: Int32Array, n: number, L: number, pads: readonly number[]): TfTensor;

  sample(prompts: readonly number[][], options: SampleOptions): Responses {
    const tf = this.tf;
    const n = prompts.length,
      T = options.maxTokens,
      V = this.vocabSize;
    const tokens = new Int32Array(n * T);
    const mask = new Uint8Array(n * T);
    const done = new Uint8Array(n);
    const seed = (options.seed ^ SAMPLE_STREAM) >>> 0;
    const eos = 2;
    for (let t = 0; t < T; t++) {
      // prompt + tokens[0..t): the logits of the last position predict token t
      const { tokens: seq, L, pads } = layout(prompts, t, (i, s) => tokens[i * T + s]!);
      const last = tf.tidy(() => tf.slice(this.forward(seq, n, L, pads), [0, L - 1, 0], [n, 1, V]).dataSync() as Float32Array);
      let open = 0;
      for (let i = 0; i < n; i++) {
        if (done[i]) continue;
        const tok = pick(last, i * V, V, options.temperature, uniformAt(seed, options.step, i * T + t));
        tokens[i * T + t] = tok;
        mask[i * T + t] = 1;
        if (tok === eos) done[i] = 1;
        else open++;
      }
      if (open === 0) break;
    }
    return { n, length: T, tokens, mask };
  }

  tokenStats(prompts: readonly number[][], responses: Responses, temperature: number): TokenStats {
    const tf = this.tf;
    const { n, length: T } = responses;
    const V = this.vocabSize;
    const raw = tf.tidy(() => this.responseLogits(prompts, responses).dataSync() as Float32Array);
    const logp = new Float32Array(n * T);
    const entropy = new Float32Array(n * T);
    const temp = temperature > 0 ? temperature : 1;
    for (let r = 0; r < n * T; r++) {
      if (!responses.mask[r]) continue;
      const o = r * V;
      let mx = -Infinity;
      for (let k = 0; k < V; k++) mx = Math.max(mx, raw[o + k]! / temp);
      let z = 0;
      for (let k = 0; k < V; k++) z += Math.exp(raw[o + k]! / temp - mx);
      const lz = mx + Math.log(z);
      let h = 0;
      for (let k = 0; k < V; k++) {
        const lp = raw[o + k]! / temp - lz;
        h -= Math.exp(lp) * lp;
      }
      logp[r] = raw[o + responses.tokens[r]!]! / temp - lz;
      entropy[r] = h;
    }
    return { logp, entropy };
  }

  /** Logits [N, T, V] predicting each response token (position Lp-1+t of prompt + response). */
  private responseLogits(prompts: readonly number[][], responses: Responses): TfTensor {
    const { n, length: T } = responses;
    const { tokens, L, Lp, pads } = layout(prompts, T - 1, (i, t) => responses.tokens[i * T + t]!);
    const all = this.forward(tokens, n, L, pads);
    return this.tf.slice(all, [0, Lp - 1, 0], [n, T, this.vocabSize]);
  }

  logits(prompts: readonly number[][], responses: Responses): TfTensor {
    return this.responseLogits(prompts, responses);
  }

  logProbs(prompts: readonly number[][], responses: Responses, temperature: number): TfTensor {
    const tf = this.tf;
    const { n, length: T } = responses;
    const logits = this.responseLogits(prompts, responses);
    const scaled = temperature > 0 && temperature !== 1 ? tf.div(logits, temperature) : logits;
    const lsm = tf.logSoftmax(scaled, -1);
    // The one-hot selection of each token, 0 at padding (made on the host: the wasm backend's OneHot ignores dtype).
    const V = this.vocabSize;
    const pick = new Float32Array(n * T * V);
    for (let r = 0; r < n * T; r++) if (responses.mask[r]) pick[r * V + responses.tokens[r]!] = 1;
    return tf.sum(tf.mul(lsm, tf.tensor3d(pick, [n, T, V])), -1);
  }
}

/** Draws a token from logits[o..o+V) at a temperature with the uniform draw u (greedy at temperature 0). */
function pick(logits: Float32Array, o: number, V: number, temperature: number, u: number): number {
  if (!(temperature > 0)) {
    let best = 0;
    for (let k = 1; k < V; k++) if (logits[o + k]! > logits[o + best]!) best = k;
    return best;
  }
  let mx = -Infinity;
  for (let k = 0; k < V; k++) mx = Math.max(mx, logits[o + k]! / temperature);
  const p = new Float64Array(V);
  let z = 0;
  for (let k = 0; k < V; k++) z += p[k] = Math.exp(logits[o + k]! / temperature - mx);
  let acc = 0;
  const target = u * z;
  for (let k = 0; k < V; k++) {
    acc += p[k]!;
    if (target < acc) return k;
  }
  return V - 1;
}
