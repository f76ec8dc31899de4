// bench/learning.md and bench/learning.svg from the runs of bench/learning.ts: held-out accuracy before and after per
// method (mean, standard deviation and range over seeds), the per-step time split from metrics.jsonl's time_s, and
// the learning curves drawn with vega-lite (rendered to SVG in node, no browser).
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

export interface MethodSpec {
  id: string;
  name: string;
  file: string;
}

export interface RunResult {
  method: string;
  seed: number;
  /** "ok", or how the run failed. */
  status: string;
  wall_s: number;
  /** metrics.jsonl, parsed. */
  lines: Record<string, unknown>[];
}

interface Stats {
  mean: number;
  sd: number;
  min: number;
  max: number;
  n: number;
}

function stats(xs: number[]): Stats {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, min: Math.min(...xs), max: Math.max(...xs), n };
}

const pct = (x: number): string => (100 * x).toFixed(1);
const evals = (r: RunResult): { step: number; accuracy: number }[] =>
  r.lines.filter((l) => l["event"] === "eval").map((l) => ({ step: l["step"] as number, accuracy: l["accuracy"] as number }));
const steps = (r: RunResult): Record<string, unknown>[] => r.lines.filter((l) => l["event"] === undefined);

interface Summary {
  spec: MethodSpec;
  ok: RunResult[];
  failed: RunResult[];
  before?: Stats;
  after?: Stats;
  perSeed: string;
  /** Mean ms per step: the time_s split and the whole step. */
  time?: { rollout: number; reward: number; loss: number; model: number; step: number };
  wall?: Stats;
  lastReward?: Stats;
}

function summarize(spec: MethodSpec, runs: RunResult[], budgetSteps: number): Summary {
  const mine = runs.filter((r) => r.method === spec.id);
  const ok = mine.filter((r) => r.status === "ok");
  const s: Summary = { spec, ok, failed: mine.filter((r) => r.status !== "ok"), perSeed: "" };
  if (ok.length === 0) return s;
  const first = ok.map((r) => evals(r).find((e) => e.step === 0)?.accuracy ?? NaN);
  const last = ok.map((r) => evals(r).find((e) => e.step === budgetSteps)?.accuracy ?? NaN);
  s.before = stats(first);
  s.after = stats(last);
  s.perSeed = ok.map((r, i) => `${r.seed}: ${pct(last[i]!)}`).join(", ");
  const all = ok.flatMap(steps);
  const avg = (k: string): number =>
    (1000 * all.reduce((a, l) => a + ((l["time_s"] as Record<string, number> | undefined)?.[k] ?? 0), 0)) /
    Math.max(1, all.length);
  // wall clock per step: differences of elapsed_s, leaving out those that include a held-out evaluation
  const evalSteps = new Set(ok.flatMap((r) => evals(r).map((e) => e.step)));
  const perStep = ok
    .flatMap((r) =>
      steps(r)
        .slice(1)
        .map((l, i, all) => ({ l, prev: i === 0 ? steps(r)[0]! : all[i - 1]! })),
    )
    .filter(({ prev }) => !evalSteps.has(prev["step"] as number))
    .map(({ l, prev }) => 1000 * ((l["elapsed_s"] as number) - (prev["elapsed_s"] as number)));
  s.time = { rollout: avg("rollout"), reward: avg("reward"), loss: avg("loss"), model: avg("model"), step: stats(perStep).mean };
  s.wall = stats(ok.map((r) => r.wall_s));
  s.lastReward = stats(
    ok.map((r) => {
      const st = steps(r).slice(-20);
      return st.reduce((a, l) => a + (l["reward"] as number), 0) / Math.max(1, st.length);
    }),
  );
  return s;
}

