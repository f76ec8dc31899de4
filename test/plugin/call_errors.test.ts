// Calls of custom nodes (compiler/elaborate/custom_call.ts) are checked like calls of std nodes: the argument's dtype and
// dims against the TypeScript signature, static parameters against their kind and the node's JSON Schema (RLP123).
// Each error is one `error[CODE]` line of `rlp check` (exit 1, no stack trace) whose report names the node and the
// plugin file.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, expectUserError, HEADER, project } from "./helpers.ts";

const PLUGIN = `${HEADER}
/** Pools x over a dim: the sum, or the mean. */
export const pool = defineNode({
  params: { k: { type: "number", default: 1, minimum: 0 }, mode: { enum: ["sum", "mean"], default: "sum" } },
  forward(x: Tensor<"f32", ["...", "over"]>, over: Dim, k: number, mode: "sum" | "mean"): Result<"f32", ["..."]> {
    const out = new Float64Array(x.rows);
    for (let r = 0; r < x.rows; r++) {
      for (let i = 0; i < over.size; i++) out[r]! += k * x.data[r * over.size + i]!;
      if (mode === "mean") out[r]! /= over.size;
    }
    return out;
  },
  gradient(dy: Tensor<"f32", ["..."]>, x: Tensor<"f32", ["...", "over"]>, over: Dim, k: number, mode: "sum" | "mean") {
    return { x: x.data.map((_, j) => (k * dy.data[Math.floor(j / over.size)]!) / (mode === "mean" ? over.size : 1)) };
  },
});

export const odd = defineNode({
  differentiable: false,
  forward(x: Tensor<"f32", ["...", "Q"]>): Result<"f32", ["..."]> { return new Float64Array(x.rows); },
});
`;

/** A node whose params schema is not valid JSON Schema: reported whether or not a pipeline calls it. */
const BAD_SCHEMA = `
export const badschema = defineNode({
  params: { k: { type: "nonsense" } },
  differentiable: false,
  forward(x: Tensor<"f32", ["..."]>, k: number): Result<"f32", ["..."]> { return x.data; },
});
`;

function program(call: string): string {
  return `import "./nodes.ts"

pipeline p {
  dims B, T
  param kk: f32 = 2
  input x: f32[B,T] @policy
  input r: f32[B]
  input mask: bool[B,T]
  loss L = mean(${call}, over=B)
}
`;
}

interface CallCase {
  what: string;
  call: string;
  code: string;
  message: RegExp;
  /** The node the report names (in the message or a note). */
  node: string;
}

const CASES: CallCase[] = [
  {
    what: "an argument of the wrong dtype",
    call: "pool(mask, over=T)",
    code: "RLP202",
    node: "pool",
    message: /the argument 'x' of pool must be f32, but it is bool\[B,T\]/,
  },
  {
    what: "an argument that lacks a declared dim",
    call: "pool(r, over=T)",
    code: "RLP209",
    node: "pool",
    message: /the argument 'x' of pool must have the dim T, but it is f32\[B\]/,
  },
  {
    what: "a signature that names an unknown dim",
    call: "odd(x)",
    code: "RLP102",
    node: "odd",
    message: /unknown dim 'Q' in the signature of odd/,
  },
  {
    what: "a static argument the JSON Schema rejects",
    call: "pool(x, over=T, k=-1)",
    code: "RLP123",
    node: "pool",
    message: /the argument 'k' of pool must be >= 0 \(the schema of 'pool' \(plugin /,
  },
  {
    what: "a static argument that is not static",
    call: "pool(x, over=T, k=sum(x, over=[B,T], where=mask))",
    code: "RLP207",
    node: "pool",
    message: /the argument 'k' of pool must be a number known when the pipeline is compiled/,
  },
  {
    what: "an enum argument given as a string",
    call: 'pool(x, over=T, mode="mean")',
    code: "RLP207",
    node: "pool",
    message: /must be one of sum, mean, but it is a string; write mode=mean \(a label, without quotes\)/,
  },
  {
    what: "an enum argument that is not one of its labels",
    call: "pool(x, over=T, mode=max)",
    code: "RLP110",
    node: "pool",
    message: /'max' is not a label of pool\.mode \(its labels are sum, mean\)/,
  },
  {
    what: "a dim argument that is not a dim",
    call: "pool(x, over=kk)",
    code: "RLP206",
    node: "pool",
    message: /the argument 'over' of pool must be a dim/,
  },
  { what: "a missing argument", call: "pool(x)", code: "RLP108", node: "pool", message: /over/ },
  {
    what: "a params schema that is not valid JSON Schema",
    call: "badschema(x, k=1)",
    code: "RLP121",
    node: "badschema",
    message: /the params schema of 'badschema' \(plugin .*\) is not a valid JSON Schema/,
  },
];

describe("checking calls of a custom node", () => {
  it.each(CASES.map((c) => [c.what, c] as const))("%s", async (_what, c) => {
    const dir = project({ "nodes.ts": c.node === "badschema" ? PLUGIN + BAD_SCHEMA : PLUGIN, "main.rlp": program(c.call) });
    const plugin = join(dir, "nodes.ts");
    const r = await cli("check", join(dir, "main.rlp"));
    expect(r.code, r.err).toBe(1);
    const lines = r.err.split("\n").filter((l) => l.includes(`error[${c.code}]`));
    expect(lines, r.err).toHaveLength(1);
    expect(lines[0]).toMatch(c.message);
    expect(r.err).not.toMatch(/\n\s+at /);
    // The report names the node and the plugin file: the message names the node; the message or a note (whose
    // location is in the plugin) names the file.
    expect(lines[0]).toMatch(new RegExp(`\\b${c.node}\\b`));
    expect(lines[0]!.includes(plugin) || new RegExp(`^${plugin}:\\d+:\\d+: note: `, "m").test(r.err), r.err).toBe(true);
  });

  it("accepts labels, negative and param statics, and fills in schema defaults", async () => {
    for (const call of [
      "pool(x, over=T)",
      "pool(x, over=T, mode=mean)",
      "pool(x, over=T, k=kk)",
      "pool(x, over=T, k=0.5 * kk)",
    ]) {
      const dir = project({ "nodes.ts": PLUGIN, "main.rlp": program(call) });
      const r = await cli("check", join(dir, "main.rlp"));
      expect(r.err, call).toContain("0 errors");
      expect(r.code, call).toBe(0);
    }
  });

  it("a bad schema is reported once however many calls use it", async () => {
    const dir = project({ "nodes.ts": PLUGIN + BAD_SCHEMA, "main.rlp": program("badschema(x, k=1) + badschema(x, k=2)") });
    const r = await cli("check", join(dir, "main.rlp"));
    expectUserError(r, "RLP121", join(dir, "nodes.ts"));
  });

  it("a bad schema is reported even when no pipeline calls the node", async () => {
    const dir = project({ "nodes.ts": PLUGIN + BAD_SCHEMA, "main.rlp": program("pool(x, over=T)") });
    const r = await cli("check", join(dir, "main.rlp"));
    expectUserError(r, "RLP121", join(dir, "nodes.ts"));
    expect(r.err).toMatch(/the params schema of 'badschema'/);
  });
});
