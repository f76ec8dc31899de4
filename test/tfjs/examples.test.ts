// Every example pipeline (examples/<name>.rlp with examples/data/<name>.json): the tfjs backend's results (every
// node, not only the declared results) agree with the float64 reference, and tfjs autograd's gradients with the
// reference's, on the cpu and wasm backends.
import { existsSync, readdirSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { compileFile } from "../../compiler/index.ts";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { readInputs } from "../../runtime/library/io/read_inputs.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import type { TF } from "../../runtime/backends/tfjs/types.ts";
import { everyNodeOutput, expectAutogradAgrees, expectForwardAgrees, useBackend } from "./helpers.ts";

const EXAMPLES = readdirSync("examples")
  .filter((f) => f.endsWith(".rlp") && existsSync(`examples/data/${f.slice(0, -4)}.json`))
  .map((f) => f.slice(0, -4))
  .sort();

function load(name: string): { program: IRProgram; inputs: Record<string, Tensor> } {
  const c = compileFile(`examples/${name}.rlp`);
  const errors = c.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
  expect(errors, `${name} compiles`).toEqual([]);
  const program = c.programs[0]!;
  const read = readInputs(`examples/data/${name}.json`, program);
  expect(
    read.errors.map((e) => e.message),
    `${name} inputs`,
  ).toEqual([]);
  return { program, inputs: read.tensors };
}

for (const backend of ["cpu", "wasm"] as const) {
  describe(`examples on tfjs-${backend}`, () => {
    let tf: TF;
    beforeAll(async () => {
      tf = await useBackend(backend);
    });
    it("has examples", () => expect(EXAMPLES).toContain("grpo"));
    for (const name of EXAMPLES) {
      it(`${name}: every value and gradient agrees with the reference`, () => {
        const { program, inputs } = load(name);
        expectForwardAgrees(tf, everyNodeOutput(program), inputs);
        expectAutogradAgrees(tf, program, inputs);
      });
    }
  });
}
