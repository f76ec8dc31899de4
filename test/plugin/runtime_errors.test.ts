// Custom nodes that misbehave at run time (runtime/library/plugin/registry.ts, host.ts): a module that cannot be loaded
// (RLP520), an export that is missing or not a node (RLP521), a forward or gradient that returns the wrong length or
// kind (RLP522) or throws (RLP523), a gradient that leaves out an argument (RLP524). `rlp eval --grad` prints each as
// one `error[CODE]` line naming the plugin file and the node, exit 2, no stack trace.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileFile } from "../../compiler/index.ts";
import { readJsonInputs } from "../../runtime/library/io/read_inputs.ts";
import { EvalError, evaluate } from "../../runtime/backends/reference/index.ts";
import { loadPlugins } from "../../runtime/library/plugin/registry.ts";
import { cli, doubleNode, expectUserError, HEADER, INPUTS, pipelineUsing, project } from "./helpers.ts";

/** An elementwise node `bad(x)` whose forward and gradient bodies are given. */
function node(forwardBody: string, gradientBody = "return { x: dy.data };"): string {
  return `${HEADER}
export const bad = defineNode({
  forward(x: Tensor<"f32", ["..."]>): Result<"f32", ["..."]> {
    ${forwardBody}
  },
  gradient(dy: Tensor<"f32", ["..."]>, x: Tensor<"f32", ["..."]>) {
    ${gradientBody}
  },
});
`;
}

interface RunCase {
  what: string;
  plugin: string;
  code: string;
  node?: string;
  message: RegExp;
}

const CASES: RunCase[] = [
  {
    what: "forward returns the wrong number of values",
    plugin: node("return x.data.subarray(1);"),
    code: "RLP522",
    node: "bad",
    message: /forward's result has 5 values, but f32\[B,T\] needs 6 \(B=2, T=3\)/,
  },
  {
    what: "forward returns something that is not an array",
    plugin: node("return x.data[0] as unknown as Float64Array;"),
    code: "RLP522",
    node: "bad",
    message: /forward's result must be an array of 6 numbers \(f32\[B,T\]\), but it is number/,
  },
  {
    what: "forward returns a value that is not a number",
    plugin: node(`return Array.from(x.data, (v, i) => (i === 2 ? "oops" : v)) as unknown as number[];`),
    code: "RLP522",
    node: "bad",
    message: /forward's result\[2\] is string, not a number/,
  },
  {
    what: "forward throws",
    plugin: node(`throw new Error("log of a negative number");`),
    code: "RLP523",
    node: "bad",
    message: /forward threw: log of a negative number \(\S*nodes\.ts:5:11\)$/,
  },
  {
    what: "gradient throws",
    plugin: node("return x.data;", `throw new RangeError("index out of range");`),
    code: "RLP523",
    node: "bad",
    message: /gradient threw: index out of range/,
  },
  {
    what: "gradient leaves out a differentiable argument",
    plugin: node("return x.data;", "return { y: dy.data };"),
    code: "RLP524",
    node: "bad",
    message: /gradient returned no gradient for the argument 'x' \(it returned y\)/,
  },
  {
    what: "gradient returns an array instead of an object",
    plugin: node("return x.data;", "return [dy.data] as unknown as { x: Float64Array };"),
    code: "RLP524",
    node: "bad",
    message:
      /gradient must return an object with one array per differentiable argument \(\{ x: \.\.\. \}\), but it returned an array/,
  },
  {
    what: "gradient returns the wrong number of values",
    plugin: node("return x.data;", "return { x: [1, 2] };"),
    code: "RLP522",
    node: "bad",
    message: /gradient's 'x' has 2 values, but f32\[B,T\] needs 6/,
  },
  {
    what: "an export that is not a node at run time",
    plugin: `function defineNode<T>(def: T): T { return def; } // not rlpc/plugin's: no brand
import type { Result, Tensor } from "rlpc/plugin";
export const bad = defineNode({
  forward(x: Tensor<"f32", ["..."]>): Result<"f32", ["..."]> { return x.data; },
  gradient(dy: Tensor<"f32", ["..."]>, x: Tensor<"f32", ["..."]>) { return { x: dy.data }; },
});
`,
    code: "RLP521",
    message: /the export 'bad' is not a node made with defineNode\(\{\.\.\.\}\)/,
  },
  {
    what: "a module that cannot be loaded",
    plugin: `${HEADER}import { helper } from "./helpers_that_do_not_exist.ts";
export const bad = defineNode({
  forward(x: Tensor<"f32", ["..."]>): Result<"f32", ["..."]> { return x.data.map(helper); },
  gradient(dy: Tensor<"f32", ["..."]>, x: Tensor<"f32", ["..."]>) { return { x: dy.data }; },
});
`,
    code: "RLP520",
    message: /cannot be loaded: .*helpers_that_do_not_exist/,
  },
  {
    what: "a module that throws while loading",
    plugin: `${HEADER}throw new Error("no GPU here");\n${doubleNode("bad")}`,
    code: "RLP520",
    message: /cannot be loaded: no GPU here/,
  },
];

describe("custom nodes that fail at run time", () => {
  it.each(CASES.map((c) => [c.what, c] as const))("%s", async (_what, c) => {
    const dir = project({ "nodes.ts": c.plugin, "main.rlp": pipelineUsing("bad(x)"), "in.json": INPUTS });
    const check = await cli("check", join(dir, "main.rlp"));
    expect(check.err, "the plugin compiles: the problem shows only when it runs").toContain("0 errors");
    const r = await cli("eval", join(dir, "main.rlp"), "--inputs", join(dir, "in.json"), "--grad");
    expect(r.code, r.err).toBe(2);
    expect(r.out).toBe("");
    const line = expectUserError(r, c.code, join(dir, "nodes.ts"), c.node);
    expect(line).toMatch(/^rlp eval: error\[RLP52\d\]: plugin /);
    expect(line).toMatch(c.message);
  });

  it("an export missing at run time (the program was compiled from an older version of the plugin): RLP521", async () => {
    const dir = project({ "nodes.ts": HEADER + doubleNode("bad"), "main.rlp": pipelineUsing("bad(x)") });
    const compiled = compileFile(join(dir, "main.rlp"));
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    writeFileSync(join(dir, "nodes.ts"), HEADER + doubleNode("renamed"));
    const program = compiled.programs[0]!;
    const inputs = readJsonInputs(JSON.parse(INPUTS), program, "in.json");
    await loadPlugins(program);
    let error: unknown;
    try {
      evaluate(program, inputs.tensors);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EvalError);
    expect((error as EvalError).code).toBe("RLP521");
    expect((error as EvalError).message).toBe(`plugin ${join(dir, "nodes.ts")} has no export 'bad' at run time`);
  });
});
