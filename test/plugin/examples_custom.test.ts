// examples/custom: two TypeScript nodes (a non-differentiable rank advantage and a differentiable smooth-clipped
// surrogate) used from a pipeline. Every command of docs/custom-nodes.md works on it: rlp check, rlp eval --grad,
// rlp compile (and --dump kernels), rlp test (its golden) and rlp test --gradcheck.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "./helpers.ts";

const PIPELINE = "examples/custom/rank_pg.rlp";
const INPUTS = "examples/custom/rank_pg.inputs.json";

describe("examples/custom", () => {
  it("rlp check: no errors, no warnings", async () => {
    const r = await cli("check", PIPELINE);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("0 errors, 0 warnings");
  });

  it("rlp eval --grad: the rank advantage, the loss and its gradient, as recorded in the golden", async () => {
    const r = await cli("eval", PIPELINE, "--inputs", INPUTS, "--grad");
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as Record<string, { dims: string[]; data: number[] }>;
    expect(Object.keys(out)).toEqual(["A", "L", "ratio_mean", "dL/dlogp"]);
    // Group 1 rewards [1, 0, 0.5, 0]: ranks 3, 0.5, 2, 0.5 (ties share) of 0..3, scaled to [-1, 1].
    expect(out["A"]!.data.slice(0, 4).map((v) => Number(v.toFixed(12)))).toEqual([
      1, -0.666666666667, 0.333333333333, -0.666666666667,
    ]);
    expect(out["dL/dlogp"]!.dims).toEqual(["P", "G", "T"]);
    const golden = JSON.parse(readFileSync("examples/custom/rank_pg.expected.json", "utf8")) as typeof out;
    expect(out["L"]!.data[0]).toBeCloseTo(golden["L"]!.data[0]!, 12);
  });

  it("rlp compile: the kernel plan runs each custom node as a library kernel, and the module is written", async () => {
    const dump = await cli("compile", PIPELINE, "--dump", "kernels");
    expect(dump.code, dump.err).toBe(0);
    expect(dump.out).toMatch(/custom rank_advantage \(my_nodes\.ts\)/);
    expect(dump.out).toMatch(/custom soft_clip_pg \(my_nodes\.ts\)/);
    const dir = mkdtempSync(join(tmpdir(), "rlp-custom-compile-"));
    const r = await cli("compile", PIPELINE, "-o", dir);
    expect(r.code, r.err).toBe(0);
    expect(existsSync(join(dir, "rank_pg.ts"))).toBe(true);
    expect(existsSync(join(dir, "rank_pg.schema.json"))).toBe(true);
  });

  it("rlp test: the golden passes", async () => {
    const r = await cli("test", "examples/custom");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^ok {4}rank_pg \(\d+ ms\)$/m);
    expect(r.out.split("\n")).toContain("1 passed, 0 failed");
  });
});
