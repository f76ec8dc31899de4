// Custom TypeScript nodes on the tfjs backend: a call is a host call between device ops; under tfjs' op-by-op
// autograd a differentiable call is a tf.customGrad op whose gradient is the node's own `gradient` function (only
// for its differentiable arguments; a "const" argument or a `differentiable: false` node passes no gradient); the
// symbolic gradient program's custom_vjp nodes run as host calls too. Plugin errors are one-line EvalErrors and leave
// no tensors behind.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { gradientProgram } from "../../compiler/pipeline/index.ts";
import { loadPlugins } from "../../runtime/library/plugin/registry.ts";
import { evaluate } from "../../runtime/backends/reference/index.ts";
import { tfjsAutogradGradients } from "../../runtime/backends/tfjs/grad.ts";
import { runTfjs } from "../../runtime/backends/tfjs/lower.ts";
import type { TF } from "../../runtime/backends/tfjs/types.ts";
import { userProject } from "../emit/helpers.ts";
import { compileOne, inputsFile, repoPath } from "../stdlib/harness.ts";
import { expectAgree, expectAutogradAgrees, expectForwardAgrees, useBackend } from "./helpers.ts";

// square's gradient is deliberately 3·x·dy (not 2·x·dy): the gradients must be the node's, whatever it says.
const PLUGIN = `import { defineNode, type Result, type Tensor } from "rlpc/plugin";
export const square = defineNode({
  forward(x: Tensor<"f32", ["..."]>): Result<"f32", ["..."]> {
    return x.data.map((v) => v * v);
  },
  gradient(dy: Tensor<"f32", ["..."]>, x: Tensor<"f32", ["..."]>) {
    return { x: x.data.map((v, i) => 3 * v * dy.data[i]!) };
  },
});
export const halve = defineNode({
  differentiable: false,
  forward(x: Tensor<"f32", ["..."]>): Result<"f32", ["..."]> {
    return x.data.map((v) => v / 2);
  },
});
export const fails = defineNode({
  differentiable: false,
  forward(x: Tensor<"f32", ["..."]>): Result<"f32", ["..."]> {
    if (x.data.length > 0) throw new Error("no thanks");
    return [];
  },
});
`;

const dir = userProject("tfjs-custom");
writeFileSync(join(dir, "nodes.ts"), PLUGIN);
const pipeline = (name: string, body: string): string => {
  writeFileSync(
    join(dir, `${name}.rlp`),
    `import "./nodes.ts"\npipeline ${name} {\n  dims B, T\n  input x: f32[B,T] @policy\n${body}\n}\n`,
  );
  return join(dir, `${name}.rlp`);
};
const X = { x: { dtype: "f32" as const, dims: ["B", "T"], shape: [2, 3], data: Float64Array.of(0.5, -1, 2, 0.25, 1.5, -0.75) } };

describe("custom nodes on tfjs (cpu)", () => {
  let tf: TF;
  beforeAll(async () => {
    tf = await useBackend("cpu");
  });

  it("rank_pg: forward, autograd and the symbolic gradient program agree with the reference", async () => {
    const program = compileOne(repoPath("examples/custom/rank_pg.rlp"));
    await loadPlugins(program);
    const inputs = inputsFile(program, repoPath("examples/custom/rank_pg.inputs.json"));
    expectForwardAgrees(tf, program, inputs);
    expectAutogradAgrees(tf, program, inputs);
    const gp = gradientProgram(program);
    const want = evaluate(gp, inputs).results;
    const got = runTfjs(tf, gp, inputs).results;
    expectAgree(got["dL/dlogp"], want["dL/dlogp"], "rank_pg dL/dlogp (custom_vjp on tfjs)");
  });

  it("autograd uses the node's gradient function through tf.customGrad", async () => {
    const program = compileOne(pipeline("sq", "  loss L = sum(square(x), over=[B,T])"));
    await loadPlugins(program);
    const live = tf.memory().numTensors;
    const g = tfjsAutogradGradients(tf, program, X)["dL/dx"]!;
    expect(tf.memory().numTensors).toBe(live);
    expectAgree(g, { ...X.x, data: X.x.data.map((v) => 3 * v) }, "dL/dx = 3x (the node's own gradient)");
    expectAutogradAgrees(tf, program, X);
  });

  it("a differentiable: false node passes no gradient: only the other factor's", async () => {
    const program = compileOne(pipeline("half", "  loss L = sum(x * halve(x), over=[B,T])"));
    await loadPlugins(program);
    const g = tfjsAutogradGradients(tf, program, X)["dL/dx"]!;
    expectAgree(g, { ...X.x, data: X.x.data.map((v) => v / 2) }, "dL/dx = halve(x)");
    expectAutogradAgrees(tf, program, X);
  });

  it("a plugin error is a one-line EvalError naming the node, and leaves no tensors", async () => {
    const program = compileOne(pipeline("bad", "  loss L = sum(x * fails(x), over=[B,T])"));
    await loadPlugins(program);
    const live = tf.memory().numTensors;
    let err: unknown;
    try {
      runTfjs(tf, program, X);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "RLP523" });
    expect((err as Error).message).toMatch(/^plugin .*nodes\.ts, node 'fails': forward threw: no thanks/);
    expect((err as Error).message).not.toContain("\n");
    expect(tf.memory().numTensors).toBe(live);
  });

  it("a program whose plugin was not loaded fails with RLP520, telling to call loadPlugins", () => {
    writeFileSync(join(dir, "other.ts"), PLUGIN);
    writeFileSync(
      join(dir, "other.rlp"),
      `import "./other.ts"\npipeline other {\n  dims B, T\n  input x: f32[B,T] @policy\n  loss L = sum(square(x), over=[B,T])\n}\n`,
    );
    const program = compileOne(join(dir, "other.rlp"));
    expect(() => runTfjs(tf, program, X)).toThrow(
      expect.objectContaining({ code: "RLP520", message: expect.stringContaining("loadPlugins") }),
    );
  });
});