export interface LearningReport {
  methods: MethodSpec[];
  results: RunResult[];
  budget: { steps: number; prompts: number; evalEvery: number; heldOut: number; seeds: number[] };
  env: {
    date: string;
    cpu: string;
    cores: number;
    memGiB: number;
    node: string;
    load: string;
    total_s: number;
    reruns?: string[];
  };
  command: string;
  warm: string;
  svg: string;
  quick: boolean;
}

export function renderLearning(r: LearningReport): string {
  const b = r.budget;
  const sums = r.methods.map((m) => summarize(m, r.results, b.steps));
  const out: string[] = [];
  out.push("# Learning bench: RL methods on `arith`, trained with `rlp train`", "");
  if (r.quick) out.push("**`--quick` run (1 seed, a few steps): for debugging the harness, not a measurement.**", "");
  out.push(
    `Written by \`bench/learning.ts\` (\`${r.command}\`) on ${r.env.date.slice(0, 10)}: ${r.env.cpu}, ${r.env.cores} cores, ${r.env.memGiB.toFixed(0)} GiB, node ${r.env.node}, tfjs wasm backend, load average before the bench ${r.env.load}. The whole bench took ${(r.env.total_s / 60).toFixed(1)} min; the runs ran one after another, each its own \`rlp train\` process.${r.env.reruns ? ` Since then: ${r.env.reruns.join("; ")}.` : ""}`,
    "",
  );
  out.push(
    `**Budget, the same for every method**: ${b.steps} steps of ${b.prompts} prompts x 8 responses (max 4 tokens, temperature 1), one update per batch, Adam lr 5e-4, clip 1 (the critic of PPO: lr 1e-3); seeds ${b.seeds.join(", ")} (prompts and sampling); held-out accuracy (greedy, ${b.heldOut} held-out prompts) at step 0, every ${b.evalEvery} steps and at the end. Every run starts from the same warm start (\`${r.warm}\`: examples/sft.rlp, 250 steps, seed 0, from the cache), so the accuracy before is the same for every run. The README's run is 200 steps of 16 prompts; this budget is ${b.steps} steps so that the ${r.methods.length} x ${b.seeds.length} runs fit in 30 to 45 minutes on 2 cores, depending on what else runs.`,
    "",
  );
  out.push("## Held-out accuracy", "");
  out.push(
    `| method | pipeline | before | after: mean ± sd (min–max) | after, per seed | change | train reward, last 20 steps | status |`,
  );
  out.push("|---|---|---|---|---|---|---|---|");
  for (const s of sums) {
    const status =
      s.failed.length === 0 ? "ok" : s.failed.map((f) => `seed ${f.seed} failed (${f.status.replace(/\|/g, "/")})`).join("; ");
    if (!s.before || !s.after) {
      out.push(`| ${s.spec.name} | \`${s.spec.file}\` | – | – | – | – | – | ${status} |`);
      continue;
    }
    const d = s.after.mean - s.before.mean;
    out.push(
      `| ${s.spec.name} | \`${s.spec.file}\` | ${pct(s.before.mean)}% | **${pct(s.after.mean)}%** ± ${pct(s.after.sd)} (${pct(s.after.min)}–${pct(s.after.max)}) | ${s.perSeed} | ${d >= 0 ? "+" : ""}${pct(d)} points | ${pct(s.lastReward!.mean)}% ± ${pct(s.lastReward!.sd)} | ${status} |`,
    );
  }
  const done = sums.filter((x) => x.after !== undefined);
  if (done.length > 1) {
    const means = done.map((x) => x.after!.mean);
    const gap = Math.max(...means) - Math.min(...means);
    const sd = Math.max(...done.map((x) => x.after!.sd));
    out.push(
      "",
      `**What this shows.** ${gap <= sd ? "Every method lifts the held-out accuracy by about the same amount" : "The methods end at different accuracies"}; the largest gap between two methods' means (${pct(gap)} points) is ${gap <= sd ? "within" : "larger than"} the largest spread over seeds (sd ${pct(sd)} points), so at this budget, on this task, ${gap <= sd ? "the methods cannot be told apart" : "the ranking is only suggestive"} — 3 seeds and 256 held-out prompts (one prompt = 0.4 points) resolve differences of a few points at best. The runs share their random numbers: a seed fixes the prompts and the uniform draws of the sampler (a counter-based hash of seed, step and position), so the methods see the same prompts and, while their policies are close, nearly the same samples — the training-reward curves below move together for that reason.`,
    );
  }
  out.push("", `![learning curves](${r.svg})`, "");
  out.push(
    "Left: held-out accuracy (greedy) over training, the mean over seeds with the range (min–max) shaded. Right: the training reward (the mean verifier score of the sampled responses), the mean over seeds, smoothed over 10 steps.",
    "",
  );
  out.push("## Where a step's time goes", "");
  out.push(
    "Mean milliseconds per training step, from the `time_s` fields of `metrics.jsonl`: **rollout** (sampling, and the sampling-time log-probs of the policy and the reference, and the critic's values), **reward** (the task's verifier), **compiled** (the pipeline's compiled program: the whole pipeline on the batch, then the loss forward and its symbolic gradient at the update), **model** (the policy's — and the critic's — forward under the gradient tape, the backward through `tf.variableGrads`, and Adam). *step* is the wall-clock time of a step (the mean difference of `elapsed_s` between consecutive steps, leaving out those with a held-out evaluation between them); the rest of it is bookkeeping (metrics, checks, the metrics line). The machine was shared with other work while the bench ran (load average " +
      r.env.load +
      " before it), so the times are upper bounds, comparable between methods only roughly.",
    "",
  );
  out.push("| method | rollout | reward | compiled | model | step | run (wall, incl. start and evals) |");
  out.push("|---|---|---|---|---|---|---|");
  for (const s of sums) {
    if (!s.time) continue;
    const t = s.time;
    out.push(
      `| ${s.spec.name} | ${t.rollout.toFixed(0)} | ${t.reward.toFixed(1)} | ${t.loss.toFixed(0)} | ${t.model.toFixed(0)} | ${t.step.toFixed(0)} | ${s.wall!.mean.toFixed(0)} s |`,
    );
  }
  out.push("", "## The methods", "");
  out.push(
    "Each is the method's pipeline from `examples/` (the one `rlp eval` runs on given tensors) with the rollout's fields as inputs; the std nodes are the same.",
    "",
  );
  out.push(
    "* **GRPO** (`train_grpo.rlp`): group-normalised advantage, PPO-clip, k3 KL to the reference (β 0.04), seq-mean-token-mean.",
  );
  out.push(
    "* **Dr. GRPO** (`train_dr_grpo.rlp`): the group-centred advantage without std normalisation, PPO-clip, no KL, the token sum divided by a constant (responses x |T|).",
  );
  out.push(
    "* **RLOO** (`train_rloo.rlp`): leave-one-out baseline, REINFORCE over the sequence (seq-mean-token-sum), no ratio, no KL.",
  );
  out.push(
    "* **REINFORCE++** (`train_reinforce_pp.rlp`): k1 KL-in-reward (β 0.001), returns whitened over the batch's tokens, PPO-clip, token-mean.",
  );
  if (r.methods.some((m) => m.name === "DAPO (no refill)")) {
    out.push(
      "* **DAPO (no refill)** (`train_dapo.rlp`): overlong shaping, GRPO advantage, clip-higher (0.2 / 0.28), no KL, token-mean over the kept groups. **Dynamic sampling is only half there**: groups whose responses are all right or all wrong are dropped from the loss, but the batch is **not refilled** with fresh groups (the `train_dapo.rlp` that ran had no `filter P by ...`), so a step trains on fewer groups than real DAPO.",
    );
  } else if (r.methods.some((m) => m.id === "dapo")) {
    out.push(
      "* **DAPO** (`train_dapo.rlp`): overlong shaping, GRPO advantage, clip-higher (0.2 / 0.28), no KL, token-mean over the kept groups, and dynamic sampling: `filter P by ...` refills the batch with groups whose responses differ (see the pipeline for its rounds).",
    );
  }
  out.push(
    "* **PPO (critic)** (`train_ppo.rlp`): k1 KL-in-reward (β 0.001), GAE (γ 1, λ 0.95) on the critic's sampling-time values, whitening, PPO-clip with dual clip, and a critic (the policy's transformer body with a value head, its trunk copied from the warm start) trained on the clipped value loss with its own Adam (lr 1e-3).",
  );
  if (r.methods.some((m) => m.id === "remax")) {
    out.push(
      "* **ReMax (greedy baseline)** (`train_remax.rlp`): a second rollout answers the same prompts greedily (one response each, not trained); the advantage is the reward-to-go of the k1 KL-shaped reward (β 0.001) minus the greedy answer's score, REINFORCE, token-mean. Its rollout time includes the greedy decode.",
    );
  }
  out.push(
    "",
    "With one update per batch, PPO-clip's ratio is 1 at the update, so the clip never binds here; the methods differ in their advantages, KL terms and aggregations.",
    "",
  );
  return out.join("\n") + "\n";
}

