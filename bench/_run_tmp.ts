import { compileFile } from "../compiler/index.ts";
import { compileKernels } from "../runtime/kernels/index.ts";
import { readInputs } from "../runtime/io/read_inputs.ts";
import { evaluate } from "../runtime/reference/index.ts";
const f = process.argv[2]!;
const r = compileFile(f);
const p = r.programs[0]!;
const inp = readInputs(process.argv[3]!, p);
const ck = compileKernels(p, { threads: Number(process.argv[4] ?? 1), minParallelWork: 1 });
if (process.argv[5]) console.log(ck.source);
const out = await ck.evaluate(inp.tensors);
const ref = evaluate(p, inp.tensors);
for (const [k, v] of Object.entries(out.results)) {
  const e = ref.results[k]!;
  let md = 0; for (let i = 0; i < v.data.length; i++) md = Math.max(md, Math.abs(v.data[i]! - e.data[i]!));
  console.log(k, v.dims, Array.from(v.data).slice(0, 6), "maxdiff", md);
}
await ck.close();
