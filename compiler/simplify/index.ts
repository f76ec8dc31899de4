// Simplification of IR programs: each pass returns a new program (the input is not modified) with dense node ids in
// topological order. `simplify` runs them all to a fixed point.
//   cse                 hash-consing: one node per (op, attributes, args, type); add/mul/eq/ne/and/or args ordered
//   foldConstants       elementwise ops of consts, size of a static dim, data-independent reductions (fold.ts)
//   applyIdentities     exact algebraic identities, incl. dropping a strong-zero guard before a finite factor
//   eliminateDeadCode   keep inputs, params and what results and requires read
import type { IRProgram } from "../ir/ir.ts";
import { nodeKey } from "../ir/key.ts";
import { eliminateDeadCode } from "./dce.ts";
import { foldConstants } from "./fold.ts";
import { applyIdentities } from "./identities.ts";
import { rebuild } from "./rebuild.ts";

/** Common-subexpression elimination. */
export function cse(program: IRProgram): IRProgram {
  return rebuild(program, undefined, true);
}

export type SimplifyPassName = "foldConstants" | "applyIdentities" | "cse" | "eliminateDeadCode";

/** Called after each run of a pass (compiler/pipeline: RLP_VERIFY and `--dump-after`); `round` counts from 1. */
export type AfterPass = (pass: SimplifyPassName, program: IRProgram, round: number) => void;

export const PASSES: readonly { name: SimplifyPassName; run: (p: IRProgram) => IRProgram }[] = [
  { name: "foldConstants", run: foldConstants },
  { name: "applyIdentities", run: applyIdentities },
  { name: "cse", run: cse },
  { name: "eliminateDeadCode", run: eliminateDeadCode },
];

/** A fingerprint of everything a pass can change. */
function fingerprint(p: IRProgram): string {
  const nodes = p.nodes.map((n) => `${nodeKey(n.op, n.args, n.type)}${n.grad.join(",")}`).join("\n");
  return `${nodes}\n${JSON.stringify([p.inputs.map((i) => i.node), p.results.map((r) => [r.node, r.key]), p.requires.map((r) => r.cond)])}`;
}

const MAX_ROUNDS = 50;

/** Runs every pass until the program no longer changes. */
export function simplify(program: IRProgram, afterPass?: AfterPass): IRProgram {
  let p = program;
  let print = fingerprint(p);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    for (const pass of PASSES) {
      p = pass.run(p);
      afterPass?.(pass.name, p, round + 1);
    }
    const next = fingerprint(p);
    if (next === print) return p;
    print = next;
  }
  throw new Error(`simplify: no fixed point after ${MAX_ROUNDS} rounds`);
}

export { applyIdentities, eliminateDeadCode, foldConstants };
