// `npm run bench`: benchmarks (never run by the tests), in one process: the kernel benchmark (bench/kernels.ts:
// GRPO, PPO, DPO loss + gradient on fused JS, tfjs-cpu, tfjs-wasm and the reference) and compile time; writes
// bench/results.md and prints the GRPO acceptance ratios.
//   npm run bench                   all three pipelines, results.md written
//   npm run bench -- --only GRPO    one pipeline (results.md not written)
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { measureCompileStages } from "./compile_time.ts";
import { acceptance, benchPipeline, environment, PIPELINES, type PipelineResult } from "./kernels.ts";
import { renderResults } from "./report.ts";

const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const t0 = performance.now();
const env = await environment();
console.log(`${env.cpu}, ${env.cores} cores, node ${env.node}, tfjs ${env.tfjs} (wasm: ${env.wasm}); load ${env.loadBefore.map((v) => v.toFixed(2)).join(" ")}`);
// compile time first: the first compile in the process is the one that also parses and checks the std library
console.log("compile time");
const compile = PIPELINES.map((p) => measureCompileStages(p.file));
for (const c of compile) console.log(`  ${c.file}: ${c.totalMs.toFixed(1)} ms (${c.stages.map((s) => `${s.name} ${s.ms.toFixed(1)}`).join(", ")}); first ${c.firstMs.toFixed(0)} ms; ${c.kernels} kernels`);
const results: PipelineResult[] = [];
for (const spec of PIPELINES.filter((p) => only === undefined || p.name.startsWith(only))) {
  console.log(`${spec.name}: ${spec.shape}`);
  results.push(await benchPipeline(spec, console.log));
}
env.loadAfter = loadavg();
const grpo = results.find((r) => r.spec.name === "GRPO");
if (grpo) {
  console.log("acceptance (GRPO loss + gradient, medians):");
  for (const a of acceptance(grpo)) console.log(`  ${a.pass ? "pass" : "FAIL"}  ${a.what}: ${a.got.median.toFixed(1)}× (range ${a.got.low.toFixed(1)}–${a.got.high.toFixed(1)}; fastest runs ${a.got.best.toFixed(1)}×), needed ≥ ${a.need}×`);
}
if (only === undefined) {
  writeFileSync("bench/results.md", renderResults(env, results, compile, "npm run bench"));
  console.log("wrote bench/results.md");
}
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
