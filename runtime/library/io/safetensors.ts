// The safetensors format, by hand: an 8-byte little-endian header length N, N bytes of JSON
//   { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: { string: string } }
// then the tensor bytes (offsets relative to the end of the header), little-endian, row-major.

export type SafetensorsDType = "F64" | "F32" | "I64" | "I32" | "I8" | "U8" | "BOOL";

const ITEM_SIZE: Record<SafetensorsDType, number> = { F64: 8, F32: 4, I64: 8, I32: 4, I8: 1, U8: 1, BOOL: 1 };

export interface SafetensorsEntry {
  dtype: SafetensorsDType;
  shape: number[];
  /** The values widened to float64 (row-major). I64 values beyond 2^53 lose precision. */
  values: Float64Array;
}

export interface SafetensorsFile {
  tensors: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

/** A problem with the file as a whole (one line, without the file name). */
export class SafetensorsFormatError extends Error {
  override name = "SafetensorsFormatError";
}

/** Thrown for a tensor whose dtype this reader does not handle (F16, BF16, ...): the file itself is fine. */
export class SafetensorsDTypeError extends Error {
  override name = "SafetensorsDTypeError";
  constructor(
    readonly tensor: string,
    readonly dtype: string,
  ) {
    super(`tensor '${tensor}' has dtype ${dtype}; supported: ${Object.keys(ITEM_SIZE).join(", ")}`);
  }
}

function isShape(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((s) => Number.isSafeInteger(s) && s >= 0);
}

/**
 * Decodes a safetensors file. Throws SafetensorsFormatError for a truncated or malformed file. Tensors with an
 * unsupported dtype are returned in `unsupported` rather than failing the whole file.
 */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile & { unsupported: SafetensorsDTypeError[] } {
  if (bytes.length < 8) throw new SafetensorsFormatError(`truncated: ${bytes.length} bytes, the header length alone needs 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8))
    throw new SafetensorsFormatError(`truncated: the header claims ${n} bytes but only ${bytes.length - 8} follow`);
  const headerLen = Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    throw new SafetensorsFormatError(`the header is not valid JSON (${(e as Error).message.split("\n")[0]})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header))
    throw new SafetensorsFormatError("the header is not a JSON object");
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const tensors = new Map<string, SafetensorsEntry>();
  const unsupported: SafetensorsDTypeError[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof entry === "object" && entry !== null && !Array.isArray(entry)) {
        metadata = Object.fromEntries(Object.entries(entry).filter((kv): kv is [string, string] => typeof kv[1] === "string"));
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (
      typeof e !== "object" ||
      e === null ||
      typeof e.dtype !== "string" ||
      !isShape(e.shape) ||
      !Array.isArray(e.data_offsets) ||
      e.data_offsets.length !== 2 ||
      !isShape(e.data_offsets)
    ) {
      throw new SafetensorsFormatError(`the header entry of tensor '${name}' is malformed (needs dtype, shape, data_offsets)`);
    }
    const [begin, end] = e.data_offsets as [number, number];
    if (end < begin) throw new SafetensorsFormatError(`tensor '${name}': data_offsets [${begin}, ${end}] run backwards`);
    if (end > dataLen)
      throw new SafetensorsFormatError(`truncated: tensor '${name}' ends at byte ${end} of the data but the file has ${dataLen}`);
    if (!(e.dtype in ITEM_SIZE)) {
      unsupported.push(new SafetensorsDTypeError(name, e.dtype));
      continue;
    }
    const dtype = e.dtype as SafetensorsDType;
    const count = e.shape.reduce((a, b) => a * b, 1);
    if (count * ITEM_SIZE[dtype] !== end - begin) {
      throw new SafetensorsFormatError(
        `tensor '${name}': shape [${e.shape.join(",")}] of ${dtype} needs ${count * ITEM_SIZE[dtype]} bytes, data_offsets give ${end - begin}`,
      );
    }
    tensors.set(name, { dtype, shape: [...e.shape], values: readValues(view, dataStart + begin, count, dtype) });
  }
  return { tensors, metadata, unsupported };
}

function readValues(view: DataView, at: number, count: number, dtype: SafetensorsDType): Float64Array {
  const out = new Float64Array(count);
  const size = ITEM_SIZE[dtype];
  for (let i = 0, p = at; i < count; i++, p += size) {
    switch (dtype) {
      case "F64":
        out[i] = view.getFloat64(p, true);
        break;
      case "F32":
        out[i] = view.getFloat32(p, true);
        break;
      case "I64":
        out[i] = Number(view.getBigInt64(p, true));
        break;
      case "I32":
        out[i] = view.getInt32(p, true);
        break;
      case "I8":
        out[i] = view.getInt8(p);
        break;
      case "U8":
      case "BOOL":
        out[i] = view.getUint8(p);
        break;
    }
  }
  return out;
}

export interface SafetensorsInput {
  shape: readonly number[];
  data: ArrayLike<number>;
}

/** Encodes tensors as F64 (the header padded with spaces to a multiple of 8 bytes, so the data is aligned). */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, SafetensorsInput> | Record<string, SafetensorsInput>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    const bytes = t.data.length * 8;
    header[name] = { dtype: "F64", shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const [, t] of entries) {
    for (let i = 0; i < t.data.length; i++, p += 8) view.setFloat64(p, t.data[i]!, true);
  }
  return out;
}
