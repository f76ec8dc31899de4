import { compileFile } from "./compiler/index.ts";
import { differentiate, differentiateAndSimplify } from "./compiler/autodiff/index.ts";
import { tensor } from "./runtime/tensor.ts";
import { selectBackend } from "./runtime/tfjs/backend.ts";
import * as mod from "./runtime/tfjs/lower.ts";
const P = 64, G = 8, T = 1024, N = P * G * T;
const program = compileFile("examples/grpo.rlp").programs[0]!;
const lp = Array.from({ length: N }, (_, i) => -((i * 7919) % 1000) / 300);
const inputs = {
  logp: tensor("f32", ["P", "G", "T"], [P, G, T], lp), old_logp: tensor("f32", ["P", "G", "T"], [P, G, T], lp.map(v => v * 1.01)),
  ref_logp: tensor("f32", ["P", "G", "T"], [P, G, T], lp.map(v => v * 0.99)),
  mask: tensor("bool", ["P", "G", "T"], [P, G, T], Array.from({ length: N }, (_, i) => (i % T) < 500 ? 1 : 0)),
  reward: tensor("f32", ["P", "G"], [P, G], Array.from({ length: P * G }, (_, i) => i % 3 ? 1 : 0)),
};
const { tf } = await selectBackend(process.argv[2]);
const feeds = mod.uploadInputs(tf, program, inputs);
for (const gp of [differentiate(program), differentiateAndSimplify(program)]) {
  console.log("nodes", program.nodes.length, "->", gp.nodes.length);
  const g = gp.results.find(r => r.kind === "grad")!;
  for (let rep = 0; rep < 2; rep++) {
    const t0 = performance.now();
    const prof = await tf.profile(() => tf.tidy(() => mod.evalTfjs(tf, gp, feeds, { targets: [g.node] })[g.node]!));
    const agg = new Map<string, number>();
    for (const k of prof.kernels) agg.set(k.name, (agg.get(k.name) ?? 0) + (k.kernelTimeMs as number));
    if (rep === 1) console.log(`${(performance.now() - t0).toFixed(0)}ms`, [...agg].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", "), "kernels", prof.kernels.length);
  }
  const ops = new Map<string, number>();
  for (const n of gp.nodes.slice(program.nodes.length)) { const k = n.op.op + ("fn" in n.op ? ":" + n.op.fn : ""); ops.set(k, (ops.get(k) ?? 0) + 1); }
  console.log([...ops].map(([k, v]) => `${k}=${v}`).join(" "));
}
