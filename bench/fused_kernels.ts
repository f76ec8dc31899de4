// Fused JS kernels on GRPO loss + gradient at P=64, G=8, T=1024 (DESIGN.md §5), all in one process:
//   * evaluateWithGrad with 1 and 2 threads (float64 Tensors in and out: conversion included),
//   * runArrays with 1 and 2 threads (float32 typed arrays in and out: the kernels alone),
//   * the float64 reference evaluator + its reverse-mode gradients,
//   * a plain copy of the bytes the fused pass must touch (4 f32 tensors + the bool mask), and the GB/s achieved.
// Run: npx tsx bench/fused_kernels.ts [P G T]
import { availableParallelism } from "node:os";
import { compileFile } from "../compiler/index.ts";
import { allocateArray, compileKernels, type TypedArray } from "../runtime/kernels/index.ts";
import { evaluate, gradients } from "../runtime/reference/index.ts";
import type { Tensor } from "../runtime/tensor.ts";

const args = process.argv.slice(2).map(Number);
const [P, G, T] = (args.length === 3 ? args : [64, 8, 1024]) as [number, number, number];
const program = compileFile("examples/grpo.rlp").programs[0]!;
const n = P * G * T;

let seed = 7;
const rand = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8) / 2 ** 24;
function tensor(dtype: "f32" | "bool", dims: string[], shape: number[], f: (i: number) => number): Tensor {
  const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = Math.fround(f(i));
  return { dtype, dims, shape, data };
}
const PGT = ["P", "G", "T"];
const inputs: Record<string, Tensor> = {
  logp: tensor("f32", PGT, [P, G, T], () => -rand() * 3),
  old_logp: tensor("f32", PGT, [P, G, T], () => -rand() * 3),
  ref_logp: tensor("f32", PGT, [P, G, T], () => -rand() * 3),
  // response lengths vary: row r keeps its first T - (r % 97) tokens
  mask: tensor("bool", PGT, [P, G, T], (i) => (i % T < T - (Math.floor(i / T) % 97) ? 1 : 0)),
  reward: tensor("f32", ["P", "G"], [P, G], () => (rand() < 0.5 ? 1 : 0)),
};
const arrays: Record<string, TypedArray> = {};
for (const [k, t] of Object.entries(inputs)) {
  // SharedArrayBuffer-backed, so threads read them in place
  const a = allocateArray(t.dtype, t.data.length, true);
  a.set(t.data);
  arrays[k] = a;
}

async function time(label: string, f: () => unknown, reps: number): Promise<number> {
  for (let i = 0; i < 2; i++) await f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  const med = ts[Math.floor(ts.length / 2)]!;
  console.log(`| ${label} | ${med.toFixed(1)} | ${ts[0]!.toFixed(1)} |`);
  return ts[0]!;
}

const bytes = n * (4 * 4 + 1);
console.log(`GRPO loss + dL/dlogp, P=${P} G=${G} T=${T} (${n} tokens), ${availableParallelism()} cores, node ${process.version}`);
console.log("| what | median ms | min ms |");
console.log("| --- | --- | --- |");
const best: Record<string, number> = {};
for (const threads of [1, 2]) {
  const ck = compileKernels(program, { threads });
  best[`e${threads}`] = await time(`fused evaluateWithGrad, ${threads} thread(s) (Tensors in/out)`, () => ck.evaluateWithGrad(inputs), 10);
  best[`r${threads}`] = await time(`fused runArrays, ${threads} thread(s) (f32 arrays in/out)`, () => ck.runArrays(arrays, { P, G, T }, {}, { grad: true }), 10);
  await ck.close();
}
await time("reference evaluate + gradients (float64)", () => gradients(program, evaluate(program, inputs), program.results.find((x) => x.kind === "loss")!.node), 2);
const src = new Uint8Array(bytes);
const dst = new Uint8Array(bytes);
const copy = await time(`copy of the bytes touched (${(bytes / 2 ** 20).toFixed(1)} MiB)`, () => dst.set(src), 20);
for (const t of [1, 2]) console.log(`runArrays ${t} thread(s): ${(bytes / best[`r${t}`]! / 1e6).toFixed(2)} GB/s (copy: ${(bytes / copy / 1e6).toFixed(1)} GB/s)`);
