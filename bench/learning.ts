// `npm run bench:learning` (not a test): trains GRPO, Dr. GRPO, RLOO, REINFORCE++, DAPO (without refill) and PPO on
// the default task (arith) from ONE warm start (the cached SFT policy of seed 0), with the same seeds and the same
// budget, and writes bench/learning.md (held-out accuracy before/after, spread over seeds, per-step time split) and
// bench/learning.svg (learning curves). Each run is its own `rlp train` process, so a method that fails is a row
// saying so, not the end of the bench.
//   npm run bench:learning                      the full bench (3 seeds; see BUDGET)
//   npm run bench:learning -- --quick           1 seed, a few steps: to debug the harness (writes runs/bench-learning-quick/)
//   npm run bench:learning -- --only ppo,rloo   some methods;  --steps N, --seeds 0,1  other budgets
//   npm run bench:learning -- --render          redraw learning.md/.svg from the last run's runs/bench-learning/results.json
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { renderLearning, learningSvg, type MethodSpec, type RunResult } from "./learning_report.ts";

export const METHODS: MethodSpec[] = [
  { id: "grpo", name: "GRPO", file: "examples/train_grpo.rlp" },
  { id: "dr_grpo", name: "Dr. GRPO", file: "examples/train_dr_grpo.rlp" },
  { id: "rloo", name: "RLOO", file: "examples/train_rloo.rlp" },
  { id: "reinforce_pp", name: "REINFORCE++", file: "examples/train_reinforce_pp.rlp" },
  // named by what the pipeline does: dynamic sampling's refill needs its `filter P by ...` statement
  {
    id: "dapo",
    name: /\bfilter\s+P\s+by\b/.test(readFileSync("examples/train_dapo.rlp", "utf8")) ? "DAPO" : "DAPO (no refill)",
    file: "examples/train_dapo.rlp",
  },
  { id: "ppo", name: "PPO (critic)", file: "examples/train_ppo.rlp" },
  // a second, greedy rollout on the same prompts (16 more responses a step, not trained): its score is the baseline
  { id: "remax", name: "ReMax (greedy baseline)", file: "examples/train_remax.rlp" },
];

/** The full bench's budget: 6 methods x 3 seeds finish in 30 to 45 minutes on a 2-core machine (measured: 29.8 min). */
export const BUDGET = { steps: 150, prompts: 16, evalEvery: 25, heldOut: 256, seeds: [0, 1, 2] };
const QUICK = { steps: 6, prompts: 4, evalEvery: 3, heldOut: 32, seeds: [0] };

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const quick = process.argv.includes("--quick");
const base = quick ? QUICK : BUDGET;
const budget = {
  ...base,
  steps: arg("steps") !== undefined ? Number(arg("steps")) : base.steps,
  seeds: arg("seeds") !== undefined ? arg("seeds")!.split(",").map(Number) : base.seeds,
};
const only = arg("only")?.split(",");
const methods = METHODS.filter((m) => only === undefined || only.includes(m.id));
const outDir = quick ? "runs/bench-learning-quick" : "bench";
const runsDir = quick ? "runs/bench-learning-quick/runs" : "runs/bench-learning";

/** One `rlp train` process; resolves with its exit code and the last lines of its stderr. */
function trainProcess(args: string[], log: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/rlp.mjs", "train", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "",
      err = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("close", (code) => {
      writeFileSync(log, out + err);
      resolve({ code, stderr: err.trim().split("\n").slice(-3).join(" | ") });
    });
  });
}

/** A metrics.jsonl line; none for a blank or torn one (a run killed while writing). */
function parseLine(l: string): Record<string, unknown>[] {
  try {
    return l.trim() === "" ? [] : [JSON.parse(l) as Record<string, unknown>];
  } catch {
    return [];
  }
}

async function warmStartPath(): Promise<string> {
  // the warm start every run starts from: made (or found in the cache) in this process, as rlp train makes it
  const { selectBackend } = await import("../runtime/backends/tfjs/index.ts");
  const { builtinTask, DEFAULT_TASK } = await import("../runtime/tools/tasks/index.ts");
  const { warmStart, WARM_START_DEFAULTS } = await import("../runtime/tools/train/warmstart.ts");
  const { tf } = await selectBackend();
  const ws = await warmStart(tf, builtinTask(DEFAULT_TASK)!, {
    size: "small",
    seed: 0,
    steps: WARM_START_DEFAULTS.steps,
    lr: WARM_START_DEFAULTS.lr,
  });
  ws.policy.dispose();
  return ws.path;
}

/** The machine and the time of a bench run, for the report. */
type Env = {
  date: string;
  cpu: string;
  cores: number;
  memGiB: number;
  node: string;
  load: string;
  total_s: number;
  reruns?: string[];
};

