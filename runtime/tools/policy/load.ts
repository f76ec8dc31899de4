// `--policy PATH`: a policy plugin — a TypeScript (or JavaScript) module that exports
// `createPolicy(tf, task, { seed }): Policy` (runtime/tools/policy/types.ts; extending AutoregressivePolicy from
// "rlpc/policy" leaves only the model's forward to write: examples/policies/bigram.ts). Without --policy the built-in
// transformer of the chosen --size is used. The policy a plugin makes is checked when it is made, so that a missing
// method is one line naming the file, not a crash in the middle of training.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { importUserModule } from "../../library/plugin/user_module.ts";
import type { Task } from "../tasks/index.ts";
import type { TF } from "../../backends/tfjs/index.ts";
import { readWeights, unpackWeights } from "./io.ts";
import { POLICY_SIZES, TransformerPolicy } from "./transformer.ts";
import type { Policy } from "./types.ts";

export class PolicyError extends Error {}

/** Makes fresh policies for a task: the built-in transformer of a size, or a plugin's. */
export interface PolicyFactory {
  /** `transformer-small`, or `plugin bigram.ts`. */
  readonly name: string;
  /** Names the warm start in the cache: a plugin's includes a hash of its source, so an edited plugin is retrained. */
  readonly cacheKey: string;
  make(tf: TF, task: Task, seed: number): Policy;
  /** A policy with the weights saved at `path` (NAME.json + NAME.bin). */
  load(tf: TF, task: Task, path: string): Policy;
}

const METHODS = ["sample", "tokenStats", "logProbs", "logits", "parameters", "frozenCopy", "config", "dispose"] as const;

export function builtinPolicy(size: string): PolicyFactory {
  const s = POLICY_SIZES[size];
  if (!s) throw new PolicyError(`unknown policy size '${size}' (sizes: ${Object.keys(POLICY_SIZES).join(", ")})`);
  const make = (tf: TF, task: Task, seed: number): Policy =>
    new TransformerPolicy(tf, { ...s, vocabSize: task.vocab.tokens.length, maxLength: task.maxPromptTokens + 32, seed });
  return {
    name: `transformer-${size}`,
    cacheKey: size,
    make,
    load: (tf, task, path) => withWeights(tf, make(tf, task, 0), path),
  };
}

export async function resolvePolicy(spec: string | undefined, size: string): Promise<PolicyFactory> {
  if (spec === undefined) return builtinPolicy(size);
  const { path, module: mod } = await importUserModule(spec, "policy plugin", (m) => new PolicyError(m));
  const create = mod["createPolicy"];
  if (typeof create !== "function")
    throw new PolicyError(`policy plugin ${spec} has no export 'createPolicy' (a function (tf, task, { seed }) => Policy)`);
  const hash = createHash("sha256").update(readFileSync(path)).digest("hex").slice(0, 10);
  const make = (tf: TF, task: Task, seed: number): Policy =>
    checked(
      spec,
      task,
      call(spec, () => (create as (tf: TF, task: Task, o: { seed: number }) => unknown)(tf, task, { seed })),
    );
  return {
    name: `plugin ${basename(path)}`,
    cacheKey: `plugin-${basename(path).replace(/\W+/g, "_")}-${hash}`,
    make,
    load: (tf, task, p) => withWeights(tf, make(tf, task, 0), p),
  };
}

function call<T>(spec: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw new PolicyError(`policy plugin ${spec}: createPolicy threw: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function checked(spec: string, task: Task, p: unknown): Policy {
  const bad = (what: string): never => {
    throw new PolicyError(
      `policy plugin ${spec}: the policy createPolicy returned ${what} (see Policy in runtime/tools/policy/types.ts)`,
    );
  };
  if (p === null || typeof p !== "object") return bad("is not an object");
  const o = p as Record<string, unknown>;
  for (const m of METHODS) if (typeof o[m] !== "function") bad(`has no method '${m}'`);
  if (o["vocabSize"] !== task.vocab.tokens.length)
    bad(`has vocabSize ${String(o["vocabSize"])}, but task '${task.name}' has ${task.vocab.tokens.length} tokens`);
  if (!Number.isInteger(o["maxLength"]) || (o["maxLength"] as number) < task.maxPromptTokens + 1)
    bad(
      `has maxLength ${String(o["maxLength"])}, shorter than the task's prompts (${task.maxPromptTokens} tokens) plus a response`,
    );
  return p as Policy;
}

function withWeights(tf: TF, policy: Policy, path: string): Policy {
  const { index, bytes } = readWeights(path);
  unpackWeights(tf, policy.parameters(), index, bytes);
  return policy;
}
