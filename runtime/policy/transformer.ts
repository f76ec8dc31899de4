// The built-in policy: a small causal transformer (pre-LayerNorm GPT: token + position embeddings, masked multi-head
// self-attention, a ReLU MLP, untied output projection) written with raw tfjs ops, so every parameter is a tf.Variable
// that tf.variableGrads differentiates, through the compiled loss (tfjsCustomGrad) when the trainer asks.
//
// Prompts of different lengths are LEFT-padded; padding is masked out as an attention key, and positions count from
// each prompt's first token, so a prompt's log-probs do not depend on how much padding its batch needed.
// Sampling randomness is the language's counter-based hash (uniformAt) of (seed, step, sequence, position).
import { uniformAt } from "../reference/select.ts";
import type { TF, TfTensor } from "../tfjs/index.ts";
import type { NamedParameter, Policy, Responses, SampleOptions, TokenStats } from "./types.ts";

export interface TransformerConfig {
  vocabSize: number;
  dModel: number;
  layers: number;
  heads: number;
  dFF: number;
  /** Longest prompt + response, in tokens. */
  maxLength: number;
  /** Initialisation seed. */
  seed: number;
}

/** `--size`: the built-in sizes. */
export const POLICY_SIZES: Record<string, Omit<TransformerConfig, "vocabSize" | "maxLength" | "seed">> = {
  tiny: { dModel: 32, layers: 2, heads: 2, dFF: 128 },
  small: { dModel: 64, layers: 2, heads: 4, dFF: 256 },
};

type Variable = TfTensor & { assign(v: TfTensor): void; readonly name: string };

interface Layer {
  ln1g: Variable; ln1b: Variable;
  wq: Variable; wk: Variable; wv: Variable; wo: Variable; bo: Variable;
  ln2g: Variable; ln2b: Variable;
  w1: Variable; b1: Variable; w2: Variable; b2: Variable;
}

/** The seed stream of sampling, distinct from the task's prompt stream (which uses the run's seed itself). */
const SAMPLE_STREAM = 0x3c6ef372;

export class TransformerPolicy implements Policy {
  readonly kind = "transformer";
  readonly vocabSize: number;
  readonly maxLength: number;
  private readonly params: NamedParameter[] = [];
  private readonly byName = new Map<string, Variable>();
  private readonly layerVars: Layer[] = [];

  constructor(readonly tf: TF, readonly cfg: TransformerConfig, trainable = true, from?: TransformerPolicy) {
    if (cfg.dModel % cfg.heads !== 0) throw new Error(`dModel ${cfg.dModel} is not a multiple of heads ${cfg.heads}`);
    this.vocabSize = cfg.vocabSize;
    this.maxLength = cfg.maxLength;
    const d = cfg.dModel, V = cfg.vocabSize;
    let index = 0;
    const make = (name: string, shape: number[], init: "normal" | "zeros" | "ones", std = 0.02): Variable => {
      const k = index++;
      let v: TfTensor;
      if (from) v = from.byName.get(name)!.clone();
      else {
        const n = shape.reduce((a, b) => a * b, 1);
        const data = new Float32Array(n);
        if (init === "ones") data.fill(1);
        else if (init === "normal") for (let i = 0; i < n; i++) data[i] = std * gaussian(cfg.seed, k, i);
        v = tf.tensor(data, shape, "float32");
      }
      const variable = tf.variable(v, trainable, `${trainable ? "" : "frozen/"}${name}#${nextId++}`) as unknown as Variable;
      v.dispose();
      this.params.push({ name, variable });
      this.byName.set(name, variable);
      return variable;
    };
    make("wte", [V, d], "normal");
    make("wpe", [cfg.maxLength, d], "normal", 0.01);
    for (let l = 0; l < cfg.layers; l++) {
      const p = `layer${l}.`;
      this.layerVars.push({
        ln1g: make(p + "ln1.g", [d], "ones"), ln1b: make(p + "ln1.b", [d], "zeros"),
        wq: make(p + "attn.wq", [d, d], "normal"), wk: make(p + "attn.wk", [d, d], "normal"), wv: make(p + "attn.wv", [d, d], "normal"),
        wo: make(p + "attn.wo", [d, d], "normal", 0.02 / Math.sqrt(2 * cfg.layers)), bo: make(p + "attn.bo", [d], "zeros"),
        ln2g: make(p + "ln2.g", [d], "ones"), ln2b: make(p + "ln2.b", [d], "zeros"),
        w1: make(p + "mlp.w1", [d, cfg.dFF], "normal"), b1: make(p + "mlp.b1", [cfg.dFF], "zeros"),
        w2: make(p + "mlp.w2", [cfg.dFF, d], "normal", 0.02 / Math.sqrt(2 * cfg.layers)), b2: make(p + "mlp.b2", [d], "zeros"),
      });
    }
    make("lnf.g", [d], "ones");
    make("lnf.b", [d], "zeros");
    make("head.w", [d, V], "normal");
    make("head.b", [V], "zeros");
  }

