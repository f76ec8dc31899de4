// Property: `rlp check` never throws on a mutated example program, always answers with diagnostics or
// programs, and answers quickly. Mutations work on tokens: delete one, insert one, swap two neighbours.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFile } from "../../compiler/index.ts";

const EXAMPLES = ["examples/grpo.rlp", "examples/ppo.rlp", "examples/dpo.rlp"];

/** Splits source into tokens and the whitespace between them, so a mutation keeps the rest intact. */
function tokenize(text: string): string[] {
  return text.match(/\s+|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d*)?(?:e[+-]?\d+)?|\/\/[^\n]*|\.\.\.|==|!=|<=|>=|->|=>|\*\*|\S/g) ?? [];
}

type Mutation = { kind: "delete" | "insert" | "swap"; at: number; pick: number };

function mutate(tokens: string[], m: Mutation): string {
  const out = [...tokens];
  const at = m.at % out.length;
  if (m.kind === "delete") out.splice(at, 1);
  else if (m.kind === "insert") out.splice(at, 0, tokens[m.pick % tokens.length]!);
  else if (at + 1 < out.length) [out[at], out[at + 1]] = [out[at + 1]!, out[at]!];
  return out.join("");
}

const mutationArb = fc.record({
  kind: fc.constantFrom<Mutation["kind"]>("delete", "insert", "swap"),
  at: fc.nat(),
  pick: fc.nat(),
});

describe("check on mutated examples", () => {
  for (const file of EXAMPLES) {
    it(`never throws and answers within 1 s: ${file}`, () => {
      const tokens = tokenize(readFileSync(file, "utf8"));
      expect(tokens.join("")).toBe(readFileSync(file, "utf8"));
      compileFile(file); // warm the std cache so the timing below is per file
      let slowest = 0;
      fc.assert(
        fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (ms) => {
          let text = tokens.join("");
          for (const m of ms) text = mutate(tokenize(text), m);
          const path = `/virtual/mutated_${file.replace(/\W/g, "_")}.rlp`;
          const t0 = performance.now();
          const r = compileFile(path, { sources: new Map([[path, text]]) });
          slowest = Math.max(slowest, performance.now() - t0);
          const errors = r.diagnostics.filter((d) => d.severity === "error");
          // Errors and programs never come together.
          if (errors.length > 0) expect(r.programs).toEqual([]);
          for (const d of r.diagnostics) {
            expect(d.code).toMatch(/^RLP\d{3}$/);
            expect(d.message.length).toBeGreaterThan(0);
          }
        }),
        { numRuns: 150, seed: 20261127 },
      );
      expect(slowest).toBeLessThan(1000);
    });
  }
});
