// Three-way agreement with custom TypeScript nodes (DESIGN.md §4): the reference evaluator (float64, the plugin called
// op by op), the fused JS kernels (the plugin as library kernels between fused loops, float32 buffers) and tfjs-cpu
// (the plugin as host calls between device ops) agree on every result and every `dL/dx`; tfjs' own op-by-op autograd
// differentiates a custom node through tf.customGrad (its `gradient` function) and agrees with the reference too; the
// symbolic gradients match central differences. On examples/custom/rank_pg.rlp (its inputs file and seeded inputs),
// and on a user plugin with a three-result node (one bool result), a non-row argument broadcast over the rows, and a
// differentiable input passed to a "const" parameter (no gradient through the node: dL/db is zero).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { loadPlugins } from "../../runtime/library/plugin/registry.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import type { TF } from "../../runtime/backends/tfjs/types.ts";
import { userProject } from "../emit/helpers.ts";
import { compileOne, inputsFile, repoPath } from "../stdlib/harness.ts";
import {
  checkFiniteDifferences,
  checkFusedThreads,
  checkTfjsAutograd,
  checkThreeWay,
  cpuTf,
  referenceRun,
  subject,
  type Subject,
} from "./harness.ts";
import { MAIN_SIZES, roundF32, seededInputs, TINY_SIZES } from "../kit/index.ts";

const PLUGIN = `import { defineNode, type Dim, type Result, type Tensor } from "rlpc/plugin";

/** y = w·x + b, s = Σ_over x², pos = x > 0 (per row). */
export const weigh = defineNode({
  forward(x: Tensor<"f32", ["...", "over"]>, w: Tensor<"f32", ["over"]>, b: Tensor<"f32", ["..."], "const">, over: Dim): [Result<"f32", ["...", "over"]>, Result<"f32", ["..."]>, Result<"bool", ["...", "over"]>] {
    const n = over.size;
    const y = new Float64Array(x.data.length);
    const s = new Float64Array(x.rows);
    const pos = new Uint8Array(x.data.length);
    for (let r = 0; r < x.rows; r++) {
      for (let i = 0; i < n; i++) {
        const v = x.data[r * n + i]!;
        y[r * n + i] = w.data[i]! * v + b.data[r]!;
        s[r] = s[r]! + v * v;
        pos[r * n + i] = v > 0 ? 1 : 0;
      }
    }
    return [y, s, pos];
  },
  gradient(g: Tensor<"f32">[], x: Tensor<"f32", ["...", "over"]>, w: Tensor<"f32", ["over"]>, _b: Tensor<"f32", ["..."], "const">, over: Dim) {
    const [gy, gs] = g as [Tensor<"f32">, Tensor<"f32">];
    const n = over.size;
    const gx = new Float64Array(x.data.length);
    const gw = new Float64Array(n);
    for (let r = 0; r < x.rows; r++) {
      for (let i = 0; i < n; i++) {
        const v = x.data[r * n + i]!;
        const dy = gy.data[r * n + i]!;
        gx[r * n + i] = dy * w.data[i]! + 2 * v * gs.data[r]!;
        gw[i] = gw[i]! + dy * v;
      }
    }
    return { x: gx, w: gw };
  },
});
`;

const PIPELINE = `import "./nodes.ts"

pipeline multi {
  dims P, G, T
  input x: f32[P,G,T] @policy
  input w: f32[T] @policy
  input b: f32[P,G] @policy
  input mask: bool[P,G,T]
  let y, s, pos = weigh(x, w, b, over=T)
  loss L = token_mean(y * y + f32(pos) * x, mask) + 0.1 * mean(s, over=[P,G])
  output Y = y
  output S = s
  output POS = pos
}
`;

function inputSets(program: IRProgram, file?: string): [string, Record<string, Tensor>][] {
  const sets: [string, Record<string, Tensor>][] = [];
  if (file !== undefined) sets.push(["inputs file", roundF32(inputsFile(program, file))]);
  sets.push(["seed 1", seededInputs(program, { profile: "realistic", seed: 1, sizes: MAIN_SIZES })]);
  sets.push(["seed 2", seededInputs(program, { profile: "realistic", seed: 2, sizes: MAIN_SIZES })]);
  sets.push(["tiny sizes", seededInputs(program, { profile: "realistic", seed: 6, sizes: TINY_SIZES })]);
  return sets;
}

describe("three-way agreement with custom TypeScript nodes", () => {
  let tf: TF;
  const subjects: Subject[] = [];
  const make = async (path: string, what: string): Promise<Subject> => {
    const program = compileOne(path);
    await loadPlugins(program);
    const s = subject(program, what);
    subjects.push(s);
    return s;
  };
  beforeAll(async () => {
    tf = await cpuTf();
  });
  afterAll(async () => {
    for (const s of subjects) await s.kernels.close();
  });

  it("rank_pg: reference, fused JS and tfjs agree (values and gradients); fused on 3 threads too", async () => {
    const s = await make(repoPath("examples/custom/rank_pg.rlp"), "rank_pg");
    for (const [label, inputs] of inputSets(s.program, repoPath("examples/custom/rank_pg.inputs.json"))) {
      expect(await checkThreeWay(tf, s, inputs, label)).toBe("compared");
      await checkFusedThreads(s, inputs, label);
    }
  });

  it("rank_pg: tfjs op-by-op autograd differentiates the custom node (tf.customGrad over its gradient) like the reference", async () => {
    const s = await make(repoPath("examples/custom/rank_pg.rlp"), "rank_pg");
    for (const [label, inputs] of inputSets(s.program, repoPath("examples/custom/rank_pg.inputs.json"))) {
      expect(checkTfjsAutograd(tf, s, inputs, label)).toBe(0);
    }
  });

  it("rank_pg: the symbolic gradient (the node's own gradient function) matches central differences", async () => {
    const s = await make(repoPath("examples/custom/rank_pg.rlp"), "rank_pg");
    const r = checkFiniteDifferences(
      s,
      roundF32(inputsFile(s.program, repoPath("examples/custom/rank_pg.inputs.json"))),
      "inputs file",
      0,
    );
    expect(r.compared).toBeGreaterThan(0);
  });

  it("a three-result node (bool result, broadcast non-row argument, const argument): all backends agree", async () => {
    const dir = userProject("agreement-custom");
    writeFileSync(join(dir, "nodes.ts"), PLUGIN);
    writeFileSync(join(dir, "multi.rlp"), PIPELINE);
    const s = await make(join(dir, "multi.rlp"), "multi");
    for (const [label, inputs] of inputSets(s.program)) {
      expect(await checkThreeWay(tf, s, inputs, label)).toBe("compared");
      expect(checkTfjsAutograd(tf, s, inputs, label)).toBe(0);
      await checkFusedThreads(s, inputs, label, 2);
      const ref = referenceRun(s, inputs);
      if ("error" in ref) throw ref.error;
      // b reaches the loss only through the node's "const" parameter: no gradient
      expect(
        ref.results["dL/db"]!.data.every((v) => v === 0),
        `${label}: dL/db is zero`,
      ).toBe(true);
      expect(
        ref.results["dL/dw"]!.data.some((v) => v !== 0),
        `${label}: dL/dw flows through the node`,
      ).toBe(true);
    }
    // (no central differences here: a "const" parameter is a stop-gradient, which differences do not see)
  });
});
