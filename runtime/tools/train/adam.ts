// Adam (Kingma & Ba) with global-norm gradient clipping, on tfjs variables. Written out (not tf.train.adam) so its
// whole state — the step count and both moments — is plain float32 data that a checkpoint saves and restores exactly.
import type { NamedParameter } from "../policy/index.ts";
import type { TF, TfTensor } from "../../backends/tfjs/index.ts";

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Clip the global gradient norm to this value (0: no clipping). */
  clip: number;
}

export const ADAM_DEFAULTS: AdamOptions = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, clip: 1.0 };

export interface AdamState {
  t: number;
  m: Float32Array[];
  v: Float32Array[];
}

export class Adam {
  private t = 0;
  private readonly m: TfTensor[];
  private readonly v: TfTensor[];

  constructor(
    private readonly tf: TF,
    private readonly params: NamedParameter[],
    readonly options: AdamOptions,
  ) {
    this.m = params.map((p) => tf.keep(tf.zerosLike(p.variable)));
    this.v = params.map((p) => tf.keep(tf.zerosLike(p.variable)));
  }

  /** The global L2 norm of the gradients (before clipping). */
  static globalNorm(tf: TF, grads: TfTensor[]): number {
    return tf.tidy(() => Math.sqrt(grads.reduce((acc, g) => acc + (tf.sum(tf.square(g)).dataSync()[0] ?? 0), 0)));
  }

  /** One update with `grads` (in parameter order); returns the gradient norm before clipping. */
  apply(grads: TfTensor[]): number {
    const tf = this.tf;
    const o = this.options;
    const norm = Adam.globalNorm(tf, grads);
    const scale = o.clip > 0 && norm > o.clip ? o.clip / norm : 1;
    this.t++;
    const c1 = 1 - Math.pow(o.beta1, this.t);
    const c2 = 1 - Math.pow(o.beta2, this.t);
    this.params.forEach((p, i) => {
      const [m, v] = tf.tidy(() => {
        const g = scale === 1 ? grads[i]! : tf.mul(grads[i]!, scale);
        const m = tf.add(tf.mul(this.m[i]!, o.beta1), tf.mul(g, 1 - o.beta1));
        const v = tf.add(tf.mul(this.v[i]!, o.beta2), tf.mul(tf.square(g), 1 - o.beta2));
        const step = tf.div(tf.mul(m, o.lr / c1), tf.add(tf.sqrt(tf.div(v, c2)), o.eps));
        p.variable.assign(tf.sub(p.variable, step));
        return [tf.keep(m), tf.keep(v)];
      });
      this.m[i]!.dispose();
      this.v[i]!.dispose();
      this.m[i] = m!;
      this.v[i] = v!;
    });
    return norm;
  }

  state(): AdamState {
    return {
      t: this.t,
      m: this.m.map((x) => Float32Array.from(x.dataSync() as Float32Array)),
      v: this.v.map((x) => Float32Array.from(x.dataSync() as Float32Array)),
    };
  }

  load(s: AdamState): void {
    if (s.m.length !== this.params.length || s.v.length !== this.params.length)
      throw new Error(`optimizer state has ${s.m.length} moments for ${this.params.length} parameters`);
    this.t = s.t;
    this.params.forEach((p, i) => {
      if (s.m[i]!.length !== p.variable.size || s.v[i]!.length !== p.variable.size)
        throw new Error(`optimizer state of '${p.name}' has the wrong size`);
      this.m[i]!.dispose();
      this.v[i]!.dispose();
      this.m[i] = this.tf.keep(this.tf.tensor(s.m[i]!, p.variable.shape, "float32"));
      this.v[i] = this.tf.keep(this.tf.tensor(s.v[i]!, p.variable.shape, "float32"));
    });
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}
