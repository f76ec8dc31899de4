// Checkpoints: DIR/checkpoints/step-NNNNNN/ holds the policy and the reference (NAME.json + NAME.bin), the optimizer
// (optimizer.bin: both Adam moments), with a critic also critic.json/.bin and critic_optimizer.bin, with ema or snapshot
// models model-NAME.json/.bin, and checkpoint.json (step, RNG state, state tables, trainer options, how many
// metrics lines belong to it). The directory is written under a temporary name — every file fsynced — then renamed,
// and DIR/checkpoints/LATEST (written atomically) names it: a crash at any point leaves the previous checkpoint
// whole and LATEST pointing at it. The two newest checkpoints are kept.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { StateValue } from "../../library/ops/state.ts";
import { writeFileAtomic } from "../../library/io/write_outputs.ts";
import { packWeights, unpackWeights, type WeightIndex } from "../policy/index.ts";
import type { NamedParameter, Policy } from "../policy/index.ts";
import type { TF } from "../../backends/tfjs/index.ts";
import type { Adam, AdamState } from "./adam.ts";

export interface CheckpointMeta {
  format: "rlp-checkpoint-1";
  /** Steps completed. */
  step: number;
  /** The RNG state: every random draw is a pure function of (seed, step, index), so this is the seed and next step. */
  rng: { seed: number; nextStep: number };
  /** Lines of metrics.jsonl written up to this checkpoint. */
  metricsLines: number;
  /** Pipeline state (`state` declarations): unkeyed values and keyed tables as [key, value] pairs. */
  state: Record<string, number | [number, number][]>;
  /** The trainer's options that must not change on --resume. */
  options: Record<string, number | string | boolean>;
  optimizer: OptimizerMeta;
  criticOptimizer?: OptimizerMeta;
}

interface OptimizerMeta {
  t: number;
  params: { name: string; size: number }[];
}

/** A trained model other than the policy (the critic): its weights and optimizer are saved alongside. */
export interface SavedModel {
  parameters(): NamedParameter[];
  config(): Record<string, number | string>;
}

export function encodeState(state: Record<string, StateValue>): CheckpointMeta["state"] {
  const out: CheckpointMeta["state"] = {};
  for (const [k, v] of Object.entries(state)) out[k] = v instanceof Map ? [...v.entries()] : v;
  return out;
}

export function decodeState(s: CheckpointMeta["state"]): Record<string, StateValue> {
  const out: Record<string, StateValue> = {};
  for (const [k, v] of Object.entries(s)) out[k] = Array.isArray(v) ? new Map(v) : v;
  return out;
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // some file systems cannot fsync a directory; the rename is still atomic
  }
}

const stepName = (step: number): string => `step-${String(step).padStart(6, "0")}`;

export interface CheckpointParts {
  meta: Omit<CheckpointMeta, "format" | "optimizer" | "criticOptimizer">;
  policy: Policy;
  reference: Policy | undefined;
  optimizer: Adam;
  critic?: { model: SavedModel; optimizer: Adam };
  /** Derived models the trainer keeps (ema, snapshot: runtime/tools/train/models.ts), saved as NAME.json/.bin. */
  derived?: { name: string; model: SavedModel }[];
}

/** Both Adam moments as one float32 file; returns what checkpoint.json records about them. */
function writeOptimizer(path: string, adam: Adam, params: NamedParameter[]): OptimizerMeta {
  const opt = adam.state();
  const total = opt.m.reduce((a, x) => a + x.length, 0);
  const buf = new Float32Array(2 * total);
  let off = 0;
  for (const x of [...opt.m, ...opt.v]) {
    buf.set(x, off);
    off += x.length;
  }
  writeFileAtomic(path, new Uint8Array(buf.buffer));
  return { t: opt.t, params: params.map((p, i) => ({ name: p.name, size: opt.m[i]!.length })) };
}

function readOptimizer(path: string, meta: OptimizerMeta, adam: Adam): void {
  const raw = readFileSync(path);
  const aligned = new Uint8Array(raw.byteLength);
  aligned.set(raw);
  const all = new Float32Array(aligned.buffer);
  const total = meta.params.reduce((a, x) => a + x.size, 0);
  if (all.length !== 2 * total) throw new Error(`${path} has ${all.length} values, expected ${2 * total}`);
  const m: Float32Array[] = [],
    v: Float32Array[] = [];
  let off = 0;
  for (const into of [m, v]) {
    for (const x of meta.params) {
      into.push(all.slice(off, off + x.size));
      off += x.size;
    }
  }
  const state: AdamState = { t: meta.t, m, v };
  adam.load(state);
}