/** Two panels: held-out accuracy (mean over seeds, min–max band) and the smoothed training reward, per method. */
export async function learningSvg(methods: MethodSpec[], results: RunResult[]): Promise<string> {
  const acc: Record<string, unknown>[] = [];
  const rew: Record<string, unknown>[] = [];
  for (const m of methods) {
    const ok = results.filter((r) => r.method === m.id && r.status === "ok");
    if (ok.length === 0) continue;
    const bySteps = new Map<number, number[]>();
    for (const r of ok) for (const e of evals(r)) bySteps.set(e.step, [...(bySteps.get(e.step) ?? []), e.accuracy]);
    for (const [step, xs] of [...bySteps].sort((a, b) => a[0] - b[0])) {
      const s = stats(xs);
      acc.push({ method: m.name, step, mean: s.mean, min: s.min, max: s.max });
    }
    const series = ok.map((r) => steps(r).map((l) => l["reward"] as number));
    const n = Math.min(...series.map((x) => x.length));
    for (let i = 0; i < n; i++) {
      let sum = 0,
        k = 0;
      for (const xs of series)
        for (let j = Math.max(0, i - 9); j <= i; j++) {
          sum += xs[j]!;
          k++;
        }
      rew.push({ method: m.name, step: i + 1, reward: sum / k });
    }
  }
  const color = { field: "method", type: "nominal", sort: methods.map((m) => m.name), title: "method" } as const;
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    // the legend's symbols come from the faint band: draw them opaque
    config: { font: "sans-serif", view: { stroke: "#ccc" }, legend: { symbolOpacity: 1, symbolType: "stroke" } },
    hconcat: [
      {
        title: "held-out accuracy (greedy)",
        width: 380,
        height: 260,
        data: { values: acc },
        layer: [
          {
            mark: { type: "area", opacity: 0.15 },
            encoding: {
              x: { field: "step", type: "quantitative", axis: { format: "d" } },
              y: { field: "min", type: "quantitative", title: "accuracy", axis: { format: "%" }, scale: { zero: false } },
              y2: { field: "max" },
              color,
            },
          },
          {
            mark: { type: "line", point: true },
            encoding: { x: { field: "step", type: "quantitative" }, y: { field: "mean", type: "quantitative" }, color },
          },
        ],
      },
      {
        title: "training reward (mean score, 10-step average)",
        width: 380,
        height: 260,
        data: { values: rew },
        mark: { type: "line", strokeWidth: 1.5 },
        encoding: {
          x: { field: "step", type: "quantitative", axis: { format: "d" } },
          y: { field: "reward", type: "quantitative", title: "reward", scale: { zero: false } },
          color,
        },
      },
    ],
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
