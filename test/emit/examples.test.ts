// Every example: the emitted module type-checks in a strict user project and its evaluateWithGrad (float32 kernels)
// agrees with the float64 reference (`rlp eval --grad`) on the example's inputs file, within f32 tolerance.
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { pipelineInputsSchema } from "../../runtime/emitted/validate.ts";
import { expectClose } from "./compare.ts";
import { emitExample, exampleInputs, exampleProgram, importModule, reference, REPO, tsc, userProject } from "./helpers.ts";

interface AnyModule {
  evaluate(inputs: unknown, params?: unknown, options?: unknown): Promise<Record<string, unknown>>;
  evaluateWithGrad(inputs: unknown, params?: unknown, options?: unknown): Promise<Record<string, unknown>>;
}

const EXAMPLES = readdirSync(join(REPO, "examples")).filter((f) => f.endsWith(".rlp")).map((f) => f.slice(0, -4)).sort();
const dir = userProject("examples");

beforeAll(() => {
  for (const name of EXAMPLES) {
    const m = emitExample(name);
    writeFileSync(join(dir, m.moduleFile), m.module);
    writeFileSync(join(dir, `${m.pipeline}.schema.json`), JSON.stringify(pipelineInputsSchema(m.spec), null, 2));
  }
}, 120_000);

describe("every example's emitted module", () => {
  it("type-checks with tsc --noEmit under strict options (noUncheckedIndexedAccess, noUnused*, exactOptionalPropertyTypes)", () => {
    const r = tsc(dir);
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  }, 60_000);

  for (const name of EXAMPLES.filter((n) => existsSync(join(REPO, "examples/data", `${n}.json`)))) {
    it(`${name}: evaluateWithGrad and evaluate agree with the reference on examples/data/${name}.json`, async () => {
      const { program } = exampleProgram(name);
      const { doc, tensors } = exampleInputs(name, program);
      const want = reference(program, tensors);
      const mod = await importModule<AnyModule>(dir, program.pipeline);
      const got = await mod.evaluateWithGrad(doc);
      for (const [k, t] of Object.entries(want.values)) expectClose(got[k] as never, t, `${name} ${k}`);
      const fwd = await mod.evaluate(doc);
      for (const [k, t] of Object.entries(want.values)) if (!k.includes("/")) expectClose(fwd[k] as never, t, `${name} forward ${k}`);
    });
  }
});
