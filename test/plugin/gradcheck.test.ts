// `rlp test --gradcheck` (runtime/tools/golden/gradcheck.ts): the gradient a custom node supplies is checked against central
// finite differences of the float64 reference evaluator. It passes on examples/custom, fails with a table of the
// disagreeing elements on a node whose gradient is off by a factor 2 (which the golden test alone cannot see: the
// golden was recorded with the same wrong gradient), and skips cases without custom gradients.
import { describe, expect, it } from "vitest";
import { cli, HEADER, INPUTS, pipelineUsing, project } from "./helpers.ts";

/** `double(x) = 2x` whose gradient says 4: off by a factor 2. */
const WRONG = `${HEADER}
export const double = defineNode({
  forward(x: Tensor<"f32", ["..."]>): Result<"f32", ["..."]> {
    return x.data.map((v) => 2 * v);
  },
  gradient(dy: Tensor<"f32", ["..."]>, x: Tensor<"f32", ["..."]>) {
    return { x: dy.data.map((g) => 4 * g) };
  },
});
`;

describe("rlp test --gradcheck", () => {
  it("passes on examples/custom, checking the custom node's gradient", async () => {
    const r = await cli("test", "examples/custom", "--gradcheck");
    expect(r.err).toBe("");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^ok {4}rank_pg \(\d+ ms\)$/m);
    expect(r.out).toMatch(/^ok {4}rank_pg \[gradcheck\] \(\d+ ms\): dL\/dlogp: 24 elements agree \(custom node soft_clip_pg\)$/m);
    expect(r.out.split("\n")).toContain("2 passed, 0 failed");
  });

  it("fails on a gradient off by a factor 2, with a table of the elements that differ", async () => {
    const dir = project({ "nodes.ts": WRONG, "wrong.rlp": pipelineUsing("double(x)"), "wrong.inputs.json": INPUTS });
    const update = await cli("test", dir, "--update");
    expect(update.code, update.out).toBe(0);
    // The golden test passes: the golden holds the same wrong gradient.
    const plain = await cli("test", dir);
    expect(plain.code, plain.out).toBe(0);

    const r = await cli("test", dir, "--gradcheck");
    expect(r.code, r.out).toBe(1);
    expect(r.err).toBe("");
    const lines = r.out.split("\n");
    expect(lines).toContain("FAIL  wrong [gradcheck]: 1 gradient differs from central differences (custom node double)");
    // 5 of the 6 elements are inside the mask: there dL/dx = 2/5 and the node says 4/5; outside, both are 0.
    expect(r.out).toContain("dL/dx: 5 of 6 elements differ (step 1e-6, rtol 1e-4, atol 1e-6; largest abs error 0.4, rel 1)");
    const header = lines.findIndex((l) => /^\s+index\s+gradient\s+finite diff\s+abs err\s+rel err$/.test(l));
    expect(header, r.out).toBeGreaterThan(0);
    const row = lines[header + 1]!.trim().split(/\s{2,}/);
    expect(row[0]).toBe("dL/dx[B=0, T=0]");
    expect(Number(row[1])).toBeCloseTo(0.8, 12);
    expect(Number(row[2])).toBeCloseTo(0.4, 8);
    expect(lines).toContain("1 passed, 1 failed");
  });

  it("skips cases without a custom node that supplies a gradient", async () => {
    const r = await cli("test", "test/fixtures/golden_cli", "--gradcheck");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^skip {2}grpo \[gradcheck\]: no custom node with a gradient$/m);
    expect(r.out.split("\n")).toContain("2 passed, 0 failed");
  });

  it("appears in JUnit as a suite of its own, and is a usage error with --update", async () => {
    const j = await cli("test", "examples/custom", "--gradcheck", "--format", "junit");
    expect(j.code).toBe(0);
    expect(j.out).toMatch(/<testsuite name="rlp test \(gradcheck\)"[^>]* tests="1"/);
    const u = await cli("test", "examples/custom", "--gradcheck", "--update");
    expect(u.code).toBe(64);
    expect(u.err.split("\n")[0]).toBe("rlp test: --update records goldens; run --gradcheck without it");
  });
});
