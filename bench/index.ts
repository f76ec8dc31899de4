// `npm run bench`: benchmarks (never run by the tests), in one process: the kernel benchmark (bench/kernels.ts:
// GRPO, PPO, DPO loss + gradient on fused JS, tfjs-cpu, tfjs-wasm and the reference) and compile time; writes
// bench/results.md and prints the GRPO acceptance ratios.
//   npm run bench                   all three pipelines, results.md written
//   npm run bench -- --only GRPO    one pipeline (results.md not written)
//   npm run bench -- --rounds N     N rounds of the GRPO acceptance measurements (default 5, the full run included)
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { measureCompileStages } from "./compile_time.ts";
import {
  ACCEPTANCE,
  acceptance,
  acceptanceRounds,
  benchPipeline,
  environment,
  PIPELINES,
  type PipelineResult,
  type Round,
} from "./kernels.ts";
import { renderResults } from "./report.ts";
import { median } from "./util.ts";

const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const rounds = args.includes("--rounds") ? Number(args[args.indexOf("--rounds") + 1]) : 5;
const t0 = performance.now();
const env = await environment();
console.log(
  `${env.cpu}, ${env.cores} cores, node ${env.node}, tfjs ${env.tfjs} (wasm: ${env.wasm}); load ${env.loadBefore.map((v) => v.toFixed(2)).join(" ")}`,
);
// compile time first: the first compile in the process is the one that also parses and checks the std library
console.log("compile time");
const compile = PIPELINES.map((p) => measureCompileStages(p.file));
for (const c of compile)
  console.log(
    `  ${c.file}: ${c.totalMs.toFixed(1)} ms (${c.stages.map((s) => `${s.name} ${s.ms.toFixed(1)}`).join(", ")}); first ${c.firstMs.toFixed(0)} ms; ${c.kernels} kernels`,
  );
const results: PipelineResult[] = [];
for (const spec of PIPELINES.filter((p) => only === undefined || p.name.startsWith(only))) {
  console.log(`${spec.name}: ${spec.shape}`);
  results.push(await benchPipeline(spec, console.log));
}
const grpo = results.find((r) => r.spec.name === "GRPO");
let grpoRounds: Round[] = [];
if (grpo) {
  console.log("acceptance (GRPO loss + gradient, medians):");
  for (const a of acceptance(grpo))
    console.log(
      `  ${a.pass ? "pass" : "FAIL"}  ${a.what}: ${a.got.median.toFixed(1)}× (range ${a.got.low.toFixed(1)}–${a.got.high.toFixed(1)}; fastest runs ${a.got.best.toFixed(1)}×), needed ≥ ${a.need}×`,
    );
  if (rounds > 1) {
    console.log(`${rounds - 1} more rounds of the acceptance measurements (fused 1 thread / all cores, tfjs-cpu, tfjs-wasm):`);
    grpoRounds = [{ load: grpo.load, rows: grpo.rows }, ...(await acceptanceRounds(grpo.spec, rounds - 1, console.log))];
  }
}
env.loadAfter = loadavg();
if (grpoRounds.length > 1) {
  console.log("acceptance over rounds (median of the rounds' median ratios; range):");
  for (const [k, [what, , , need]] of ACCEPTANCE.entries()) {
    const per = grpoRounds.map((rd) => acceptance(rd)[k]!.got.median);
    const m = median(per);
    console.log(
      `  ${m >= need ? "pass" : "FAIL"}  ${what}: ${m.toFixed(1)}× (${Math.min(...per).toFixed(1)}–${Math.max(...per).toFixed(1)}), needed ≥ ${need}×`,
    );
  }
}
if (only === undefined) {
  writeFileSync(
    "bench/results.md",
    renderResults(env, results, compile, grpoRounds, `npm run bench${args.length > 0 ? ` -- ${args.join(" ")}` : ""}`),
  );
  console.log("wrote bench/results.md");
}
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