  parameters(): NamedParameter[] {
    return [...this.params];
  }

  config(): Record<string, number | string> {
    return { kind: this.kind, ...this.cfg };
  }

  frozenCopy(): Policy {
    return new TransformerPolicy(this.tf, this.cfg, false, this);
  }

  dispose(): void {
    for (const p of this.params) p.variable.dispose();
  }

  private v(name: string): Variable {
    return this.byName.get(name)!;
  }

  private layerNorm(x: TfTensor, g: TfTensor, b: TfTensor): TfTensor {
    const tf = this.tf;
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  }

  /** Logits [N, L, V] of left-padded sequences `tokens` [N, L] whose first `pads[i]` tokens are padding. */
  private forward(tokens: Int32Array, n: number, L: number, pads: readonly number[]): TfTensor {
    const tf = this.tf;
    const { dModel: d, heads: H } = this.cfg;
    const dh = d / H;
    if (L > this.maxLength) throw new Error(`sequence of ${L} tokens is longer than the policy's maximum ${this.maxLength}`);
    const pos = new Int32Array(n * L);
    const bias = new Float32Array(n * L * L);
    for (let i = 0; i < n; i++) {
      const pad = pads[i]!;
      for (let j = 0; j < L; j++) pos[i * L + j] = Math.max(0, j - pad);
      for (let q = 0; q < L; q++) {
        for (let k = 0; k < L; k++) {
          const ok = k <= q && (k >= pad || k === q);
          bias[(i * L + q) * L + k] = ok ? 0 : -1e9;
        }
      }
    }
    const tokT = tf.tensor2d(tokens, [n, L], "int32");
    const posT = tf.tensor2d(pos, [n, L], "int32");
    const biasT = tf.tensor4d(bias, [n, 1, L, L]);
    let x = tf.add(tf.gather(this.v("wte"), tokT), tf.gather(this.v("wpe"), posT)); // [n, L, d]
    const scale = 1 / Math.sqrt(dh);
    for (const ly of this.layerVars) {
      const h = tf.reshape(this.layerNorm(x, ly.ln1g, ly.ln1b), [n * L, d]);
      const split = (w: TfTensor): TfTensor => tf.transpose(tf.reshape(tf.matMul(h, w), [n, L, H, dh]), [0, 2, 1, 3]);
      const q = split(ly.wq), k = split(ly.wk), v = split(ly.wv);
      const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), scale), biasT), -1); // [n, H, L, L]
      const o = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [n * L, d]);
      x = tf.add(x, tf.reshape(tf.add(tf.matMul(o, ly.wo), ly.bo), [n, L, d]));
      const h2 = tf.reshape(this.layerNorm(x, ly.ln2g, ly.ln2b), [n * L, d]);
      const ff = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(h2, ly.w1), ly.b1)), ly.w2), ly.b2);
      x = tf.add(x, tf.reshape(ff, [n, L, d]));
    }
    const hf = tf.reshape(this.layerNorm(x, this.v("lnf.g"), this.v("lnf.b")), [n * L, d]);
    return tf.reshape(tf.add(tf.matMul(hf, this.v("head.w")), this.v("head.b")), [n, L, this.vocabSize]);
  }

  /** Prompts left-padded to a common length, followed by `extra` slots per row (filled by `fill`). */
  private layout(prompts: readonly number[][], extra: number, fill?: (i: number, t: number) => number): { tokens: Int32Array; L: number; Lp: number; pads: number[] } {
    const Lp = Math.max(...prompts.map((p) => p.length));
    const L = Lp + extra;
    const tokens = new Int32Array(prompts.length * L);
    const pads = prompts.map((p, i) => {
      const pad = Lp - p.length;
      tokens.set(p, i * L + pad);
      if (fill) for (let t = 0; t < extra; t++) tokens[i * L + Lp + t] = fill(i, t);
      return pad;
    });
    return { tokens, L, Lp, pads };
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
      const { tokens: seq, L, pads } = this.layout(prompts, t, (i, s) => tokens[i * T + s]!);
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
    const { tokens, L, Lp, pads } = this.layout(prompts, T - 1, (i, t) => responses.tokens[i * T + t]!);
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

let nextId = 0;

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

/** A standard normal draw from the counter-based hash (Box-Muller): deterministic in (seed, k, i). */
function gaussian(seed: number, k: number, i: number): number {
  const u1 = uniformAt(seed, k, 2 * i) + 2 ** -25;
  const u2 = uniformAt(seed, k, 2 * i + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export { SAMPLE_STREAM };
