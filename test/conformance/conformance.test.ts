// The per-primitive conformance table: every op kind (ops.ts) and every function of the unary, binary, reduce,
// scan and segment families (functions.ts), each on a small program with edge inputs, through the float64
// reference (hand-computed values), the symbolic gradient against central differences, the fused JS kernels and
// tfjs (cpu). A column that does not apply is a skipped test that says why.
import { beforeAll, describe, expect, it } from "vitest";
import type { TF } from "../../runtime/backends/tfjs/types.ts";
import { useBackend } from "../tfjs/helpers.ts";
import { BINARY_CASES, REDUCE_CASES, SCAN_CASES, SEGMENT_CASES, UNARY_CASES } from "./families.ts";
import { OPS } from "./ops.ts";
import { checkExercised, checkFused, checkGradient, checkReference, checkTfjs } from "./run.ts";
import { isSkip, type Case, type OpEntry } from "./types.ts";

let tf: TF;
beforeAll(async () => {
  tf = await useBackend("cpu");
});

const FAMILIES = { unary: UNARY_CASES, binary: BINARY_CASES, reduce: REDUCE_CASES, scan: SCAN_CASES, segment: SEGMENT_CASES };

function columns(c: Case | Exclude<OpEntry, Case | { byFunction: string }>): void {
  const col = (name: string, v: unknown, body: () => void | Promise<void>): void => {
    if (isSkip(v)) it.skip(`${name}: ${v.skip}`, () => {});
    else it(name, body);
  };
  if ("source" in c) it("the program exercises the op", () => checkExercised(c));
  col("reference", c.reference, () => checkReference(c as Case));
  col("gradient vs central differences", c.gradient, () => checkGradient(c as Case));
  col("fused JS kernels", c.fused, () => checkFused(c as Case));
  col("tfjs", c.tfjs, () => checkTfjs(tf, c as Case));
}

describe("conformance: op kinds", () => {
  for (const [op, entry] of Object.entries(OPS) as [string, OpEntry][]) {
    if ("byFunction" in entry) {
      it(`${op}: per function (${entry.byFunction} table)`, () =>
        expect(Object.keys(FAMILIES[entry.byFunction]).length).toBeGreaterThan(0));
      continue;
    }
    describe(op, () => columns(entry));
  }
});

for (const [family, cases] of Object.entries(FAMILIES) as [string, Record<string, Case>][]) {
  describe(`conformance: ${family} functions`, () => {
    for (const [fn, c] of Object.entries(cases)) describe(fn, () => columns(c));
  });
}
