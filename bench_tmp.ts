import { compileFile } from "./compiler/index.ts";
import { differentiate } from "./compiler/autodiff/index.ts";
import { evaluate, gradients } from "./runtime/reference/index.ts";
import { selectBackend } from "./runtime/tfjs/backend.ts";
import * as mod from "./runtime/tfjs/lower.ts";
const { uploadInputs, disposeFeeds } = mod;
import { tfjsLossAndGrads, tfjsAutogradGradients, tfjsCustomGrad } from "./runtime/tfjs/grad.ts";
import { tensor } from "./runtime/tensor.ts";
const P = 64, G = 8, T = 1024, N = P * G * T;
const program = compileFile("examples/grpo.rlp").programs[0]!;
let s = 12345;
const r = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return (s >>> 8) / 2 ** 24; };
const lp = Array.from({ length: N }, () => -r() * 3);
const inputs = {
  logp: tensor("f32", ["P", "G", "T"], [P, G, T], lp),
  old_logp: tensor("f32", ["P", "G", "T"], [P, G, T], lp.map((v) => v + (r() - 0.5) * 0.4)),
  ref_logp: tensor("f32", ["P", "G", "T"], [P, G, T], lp.map((v) => v + (r() - 0.5) * 0.4)),
  mask: tensor("bool", ["P", "G", "T"], [P, G, T], Array.from({ length: N }, (_, i) => (i % T) < 200 + ((i / T) | 0) % 800 ? 1 : 0)),
  reward: tensor("f32", ["P", "G"], [P, G], Array.from({ length: P * G }, () => (r() > 0.5 ? 1 : 0))),
};
const { tf, name } = await selectBackend(process.argv[2]);
console.log("backend", name);
const feeds = uploadInputs(tf, program, inputs);
const gp = differentiate(program);
const fn = tfjsCustomGrad(tf, program, gp);
const others = Object.fromEntries(Object.entries(inputs).filter(([k]) => k !== "logp"));
const otherFeeds = { ...feeds.tensors }; delete (otherFeeds as Record<string, unknown>)["logp"];
const time = (label: string, f: () => void, reps = 5) => {
  f(); // warm-up
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); }
  ts.sort((a, b) => a - b);
  console.log(`${label}: median ${ts[Math.floor(reps / 2)]!.toFixed(1)} ms (min ${ts[0]!.toFixed(1)})`);
};
time("forward only (device feeds, loss read back)", () => tf.tidy(() => { const { evalTfjs } = mod; const v = evalTfjs(tf, program, feeds, { targets: [program.results.find(r => r.name === "L")!.node] }); v[program.results.find(r => r.name === "L")!.node]!.dataSync(); }));
time("loss + autograd (device feeds, grad read back)", () => tf.tidy(() => { const { loss, grads } = tfjsLossAndGrads(tf, program, feeds, "L"); loss.dataSync(); grads["logp"]!.dataSync(); }));
time("loss + customGrad(differentiate) (device feeds)", () => tf.tidy(() => { const [g] = tf.grads((x) => fn({ logp: x }, otherFeeds))([feeds.tensors["logp"]!]); g!.dataSync(); }));
time("tfjsAutogradGradients (host in/out incl. upload)", () => { tfjsAutogradGradients(tf, program, inputs); }, 3);
const t0 = performance.now(); const ev = evaluate(program, inputs); gradients(program, ev, program.results.find(r => r.name === "L")!.node); console.log(`reference f64 eval+grad: ${(performance.now() - t0).toFixed(0)} ms`);
console.log("tensors alive", tf.memory().numTensors);
disposeFeeds(feeds);
console.log("tensors alive after dispose", tf.memory().numTensors);
