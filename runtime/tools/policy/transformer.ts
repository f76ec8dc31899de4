// The built-in policy: a small causal transformer (the body in trunk.ts, shared with the critic) with an untied output
// projection, written with raw tfjs ops, so every parameter is a tf.Variable that tf.variableGrads differentiates,
// through the compiled loss (tfjsCustomGrad) when the trainer asks.
// Sampling, token statistics and log-probs come from AutoregressivePolicy.
import type { TF, TfTensor } from "../../backends/tfjs/index.ts";
import { AutoregressivePolicy } from "./autoregressive.ts";
import { TransformerTrunk, type TransformerConfig } from "./trunk.ts";
import type { NamedParameter, Policy } from "./types.ts";

export type { TransformerConfig } from "./trunk.ts";

/** `--size`: the built-in sizes. */
export const POLICY_SIZES: Record<string, Omit<TransformerConfig, "vocabSize" | "maxLength" | "seed">> = {
  tiny: { dModel: 32, layers: 2, heads: 2, dFF: 128 },
  small: { dModel: 64, layers: 2, heads: 4, dFF: 256 },
};

export class TransformerPolicy extends AutoregressivePolicy {
  readonly kind = "transformer";
  readonly vocabSize: number;
  readonly maxLength: number;
  readonly trunk: TransformerTrunk;

  constructor(
    readonly tf: TF,
    readonly cfg: TransformerConfig,
    trainable = true,
    from?: TransformerPolicy,
  ) {
    super();
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

  protected forward(tokens: Int32Array, n: number, L: number, pads: readonly number[]): TfTensor {
    const tf = this.tf;
    const hf = this.trunk.hidden(tokens, n, L, pads);
    return tf.reshape(tf.add(tf.matMul(hf, this.trunk.v("head.w")), this.trunk.v("head.b")), [n, L, this.vocabSize]);
  }
}
