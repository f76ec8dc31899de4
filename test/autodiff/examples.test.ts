// Every example pipeline (examples/*.rlp with its inputs examples/data/*.json): the simplified symbolic gradient of
// each loss equals the reference reverse mode and central differences; the verifier accepts every pass.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { differentiate } from "../../compiler/autodiff/index.ts";
import { simplify } from "../../compiler/simplify/index.ts";
import { compileOne, inputsFile, repoPath } from "../stdlib/harness.ts";
import { checkGradients, dependencies } from "./harness.ts";

const examples = readdirSync(repoPath("examples"))
  .filter((f) => f.endsWith(".rlp"))
  .map((f) => f.slice(0, -4))
  .sort();

describe("symbolic gradients of the examples", () => {
  it("finds the examples", () => {
    expect(examples).toContain("grpo");
  });
  for (const name of examples) {
    it(`${name}: dL/dx matches gradients() and central differences`, () => {
      const program = compileOne(repoPath(`examples/${name}.rlp`));
      const inputs = inputsFile(program, repoPath(`examples/data/${name}.json`));
      const { grads } = checkGradients(program, inputs, name);
      const losses = program.results.filter((r) => r.kind === "loss").length;
      expect(Object.keys(grads).length).toBe(
        losses * program.inputs.filter((i) => i.mark !== undefined && program.marks.includes(i.mark)).length,
      );
    });
  }
});

describe("GRPO's simplified gradient (what kernel fusion relies on)", () => {
  const program = compileOne(repoPath("examples/grpo.rlp"));
  const s = simplify(differentiate(program));
  const node = (name: string) => s.results.find((r) => r.name === name)!.node;

  it("dL/dlogp does not read the loss value L, nor the per-row sums that only feed it", () => {
    const deps = dependencies(s, node("dL/dlogp"));
    expect(deps.has(node("L"))).toBe(false);
    for (const id of deps) {
      const n = s.nodes[id]!;
      // only counts of the mask are reduced over T: no reduction of a per-token value over T feeds the gradient
      if (n.op.op === "reduce")
        expect(
          n.op.fn === "count" || !s.nodes[n.args[0]!]!.type.dims.includes("T") || n.op.over.every((d) => d !== "T"),
          `%${id} reduces a per-token value`,
        ).toBe(true);
    }
  });

  it("dL/dlogp reads the advantage A and the inputs, and is per token", () => {
    const deps = dependencies(s, node("dL/dlogp"));
    expect(deps.has(node("A"))).toBe(true);
    expect(s.nodes[node("dL/dlogp")]!.type.dims).toEqual(["P", "G", "T"]);
    const inputsRead = s.inputs
      .filter((i) => deps.has(i.node))
      .map((i) => i.name)
      .sort();
    expect(inputsRead).toEqual(["logp", "mask", "old_logp", "ref_logp", "reward"]);
  });
});
