// `npm run bench`: benchmarks (never run by the tests). Today: compile time of the examples.
import { cpus } from "node:os";
import { measureCompileTime } from "./compile_time.ts";

const rows = measureCompileTime(["examples/grpo.rlp", "examples/ppo.rlp", "examples/dpo.rlp"]);
console.log(`compile time (parse + check + lower), ${cpus().length} cores, node ${process.version}`);
console.log("| file | first compile in process (ms, includes std) | median of 50 later compiles (ms) |");
console.log("| --- | --- | --- |");
for (const r of rows) console.log(`| ${r.file} | ${r.firstMs.toFixed(1)} | ${r.medianMs.toFixed(2)} |`);
