// The transformer body shared by the policy (a token head: logits) and the critic (a scalar value head): a small
// pre-LayerNorm GPT (token + position embeddings, masked multi-head self-attention, a ReLU MLP, a final LayerNorm)
// written with raw tfjs ops, so every parameter is a tf.Variable that tf.variableGrads differentiates.
//
// Prompts of different lengths are LEFT-padded; padding is masked out as an attention key, and positions count from
// each prompt's first token, so a prompt's results do not depend on how much padding its batch needed.
import { uniformAt } from "../../library/ops/select.ts";
import type { TF, TfTensor } from "../../backends/tfjs/index.ts";
import type { NamedParameter } from "./types.ts";

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

export type Variable = TfTensor & { assign(v: TfTensor): void; readonly name: string };

interface Layer {
  ln1g: Variable;
  ln1b: Variable;
  wq: Variable;
  wk: Variable;
  wv: Variable;
  wo: Variable;
  bo: Variable;
  ln2g: Variable;
  ln2b: Variable;
  w1: Variable;
  b1: Variable;
  w2: Variable;
  b2: Variable;
}

let nextId = 0;

/**
 * The parameters (made in a fixed order: a head's `make` calls continue the same initialisation counter, so a
 * policy's weights do not change when the trunk is shared) and the forward pass to the final hidden states.
 */
export class TransformerTrunk {
  readonly params: NamedParameter[] = [];
  readonly byName = new Map<string, Variable>();
  private readonly layerVars: Layer[] = [];
  private index = 0;

  /** `from`: initial values by parameter name (a copy's source); names not in it are initialised from the seed. */
  constructor(
    readonly tf: TF,
    readonly cfg: TransformerConfig,
    readonly trainable: boolean,
    private readonly from?: ReadonlyMap<string, TfTensor>,
  ) {
    if (cfg.dModel % cfg.heads !== 0) throw new Error(`dModel ${cfg.dModel} is not a multiple of heads ${cfg.heads}`);
    const d = cfg.dModel,
      make = this.make.bind(this);
    make("wte", [cfg.vocabSize, d], "normal");
    make("wpe", [cfg.maxLength, d], "normal", 0.01);
    for (let l = 0; l < cfg.layers; l++) {
      const p = `layer${l}.`;
      this.layerVars.push({
        ln1g: make(p + "ln1.g", [d], "ones"),
        ln1b: make(p + "ln1.b", [d], "zeros"),
        wq: make(p + "attn.wq", [d, d], "normal"),
        wk: make(p + "attn.wk", [d, d], "normal"),
        wv: make(p + "attn.wv", [d, d], "normal"),
        wo: make(p + "attn.wo", [d, d], "normal", 0.02 / Math.sqrt(2 * cfg.layers)),
        bo: make(p + "attn.bo", [d], "zeros"),
        ln2g: make(p + "ln2.g", [d], "ones"),
        ln2b: make(p + "ln2.b", [d], "zeros"),
        w1: make(p + "mlp.w1", [d, cfg.dFF], "normal"),
        b1: make(p + "mlp.b1", [cfg.dFF], "zeros"),
        w2: make(p + "mlp.w2", [cfg.dFF, d], "normal", 0.02 / Math.sqrt(2 * cfg.layers)),
        b2: make(p + "mlp.b2", [d], "zeros"),
      });
    }
    make("lnf.g", [d], "ones");
    make("lnf.b", [d], "zeros");
  }

  /** A parameter, initialised from `from` or from (seed, creation index). */
  make(name: string, shape: number[], init: "normal" | "zeros" | "ones", std = 0.02): Variable {
    const tf = this.tf;
    const k = this.index++;
    const src = this.from?.get(name);
    let v: TfTensor;
    if (src) v = src.clone();
    else {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      if (init === "ones") data.fill(1);
      else if (init === "normal") for (let i = 0; i < n; i++) data[i] = std * gaussian(this.cfg.seed, k, i);
      v = tf.tensor(data, shape, "float32");
    }
    const variable = tf.variable(
      v,
      this.trainable,
      `${this.trainable ? "" : "frozen/"}${name}#${nextId++}`,
    ) as unknown as Variable;
    v.dispose();
    this.params.push({ name, variable });
    this.byName.set(name, variable);
    return variable;
  }

  v(name: string): Variable {
    return this.byName.get(name)!;
  }

  dispose(): void {
    for (const p of this.params) p.variable.dispose();
  }

  private layerNorm(x: TfTensor, g: TfTensor, b: TfTensor): TfTensor {
    const tf = this.tf;
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  }

  /** Final hidden states [n*L, d] of left-padded sequences `tokens` [n, L] whose first `pads[i]` tokens are padding. */
  hidden(tokens: Int32Array, n: number, L: number, pads: readonly number[]): TfTensor {
    const tf = this.tf;
    const { dModel: d, heads: H } = this.cfg;
    const dh = d / H;
    if (L > this.cfg.maxLength)
      throw new Error(`sequence of ${L} tokens is longer than the model's maximum ${this.cfg.maxLength}`);
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
      const q = split(ly.wq),
        k = split(ly.wk),
        v = split(ly.wv);
      const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), scale), biasT), -1); // [n, H, L, L]
      const o = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [n * L, d]);
      x = tf.add(x, tf.reshape(tf.add(tf.matMul(o, ly.wo), ly.bo), [n, L, d]));
      const h2 = tf.reshape(this.layerNorm(x, ly.ln2g, ly.ln2b), [n * L, d]);
      const ff = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(h2, ly.w1), ly.b1)), ly.w2), ly.b2);
      x = tf.add(x, tf.reshape(ff, [n, L, d]));
    }
    return tf.reshape(this.layerNorm(x, this.v("lnf.g"), this.v("lnf.b")), [n * L, d]);
  }
}

/** Prompts left-padded to a common length, followed by `extra` slots per row (filled by `fill`). */
export function layout(
  prompts: readonly number[][],
  extra: number,
  fill?: (i: number, t: number) => number,
): { tokens: Int32Array; L: number; Lp: number; pads: number[] } {
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

/** A standard normal draw from the counter-based hash (Box-Muller): deterministic in (seed, k, i). */
function gaussian(seed: number, k: number, i: number): number {
  const u1 = uniformAt(seed, k, 2 * i) + 2 ** -25;
  const u2 = uniformAt(seed, k, 2 * i + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
