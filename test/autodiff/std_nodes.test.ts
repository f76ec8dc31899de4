// Every std node (stdlib/*.rlp), through a small pipeline per node (std_cases.ts) on seeded inputs with an all-masked
// row, a length-1 row and a zero-variance group, and again at tiny sizes (singleton groups, T = 1): the simplified
// symbolic gradient equals the reference reverse mode (NaN exactly where it is NaN) and central differences
// away from kinks; the verifier accepts every pass.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileText, repoPath } from "../stdlib/harness.ts";
import { checkGradients } from "./harness.ts";
import { caseText, STD_CASES } from "./std_cases.ts";
import { inputDecls, MAIN, stdInputs, TINY } from "./std_inputs.ts";

/** Every node defined in stdlib/*.rlp. */
function stdNodes(): string[] {
  const names: string[] = [];
  for (const f of readdirSync(repoPath("stdlib")).filter((x) => x.endsWith(".rlp"))) {
    for (const m of readFileSync(repoPath(`stdlib/${f}`), "utf8").matchAll(/^node\s+(\w+)\s*\(/gm)) names.push(m[1]!);
  }
  return names.sort();
}

describe("std nodes: symbolic gradients", () => {
  it("every std node has a case", () => {
    const bodies = STD_CASES.map((c) => c.body).join("\n");
    const missing = stdNodes().filter((n) => !new RegExp(`\\b${n}\\(`).test(bodies));
    expect(missing, "std nodes without a gradient case in test/autodiff/std_cases.ts").toEqual([]);
  });

  for (const c of STD_CASES) {
    it(c.name, () => {
      const program = compileText(caseText(c, inputDecls(c.body)), c.name);
      for (const [label, sizes] of [
        ["main", MAIN],
        ["tiny", TINY],
      ] as const) {
        const inputs = stdInputs(program, sizes, c.mask ?? "edge");
        checkGradients(program, inputs, `${c.name} (${label})`, { maxKinkShare: 0.5 });
      }
    });
  }
});
