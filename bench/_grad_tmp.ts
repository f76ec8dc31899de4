import { compileFile } from "../compiler/index.ts";
import { planKernels, formatPlan } from "../compiler/fuse/index.ts";
import { differentiateAndSimplify } from "../compiler/autodiff/index.ts";
import { compileKernels } from "../runtime/kernels/index.ts";
import { readInputs } from "../runtime/io/read_inputs.ts";
import { evaluate, gradients } from "../runtime/reference/index.ts";
const f = process.argv[2]!;
const r = compileFile(f);
const p = r.programs[0]!;
const d = differentiateAndSimplify(p);
if (process.argv[4] === "plan") console.log(formatPlan(planKernels(d), { sources: r.sources }));
const inp = readInputs(process.argv[3]!, p);
const ck = compileKernels(p, { threads: 2, minParallelWork: 1 });
const out = await ck.evaluateWithGrad(inp.tensors);
const ev = evaluate(p, inp.tensors);
for (const res of d.results) {
  let e;
  if (res.kind === "grad") { const loss = p.results.find(x => x.name === res.of)!; e = gradients(p, ev, loss.node)[res.wrt!]!; }
  else e = ev.results[res.name]!;
  const v = out.results[res.name]!;
  let md = 0; for (let i = 0; i < v.data.length; i++) md = Math.max(md, Math.abs(v.data[i]! - e.data[i]!));
  console.log(res.name, v.dims, "maxdiff", md);
}
await ck.close();