export function saveCheckpoint(dir: string, parts: CheckpointParts): string {
  const root = join(dir, "checkpoints");
  mkdirSync(root, { recursive: true });
  const final = join(root, stepName(parts.meta.step));
  const tmp = join(root, `.${stepName(parts.meta.step)}.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const writeWeights = (name: string, p: SavedModel): void => {
    const { index, bytes } = packWeights(p.parameters(), p.config());
    writeFileAtomic(join(tmp, `${name}.bin`), bytes);
    writeFileAtomic(join(tmp, `${name}.json`), JSON.stringify(index) + "\n");
  };
  writeWeights("policy", parts.policy);
  if (parts.reference) writeWeights("reference", parts.reference);
  const optimizer = writeOptimizer(join(tmp, "optimizer.bin"), parts.optimizer, parts.policy.parameters());
  const meta: CheckpointMeta = { format: "rlp-checkpoint-1", ...parts.meta, optimizer };
  if (parts.critic) {
    writeWeights("critic", parts.critic.model);
    meta.criticOptimizer = writeOptimizer(
      join(tmp, "critic_optimizer.bin"),
      parts.critic.optimizer,
      parts.critic.model.parameters(),
    );
  }
  for (const d of parts.derived ?? []) writeWeights(d.name, d.model);
  writeFileAtomic(join(tmp, "checkpoint.json"), JSON.stringify(meta, null, 1) + "\n");
  fsyncDir(tmp);
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  fsyncDir(root);
  writeFileAtomic(join(root, "LATEST"), stepName(parts.meta.step) + "\n");
  // keep the two newest
  const all = readdirSync(root)
    .filter((f) => /^step-\d+$/.test(f))
    .sort();
  for (const old of all.slice(0, Math.max(0, all.length - 2))) rmSync(join(root, old), { recursive: true, force: true });
  return final;
}

/** The newest complete checkpoint's directory, or undefined. */
export function latestCheckpoint(dir: string): string | undefined {
  const root = join(dir, "checkpoints");
  const latest = join(root, "LATEST");
  if (!existsSync(latest)) return undefined;
  const name = readFileSync(latest, "utf8").trim();
  const path = join(root, name);
  return existsSync(join(path, "checkpoint.json")) ? path : undefined;
}

export function readCheckpointMeta(path: string): CheckpointMeta {
  const meta = JSON.parse(readFileSync(join(path, "checkpoint.json"), "utf8")) as CheckpointMeta;
  if (meta.format !== "rlp-checkpoint-1") throw new Error(`${path}/checkpoint.json is not an rlp checkpoint`);
  return meta;
}

function readIndex(path: string, name: string): { index: WeightIndex; bytes: Uint8Array } {
  return {
    index: JSON.parse(readFileSync(join(path, `${name}.json`), "utf8")) as WeightIndex,
    bytes: readFileSync(join(path, `${name}.bin`)),
  };
}

/** Loads weights and optimizer state into existing objects (same architecture). */
export function restoreCheckpoint(
  tf: TF,
  path: string,
  parts: {
    policy: Policy;
    reference: Policy | undefined;
    optimizer: Adam;
    critic?: { model: SavedModel; optimizer: Adam };
    derived?: { name: string; model: SavedModel }[];
  },
): CheckpointMeta {
  const meta = readCheckpointMeta(path);
  const p = readIndex(path, "policy");
  unpackWeights(tf, parts.policy.parameters(), p.index, p.bytes);
  if (parts.reference) {
    const r = readIndex(path, "reference");
    unpackWeights(tf, parts.reference.parameters(), r.index, r.bytes);
  }
  readOptimizer(join(path, "optimizer.bin"), meta.optimizer, parts.optimizer);
  if (parts.critic) {
    if (!meta.criticOptimizer || !existsSync(join(path, "critic.json"))) throw new Error(`${path} holds no critic`);
    const c = readIndex(path, "critic");
    unpackWeights(tf, parts.critic.model.parameters(), c.index, c.bytes);
    readOptimizer(join(path, "critic_optimizer.bin"), meta.criticOptimizer, parts.critic.optimizer);
  }
  for (const d of parts.derived ?? []) {
    if (!existsSync(join(path, `${d.name}.json`))) throw new Error(`${path} holds no ${d.name}`);
    const w = readIndex(path, d.name);
    unpackWeights(tf, d.model.parameters(), w.index, w.bytes);
  }
  return meta;
}
