import { readdirSync } from "node:fs";
import { compileFile } from "../compiler/index.ts";
import { planKernels } from "../compiler/fuse/index.ts";
import { differentiateAndSimplify } from "../compiler/autodiff/index.ts";
for (const f of readdirSync("examples").filter((x) => x.endsWith(".rlp")).sort()) {
  const p = differentiateAndSimplify(compileFile(`examples/${f}`).programs[0]!);
  const plan = planKernels(p);
  const temps = plan.buffers.filter((b) => b.role === "temp").map((b) => `${b.name}[${b.dims}]`);
  console.log(f.padEnd(18), plan.kernels.map((k) => k.kind === "library" ? k.name : `${k.name}[${k.nest}]`).join(" "), "| temps:", temps.join(" "));
}
