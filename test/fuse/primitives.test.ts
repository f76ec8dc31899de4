// Small pipelines that together use every IR primitive: the fused kernels (float32) agree with the reference
// evaluator (float64) on results and gradients, on seeded inputs with all-masked rows, length-1 rows and constant
// (zero-variance) slices.
import { describe, expect, it } from "vitest";
import { compileText } from "../stdlib/harness.ts";
import { checkFused } from "./helpers.ts";
import { seededInputs } from "../kit/index.ts";
import { PIPELINES } from "./pipelines.ts";

describe("fused kernels agree with the reference on every primitive", () => {
  for (const [name, text] of Object.entries(PIPELINES)) {
    it(name, async () => {
      const program = compileText(text, name);
      // checkFused asserts the agreement; a run that produced results is also checked to have some.
      for (const seed of [3, 4]) {
        const r = await checkFused(program, seededInputs(program, { seed }), { what: `${name} seed ${seed}` });
        if (r) expect(Object.keys(r.results).length).toBeGreaterThan(0);
      }
      await checkFused(program, seededInputs(program, { seed: 5, sizes: { P: 2, G: 1, T: 1, V: 2, B: 1 } }), {
        what: `${name} size 1`,
      });
    });
  }
});
