// Plugins whose nodes cannot be read (compiler/plugin/read.ts): each kind of mistake is one diagnostic that names the
// plugin file and the node, reported by `rlp check` as one `error[CODE]` line (RLP120 the module does not parse,
// RLP121 a node that cannot be read, RLP122 no node exported), exit 1, no stack trace.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readPlugin } from "../../compiler/plugin/read.ts";
import { cli, expectUserError, HEADER, pipelineUsing, project } from "./helpers.ts";

const FWD = `forward(x: Tensor<"f32", ["..."]>): Result<"f32", ["..."]> { return x.data; }`;
const GRAD = `gradient(dy: Tensor<"f32", ["..."]>, x: Tensor<"f32", ["..."]>) { return { x: dy.data }; }`;

interface ReadCase {
  what: string;
  /** The plugin's text after the import line. */
  body: string;
  code: "RLP120" | "RLP121" | "RLP122";
  /** The node the message names (none for a module-level problem). */
  node?: string;
  message: RegExp;
}

const CASES: ReadCase[] = [
  {
    what: "a syntax error",
    body: `export const bad = defineNode({ ${FWD} ${GRAD} });\n`,
    code: "RLP120",
    message: /does not parse: ',' expected/,
  },
  {
    what: "a node that is not exported",
    body: `const bad = defineNode({ ${FWD}, ${GRAD} });\n`,
    code: "RLP121",
    node: "bad",
    message: /it is not exported.*export const bad = defineNode/,
  },
  {
    what: "no forward function",
    body: `export const bad = defineNode({ ${GRAD} });\n`,
    code: "RLP121",
    node: "bad",
    message: /it has no forward function/,
  },
  {
    what: "a forward parameter without a type",
    body: `export const bad = defineNode({ forward(x): Result<"f32", ["..."]> { return x.data; }, differentiable: false });\n`,
    code: "RLP121",
    node: "bad",
    message: /forward's parameter 'x' has no type/,
  },
  {
    what: "a Tensor with an unknown dtype",
    body: `export const bad = defineNode({ forward(x: Tensor<"f64", ["..."]>): Result<"f32", ["..."]> { return x.data; }, differentiable: false });\n`,
    code: "RLP121",
    node: "bad",
    message: /forward's parameter 'x': the dtype must be one of "f32", "i32", "bool", "id"/,
  },
  {
    what: "Tensor dims that are not a literal tuple",
    body: `export const bad = defineNode({ forward(x: Tensor<"f32", string[]>): Result<"f32", ["..."]> { return x.data; }, differentiable: false });\n`,
    code: "RLP121",
    node: "bad",
    message: /forward's parameter 'x': the dims must be a tuple of string literals/,
  },
  {
    what: "a parameter of a type rlp cannot pass",
    body: `export const bad = defineNode({ forward(x: Float64Array): Result<"f32", ["..."]> { return x; }, differentiable: false });\n`,
    code: "RLP121",
    node: "bad",
    message: /forward's parameter 'x': the type must be Tensor<.*, not Float64Array/,
  },
  {
    what: "no declared result type",
    body: `export const bad = defineNode({ forward(x: Tensor<"f32", ["..."]>) { return x.data; }, ${GRAD} });\n`,
    code: "RLP121",
    node: "bad",
    message: /forward has no declared result type/,
  },
  {
    what: "neither a gradient nor 'differentiable: false'",
    body: `export const bad = defineNode({ ${FWD} });\n`,
    code: "RLP121",
    node: "bad",
    message: /it has no gradient; .* or declare 'differentiable: false'/,
  },
  {
    what: "both a gradient and 'differentiable: false'",
    body: `export const bad = defineNode({ differentiable: false, ${FWD}, ${GRAD} });\n`,
    code: "RLP121",
    node: "bad",
    message: /declares 'differentiable: false' and also a gradient; keep one/,
  },
  {
    what: "a params schema that is not a literal",
    body: `const EPS = { type: "number" };\nexport const bad = defineNode({ params: { eps: EPS }, differentiable: false, forward(x: Tensor<"f32", ["..."]>, eps: number): Result<"f32", ["..."]> { return x.data; } });\n`,
    code: "RLP121",
    node: "bad",
    message: /'params' must be written as a literal .*'EPS' is not a literal/,
  },
  {
    what: "a params schema for a parameter forward does not have",
    body: `export const bad = defineNode({ params: { epsilon: { type: "number" } }, differentiable: false, forward(x: Tensor<"f32", ["..."]>, eps: number): Result<"f32", ["..."]> { return x.data; } });\n`,
    code: "RLP121",
    node: "bad",
    message: /'params' describes 'epsilon', which is not a number, boolean or string parameter of forward/,
  },
  {
    what: "'override' written as something other than true",
    body: `export const bad = defineNode({ override: false, ${FWD}, ${GRAD} });\n`,
    code: "RLP121",
    node: "bad",
    message: /'override' may only be written as 'override: true'/,
  },
  {
    what: "no node exported",
    body: `export function helper(x: number): number { return x; }\n`,
    code: "RLP122",
    message: /exports no nodes: define them with 'export const NAME = defineNode/,
  },
];

