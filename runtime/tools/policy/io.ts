// Saving and loading a policy: NAME.json (the configuration and an index of the parameters) and NAME.bin (the
// parameters as little-endian float32, in index order). Both are written atomically (temp file, fsync, rename), the
// binary first, so a reader that finds NAME.json finds a complete NAME.bin.
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "../../library/io/write_outputs.ts";
import type { TF } from "../../backends/tfjs/index.ts";
import { TransformerPolicy, type TransformerConfig } from "./transformer.ts";
import type { NamedParameter, Policy } from "./types.ts";

export interface WeightIndex {
  format: "rlp-weights-1";
  config: Record<string, number | string>;
  params: { name: string; shape: number[]; offset: number; length: number }[];
}

/** The parameters as one float32 buffer, with its index. */
export function packWeights(
  params: NamedParameter[],
  config: Record<string, number | string>,
): { index: WeightIndex; bytes: Uint8Array } {
  let total = 0;
  const entries = params.map((p) => {
    const length = p.variable.size;
    const e = { name: p.name, shape: [...p.variable.shape], offset: total, length };
    total += length;
    return e;
  });
  const data = new Float32Array(total);
  params.forEach((p, i) => data.set(p.variable.dataSync() as Float32Array, entries[i]!.offset));
  return { index: { format: "rlp-weights-1", config, params: entries }, bytes: new Uint8Array(data.buffer) };
}

/** Assigns packed weights to parameters with the same names and shapes (throws naming the first mismatch). */
export function unpackWeights(tf: TF, params: NamedParameter[], index: WeightIndex, bytes: Uint8Array): void {
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  const data = new Float32Array(aligned.buffer);
  const byName = new Map(index.params.map((e) => [e.name, e]));
  for (const p of params) {
    const e = byName.get(p.name);
    if (!e) throw new Error(`the saved weights have no parameter '${p.name}'`);
    if (e.shape.join(",") !== p.variable.shape.join(","))
      throw new Error(`parameter '${p.name}': saved shape [${e.shape}] differs from the model's [${p.variable.shape}]`);
    if (e.offset + e.length > data.length) throw new Error(`parameter '${p.name}' lies past the end of the weights file`);
    const t = tf.tensor(data.subarray(e.offset, e.offset + e.length), e.shape, "float32");
    p.variable.assign(t);
    t.dispose();
  }
}

/** Writes `path.json` and `path.bin` atomically. */
export function savePolicy(path: string, policy: Policy): void {
  const { index, bytes } = packWeights(policy.parameters(), policy.config());
  writeFileAtomic(`${path}.bin`, bytes);
  writeFileAtomic(`${path}.json`, JSON.stringify(index, null, 1) + "\n");
}

export function readWeights(path: string): { index: WeightIndex; bytes: Uint8Array } {
  const index = JSON.parse(readFileSync(`${path}.json`, "utf8")) as WeightIndex;
  if (index.format !== "rlp-weights-1") throw new Error(`${path}.json is not an rlp weights index`);
  return { index, bytes: readFileSync(`${path}.bin`) };
}

/** Builds a policy from its saved configuration and loads its weights. */
export function loadPolicy(tf: TF, path: string, trainable = true): Policy {
  const { index, bytes } = readWeights(path);
  const c = index.config;
  if (c["kind"] !== "transformer") throw new Error(`${path}.json: unknown policy kind '${String(c["kind"])}'`);
  const cfg: TransformerConfig = {
    vocabSize: Number(c["vocabSize"]),
    dModel: Number(c["dModel"]),
    layers: Number(c["layers"]),
    heads: Number(c["heads"]),
    dFF: Number(c["dFF"]),
    maxLength: Number(c["maxLength"]),
    seed: Number(c["seed"]),
  };
  const policy = new TransformerPolicy(tf, cfg, trainable);
  unpackWeights(tf, policy.parameters(), index, bytes);
  return policy;
}
