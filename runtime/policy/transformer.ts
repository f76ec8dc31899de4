// The built-in policy: a small causal transformer (the body in trunk.ts, shared with the critic) with an untied output
// projection, written with raw tfjs ops, so every parameter is a tf.Variable that tf.variableGrads differentiates,
// through the compiled loss (tfjsCustomGrad) when the trainer asks.
// Sampling randomness is the language's counter-based hash (uniformAt) of (seed, step, sequence, position).
import { uniformAt } from "../reference/select.ts";
import type { TF, TfTensor } from "../tfjs/index.ts";
import { layout, TransformerTrunk, type TransformerConfig } from "./trunk.ts";
import type { NamedParameter, Policy, Responses, SampleOptions, TokenStats } from "./types.ts";

export type { TransformerConfig } from "./trunk.ts";

/** `--size`: the built-in sizes. */
export const POLICY_SIZES: Record<string, Omit<TransformerConfig, "vocabSize" | "maxLength" | "seed">> = {
  tiny: { dModel: 32, layers: 2, heads: 2, dFF: 128 },
  small: { dModel: 64, layers: 2, heads: 4, dFF: 256 },
};

/** The seed stream of sampling, distinct from the task's prompt stream (which uses the run's seed itself). */
const SAMPLE_STREAM = 0x3c6ef372;

export class TransformerPolicy implements Policy {
  readonly kind = "transformer";
  readonly vocabSize: number;
  readonly maxLength: number;
  readonly trunk: TransformerTrunk;

  constructor(readonly tf: TF, readonly cfg: TransformerConfig, trainable = true, from?: TransformerPolicy) {
    this.vocabSize = cfg.vocabSize;
    this.maxLength = cfg.maxLength;
    this.trunk = new TransformerTrunk(tf, cfg, trainable, from?.trunk.byName);
    this.trunk.make("head.w", [cfg.dModel, cfg.vocabSize], "normal");
    this.trunk.make("head.b", [cfg.vocabSize], "zeros");
  }

  parameters(): NamedParameter[] {
    return [...this.trunk.params];
  }

  config(): Record<string, number | string> {
    return { kind: this.kind, ...this.cfg };
  }

  frozenCopy(): Policy {
    return new TransformerPolicy(this.tf, this.cfg, false, this);
  }

  dispose(): void {
    this.trunk.dispose();
  }

  /** Logits [N, L, V] of left-padded sequences `tokens` [N, L] whose first `pads[i]` tokens are padding. */
  private forward(tokens: Int32Array, n: number, L: number, pads: readonly number[]): TfTensor {
    const tf = this.tf;
    const hf = this.trunk.hidden(tokens, n, L, pads);
    return tf.reshape(tf.add(tf.matMul(hf, this.trunk.v("head.w")), this.trunk.v("head.b")), [n, L, this.vocabSize]);
  }

  sample(prompts: readonly number[][], options: SampleOptions): Responses {
    const tf = this.tf;
    const n = prompts.length, T = options.maxTokens, V = this.vocabSize;
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

export { SAMPLE_STREAM };