describe("reading a plugin: every kind of unreadable node", () => {
  it.each(CASES.map((c) => [c.what, c] as const))("%s", async (_what, c) => {
    const text = HEADER + c.body;
    const path = "/virtual/nodes.ts";
    const read = readPlugin(path, text);
    const found = read.diagnostics.filter((d) => d.code === c.code);
    expect(
      found.map((d) => d.message),
      JSON.stringify(read.diagnostics.map((d) => d.message)),
    ).toHaveLength(1);
    const d = found[0]!;
    expect(d.message).toMatch(c.message);
    expect(d.message).toContain(`plugin ${path}`);
    if (c.node) expect(d.message).toContain(`node '${c.node}'`);
    expect(d.span.file).toBe(path);
    expect(read.nodes.map((n) => n.name)).not.toContain("bad");

    // Through the CLI: one error line pointing into the plugin, exit 1.
    const dir = project({ "nodes.ts": text, "main.rlp": pipelineUsing("bad(x)") });
    const r = await cli("check", join(dir, "main.rlp"));
    expect(r.code).toBe(1);
    const line = expectUserError(r, c.code, join(dir, "nodes.ts"), c.node);
    expect(line).toMatch(
      new RegExp(`^${join(dir, "nodes.ts").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: error\\[${c.code}\\]: `),
    );
    expect(line).toMatch(c.message);
    // A node that is defined but unreadable is not reported again at its call as an unknown node.
    if (c.code !== "RLP122") expect(r.err).not.toContain("error[RLP101]");
  });

  it("reads a well-formed node: tensors, a dim, statics, a const argument, a tuple result, the doc comment", () => {
    const text = `${HEADER}
/** Two results from three arguments. */
export const two = defineNode({
  params: { k: { type: "number", default: 1 }, mode: { enum: ["a", "b"], default: "a" } },
  forward(x: Tensor<"f32", ["...", "over"]>, w: Tensor<"f32", ["over"], "const">, over: Dim, k: number, flag: boolean, mode: "a" | "b"): [Result<"f32", ["...", "over"]>, Result<"bool", ["..."]>] {
    return [x.data, new Float64Array(x.rows)];
  },
  gradient(dy: Tensor<"f32">[], x: Tensor<"f32", ["...", "over"]>) { return { x: dy[0]!.data }; },
});
`;
    const read = readPlugin("/virtual/two.ts", text);
    expect(read.diagnostics).toEqual([]);
    const [n] = read.nodes;
    expect(n).toMatchObject({ name: "two", doc: "Two results from three arguments.", differentiable: true, override: false });
    expect(n!.params.map((p) => `${p.name}:${p.kind}`)).toEqual([
      "x:tensor",
      "w:tensor",
      "over:dim",
      "k:static",
      "flag:static",
      "mode:static",
    ]);
    expect(n!.params.filter((p) => p.kind === "tensor").map((p) => (p as { grad: boolean }).grad)).toEqual([true, false]);
    expect(n!.params.find((p) => p.name === "mode")).toMatchObject({ type: { labels: ["a", "b"] } });
    expect(n!.results.map((r) => r.dtype)).toEqual(["f32", "bool"]);
    expect(n!.schemas).toEqual({ k: { type: "number", default: 1 }, mode: { enum: ["a", "b"], default: "a" } });
  });
});
