// The example programs of ../shared/DESIGN.md section 3 are the language's intended shape: they must compile.
// (shared/ lies beside the repository on developer machines and in CI; elsewhere the test says it was skipped.)
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { errorLines } from "../kit/index.ts";

const DESIGN = "../shared/DESIGN.md";
const present = existsSync(DESIGN);

function rlpBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```rlp\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe.skipIf(!present)("DESIGN.md section 3 examples", () => {
  const blocks = present ? rlpBlocks(readFileSync(DESIGN, "utf8")) : [];
  it("has the four examples", () => expect(blocks.length).toBe(4));
  blocks.forEach((text, i) => {
    it(`example ${i + 1} compiles without errors`, () => {
      const path = `/virtual/design_example_${i + 1}.rlp`;
      // The node example redefines the std group_norm: in a user file that takes `override`.
      const source = text.replace(/^node group_norm/m, "override node group_norm");
      expect(errorLines(source, path)).toEqual([]);
    });
  });
});
