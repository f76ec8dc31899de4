// One small pipeline body per std node (and per enum variant that changes the math). Inputs are the conventional
// names of std_inputs.ts, declared automatically. Losses weight their terms with const random tensors (wt, wq) so
// that a position mistake cannot hide behind a uniform cotangent.
import type { MaskMode } from "./std_inputs.ts";

export interface StdCase {
  name: string;
  body: string;
  /** The dims line (default P, G, T, V). */
  dims?: string;
  mask?: MaskMode;
}

const PREF = "P, Y, T";

export const STD_CASES: StdCase[] = [
  // aggregate.rlp
  { name: "masked_mean", body: "loss L = masked_mean(x * wt, mask)" },
  {
    name: "masked_whiten",
    mask: "nonempty",
    body: "loss L = sum((masked_whiten(x, mask) + masked_whiten(x, mask, shift_mean=false)) * wt, over=...)",
  },
  {
    name: "token aggregations",
    body: "loss L = token_mean(x * wt, mask) + seq_mean_token_sum(x * wt, mask) + seq_mean_token_mean(x * wt, mask) + seq_mean_token_sum_norm(x * wt, mask, norm=3.0)",
  },
  {
    name: "agg (every mode)",
    body: "loss L = agg(x * wt, mask) + agg(x * wt, mask, mode=seq_mean_token_sum) + agg(x * wt, mask, mode=seq_mean_token_mean) + agg(x * wt, mask, mode=seq_mean_token_sum_norm)",
  },
  // bnpo.rlp
  { name: "bnpo_advantage", body: "loss L = sum(bnpo_advantage(r) * logp, over=[P,G,T], where=mask)" },
  {
    name: "bnpo_advantage_decomposed",
    dims: "C, P, G, T",
    body: "loss L = sum(bnpo_advantage_decomposed(cr, components=C) * logp, over=[P,G,T], where=mask)",
  },
  { name: "bnpo_weight", body: "loss L = sum(bnpo_weight(prob, ab, bb) * wq, over=[P,G])" },
  // clip.rlp
  { name: "ppo_clip", body: "let l, c = ppo_clip(logp, old_logp, A)\n  loss L = token_mean(l * wt, mask)" },
  {
    name: "ppo_clip (clip-higher, dual clip)",
    body: "let l, c = ppo_clip(logp, old_logp, A, eps_low=0.1, eps_high=0.3, dual_clip=1.2)\n  loss L = token_mean(l * wt, mask)",
  },
  {
    name: "value_clip_loss",
    body: "loss L = 0.5 * token_mean(value_clip_loss(values, old_values, returns, eps=0.2) * wt, mask)",
  },
  // copo.rlp
  {
    name: "copo_global_advantage",
    body: "let ag, h = copo_global_advantage(r, answer)\n  loss L = sum(sum(logp, over=[G,T], where=mask) * (ag + h), over=P)",
  },
  {
    name: "copo_blend_weight (every mode)",
    body: "let b = copo_blend_weight(H, A) + copo_blend_weight(H, A, mode=only_soft, k=2.0) + copo_blend_weight(H, A, mode=only_forced) + copo_blend_weight(H, A, mode=only_global) + copo_blend_weight(H, A, mode=no_global)\n  loss L = sum(b * wq, over=[P,G])",
  },
  { name: "copo_loss", body: "let l, c = copo_loss(logp, old_logp, Ag, A, u01)\n  loss L = token_mean(l * wt, mask)" },
  // covariance.rlp
  {
    name: "clip_cov",
    body: "let l, chosen, clipped = clip_cov(logp, old_logp, At, mask, batch=[P,G,T], clip_cov_ratio=0.2, clip_cov_lb=-10.0, clip_cov_ub=10.0)\n  loss L = token_mean(l * wt, mask)",
  },
  { name: "kl_cov", body: "let l, sel = kl_cov(logp, old_logp, A, mask, kl_cov_ratio=0.2)\n  loss L = token_mean(l * wt, mask)" },
  // disco.rlp
  { name: "disco_loss", mask: "nonempty", body: "loss L = disco_loss(logp, old_logp, mask, reward)" },
  {
    name: "disco_loss (Lratio, discob, k3)",
    mask: "nonempty",
    body: "loss L = disco_loss(logp, old_logp, mask, reward, score=Lratio, variant=discob, kl=k3, beta=10.0)",
  },
  // entropy.rlp
  {
    name: "agg_dist (every mode)",
    body: "loss L = agg_dist(x * wt, mask) + agg_dist(x * wt, mask, mode=seq_mean_token_sum, global_seqs=3.0) + agg_dist(x * wt, mask, mode=seq_mean_token_mean, dp_size=2.0) + agg_dist(x * wt, mask, mode=seq_mean_token_sum_norm, global_tokens=7.0)",
  },
  {
    name: "entropy_bonus",
    body: "loss L = entropy_bonus(logits, mask, entropy_coeff=0.5) + entropy_bonus(logits, mask, entropy_coeff=0.1, mode=seq_mean_token_mean)",
  },
  // group.rlp
  {
    name: "group_norm, group_center, batch_norm",
    body: "loss L = sum((group_norm(r) + 0.5 * group_center(r) + batch_norm(r)) * wq, over=[P,G])",
  },
  // grpo.rlp
  { name: "grpo_advantage", body: "loss L = sum((grpo_advantage(r) + grpo_advantage(r, norm_by_std=false)) * wq, over=[P,G])" },
  {
    name: "constant_norm_agg",
    body: "loss L = constant_norm_agg(x * wt, mask) + constant_norm_agg(x * wt, mask, norm=4.0, divide_by_num_seqs=false)",
  },
  { name: "dapo_keep", body: "loss L = sum(where(dapo_keep(r), sum(logp, over=[G,T], where=mask), 0.0), over=P)" },
  {
    name: "overlong_penalty",
    body: "loss L = sum((overlong_penalty(len, max_len=10.0, cache_len=4.0) + overlong_penalty(len, max_len=10.0, cache_len=4.0, factor=0.5, style=paper)) * wq, over=[P,G])",
  },
  // gtpo.rlp
  { name: "gtpo_entropy", body: "loss L = sum(gtpo_entropy(logits, mask) * sum(logp, over=T, where=mask), over=[P,G])" },
  { name: "gtpo_advantage", body: "let a1, a2 = gtpo_advantage(r, H)\n  loss L = sum((a1 + a2) * wq, over=[P,G])" },
  {
    name: "gtpo_conflict, gtpo_loss",
    body: "let d, nc = gtpo_conflict(ids, mask, A)\n  loss L = gtpo_loss(logp, A, d, nc, mask)",
  },
  // kl.rlp
  {
    name: "kl estimators",
    body: "loss L = token_mean((kl_k1(logp, ref_logp) + kl_k2(logp, ref_logp) + kl_k3(logp, ref_logp) + kl_abs(logp, ref_logp)) * wt, mask)",
  },
  {
    name: "kl_penalty (every kind)",
    body: "loss L = token_mean((kl_penalty(logp, ref_logp) + kl_penalty(logp, ref_logp, kind=k1) + kl_penalty(logp, ref_logp, kind=k2) + kl_penalty(logp, ref_logp, kind=absolute)) * wt, mask)",
  },
  {
    name: "entropy_from_logits, entropy_from_logp",
    body: "loss L = token_mean((entropy_from_logits(logits) + entropy_from_logp(log_softmax(logits, over=V))) * wt, mask)",
  },
  // math.rlp
  { name: "log_sigmoid, relu", body: "loss L = sum((log_sigmoid(x) + relu(x)) * wt, over=...)" },
  // ppo.rlp
  {
    name: "dcpo_clip_bounds, ppo_clip_bounds",
    body: "let lo, hi = dcpo_clip_bounds(old_logp)\n  let l, c = ppo_clip_bounds(logp, old_logp, A, lo, hi, dual_clip=1.3)\n  loss L = token_mean(l * wt, mask)",
  },
  {
    name: "gppo_clip",
    body: "let l, c = gppo_clip(logp, old_logp, A, dual_clip=1.2, beta1=0.5, beta2=2.0)\n  loss L = token_mean(l * wt, mask)",
  },
  {
    name: "dcpo_sas",
    body: "let a, mu, sd = dcpo_sas(r, times, mo, so)\n  loss L = sum(a * wq, over=[P,G]) + sum(mu + sd, over=P)",
  },
  { name: "adaptive_kl_coef", body: "loss L = adaptive_kl_coef(kb, klv, mask, target=0.12)" },
  // preference.rlp
  {
    name: "dpo_loss (sigmoid), dpo_rewards",
    dims: PREF,
    body: "let rw = dpo_rewards(lp, rlp, m)\n  loss L = dpo_loss(lp, rlp, m) + mean(rw[Y=w] - rw[Y=l], over=P)",
  },
  {
    name: "dpo_loss (cDPO, reference-free)",
    dims: PREF,
    body: "loss L = dpo_loss(lp, rlp, m, label_smoothing=0.1) + dpo_loss(lp, rlp, m, reference_free=true, beta=0.5)",
  },
  { name: "dpo_loss (robust)", dims: PREF, body: "loss L = dpo_loss(lp, rlp, m, loss_type=robust, label_smoothing=0.2)" },
  { name: "dpo_loss (hinge)", dims: PREF, body: "loss L = dpo_loss(lp, rlp, m, loss_type=hinge, beta=0.5)" },
  {
    name: "dpo_loss (ipo)",
    dims: PREF,
    body: "loss L = dpo_loss(lp, rlp, m, loss_type=ipo) + dpo_loss(lp, rlp, m, loss_type=ipo, ipo_length_norm=false)",
  },
  // reinforce.rlp
  {
    name: "reinforce_advantage (every baseline)",
    body: "let a = reinforce_advantage(r) + reinforce_advantage(r, baseline=none) + reinforce_advantage(r, baseline=group_mean) + reinforce_advantage(r, baseline=ema, b=s) + reinforce_advantage(r, baseline=given, b=0.3)\n  loss L = sum(a * wq, over=[P,G])",
  },
  {
    name: "ema_update, reinforce_loss",
    body: "loss L = sum(ema_update(s, r, decay=0.8) * wq, over=[P,G]) + token_mean(reinforce_loss(logp, A, weight=wt), mask)",
  },
  { name: "rloo_advantage", body: "loss L = sum((rloo_advantage(r) + rloo_advantage(r, singleton=zero)) * wq, over=[P,G])" },
  {
    name: "last_valid, kl_shaped_reward",
    body: "loss L = sum(kl_shaped_reward(r, mask, logp, ref_logp, beta=0.1, kind=k3) * wt, over=...) + sum(where(last_valid(mask), x, 0.0), over=...)",
  },
  {
    name: "return_with_reset, remax_advantage",
    body: "loss L = sum((return_with_reset(tr, mask, gamma=0.9) + remax_advantage(tr, greedy, mask)) * wt, over=...)",
  },
  {
    name: "reinforce_pp_advantage",
    mask: "nonempty",
    body: "let a, g = reinforce_pp_advantage(tr, mask, gamma=0.9)\n  loss L = sum((a + g) * wt, over=...)",
  },
  {
    name: "reinforce_pp_baseline_advantage",
    mask: "nonempty",
    body: "loss L = sum(reinforce_pp_baseline_advantage(s, mask) * wt, over=...)",
  },
  // returns.rlp
  {
    name: "gae",
    body: "let adv, ret = gae(tr, values, mask, gamma=0.9, lam=0.8)\n  loss L = sum((adv + ret) * wt, over=[P,G,T], where=mask)",
  },
  {
    name: "gae_done",
    body: "let adv, ret = gae_done(tr, values, done, mask, gamma=0.9, lam=0.8, v_last=s)\n  loss L = sum((adv + ret) * wt, over=...)",
  },
  { name: "discounted_return", body: "loss L = sum(discounted_return(tr, done, mask, gamma=0.9, v_last=s) * wt, over=...)" },
  // spo.rlp
  {
    name: "spo_tracker_init",
    body: "let a0, b0 = spo_tracker_init(az, az, offline_successes=rp)\n  loss L = sum((a0 + b0) * sum(logp, over=[G,T], where=mask), over=P)",
  },
  { name: "spo_advantage", body: "loss L = sum(spo_advantage(rp, ab, bb) * sum(logp, over=[G,T], where=mask), over=P)" },
  { name: "spo_rho", body: "loss L = sum((spo_rho(D) + spo_rho(D, kind=constant)) * rp, over=P)" },
  {
    name: "spo_drift, spo_tracker_update, spo_sample_weight",
    body: "let a1, b1 = spo_tracker_update(ab, bb, rp, rho)\n  loss L = sum(spo_sample_weight(ab, bb) * (a1 + b1), over=P) + sum(spo_drift(old_logp, ref_logp, mask) * s, over=[P,G])",
  },
  // tppo.rlp
  {
    name: "egae",
    body: "let adv, ret = egae(tr, values, mask, fin, v_boot=s, gamma=0.9, lam=0.8)\n  loss L = sum((adv + ret) * wt, over=...)",
  },
];

/** The pipeline text of a case. */
export function caseText(c: StdCase, inputs: string): string {
  return `pipeline t {\n  dims ${c.dims ?? "P, G, T, V"}\n${inputs}\n  ${c.body}\n}\n`;
}
