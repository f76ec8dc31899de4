// Fused JS kernels on GRPO loss + gradient at P=64, G=8, T=1024 (DESIGN.md §5): wall time of evaluateWithGrad with
// 1 and 2 threads (inputs as float64 Tensors, so binding/conversion is included), the kernels alone (buffers bound
// once), the float64 reference evaluator + reference gradients, and a plain copy of the same bytes.
// Run: npx tsx bench/fused_kernels.ts [P G T]
import { availableParallelism } from "node:os";
import { compileFile } from "../compiler/index.ts";
import { compileKernels } from "../runtime/kernels/index.ts";
import { evaluate, gradients } from "../runtime/reference/index.ts";
import type { Tensor } from "../runtime/tensor.ts";

const [P, G, T] = (process.argv.slice(2).length === 3 ? process.argv.slice(2).map(Number) : [64, 8, 1024]) as [number, number, number];
const program = compileFile("examples/grpo.rlp").programs[0]!;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 2 ** 24;
}
const r = lcg(7);
const n = P * G * T;
const f32 = (dims: string[], shape: number[], f: (i: number) => number): Tensor => {
  const len = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(len);
  for (let i = 0; i < len; i++) data[i] = Math.fround(f(i));
  return { dtype: "f32", dims, shape, data };
};
const inputs: Record<string, Tensor> = {
  logp: f32(["P", "G", "T"], [P, G, T], () => -r() * 3),
  old_logp: f32(["P", "G", "T"], [P, G, T], () => -r() * 3),
  ref_logp: f32(["P", "G", "T"], [P, G, T], () => -r() * 3),
  mask: { ...f32(["P", "G", "T"], [P, G, T], (i) => ((i % T) < T - ((i / T) % 97) ? 1 : 0)), dtype: "bool" },
  reward: f32(["P", "G"], [P, G], () => (r() < 0.5 ? 1 : 0)),
};

async function time(label: string, f: () => Promise<unknown> | unknown, reps = 10): Promise<number> {
  for (let i = 0; i < 3; i++) await f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  const med = ts[Math.floor(ts.length / 2)]!;
  console.log(`| ${label} | ${med.toFixed(2)} | ${ts[0]!.toFixed(2)} |`);
  return med;
}

console.log(`GRPO loss + dL/dlogp, P=${P} G=${G} T=${T} (${n} tokens), ${availableParallelism()} cores, node ${process.version}`);
console.log("| what | median ms | min ms |");
console.log("| --- | --- | --- |");
for (const threads of [1, 2]) {
  const ck = compileKernels(program, { threads });
  await time(`fused evaluateWithGrad, ${threads} thread(s) (incl. input conversion)`, () => ck.evaluateWithGrad(inputs));
  await ck.close();
}
const ref = await time("reference evaluate + gradients (float64)", () => {
  const ev = evaluate(program, inputs);
  return gradients(program, ev, program.results.find((x) => x.kind === "loss")!.node);
}, 3);
const bytes = n * (4 * 4 + 1);
const src = new Uint8Array(bytes);
const dst = new Uint8Array(bytes);
await time(`memcpy of the same bytes (${(bytes / 2 ** 20).toFixed(1)} MiB: 4 f32 inputs/outputs + mask)`, () => dst.set(src), 20);
void ref;
