// The std-library catalog: one entry per method of shared/methods/*.md (its catalog ID), with the paper, the std
// nodes that implement it (stdlib/*.rlp) and the example pipeline (examples/*.rlp) that composes them.
// `rlp list` prints it, `rlp explain ID` expands an entry, and docs/stdlib.md is generated from it
// (test/stdlib/render_stdlib_doc.ts). test/stdlib/catalog.test.ts checks every entry: the nodes exist, the example
// compiles and has a golden file.
//
// Entries are kept SORTED BY ID (a test checks it). Add an entry in its place; do not reformat the others.

export interface PaperRef {
  title: string;
  /** "First Author et al." or the team. */
  authors?: string;
  year?: number;
  url?: string;
}

export interface CatalogEntry {
  /** The catalog ID, e.g. "PG.GRPO" (shared/methods/G1-policy-gradient.md). */
  id: string;
  /** The method's usual name. */
  name: string;
  /** Which pipeline stages the method defines (the catalog's "Stage" line). */
  stage: string;
  paper: PaperRef;
  /** The std nodes (and std enums) that implement the method, in the order a pipeline uses them. */
  nodes: string[];
  /** The example pipeline, relative to the repository root. */
  example: string;
  /** One or two sentences: what the method computes. */
  summary: string;
}

