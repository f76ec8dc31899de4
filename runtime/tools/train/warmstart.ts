// The SFT warm start: a fresh policy trained with examples/sft.rlp (token cross-entropy of the task's reference
// answers) for a fixed number of steps — enough to solve some prompts but not all, so RL has room to improve.
// Cached on disk by (task, size, seed, steps): RLP_CACHE, else ~/.cache/rlp. The cache is written atomically.
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { elaborate } from "../../../compiler/pipeline/index.ts";
import { loadPolicy, POLICY_SIZES, savePolicy, TransformerPolicy, type Policy, type PolicyFactory } from "../policy/index.ts";
import type { Task } from "../tasks/index.ts";
import type { TF } from "../../backends/tfjs/index.ts";
import { ADAM_DEFAULTS } from "./adam.ts";
import { train, TRAINER_DEFAULTS, type TrainerEvents } from "./trainer.ts";

export const SFT_PIPELINE = fileURLToPath(new URL("../../../examples/sft.rlp", import.meta.url));

export interface WarmStartOptions {
  size: string;
  seed: number;
  /** SFT steps (0: the untrained initial policy). */
  steps: number;
  lr: number;
  cacheDir?: string;
  events?: TrainerEvents;
  /** A policy plugin (`--policy PATH`); default: the built-in transformer of `size`. */
  policy?: PolicyFactory;
}

export const WARM_START_DEFAULTS = { steps: 250, lr: 3e-3 };

/** Bumped when the policy, the tasks or the SFT recipe change, so a stale cached warm start is not reused. */
const WARM_START_VERSION = 2;

/** Room for the prompt and a response of up to 32 tokens. */
export function freshPolicy(tf: TF, task: Task, size: string, seed: number): Policy {
  const s = POLICY_SIZES[size];
  if (!s) throw new Error(`unknown policy size '${size}' (sizes: ${Object.keys(POLICY_SIZES).join(", ")})`);
  return new TransformerPolicy(tf, { ...s, vocabSize: task.vocab.tokens.length, maxLength: task.maxPromptTokens + 32, seed });
}

export function cacheDir(): string {
  return process.env["RLP_CACHE"] ?? join(homedir(), ".cache", "rlp");
}

/** The warm-start policy: from the cache, or trained now (and cached). `cached` tells which. */
export async function warmStart(
  tf: TF,
  task: Task,
  o: WarmStartOptions,
): Promise<{ policy: Policy; cached: boolean; path: string }> {
  const dir = o.cacheDir ?? cacheDir();
  const path = join(
    dir,
    `warmstart-v${WARM_START_VERSION}-${task.name}-${o.policy?.cacheKey ?? o.size}-seed${o.seed}-sft${o.steps}-lr${o.lr}`,
  );
  if (existsSync(`${path}.json`) && existsSync(`${path}.bin`))
    return { policy: o.policy ? o.policy.load(tf, task, path) : loadPolicy(tf, path), cached: true, path };
  const policy = o.policy ? o.policy.make(tf, task, o.seed) : freshPolicy(tf, task, o.size, o.seed);
  if (o.steps > 0) {
    const compiled = elaborate(SFT_PIPELINE);
    const program = compiled.programs[0];
    if (!program) throw new Error(`${SFT_PIPELINE} does not compile: ${compiled.diagnostics.map((d) => d.message).join("; ")}`);
    // The demonstrations are drawn with a seed of their own, so the RL run that follows sees other prompt orders.
    const run = {
      tf,
      program,
      task,
      policy,
      options: {
        ...TRAINER_DEFAULTS,
        steps: o.steps,
        seed: (o.seed ^ 0x5f7) >>> 0,
        adam: { ...ADAM_DEFAULTS, lr: o.lr },
        heldOut: 0,
      },
    };
    await train(o.events ? { ...run, events: o.events } : run);
  }
  mkdirSync(dir, { recursive: true });
  savePolicy(path, policy);
  return { policy, cached: false, path };
}
