// Two custom nodes in TypeScript, used by examples/custom/rank_pg.rlp (docs/custom-nodes.md walks through them).
// The compiler reads each node's signature from the types of `forward`; the runtime calls forward (and gradient)
// with float64 tensors laid out as declared: the "..." (row) dims first, then the named dims.
import { defineNode, type Dim, type Result, type Tensor } from "rlpc/plugin";

/**
 * Rank advantage: each response's reward replaced by its centred rank within the group, scaled to [-1, 1]
 * (ties share their mean rank). Robust to the reward's scale and outliers; a group whose rewards are all equal gets 0.
 * Not differentiable: an advantage is const anyway.
 */
export const rank_advantage = defineNode({
  differentiable: false,
  forward(reward: Tensor<"f32", ["...", "over"]>, over: Dim): Result<"f32", ["...", "over"]> {
    const G = over.size;
    const out = new Float64Array(reward.data.length);
    for (let r = 0; r < reward.rows; r++) {
      const row = reward.data.subarray(r * G, (r + 1) * G);
      for (let i = 0; i < G; i++) {
        let below = 0;
        let equal = 0;
        for (let j = 0; j < G; j++) {
          if (row[j]! < row[i]!) below++;
          else if (row[j] === row[i]) equal++;
        }
        const rank = below + (equal - 1) / 2; // 0 .. G-1, ties at their mean rank
        out[r * G + i] = G > 1 ? (2 * rank) / (G - 1) - 1 : 0;
      }
    }
    return out;
  },
});

/**
 * A smooth PPO-style surrogate: -A · (1 + limit · tanh((ratio - 1) / limit)) with ratio = exp(logp - old_logp).
 * Near ratio = 1 it is the plain policy gradient; far from it the tanh saturates, so the update is bounded without
 * PPO's hard clip (whose gradient is exactly 0 outside the trust region).
 */
export const soft_clip_pg = defineNode({
  params: { limit: { type: "number", default: 0.2, exclusiveMinimum: 0 } },
  forward(
    logp: Tensor<"f32", ["..."]>,
    old_logp: Tensor<"f32", ["..."], "const">,
    adv: Tensor<"f32", ["..."], "const">,
    limit: number,
  ): Result<"f32", ["..."]> {
    return logp.data.map((lp, i) => -adv.data[i]! * (1 + limit * Math.tanh((Math.exp(lp - old_logp.data[i]!) - 1) / limit)));
  },
  gradient(
    dy: Tensor<"f32", ["..."]>,
    logp: Tensor<"f32", ["..."]>,
    old_logp: Tensor<"f32", ["..."], "const">,
    adv: Tensor<"f32", ["..."], "const">,
    limit: number,
  ) {
    const logpGrad = logp.data.map((lp, i) => {
      const ratio = Math.exp(lp - old_logp.data[i]!);
      const t = Math.tanh((ratio - 1) / limit);
      return dy.data[i]! * -adv.data[i]! * (1 - t * t) * ratio;
    });
    return { logp: logpGrad };
  },
});
