// Lints of loss terms: RLP403 (the k1 KL estimate as a loss), RLP404 (length-biased aggregation).
import { defineLint } from "./lint.ts";

export const k1AsLoss = defineLint("RLP403", "loss", (f) => {
  if (!f.value.flags.k1) return;
  f.ctx.lint(
    "RLP403",
    `loss '${f.name.name}' uses the k1 KL estimate (logp - ref_logp) as a loss term; its gradient is a constant 1 per token and does not pull towards the reference; prefer kl_k3 or kl_k2`,
    f.valueSpan,
    [{ message: "k1 is computed here", span: f.value.flags.k1 }],
  );
});

export const lengthBias = defineLint("RLP404", "loss", (f) => {
  const at = f.value.flags.lengthBiased;
  if (!at) return;
  const note = at.start === f.valueSpan.start && at.file === f.valueSpan.file ? [] : [{ message: "aggregated here", span: at }];
  f.ctx.lint(
    "RLP404",
    `loss '${f.name.name}' is aggregated per sequence then per token (seq_mean_token_mean), which weights tokens of short responses more (Dr. GRPO, Liu et al. 2025); token_mean or seq_mean_token_sum_norm avoid the length bias`,
    f.valueSpan,
    note,
  );
});
