// Fused JS kernels alone on GRPO loss + gradient (a quick look; `npm run bench` is the full comparison), at
// P=64, G=8, T=1024 by default, all in one process on bench/data.ts's data:
//   * evaluateWithGrad with 1 thread and all cores (float64 Tensors in and out: conversion included),
//   * runArrays with 1 thread and all cores (float32 typed arrays in and out: the kernels alone),
//   * the float64 reference evaluator + the symbolic gradients (the gradient program evaluated in float64),
//   * a plain copy of the bytes the fused pass must touch (the inputs and dL/dlogp), and the GB/s achieved.
// Run: npx tsx bench/fused_kernels.ts [P G T]
import { availableParallelism } from "node:os";
import { elaborate } from "../compiler/pipeline/index.ts";
import { compileKernels } from "../runtime/backends/js/index.ts";
import { symbolicGradients } from "../runtime/backends/reference/index.ts";
import { benchData } from "./data.ts";
import { time, type Timing } from "./util.ts";

const args = process.argv.slice(2).map(Number);
const [P, G, T] = (args.length === 3 ? args : [64, 8, 1024]) as [number, number, number];
const program = elaborate("examples/grpo.rlp").programs[0]!;
const data = benchData(program, { P, G, T });
const n = P * G * T;
const bytes = data.inputBytes + 4 * n;
const cores = availableParallelism();

function row(label: string, t: Timing): Timing {
  console.log(`| ${label} | ${t.median.toFixed(1)} | ${t.min.toFixed(1)} |`);
  return t;
}

console.log(`GRPO loss + dL/dlogp, P=${P} G=${G} T=${T} (${n} tokens), ${cores} cores, node ${process.version}`);
console.log("| what | median ms | min ms |");
console.log("| --- | --- | --- |");
const arrays: Record<number, Timing> = {};
for (const threads of [...new Set([1, cores])]) {
  const ck = compileKernels(program, { threads });
  row(`fused evaluateWithGrad, ${threads} thread(s) (Tensors in/out)`, await time(() => ck.evaluateWithGrad(data.tensors), 10));
  arrays[threads] = row(
    `fused runArrays, ${threads} thread(s) (f32 arrays in/out)`,
    await time(() => ck.runArrays(data.arrays, data.sizes, {}, { grad: true }), 10),
  );
  await ck.close();
}
row("reference evaluate + symbolic gradients (float64)", await time(() => symbolicGradients(program, data.tensors), 2, 1));
const src = new Uint8Array(bytes);
const dst = new Uint8Array(bytes);
const copy = row(`copy of the bytes touched (${(bytes / 2 ** 20).toFixed(1)} MiB)`, await time(() => dst.set(src), 20));
for (const [t, a] of Object.entries(arrays))
  console.log(
    `runArrays ${t} thread(s): ${(bytes / a.median / 1e6).toFixed(2)} GB/s (copy: ${(bytes / copy.median / 1e6).toFixed(1)} GB/s)`,
  );
