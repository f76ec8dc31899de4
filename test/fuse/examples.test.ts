// Every example pipeline: the fused float32 kernels agree with the float64 reference evaluator, on the example's
// inputs and on seeded inputs with all-masked rows, length-1 rows and zero-variance groups, forward and gradients.
import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileOne, inputsFile, repoPath } from "../stdlib/harness.ts";
import { checkFused } from "./helpers.ts";
import { seededInputs } from "../kit/index.ts";

const examples = readdirSync(repoPath("examples"))
  .filter((f) => f.endsWith(".rlp"))
  .sort();

describe("fused kernels agree with the reference evaluator on every example", () => {
  it("finds the examples", () => {
    expect(examples).toContain("grpo.rlp");
  });
  for (const file of examples) {
    const name = file.replace(/\.rlp$/, "");
    it.skipIf(!existsSync(repoPath(`examples/data/${name}.json`)))(`${name}: the example's inputs, with gradients`, async () => {
      const program = compileOne(repoPath(`examples/${file}`));
      const inputs = inputsFile(program, repoPath(`examples/data/${name}.json`));
      await checkFused(program, inputs, { what: name });
    });
    it(`${name}: seeded inputs with edge cases, with gradients`, async () => {
      const program = compileOne(repoPath(`examples/${file}`));
      for (const seed of [1, 2]) await checkFused(program, seededInputs(program, { seed }), { what: `${name} seed ${seed}` });
    });
  }
});
