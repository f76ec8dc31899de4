// Reads a program's inputs from a .json or .safetensors file into tensors in each input's declared dim order.
// Every problem is one line that names the input (and the dim, where one is involved), with a stable code.
import { readFileSync } from "node:fs";
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import type { Tensor } from "../tensor.ts";
import { InputCode, inputError, missingInputError, unknownInputWarning, type InputError } from "./errors.ts";
import { findJsonError } from "./json_error.ts";
import { decodeSafetensors, SafetensorsFormatError } from "./safetensors.ts";
import { validateStructure } from "./schema.ts";
import { checkInputs, missingInputs, type RawInput } from "./semantic.ts";

export { InputCode, type InputError, type InputErrorCode } from "./errors.ts";
export type { RawInput } from "./semantic.ts";

export interface ReadInputsOptions {
  /** `--set name=value` pairs (see parseSetFlags). Names of params are left to the compiler. */
  set?: Record<string, string>;
  /**
   * Inputs already read elsewhere (typed arrays handed to a module emitted by `rlp compile -o`): they are neither
   * missing nor validated by the schema, and are checked with the others (kinds, finiteness, sizes).
   */
  raws?: ReadonlyMap<string, RawInput>;
}

export interface ReadInputsResult {
  tensors: Record<string, Tensor>;
  errors: InputError[];
  warnings: string[];
}

/** Reads `path` (.safetensors by extension, JSON otherwise). Never throws for problems with the file. */
export function readInputs(path: string, program: IRProgram, options: ReadInputsOptions = {}): ReadInputsResult {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return fail(inputError(InputCode.file, `cannot read inputs file '${path}': ${fsReason(e)}`));
  }
  if (/\.safetensors$/i.test(path)) return readSafetensorsInputs(bytes, program, path, options);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return fail(inputError(InputCode.file, `inputs file '${path}' is not UTF-8 text`));
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail(inputError(InputCode.file, `inputs file '${path}' is not valid JSON: ${jsonReason(e, text)}`));
  }
  return readJsonInputs(doc, program, path, options);
}

function fail(e: InputError): ReadInputsResult {
  return { tensors: {}, errors: [e], warnings: [] };
}

function fsReason(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return String((e as Error).message ?? e).split("\n")[0]!;
}

/** Where and why the text is not JSON (our own scan: V8's messages quote the text and give no position). */
function jsonReason(e: unknown, text: string): string {
  const found = findJsonError(text);
  if (found) return `${found.message} (line ${found.line}, col ${found.col})`;
  return String((e as Error).message ?? e).split("\n")[0]!;
}

// ---------------------------------------------------------------- JSON

function leafValue(v: unknown): number {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return v as number;
}

/** The shape of nested array data (the first element at each depth), or a ragged-data message. */
function nestedShape(data: unknown, axisName: (k: number) => string): { shape: number[] } | { error: string } {
  const shape: number[] = [];
  for (let v = data; Array.isArray(v); v = v[0]) {
    shape.push(v.length);
    if (v.length === 0) break;
  }
  // Every array at depth k must have shape[k] entries, and leaves sit at depth shape.length exactly.
  const walk = (v: unknown, depth: number, path: number[]): string | undefined => {
    if (depth === shape.length) {
      return Array.isArray(v) ? `[${path.join(",")}] is a list but the data before it has ${depth} dims` : undefined;
    }
    if (!Array.isArray(v)) return `[${path.join(",")}] is a single value but the data before it has ${shape.length} dims`;
    if (v.length !== shape[depth]) {
      return `[${path.join(",")}] has ${v.length} entries along ${axisName(depth)} but [${path.map(() => 0).join(",")}] has ${shape[depth]}`;
    }
    for (let i = 0; i < v.length; i++) {
      const r = walk(v[i], depth + 1, [...path, i]);
      if (r) return r;
    }
    return undefined;
  };
  const err = walk(data, 0, []);
  return err ? { error: `ragged nested data: ${err}` } : { shape };
}

function flatten(data: unknown, out: number[]): void {
  if (Array.isArray(data)) for (const x of data) flatten(x, out);
  else out.push(leafValue(data));
}

/** A structurally valid JSON entry as a RawInput, or an error (ragged data, data that does not fill `shape`). */
function rawFromJson(name: string, entry: unknown, declared: readonly string[]): RawInput | InputError {
  const obj =
    typeof entry === "object" && entry !== null && !Array.isArray(entry)
      ? (entry as { dims?: string[]; shape?: number[]; data: unknown })
      : undefined;
  const data = obj ? obj.data : entry;
  const axes = obj?.dims ?? declared;
  const axisName = (k: number): string => (axes[k] !== undefined ? `dim ${axes[k]}` : `axis ${k}`);
  const values: number[] = [];
  flatten(data, values);
  const given = obj?.shape;
  const nested = Array.isArray(data) && data.some((x) => Array.isArray(x));
  let shape: number[];
  if (given !== undefined && !nested) {
    const need = given.reduce((a, b) => a * b, 1);
    if (values.length !== need)
      return inputError(
        InputCode.rank,
        `input '${name}': 'shape' [${given.join(",")}] needs ${need} values, got ${values.length}`,
      );
    shape = [...given];
  } else {
    const r = nestedShape(data, axisName);
    if ("error" in r) return inputError(InputCode.rank, `input '${name}': ${r.error}`);
    shape = r.shape;
    if (given !== undefined && (given.length !== shape.length || given.some((s, i) => s !== shape[i]))) {
      return inputError(
        InputCode.rank,
        `input '${name}': 'shape' says [${given.join(",")}] but the nested data has shape [${shape.join(",")}]`,
      );
    }
  }
  return { name, ...(obj?.dims ? { dims: [...obj.dims] } : {}), shape, values: Float64Array.from(values) };
}

