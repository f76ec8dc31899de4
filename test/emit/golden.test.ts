// The emitted modules of grpo, ppo, dpo and dcpo are checked in (test/golden/emitted/<example>.ts): regenerating gives
// byte-identical text, so any change to the generated code (emitter, code generator, planner, simplifier) shows up
// as a reviewed diff. The goldens are also type-checked with the repo (`npm test`: tsc -p . resolves their
// `rlpc/runtime` import to this package's own "exports").
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { emitExample } from "./helpers.ts";
import { GOLDEN_EXAMPLES, goldenPath, REGENERATE } from "./update_golden.ts";

describe("golden emitted modules", () => {
  for (const name of GOLDEN_EXAMPLES) {
    it(`${name}: rlp compile examples/${name}.rlp -o DIR writes test/golden/emitted/${name}.ts byte for byte`, () => {
      const text = emitExample(name).module;
      const golden = readFileSync(goldenPath(name), "utf8");
      if (text !== golden) {
        // the first differing line, for the report; the fix is to regenerate and review the diff
        const a = text.split("\n");
        const b = golden.split("\n");
        const i = a.findIndex((l, k) => l !== b[k]);
        expect.fail(
          `test/golden/emitted/${name}.ts is stale (first difference at line ${i + 1}:\n  now:    ${a[i]}\n  golden: ${b[i]}).\nRegenerate with \`${REGENERATE}\` and review the diff.`,
        );
      }
    });
  }

  it("emitting twice gives the same text (deterministic)", () => {
    expect(emitExample("dcpo").module).toBe(emitExample("dcpo").module);
  });
});
