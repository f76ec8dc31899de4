// The built-in critic (`@critic`, the rollout's r.values): the policy's transformer body (trunk.ts) with a scalar value
// head, read at the positions whose logits predict each response token — the value of the state before the token, as
// verl reads its critic. Its trunk starts from the policy's weights (a warm start that already reads the task) and
// its head from zeros, so the first values are 0 and the first value loss is the plain return regression.
import { PolicyError } from "./load.ts";
import type { TF, TfTensor } from "../../backends/tfjs/index.ts";
import { layout, TransformerTrunk, type TransformerConfig } from "./trunk.ts";
import type { NamedParameter, Policy, Responses } from "./types.ts";

export class TransformerCritic {
  readonly kind = "transformer-critic";
  readonly trunk: TransformerTrunk;

  constructor(
    readonly tf: TF,
    readonly cfg: TransformerConfig,
    from?: ReadonlyMap<string, TfTensor>,
  ) {
    this.trunk = new TransformerTrunk(tf, cfg, true, from);
    this.trunk.make("value.w", [cfg.dModel, 1], "zeros");
    this.trunk.make("value.b", [1], "zeros");
  }

  /** A critic whose trunk copies the policy's (a transformer policy with the same body); the value head is fresh. */
  static fromPolicy(tf: TF, policy: Policy): TransformerCritic {
    const c = policy.config();
    if (c["kind"] !== "transformer")
      throw new PolicyError(
        `the built-in critic is made from the built-in transformer policy; a '${String(c["kind"])}' policy (a plugin) cannot train a pipeline that reads r.values`,
      );
    const cfg: TransformerConfig = {
      vocabSize: Number(c["vocabSize"]),
      dModel: Number(c["dModel"]),
      layers: Number(c["layers"]),
      heads: Number(c["heads"]),
      dFF: Number(c["dFF"]),
      maxLength: Number(c["maxLength"]),
      seed: Number(c["seed"]),
    };
    return new TransformerCritic(tf, cfg, new Map(policy.parameters().map((p) => [p.name, p.variable])));
  }

  parameters(): NamedParameter[] {
    return [...this.trunk.params];
  }

  config(): Record<string, number | string> {
    return { kind: this.kind, ...this.cfg };
  }

  /** Differentiable values [N, T] of the responses (0 at padding): call inside tf.variableGrads to train the critic. */
  values(prompts: readonly number[][], responses: Responses): TfTensor {
    const tf = this.tf;
    const { n, length: T } = responses;
    const { tokens, L, Lp, pads } = layout(prompts, T - 1, (i, t) => responses.tokens[i * T + t]!);
    const h = this.trunk.hidden(tokens, n, L, pads); // [n*L, d]
    const v = tf.reshape(tf.add(tf.matMul(h, this.trunk.v("value.w")), this.trunk.v("value.b")), [n, L]);
    const mask = tf.tensor2d(Float32Array.from(responses.mask), [n, T]);
    return tf.mul(tf.slice(v, [0, Lp - 1], [n, T]), mask);
  }

  dispose(): void {
    this.trunk.dispose();
  }
}
