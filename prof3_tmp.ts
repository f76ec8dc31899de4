import { compileFile } from "./compiler/index.ts";
import { tensor } from "./runtime/tensor.ts";
import { selectBackend } from "./runtime/tfjs/backend.ts";
import * as mod from "./runtime/tfjs/lower.ts";
import { tfjsLossAndGrads } from "./runtime/tfjs/grad.ts";
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
for (let rep = 0; rep < 2; rep++) {
  const t0 = performance.now();
  const prof = await tf.profile(() => tf.tidy(() => tfjsLossAndGrads(tf, program, feeds, "L").grads["logp"]!));
  const agg = new Map<string, [number, number]>();
  for (const k of prof.kernels) { const a = agg.get(k.name) ?? [0, 0]; a[0] += k.kernelTimeMs as number; a[1]++; agg.set(k.name, a); }
  if (rep === 1) console.log(`${(performance.now() - t0).toFixed(0)}ms`, [...agg].sort((a, b) => b[1][0] - a[1][0]).slice(0, 14).map(([k, v]) => `${k} ${v[0].toFixed(0)}/${v[1]}`).join(", "), "kernels", prof.kernels.length);
}
