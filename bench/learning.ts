// `npm run bench:learning` (not a test): trains GRPO, Dr. GRPO, RLOO, REINFORCE++, DAPO (without refill) and PPO on
// the default task (arith) from ONE warm start (the cached SFT policy of seed 0), with the same seeds and the same
// budget, and writes bench/learning.md (held-out accuracy before/after, spread over seeds, per-step time split) and
// bench/learning.svg (learning curves). Each run is its own `rlp train` process, so a method that fails is a row
// saying so, not the end of the bench.
//   npm run bench:learning                      the full bench (3 seeds; see BUDGET)
//   npm run bench:learning -- --quick           1 seed, a few steps: to debug the harness (writes runs/bench-learning-quick/)
//   npm run bench:learning -- --only ppo,rloo   some methods;  --steps N, --seeds 0,1  other budgets
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
  { id: "dapo", name: "DAPO (no refill)", file: "examples/train_dapo.rlp" },
  { id: "ppo", name: "PPO (critic)", file: "examples/train_ppo.rlp" },
];

/** The full bench's budget: chosen so that 6 methods x 3 seeds finish in about 40 minutes on a 2-core machine. */
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
    let out = "", err = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("close", (code) => {
      writeFileSync(log, out + err);
      resolve({ code, stderr: err.trim().split("\n").slice(-3).join(" | ") });
    });
  });
}

async function warmStartPath(): Promise<string> {
  // the warm start every run starts from: made (or found in the cache) in this process, as rlp train makes it
  const { selectBackend } = await import("../runtime/tfjs/index.ts");
  const { builtinTask, DEFAULT_TASK } = await import("../runtime/tasks/index.ts");
  const { warmStart, WARM_START_DEFAULTS } = await import("../runtime/train/warmstart.ts");
  const { tf } = await selectBackend();
  const ws = await warmStart(tf, builtinTask(DEFAULT_TASK)!, { size: "small", seed: 0, steps: WARM_START_DEFAULTS.steps, lr: WARM_START_DEFAULTS.lr });
  ws.policy.dispose();
  return ws.path;
}

const started = Date.now();
const load = loadavg();
mkdirSync(runsDir, { recursive: true });
const warm = await warmStartPath();
console.log(`warm start: ${warm}; ${methods.length} methods x ${budget.seeds.length} seeds, ${budget.steps} steps of ${budget.prompts} prompts`);
const results: RunResult[] = [];
for (const m of methods) {
  for (const seed of budget.seeds) {
    const out = join(runsDir, `${m.id}-seed${seed}`);
    rmSync(out, { recursive: true, force: true });
    const args = [m.file, "--init", warm, "--seed", String(seed), "--steps", String(budget.steps), "--prompts", String(budget.prompts),
      "--eval-every", String(budget.evalEvery), "--held-out", String(budget.heldOut), "--checkpoint-every", "0", "--out", out, "--no-report"];
    const t0 = performance.now();
    const { code, stderr } = await trainProcess(args, `${out}.log`);
    const wall = (performance.now() - t0) / 1000;
    const metrics = join(out, "metrics.jsonl");
    const lines = existsSync(metrics) ? readFileSync(metrics, "utf8").trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>) : [];
    const r: RunResult = { method: m.id, seed, status: code === 0 ? "ok" : `exit ${code}: ${stderr || "(no message)"}`, wall_s: wall, lines };
    results.push(r);
    const evals = lines.filter((l) => l["event"] === "eval");
    console.log(`${m.name} seed ${seed}: ${r.status}, ${wall.toFixed(0)} s, held-out ${evals.map((e) => (100 * (e["accuracy"] as number)).toFixed(1)).join(" -> ")}`);
  }
}
const env = {
  date: new Date(started).toISOString(), cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memGiB: totalmem() / 2 ** 30,
  node: process.version, load: load.map((x) => x.toFixed(2)).join(" "), total_s: (Date.now() - started) / 1000,
};
const command = `nice -n 10 npm run bench:learning${quick ? " -- --quick" : ""}`;
mkdirSync(outDir, { recursive: true });
const svgName = quick ? "learning-quick.svg" : "learning.svg";
writeFileSync(join(outDir, svgName), await learningSvg(methods, results));
writeFileSync(join(outDir, quick ? "learning-quick.md" : "learning.md"), renderLearning({ methods, results, budget, env, command, warm: warm.split("/").pop()!, svg: svgName, quick }));
console.log(`wrote ${join(outDir, quick ? "learning-quick.md" : "learning.md")} and ${join(outDir, svgName)} in ${((Date.now() - started) / 60000).toFixed(1)} min`);
