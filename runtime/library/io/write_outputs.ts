// Formats evaluation results: JSON `{ name: { dims, shape, data } }` (data flat, row-major) or safetensors (F64),
// and writes files atomically (a temp file in the same directory, fsync, rename).
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Tensor } from "../tensor.ts";
import { encodeSafetensors } from "./safetensors.ts";

export type JsonDatum = number | boolean | "NaN" | "Infinity" | "-Infinity";

export interface JsonTensor {
  dims: string[];
  shape: number[];
  /** Row-major; a scalar has shape [] and one datum. */
  data: JsonDatum[];
}

/** One value as JSON: bools as true/false, non-finite numbers as the strings "NaN", "Infinity", "-Infinity". */
export function jsonDatum(x: number, dtype: Tensor["dtype"]): JsonDatum {
  if (dtype === "bool") return x !== 0;
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  return Object.is(x, -0) ? 0 : x;
}

export function tensorToJson(t: Tensor): JsonTensor {
  const data: JsonDatum[] = new Array(t.data.length);
  for (let i = 0; i < t.data.length; i++) data[i] = jsonDatum(t.data[i]!, t.dtype);
  return { dims: [...t.dims], shape: [...t.shape], data };
}

/**
 * The JSON text of named results, one per line (data on one line): numbers in full precision (the shortest text
 * that reads back as the same double). Ends with a newline.
 */
export function formatOutputsJson(outputs: Record<string, Tensor>): string {
  const names = Object.keys(outputs);
  if (names.length === 0) return "{}\n";
  const lines = names.map((name) => {
    const j = tensorToJson(outputs[name]!);
    return `  ${JSON.stringify(name)}: {"dims": ${JSON.stringify(j.dims)}, "shape": ${JSON.stringify(j.shape)}, "data": ${JSON.stringify(j.data)}}`;
  });
  return `{\n${lines.join(",\n")}\n}\n`;
}

/** Safetensors bytes: every tensor as F64; the metadata records each tensor's dims as `dims:NAME` = "P,G,T". */
export function outputsToSafetensors(outputs: Record<string, Tensor>): Uint8Array {
  const metadata: Record<string, string> = { format: "rlp" };
  for (const [name, t] of Object.entries(outputs)) metadata[`dims:${name}`] = t.dims.join(",");
  return encodeSafetensors(outputs, metadata);
}

let counter = 0;

/**
 * Writes `data` to `path` atomically: a temp file next to it, fsync, rename over the target. On failure the temp
 * file is removed and the error rethrown; the target is either the old file or the complete new one.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}${(counter++).toString(36)}.tmp`);
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx", 0o644);
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error matters
      }
    }
    rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const dfd = openSync(dir, "r");
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Directory fsync is best effort (not supported everywhere).
  }
}

/** Writes results to `path`: safetensors for `.safetensors`, JSON otherwise. */
export function writeOutputs(path: string, outputs: Record<string, Tensor>): void {
  writeFileAtomic(path, /\.safetensors$/i.test(path) ? outputsToSafetensors(outputs) : formatOutputsJson(outputs));
}
