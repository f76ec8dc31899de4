// Rewrites the golden emitted modules (test/golden/emitted/<example>.ts): what `rlp compile examples/<example>.rlp
// -o DIR` writes as DIR/<pipeline>.ts, run from the repo root. Run it after a change to the emitter, the code
// generator or the planner (`npx tsx test/emit/update_golden.ts`), and review the diff like code: golden.test.ts
// fails until the files match.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { emitExample, REPO } from "./helpers.ts";

/** The examples whose modules are kept: GRPO, PPO (critic, GAE, an unkeyed state), DPO (pairs), DCPO (state tables). */
export const GOLDEN_EXAMPLES = ["grpo", "ppo", "dpo", "dcpo"] as const;
export const GOLDEN_DIR = join(REPO, "test/golden/emitted");
export const REGENERATE = "npx tsx test/emit/update_golden.ts";

export function goldenPath(name: string): string {
  return join(GOLDEN_DIR, `${name}.ts`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const name of GOLDEN_EXAMPLES) {
    writeFileSync(goldenPath(name), emitExample(name).module);
    console.log(`wrote ${goldenPath(name)}`);
  }
}
