// Every example: the emitted module type-checks in a strict user project and its evaluate and evaluateWithGrad
// (float32 kernels; on one thread and on two) agree with the float64 reference (`rlp eval --grad`) on the example's
// inputs file, within f32 tolerance.
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { pipelineInputsSchema } from "../../runtime/library/emitted/validate.ts";
import { EvalError } from "../../runtime/backends/reference/index.ts";
import { seededInputs } from "../kit/index.ts";
import { expectClose } from "./compare.ts";
import { emitExample, exampleInputs, exampleProgram, importModule, reference, REPO, tsc, userProject } from "./helpers.ts";

interface AnyModule {
  evaluate(inputs: unknown, params?: unknown, options?: unknown): Promise<Record<string, unknown>>;
  evaluateWithGrad(inputs: unknown, params?: unknown, options?: unknown): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

const EXAMPLES = readdirSync(join(REPO, "examples"))
  .filter((f) => f.endsWith(".rlp"))
  .map((f) => f.slice(0, -4))
  .sort();
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
      for (const [k, t] of Object.entries(want.values))
        if (!k.includes("/")) expectClose(fwd[k] as never, t, `${name} forward ${k}`);
      // the same kernels split over a worker thread, which evaluates the module's functions from their source text
      const threaded = await mod.evaluateWithGrad(doc, {}, { threads: 2, minParallelWork: 1 });
      await mod.close();
      for (const [k, t] of Object.entries(want.values)) expectClose(threaded[k] as never, t, `${name} (2 threads) ${k}`);
    });
  }

  for (const name of EXAMPLES) {
    it(`${name}: seeded inputs with edge cases (as Tensors), split over 2 threads, agree with the reference`, async () => {
      const { program } = exampleProgram(name);
      const inputs = seededInputs(program, { seed: 3 });
      // binary rewards: what DisCO requires and what keeps BNPO's group means inside its Beta support
      if (inputs.reward) inputs.reward = { ...inputs.reward, data: inputs.reward.data.map((v) => (v > 0 ? 1 : 0)) };
      const mod = await importModule<AnyModule>(dir, program.pipeline);
      let want: ReturnType<typeof reference>;
      try {
        want = reference(program, inputs);
      } catch (e) {
        // a failed `require` (DisCO: a response without valid tokens): the module fails the same way
        expect(e).toBeInstanceOf(EvalError);
        await expect(mod.evaluateWithGrad(inputs)).rejects.toMatchObject({
          code: (e as EvalError).code,
          message: (e as EvalError).message,
        });
        return;
      }
      try {
        const got = await mod.evaluateWithGrad(inputs, {}, { threads: 2, minParallelWork: 1 });
        for (const [k, t] of Object.entries(want.values)) expectClose(got[k] as never, t, `${name} ${k}`);
      } finally {
        await mod.close();
      }
    });
  }
});