export const CATALOG: readonly CatalogEntry[] = [
  {
    id: "PG.BNPO",
    name: "BNPO",
    stage: "advantage",
    paper: { title: "BNPO: Beta Normalization Policy Optimization", authors: "Xiao et al.", year: 2025 },
    nodes: ["bnpo_advantage", "bnpo_weight", "ppo_clip", "seq_mean_token_sum"],
    example: "examples/bnpo.rlp",
    summary:
      "The outcome advantage w·(s − p) per group, normalised by the inverse density of a Beta distribution fitted by moments to the batch's group success rates p (α = β = 1 gives Dr. GRPO's advantage, α = β = 3/2 GRPO's up to π/8). bnpo_advantage_decomposed averages it over reward components.",
  },
  {
    id: "PG.CLIP_COV",
    name: "Clip-Cov",
    stage: "loss",
    paper: {
      title: "The Entropy Mechanism of Reinforcement Learning for Reasoning Language Models",
      authors: "Cui et al.",
      year: 2025,
      url: "https://arxiv.org/abs/2505.22617",
    },
    nodes: ["clip_cov", "token_mean", "masked_mean"],
    example: "examples/clip_cov.rlp",
    summary:
      "PPO-clip in which a seeded random fraction of the valid, unclipped tokens whose advantage–log-prob covariance lies in (lb, ub) is detached (no loss, no gradient), to keep entropy from collapsing; the draw is counter-based, the same on every backend.",
  },
  {
    id: "PG.COPO",
    name: "COPO",
    stage: "advantage + loss",
    paper: { title: "COPO: Consistency-Aware Policy Optimization" },
    nodes: ["copo_global_advantage", "group_norm", "copo_blend_weight", "copo_loss", "ppo_clip", "token_mean"],
    example: "examples/copo.rlp",
    summary:
      "A GRPO loss blended with a global loss whose advantage compares prompts by a consistency-weighted success rate (the entropy of the group's final answers); the local share is sigmoid(k·(H − b)), zero for degenerate groups.",
  },
  {
    id: "PG.DAPO",
    name: "DAPO",
    stage: "sampler + reward + loss",
    paper: {
      title: "DAPO: An Open-Source LLM Reinforcement Learning System at Scale",
      authors: "Yu et al. (ByteDance Seed, Tsinghua AIR)",
      year: 2025,
      url: "https://arxiv.org/abs/2503.14476",
    },
    nodes: ["overlong_penalty", "dapo_keep", "grpo_advantage", "group_norm", "ppo_clip", "token_mean"],
    example: "examples/dapo.rlp",
    summary:
      "GRPO advantages with clip-higher PPO (eps_low 0.2, eps_high 0.28), token-level loss aggregation, a dynamic-sampling filter that keeps only groups whose metric varies, and overlong reward shaping.",
  },
  {
    id: "PG.DCPO",
    name: "DCPO",
    stage: "advantage (stateful) + loss",
    paper: {
      title: "DCPO: Dynamic Clipping Policy Optimization",
      authors: "Yang et al.",
      year: 2025,
      url: "https://arxiv.org/abs/2509.02333",
    },
    nodes: ["dcpo_sas", "dcpo_clip_bounds", "ppo_clip_bounds", "token_mean"],
    example: "examples/dcpo.rlp",
    summary:
      "Smooth advantage standardisation that blends this step's group statistics with per-prompt cumulative ones kept in state, and dynamic per-token clip bounds that widen for low-probability tokens.",
  },
  {
    id: "PG.DISCO",
    name: "DisCO",
    stage: "loss",
    paper: {
      title: "DisCO: Reinforcing Large Reasoning Models with Discriminative Constrained Optimization",
      authors: "Li et al.",
      year: 2025,
    },
    nodes: ["disco_loss", "disco_score", "disco_variant", "disco_kl", "kl_k3", "token_mean"],
    example: "examples/disco.rlp",
    summary:
      "A discriminative objective on binary rewards — the token-mean score (log-likelihood or ratio) of correct responses against the mean or a log-sum-exp of the incorrect ones' — with a squared-hinge budget on KL(π_old‖π).",
  },
  {
    id: "PG.DR_GRPO",
    name: "Dr. GRPO",
    stage: "advantage + loss",
    paper: {
      title: "Understanding R1-Zero-Like Training: A Critical Perspective",
      authors: "Liu et al.",
      year: 2025,
      url: "https://arxiv.org/abs/2503.20783",
    },
    nodes: ["grpo_advantage", "group_center", "ppo_clip", "constant_norm_agg"],
    example: "examples/dr_grpo.rlp",
    summary:
      "GRPO without its two biases: the advantage is centred but not divided by the group std, and the loss is a masked sum divided by a constant (the generation budget) instead of per-response lengths.",
  },
  {
    id: "PG.ENTROPY",
    name: "Entropy bonus and loss aggregation modes",
    stage: "loss (aggregation primitive)",
    paper: {
      title: "HybridFlow: A Flexible and Efficient RLHF Framework (verl)",
      authors: "Sheng et al.",
      year: 2024,
      url: "https://arxiv.org/abs/2409.19256",
    },
    nodes: [
      "entropy_from_logits",
      "entropy_bonus",
      "agg_dist",
      "agg_mode",
      "token_mean",
      "seq_mean_token_sum",
      "seq_mean_token_mean",
      "seq_mean_token_sum_norm",
    ],
    example: "examples/entropy.rlp",
    summary:
      "The token entropy from logits and the bonus −c·agg(H), with verl's four loss aggregation modes (token-mean, seq-mean-token-sum, seq-mean-token-mean, seq-mean-token-sum-norm) and their distributed normalisers (global token and sequence counts, dp_size).",
  },
  {
    id: "PG.GPPO",
    name: "GPPO (Klear-Reasoner)",
    stage: "loss",
    paper: {
      title: "Klear-Reasoner: Advancing Reasoning Capability via Gradient-Preserving Clipping Policy Optimization",
      authors: "Su et al. (Kuaishou Klear team)",
      year: 2025,
      url: "https://arxiv.org/abs/2508.07629",
    },
    nodes: ["grpo_advantage", "group_norm", "gppo_clip", "token_mean"],
    example: "examples/gppo.rlp",
    summary:
      "Clip-higher PPO with dual clip whose clipped tokens keep a bounded gradient (beta·bound·A) instead of none; the forward value equals DAPO's.",
  },
  {
    id: "PG.GRPO",
    name: "GRPO",
    stage: "advantage + loss",
    paper: {
      title: "DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language Models",
      authors: "Shao et al.",
      year: 2024,
      url: "https://arxiv.org/abs/2402.03300",
    },
    nodes: ["group_norm", "ppo_clip", "kl_k3", "seq_mean_token_mean", "token_mean"],
    example: "examples/grpo.rlp",
    summary:
      "Group-normalised outcome advantage (unbiased std, eps on the std), PPO-clip, a k3 KL penalty to the reference in the loss, seq-mean-token-mean aggregation.",
  },
  {
    id: "PG.GTPO",
    name: "GTPO",
    stage: "advantage + loss",
    paper: {
      title: "GTPO: Trajectory-Based Policy Optimization in Large Language Models",
      authors: "Simoni et al.",
      year: 2025,
      url: "https://arxiv.org/abs/2508.03772",
    },
    nodes: ["gtpo_entropy", "gtpo_advantage", "gtpo_conflict", "gtpo_loss"],
    example: "examples/gtpo.rlp",
    summary:
      "A group-mean advantage shaped by each completion's mean entropy (dropped above a threshold); tokens shared by a positive and a negative completion at the same position from the start or the end are amplified in positives and zeroed in negatives, and each completion's loss is divided by its conflict count.",
  },
  {
    id: "PG.KL_COV",
    name: "KL-Cov",
    stage: "loss",
    paper: {
      title: "The Entropy Mechanism of Reinforcement Learning for Reasoning Language Models",
      authors: "Cui et al.",
      year: 2025,
      url: "https://arxiv.org/abs/2505.22617",
    },
    nodes: ["kl_cov", "token_mean", "masked_mean"],
    example: "examples/kl_cov.rlp",
    summary:
      "The unclipped importance-weighted policy gradient −A·ratio plus a |logp − old_logp| penalty on the top fraction of tokens by advantage–log-prob covariance.",
  },
  {
    id: "PG.PPO",
    name: "PPO for LLMs",
    stage: "reward + advantage + loss",
    paper: {
      title: "Proximal Policy Optimization Algorithms",
      authors: "Schulman et al.",
      year: 2017,
      url: "https://arxiv.org/abs/1707.06347",
    },
    nodes: [
      "kl_shaped_reward",
      "last_valid",
      "kl_k1",
      "gae",
      "masked_whiten",
      "ppo_clip",
      "value_clip_loss",
      "adaptive_kl_coef",
      "token_mean",
    ],
    example: "examples/ppo.rlp",
    summary:
      "RLHF-style PPO: a per-token KL penalty in the reward (fixed or adaptive coefficient, kept in state), GAE that skips masked tokens, batch whitening, PPO-clip with dual clip, and a clipped value loss for the critic.",
  },
  {
    id: "PG.REINFORCE",
    name: "REINFORCE with a baseline",
    stage: "advantage + loss",
    paper: {
      title: "Simple Statistical Gradient-Following Algorithms for Connectionist Reinforcement Learning",
      authors: "Williams",
      year: 1992,
      url: "https://doi.org/10.1007/BF00992696",
    },
    nodes: ["baseline_kind", "reinforce_advantage", "ema_update", "reinforce_loss", "agg", "seq_mean_token_sum"],
    example: "examples/reinforce.rlp",
    summary:
      "The sequence-level policy gradient −(r − b)·log π with a baseline b (none, batch mean, group mean, an EMA kept in state, or given), aggregated seq-mean-token-sum by default.",
  },
  {
    id: "PG.REINFORCE_PP",
    name: "REINFORCE++",
    stage: "reward + advantage (+ PPO-clip loss)",
    paper: {
      title: "REINFORCE++: A Simple and Efficient Approach for Aligning Large Language Models",
      authors: "Hu",
      year: 2025,
      url: "https://arxiv.org/abs/2501.03262",
    },
    nodes: [
      "kl_shaped_reward",
      "last_valid",
      "return_with_reset",
      "reinforce_pp_advantage",
      "reinforce_pp_baseline_advantage",
      "masked_whiten",
      "ppo_clip",
      "token_mean",
    ],
    example: "examples/reinforce_pp.rlp",
    summary:
      "A k1 KL penalty in the token rewards, discounted returns that reset at masked tokens, and global whitening over every valid token of the batch; PPO-clip loss, no critic. The baseline variant whitens group-centred scores.",
  },
  {
    id: "PG.REMAX",
    name: "ReMax",
    stage: "rollout + advantage",
    paper: {
      title: "ReMax: A Simple, Effective, and Efficient Reinforcement Learning Method for Aligning Large Language Models",
      authors: "Li et al.",
      year: 2023,
      url: "https://arxiv.org/abs/2310.10505",
    },
    nodes: ["kl_shaped_reward", "remax_advantage", "reinforce_loss", "ppo_clip", "agg"],
    example: "examples/remax.rlp",
    summary:
      "REINFORCE whose baseline is the reward of the greedy response to the same prompt (an input: the greedy rollout belongs to training); the advantage is the reward-to-go minus that baseline.",
  },
  {
    id: "PG.RLOO",
    name: "RLOO",
    stage: "advantage",
    paper: {
      title: "Back to Basics: Revisiting REINFORCE Style Optimization for Learning from Human Feedback in LLMs",
      authors: "Ahmadian et al.",
      year: 2024,
      url: "https://arxiv.org/abs/2402.14740",
    },
    nodes: ["rloo_advantage", "reinforce_loss", "ppo_clip", "agg"],
    example: "examples/rloo.rlp",
    summary:
      "REINFORCE with a leave-one-out baseline: each response's reward minus the mean reward of the other responses to the same prompt.",
  },
  {
    id: "PG.SPO_STREAM",
    name: "SPO (single-stream)",
    stage: "advantage (stateful) + sampler",
    paper: {
      title: "Single-stream Policy Optimization",
      authors: "Xu and Ding",
      year: 2025,
      url: "https://arxiv.org/abs/2509.13232",
    },
    nodes: [
      "spo_tracker_init",
      "spo_advantage",
      "spo_drift",
      "spo_rho",
      "spo_rho_type",
      "spo_tracker_update",
      "spo_sample_weight",
      "ppo_clip",
      "token_mean",
    ],
    example: "examples/spo_stream.rlp",
    summary:
      "One response per prompt; a persistent per-prompt Beta tracker (state tables keyed by prompt id, offline-initialised, KL-adaptive forgetting) gives the baseline r − p̂, normalised over the batch; the prioritised sampler's weights are sqrt(p̂(1 − p̂)) + ε.",
  },
  {
    id: "PG.TPPO",
    name: "T-PPO",
    stage: "advantage (+ trainer schedule)",
    paper: {
      title: "Truncated Proximal Policy Optimization",
      authors: "Fan et al. (ByteDance Seed)",
      year: 2025,
      url: "https://arxiv.org/abs/2506.15050",
    },
    nodes: ["egae", "masked_whiten", "ppo_clip", "value_clip_loss", "token_mean"],
    example: "examples/tppo.rlp",
    summary:
      "PPO on partially generated responses: Extended GAE truncated at the last generated token with a critic bootstrap for unfinished responses; the critic learns only from finished responses, towards Monte-Carlo returns.",
  },
];

/** The entry with this ID (case-insensitive), if any. */
export function catalogEntry(id: string): CatalogEntry | undefined {
  const key = id.toUpperCase();
  return CATALOG.find((e) => e.id.toUpperCase() === key);
}
