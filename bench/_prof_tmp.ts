import { compileFile } from "../compiler/index.ts";
import { differentiateAndSimplify } from "../compiler/autodiff/index.ts";
import { planKernels } from "../compiler/fuse/index.ts";
import { generateJs } from "../compiler/codegen/js/index.ts";
import { loadGenerated, bindInputs, allocateArray } from "../runtime/kernels/index.ts";
import type { Tensor } from "../runtime/tensor.ts";
const [P, G, T] = [64, 8, 1024];
const program = differentiateAndSimplify(compileFile("examples/grpo.rlp").programs[0]!);
const mod = loadGenerated(generateJs(planKernels(program)).source);
let s = 7; const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 2 ** 24;
const t = (dims: string[], shape: number[], f: (i: number) => number, dtype: "f32"|"bool" = "f32"): Tensor => { const len = shape.reduce((a, b) => a * b, 1); const data = new Float64Array(len); for (let i = 0; i < len; i++) data[i] = Math.fround(f(i)); return { dtype, dims, shape, data }; };
const inputs = { logp: t(["P","G","T"],[P,G,T],()=>-r()*3), old_logp: t(["P","G","T"],[P,G,T],()=>-r()*3), ref_logp: t(["P","G","T"],[P,G,T],()=>-r()*3), mask: t(["P","G","T"],[P,G,T],(i)=>(i%T) < T-((i/T)%97)?1:0, "bool"), reward: t(["P","G"],[P,G],()=>r()<0.5?1:0) };
for (let rep = 0; rep < 8; rep++) {
  const t0 = performance.now();
  const b = bindInputs(mod.plan, inputs, (d, n) => allocateArray(d, n));
  const t1 = performance.now();
  const out = mod.run(b.arrays, b.sizes);
  const t2 = performance.now();
  const g = Float64Array.from(out["dL/dlogp"]!);
  const t3 = performance.now();
  console.log(`bind ${(t1-t0).toFixed(1)} run ${(t2-t1).toFixed(1)} out ${(t3-t2).toFixed(1)}`, g.length);
}
