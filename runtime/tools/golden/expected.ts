// Expected-output files of golden cases: the JSON that `rlp eval` prints (`{name: {dims, shape, data}}`, data flat
// and row-major, bools as true/false, non-finite numbers as "NaN"/"Infinity"/"-Infinity"), or safetensors as
// `rlp eval --out F.safetensors` writes it (F64, dims in the metadata as `dims:NAME`). Written atomically.
import { readFileSync } from "node:fs";
import type { DType } from "../../../compiler/ir/ir.ts";
import { decodeSafetensors, SafetensorsFormatError } from "../../library/io/safetensors.ts";
import { writeOutputs } from "../../library/io/write_outputs.ts";
import { shapeSize, type Tensor } from "../../library/tensor.ts";

export type ReadExpectedResult = { tensors: Record<string, Tensor> } | { error: string };

export function isSafetensorsPath(path: string): boolean {
  return /\.safetensors$/i.test(path);
}

/** Reads an expected-outputs file; every problem is one line naming the file (and the entry). */
export function readExpected(path: string, shown: string = path): ReadExpectedResult {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const why =
      code === "ENOENT"
        ? "no such file (record it with rlp test --update)"
        : code === "EISDIR"
          ? "it is a directory"
          : String((e as Error).message).split("\n")[0];
    return { error: `cannot read expected file '${shown}': ${why}` };
  }
  return isSafetensorsPath(path) ? fromSafetensors(shown, bytes) : fromJson(shown, bytes);
}

function fromSafetensors(path: string, bytes: Uint8Array): ReadExpectedResult {
  let file: ReturnType<typeof decodeSafetensors>;
  try {
    file = decodeSafetensors(bytes);
  } catch (e) {
    if (e instanceof SafetensorsFormatError)
      return { error: `expected file '${path}' is not a valid safetensors file: ${e.message}` };
    throw e;
  }
  if (file.unsupported.length > 0) return { error: `expected file '${path}': ${file.unsupported[0]!.message}` };
  const tensors: Record<string, Tensor> = {};
  for (const [name, t] of file.tensors) {
    const meta = file.metadata[`dims:${name}`];
    if (meta === undefined)
      return { error: `expected file '${path}': tensor '${name}' has no 'dims:${name}' metadata naming its dims` };
    const dims = meta === "" ? [] : meta.split(",").map((s) => s.trim());
    if (dims.length !== t.shape.length)
      return {
        error: `expected file '${path}': tensor '${name}' has ${t.shape.length} axes but its metadata names ${dims.length} dims`,
      };
    const dtype: DType = t.dtype === "BOOL" ? "bool" : t.dtype.startsWith("I") || t.dtype === "U8" ? "i32" : "f32";
    tensors[name] = { dtype, dims, shape: [...t.shape], data: Float64Array.from(t.values) };
  }
  return { tensors };
}

function datum(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return undefined;
}

function flatten(v: unknown, out: unknown[]): void {
  if (Array.isArray(v)) for (const x of v) flatten(x, out);
  else out.push(v);
}

function fromJson(path: string, bytes: Uint8Array): ReadExpectedResult {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    return { error: `expected file '${path}' is not valid JSON: ${String((e as Error).message).split("\n")[0]}` };
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    return { error: `expected file '${path}' must hold a JSON object {name: {dims, shape, data}}` };
  const tensors: Record<string, Tensor> = {};
  for (const [name, entry] of Object.entries(doc as Record<string, unknown>)) {
    const bad = (why: string): ReadExpectedResult => ({ error: `expected file '${path}', entry '${name}': ${why}` });
    if (typeof entry === "number" || typeof entry === "boolean" || typeof entry === "string") {
      const x = datum(entry);
      if (x === undefined) return bad(`'${entry}' is not a number`);
      tensors[name] = { dtype: typeof entry === "boolean" ? "bool" : "f32", dims: [], shape: [], data: Float64Array.of(x) };
      continue;
    }
    if (typeof entry !== "object" || entry === null || Array.isArray(entry))
      return bad("must be {dims, shape, data} or a number");
    const { dims, shape, data } = entry as { dims?: unknown; shape?: unknown; data?: unknown };
    if (!Array.isArray(dims) || !dims.every((d) => typeof d === "string")) return bad("'dims' must be a list of dim names");
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && (s as number) >= 0))
      return bad("'shape' must be a list of sizes");
    if (shape.length !== dims.length) return bad(`${dims.length} dims but ${shape.length} sizes`);
    if (data === undefined) return bad("'data' is missing");
    const flat: unknown[] = [];
    flatten(data, flat);
    const n = shapeSize(shape as number[]);
    if (flat.length !== n) return bad(`shape [${shape.join(", ")}] needs ${n} values, 'data' has ${flat.length}`);
    const values = new Float64Array(n);
    let bools = n > 0;
    for (let i = 0; i < n; i++) {
      const x = datum(flat[i]);
      if (x === undefined) return bad(`data[${i}] = ${JSON.stringify(flat[i])} is not a number`);
      if (typeof flat[i] !== "boolean") bools = false;
      values[i] = x;
    }
    tensors[name] = { dtype: bools ? "bool" : "f32", dims: dims as string[], shape: shape as number[], data: values };
  }
  return { tensors };
}

/** Writes outputs as an expected file (JSON, or safetensors by extension), atomically. Throws on I/O errors. */
export function writeExpected(path: string, outputs: Record<string, Tensor>): void {
  writeOutputs(path, outputs);
}
