import { compileFile } from "../compiler/index.ts";
import { planKernels, formatPlan } from "../compiler/fuse/index.ts";
const f = process.argv[2]!;
const r = compileFile(f);
const p = r.programs[0]!;
console.log(formatPlan(planKernels(p), { sources: r.sources }));