/** learning.md and learning.svg from the runs' results. */
async function write(results: RunResult[], env: Env, b: typeof budget, warm: string, specs: MethodSpec[]): Promise<void> {
  const command = `nice -n 10 npm run bench:learning${quick ? " -- --quick" : ""}`;
  mkdirSync(outDir, { recursive: true });
  const svgName = quick ? "learning-quick.svg" : "learning.svg";
  const ran = specs.filter((m) => results.some((r) => r.method === m.id));
  writeFileSync(join(outDir, svgName), await learningSvg(ran, results));
  writeFileSync(
    join(outDir, quick ? "learning-quick.md" : "learning.md"),
    renderLearning({ methods: ran, results, budget: b, env, command, warm, svg: svgName, quick }),
  );
  console.log(`wrote ${join(outDir, quick ? "learning-quick.md" : "learning.md")} and ${join(outDir, svgName)}`);
}

// everything the report needs, kept beside the runs so that --render can redraw it
const saved = join(runsDir, "results.json");
if (process.argv.includes("--render")) {
  // the method names as they were when the runs were made (DAPO's depends on its pipeline then)
  const r = JSON.parse(readFileSync(saved, "utf8")) as {
    results: RunResult[];
    env: Env;
    budget: typeof budget;
    warm: string;
    methods: MethodSpec[];
  };
  await write(r.results, r.env, r.budget, r.warm, r.methods);
  process.exit(0);
}

const started = Date.now();
const load = loadavg();
mkdirSync(runsDir, { recursive: true });
const warmPath = await warmStartPath();
const warm = warmPath.split("/").pop()!;
console.log(
  `warm start: ${warmPath}; ${methods.length} methods x ${budget.seeds.length} seeds, ${budget.steps} steps of ${budget.prompts} prompts`,
);
const results: RunResult[] = [];
for (const m of methods) {
  for (const seed of budget.seeds) {
    const out = join(runsDir, `${m.id}-seed${seed}`);
    rmSync(out, { recursive: true, force: true });
    const args = [
      m.file,
      "--init",
      warmPath,
      "--seed",
      String(seed),
      "--steps",
      String(budget.steps),
      "--prompts",
      String(budget.prompts),
      "--eval-every",
      String(budget.evalEvery),
      "--held-out",
      String(budget.heldOut),
      "--checkpoint-every",
      "0",
      "--out",
      out,
      "--no-report",
    ];
    const t0 = performance.now();
    const { code, stderr } = await trainProcess(args, `${out}.log`);
    const wall = (performance.now() - t0) / 1000;
    const metrics = join(out, "metrics.jsonl");
    const lines = existsSync(metrics)
      ? readFileSync(metrics, "utf8")
          .split("\n")
          .flatMap((l) => parseLine(l))
      : [];
    const r: RunResult = {
      method: m.id,
      seed,
      status: code === 0 ? "ok" : `exit ${code}: ${stderr || "(no message)"}`,
      wall_s: wall,
      lines,
    };
    results.push(r);
    const evals = lines.filter((l) => l["event"] === "eval");
    console.log(
      `${m.name} seed ${seed}: ${r.status}, ${wall.toFixed(0)} s, held-out ${evals.map((e) => (100 * (e["accuracy"] as number)).toFixed(1)).join(" -> ")}`,
    );
  }
}
const env: Env = {
  date: new Date(started).toISOString(),
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memGiB: totalmem() / 2 ** 30,
  node: process.version,
  load: load.map((x) => x.toFixed(2)).join(" "),
  total_s: (Date.now() - started) / 1000,
};
// `--only` re-runs some methods of the last full bench (same budget): their runs replace the old ones in the report.
const previous =
  only !== undefined && !quick && existsSync(saved)
    ? (JSON.parse(readFileSync(saved, "utf8")) as {
        results: RunResult[];
        env: Env;
        budget: typeof budget;
        methods: MethodSpec[];
      })
    : undefined;
const merged =
  previous && JSON.stringify(previous.budget) === JSON.stringify(budget)
    ? {
        results: [...previous.results.filter((r) => !only!.includes(r.method)), ...results],
        env: {
          ...previous.env,
          reruns: [
            ...(previous.env.reruns ?? []),
            `${methods.map((m) => m.name).join(", ")} re-run on ${env.date.slice(0, 10)} (${(env.total_s / 60).toFixed(1)} min, load average before ${env.load})`,
          ],
        },
        methods: METHODS.filter((m) => previous.results.some((r) => r.method === m.id) || only!.includes(m.id)),
      }
    : { results, env, methods };
writeFileSync(saved, JSON.stringify({ results: merged.results, env: merged.env, budget, warm, methods: merged.methods }));
await write(merged.results, merged.env, budget, warm, merged.methods);
console.log(`${(env.total_s / 60).toFixed(1)} min`);
