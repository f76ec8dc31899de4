// Custom TypeScript nodes in the fused JS kernels: each call (and each gradient call, custom_vjp) is a library kernel
// of its own between fused loops, shown as such by `rlp compile --dump kernels`; the kernels load the plugin on their
// first run; the standalone driver of a generated module runs them through `library`; what a plugin does wrong is a
// one-line EvalError that names the plugin file and the node, on one thread or several.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileCommand } from "../../cli/compile.ts";
import { gradientProgram, kernelPlan } from "../../compiler/pipeline/index.ts";
import { generateJs } from "../../compiler/codegen/js/index.ts";
import { allocateArray, bindInputs, compileKernels, library, loadGenerated } from "../../runtime/backends/js/index.ts";
import { loadPlugins } from "../../runtime/library/plugin/registry.ts";
import { userProject } from "../emit/helpers.ts";
import { compileOne, inputsFile, repoPath } from "../stdlib/harness.ts";
import { expectClose, reference } from "./helpers.ts";
import { seededInputs } from "../kit/index.ts";

const RANK_PG = repoPath("examples/custom/rank_pg.rlp");
const INPUTS = repoPath("examples/custom/rank_pg.inputs.json");

describe("custom nodes are library kernels", () => {
  const program = compileOne(RANK_PG);

  it("each call and each gradient call is a kernel of its own; everything else stays fused", () => {
    const fwd = kernelPlan(program);
    const grad = kernelPlan(gradientProgram(program));
    const lib = (p: typeof fwd): string[] =>
      p.kernels.flatMap((k) => (k.kind === "library" ? [p.program.nodes[k.node]!.op.op] : []));
    expect(lib(fwd)).toEqual(["custom", "custom"]);
    expect(lib(grad)).toEqual(["custom", "custom", "custom_vjp"]);
    expect(grad.kernels.filter((k) => k.kind !== "library").length).toBeLessThanOrEqual(3);
  });

  it("rlp compile --dump kernels names the node and its plugin on each library kernel", async () => {
    const out: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => out.push(s) }, env: {} };
    expect(await compileCommand([RANK_PG, "--dump", "kernels"], io)).toBe(0);
    const text = out.join("");
    expect(text).toMatch(
      /^kernel k\d+_custom: library \(generic implementation, not fused\): %\d+ custom rank_advantage \(my_nodes\.ts\)/m,
    );
    expect(text).toMatch(/^kernel k\d+_custom: library .* custom soft_clip_pg \(my_nodes\.ts\)/m);
    expect(text).toMatch(/^kernel k\d+_custom_vjp: library .* custom_vjp soft_clip_pg d\/dlogp \(my_nodes\.ts\)/m);
    expect(text).toMatch(/^ {2}dL_dlogp = custom_vjp soft_clip_pg d\/dlogp \(my_nodes\.ts\)\(logp, old_logp, A, t\d+\)$/m);
  });

  it("compileKernels loads the plugin itself and agrees with the reference (1 and 2 threads)", async () => {
    const inputs = inputsFile(program, INPUTS);
    await loadPlugins(program); // for the reference evaluator (the kernels load it on their own)
    const want = reference(program, inputs, true);
    for (const threads of [1, 2]) {
      const ck = compileKernels(program, { threads, minParallelWork: 1 });
      try {
        const got = await ck.evaluateWithGrad(inputs);
        for (const [k, t] of Object.entries(want.results)) expectClose(got.results[k]!, t, `${threads} threads: ${k}`);
      } finally {
        await ck.close();
      }
    }
  });

  it("the standalone driver of the generated module runs custom kernels through `library`", async () => {
    await loadPlugins(program);
    const inputs = seededInputs(program, { seed: 4 });
    const mod = loadGenerated(generateJs(kernelPlan(program)).source);
    const { sizes, arrays } = bindInputs(mod.plan, inputs, (dt, n) => allocateArray(dt, n, false));
    const out = mod.run(arrays, sizes, {}, library);
    const want = reference(program, inputs, false);
    expectClose(
      { dtype: "f32", dims: ["P", "G"], shape: [sizes.P!, sizes.G!], data: Float64Array.from(out.A!) },
      want.results.A!,
      "A",
    );
    expectClose({ dtype: "f32", dims: [], shape: [], data: Float64Array.from(out.L!) }, want.results.L!, "L");
  });
});

describe("plugin errors on the fused kernels", () => {
  const dir = userProject("fuse-custom");
  writeFileSync(
    join(dir, "nodes.ts"),
    `import { defineNode, type Result, type Tensor } from "rlpc/plugin";
export const bad = defineNode({
  forward(x: Tensor<"f32", ["..."]>): Result<"f32", ["..."]> {
    if (x.data.some((v) => v > 100)) throw new Error("x is too large");
    return x.data.slice(1);
  },
  gradient(dy: Tensor<"f32", ["..."]>, x: Tensor<"f32", ["..."]>) {
    return { x: dy.data.map((g, i) => g * x.data[i]!) };
  },
});
`,
  );
  writeFileSync(
    join(dir, "p.rlp"),
    `import "./nodes.ts"
pipeline p {
  dims B, T
  input x: f32[B,T] @policy
  loss L = mean(bad(x), over=[B,T])
}
`,
  );
  const program = compileOne(join(dir, "p.rlp"));
  const x = (v: number) => ({ x: { dtype: "f32" as const, dims: ["B", "T"], shape: [2, 2], data: Float64Array.of(1, 2, 3, v) } });

  for (const threads of [1, 2]) {
    it(`a wrong result length and a throwing forward are one-line RLP522 / RLP523 errors naming the node (${threads} thread(s))`, async () => {
      const ck = compileKernels(program, { threads, minParallelWork: 1 });
      try {
        const short = await ck.evaluate(x(4)).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(short).toMatchObject({ code: "RLP522" });
        expect((short as Error).message).toMatch(
          /^plugin .*nodes\.ts, node 'bad': forward's result has 3 values, but f32\[B,T\] needs 4/,
        );
        const thrown = await ck.evaluateWithGrad(x(1000)).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(thrown).toMatchObject({ code: "RLP523" });
        expect((thrown as Error).message).toMatch(/^plugin .*nodes\.ts, node 'bad': forward threw: x is too large/);
        for (const e of [short, thrown]) expect((e as Error).message).not.toContain("\n");
      } finally {
        await ck.close();
      }
    });
  }

  it("a plugin that cannot be imported at run time is RLP520, naming the file", async () => {
    writeFileSync(join(dir, "broken.ts"), "export const = ;\n");
    const broken = {
      ...program,
      nodes: program.nodes.map((n) =>
        n.op.op === "custom" ? { ...n, op: { ...n.op, call: { ...n.op.call, plugin: join(dir, "broken.ts") } } } : n,
      ),
    };
    const ck = compileKernels(broken, { threads: 1 });
    const e = await ck.evaluate(x(4)).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toMatchObject({ code: "RLP520" });
    expect((e as Error).message).toMatch(/^plugin .*broken\.ts cannot be loaded: /);
    expect((e as Error).message).not.toContain("\n");
  });
});