/** Reads inputs from a parsed JSON document (`file` names it in messages). */
export function readJsonInputs(
  doc: unknown,
  program: IRProgram,
  file: string,
  options: ReadInputsOptions = {},
): ReadInputsResult {
  const set = options.set ?? {};
  const given = options.raws ?? new Map<string, RawInput>();
  const structure = validateStructure(doc, program, file, new Set([...Object.keys(set), ...given.keys()]));
  const errors = [...structure.errors];
  const raws = new Map<string, RawInput>(given);
  const rejected = new Set([...structure.present].filter((n) => !structure.valid.has(n)));
  for (const input of program.inputs) {
    if (!structure.valid.has(input.name)) continue;
    const r = rawFromJson(input.name, (doc as Record<string, unknown>)[input.name], input.type.dims);
    if ("code" in r) {
      errors.push(r);
      rejected.add(input.name);
    } else raws.set(input.name, r);
  }
  if (!isRecord(doc)) return { tensors: {}, errors, warnings: structure.warnings };
  const checked = checkInputs(program, raws, { set, rejected });
  return { tensors: checked.tensors, errors: [...errors, ...checked.errors], warnings: structure.warnings };
}

function isRecord(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------- safetensors

/**
 * Reads inputs from safetensors bytes: tensor names are input names; dims are the declared ones, unless the
 * metadata entry `dims:NAME` (as written by write_outputs) lists a permutation of them.
 */
export function readSafetensorsInputs(
  bytes: Uint8Array,
  program: IRProgram,
  file: string,
  options: ReadInputsOptions = {},
): ReadInputsResult {
  let decoded: ReturnType<typeof decodeSafetensors>;
  try {
    decoded = decodeSafetensors(bytes);
  } catch (e) {
    if (e instanceof SafetensorsFormatError)
      return fail(inputError(InputCode.file, `inputs file '${file}' is not a valid safetensors file: ${e.message}`));
    throw e;
  }
  const errors: InputError[] = [];
  const warnings: string[] = [];
  const declared = new Set(program.inputs.map((i) => i.name));
  const rejected = new Set<string>();
  for (const u of decoded.unsupported) {
    if (!declared.has(u.tensor)) continue;
    errors.push(
      inputError(
        InputCode.dtype,
        `input '${u.tensor}': unsupported safetensors dtype ${u.dtype} in '${file}' (use F32, F64, I32, I64, I8, U8 or BOOL)`,
      ),
    );
    rejected.add(u.tensor);
  }
  for (const name of [...decoded.tensors.keys(), ...decoded.unsupported.map((u) => u.tensor)]) {
    if (!declared.has(name)) warnings.push(unknownInputWarning(name, [...declared]));
  }
  const raws = new Map<string, RawInput>();
  for (const [name, t] of decoded.tensors) {
    if (!declared.has(name)) continue;
    const dimsMeta = decoded.metadata[`dims:${name}`];
    const dims = dimsMeta === undefined ? undefined : dimsMeta === "" ? [] : dimsMeta.split(",").map((s) => s.trim());
    raws.set(name, { name, ...(dims ? { dims } : {}), shape: t.shape, values: t.values });
  }
  const set = options.set ?? {};
  for (const input of missingInputs(program, new Set([...raws.keys(), ...rejected]), set)) errors.push(missingInputError(input));
  const checked = checkInputs(program, raws, { set, rejected });
  return { tensors: checked.tensors, errors: [...errors, ...checked.errors], warnings };
}

// ---------------------------------------------------------------- --set

/** Splits `--set name=value` flags; malformed ones are RLP509 errors. A later flag for the same name wins. */
export function parseSetFlags(flags: readonly string[]): { set: Record<string, string>; errors: InputError[] } {
  const set: Record<string, string> = {};
  const errors: InputError[] = [];
  for (const f of flags) {
    const eq = f.indexOf("=");
    const name = eq < 0 ? "" : f.slice(0, eq).trim();
    if (eq < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      errors.push(inputError(InputCode.badSet, `--set ${f}: expected name=value with name an identifier`));
      continue;
    }
    set[name] = f.slice(eq + 1);
  }
  return { set, errors };
}
