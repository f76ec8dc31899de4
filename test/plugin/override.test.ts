// A TypeScript node with the name of a std node: RLP106 says to add `override: true` (not the .rlp spelling
// `override node`); with it, calls use the TypeScript node; `override: true` on a name no std node has is RLP107.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, expectUserError, HEADER, project } from "./helpers.ts";

/** kl_k3 (a std node) redefined as the plain log-ratio k1 = logp - ref_logp. */
function klNode(extra: string, name = "kl_k3"): string {
  return `${HEADER}
export const ${name} = defineNode({${extra}
  forward(logp: Tensor<"f32", ["..."]>, ref_logp: Tensor<"f32", ["..."], "const">): Result<"f32", ["..."]> {
    return logp.data.map((v, i) => v - ref_logp.data[i]!);
  },
  gradient(dy: Tensor<"f32", ["..."]>, logp: Tensor<"f32", ["..."]>, ref_logp: Tensor<"f32", ["..."], "const">) {
    return { logp: dy.data };
  },
});
`;
}

const PIPELINE = `import "./nodes.ts"

pipeline p {
  dims B, T
  input logp: f32[B,T] @policy
  input ref_logp: f32[B,T]
  input mask: bool[B,T]
  loss L = token_mean(kl_k3(logp, ref_logp), mask)
}
`;

const INPUTS = JSON.stringify({ logp: [[-1.0, -2.0]], ref_logp: [[-1.5, -1.0]], mask: [[1, 1]] });

describe("a TypeScript node named like a std node", () => {
  it("is RLP106, with the advice to add 'override: true'", async () => {
    const dir = project({ "nodes.ts": klNode(""), "main.rlp": PIPELINE });
    const r = await cli("check", join(dir, "main.rlp"));
    expect(r.code).toBe(1);
    const line = expectUserError(r, "RLP106", join(dir, "nodes.ts"));
    expect(line).toContain(
      "node 'kl_k3' has the same name as a std node; rename it, or add 'override: true' to its defineNode({...}) to replace the std one on purpose",
    );
    expect(line).not.toContain("override node");
    expect(r.err).toMatch(/note: the std 'kl_k3' is declared here/);
  });

  it("with 'override: true', replaces the std node in every call", async () => {
    const dir = project({ "nodes.ts": klNode("\n  override: true,"), "main.rlp": PIPELINE, "in.json": INPUTS });
    const check = await cli("check", join(dir, "main.rlp"));
    expect(check.code, check.err).toBe(0);
    const r = await cli("eval", join(dir, "main.rlp"), "--inputs", join(dir, "in.json"), "--grad");
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as Record<string, { data: number[] }>;
    // k1: mean(logp - ref) = (0.5 + -1) / 2; the std k3 would give exp(r) - r - 1 > 0.
    expect(out["L"]!.data[0]).toBeCloseTo(-0.25, 12);
    expect(out["dL/dlogp"]!.data).toEqual([0.5, 0.5]);

    // The std node is back once the override goes.
    writeFileSync(join(dir, "nodes.ts"), klNode("", "k1"));
    const std = await cli("eval", join(dir, "main.rlp"), "--inputs", join(dir, "in.json"));
    expect(std.code, std.err).toBe(0);
    expect((JSON.parse(std.out) as Record<string, { data: number[] }>)["L"]!.data[0]).toBeGreaterThan(0);
  });

  it("'override: true' on a name no std node has is RLP107", async () => {
    const dir = project({ "nodes.ts": klNode("\n  override: true,", "my_kl"), "main.rlp": PIPELINE.replace("kl_k3(", "my_kl(") });
    const r = await cli("check", join(dir, "main.rlp"));
    expect(r.code).toBe(1);
    const line = expectUserError(r, "RLP107", join(dir, "nodes.ts"));
    expect(line).toContain("'override: true' on node 'my_kl' overrides nothing: there is no std node of that name");
  });
});
