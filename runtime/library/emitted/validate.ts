// The boundary checks of an emitted module: its inputs against the JSON Schema of the pipeline's inputs (ajv, the same
// schema `rlp compile -o` writes next to the module) and the checks `rlp eval` makes after it (runtime/library/io), with the
// same codes and one-line messages (RLP501-RLP509); and its run-time params.
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import { closest } from "../../../compiler/ir/suggest.ts";
import { InputCode, inputError, type InputError, type InputErrorCode } from "../io/errors.ts";
import { readJsonInputs, type RawInput } from "../io/read_inputs.ts";
import { inputsSchema } from "../io/schema.ts";
import type { Tensor } from "../tensor.ts";
import type { PipelineSpec } from "../../../compiler/ir/module_spec.ts";

/** Bad inputs or params: every problem found, each one line with its code (`errors`); `code` is the first one's. */
export class InputValidationError extends Error {
  readonly code: InputErrorCode;
  readonly errors: readonly InputError[];
  constructor(errors: readonly InputError[]) {
    super(errors.map((e) => `error[${e.code}]: ${e.message}`).join("\n"));
    this.name = "InputValidationError";
    this.code = errors[0]?.code ?? InputCode.file;
    this.errors = errors;
  }
}

const programs = new WeakMap<PipelineSpec, IRProgram>();

/**
 * The spec as the minimal program the input readers take (the inputs and dims; no nodes). The same object each
 * time, so the compiled ajv validators are cached with it.
 */
export function specProgram(spec: PipelineSpec): IRProgram {
  let p = programs.get(spec);
  if (!p) {
    p = {
      pipeline: spec.pipeline,
      dims: spec.dims,
      inputs: spec.inputs.map((i, k) => ({
        name: i.name,
        node: -1 - k,
        type: { dtype: i.dtype, dims: i.dims, ...(i.indexOf === undefined ? {} : { indexOf: i.indexOf }) },
        ...(i.mark === undefined ? {} : { mark: i.mark }),
        ...(i.default === undefined ? {} : { default: i.default }),
        span: { file: spec.source, start: 0, end: 0, line: i.line, col: i.col },
      })),
      params: spec.params.map((q) => ({ name: q.name, value: q.value, static: !q.runtime })),
      nodes: [],
      results: [],
      states: [],
      requires: [],
      marks: [],
    };
    programs.set(spec, p);
  }
  return p;
}

/** The JSON Schema (draft-07) of the pipeline's inputs: what `<pipeline>.schema.json` holds. */
export function pipelineInputsSchema(spec: PipelineSpec): Record<string, unknown> {
  return inputsSchema(specProgram(spec));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

function isNumericArray(v: unknown): v is ArrayLike<number> {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
}

/** A typed-array entry as a raw input (its values are checked later with the others), or the reason it is malformed. */
function typedRaw(name: string, declared: readonly string[], entry: Record<string, unknown>): RawInput | InputError {
  const data = entry.data as ArrayLike<number>;
  const dims = entry.dims;
  if (dims !== undefined && !(Array.isArray(dims) && dims.every((d) => typeof d === "string"))) {
    return inputError(InputCode.dims, `input '${name}': 'dims' must be a list of dim names, got ${JSON.stringify(dims)}`);
  }
  let shape = entry.shape;
  if (shape === undefined) {
    const rank = Array.isArray(dims) ? dims.length : declared.length;
    if (rank > 1)
      return inputError(InputCode.rank, `input '${name}': typed-array data needs a 'shape' (the declaration has ${rank} dims)`);
    shape = rank === 1 ? [data.length] : data.length === 1 ? [] : [data.length];
  }
  if (!(Array.isArray(shape) && shape.every((s) => Number.isInteger(s) && s >= 0))) {
    return inputError(
      InputCode.rank,
      `input '${name}': 'shape' must be a list of non-negative integers, got ${JSON.stringify(shape)}`,
    );
  }
  const need = (shape as number[]).reduce((a, b) => a * b, 1);
  if (need !== data.length)
    return inputError(InputCode.rank, `input '${name}': 'shape' [${shape.join(",")}] needs ${need} values, got ${data.length}`);
  return {
    name,
    ...(dims === undefined ? {} : { dims: [...(dims as string[])] }),
    shape: [...(shape as number[])],
    values: Float64Array.from(data),
  };
}

/**
 * Checks and converts a call's inputs: JSON-form entries through the schema (ajv) and the readers of `rlp eval`,
 * typed-array entries directly. Returns tensors in each input's declared dim order (defaults filled in); throws
 * InputValidationError listing every problem.
 */
export function validateInputs(
  spec: PipelineSpec,
  inputs: unknown,
  onWarning: (message: string) => void,
): Record<string, Tensor> {
  const program = specProgram(spec);
  const raws = new Map<string, RawInput>();
  const errors: InputError[] = [];
  let doc: unknown = inputs;
  if (isRecord(inputs)) {
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(inputs)) {
      if (v === undefined) continue; // an absent optional property
      const decl = spec.inputs.find((i) => i.name === k);
      if (decl && isRecord(v) && isNumericArray(v.data)) {
        const r = typedRaw(k, decl.dims, v);
        if ("code" in r) errors.push(r);
        else raws.set(k, r);
      } else rest[k] = v;
    }
    doc = rest;
  }
  const read = readJsonInputs(doc, program, "inputs", { raws });
  for (const w of read.warnings) onWarning(w);
  const all = [...errors, ...read.errors];
  if (all.length > 0) throw new InputValidationError(dedupeMissing(all, errors));
  return read.tensors;
}

/** Inputs whose typed entry was malformed are reported once (not also as missing). */
function dedupeMissing(all: InputError[], typedErrors: InputError[]): InputError[] {
  if (typedErrors.length === 0) return all;
  const bad = new Set(typedErrors.map((e) => /^input '([^']+)'/.exec(e.message)?.[1]));
  return all.filter((e) => !(e.code === InputCode.missing && bad.has(/^missing input '([^']+)'/.exec(e.message)?.[1])));
}

/**
 * The run-time param overrides of a call: names the kernels read (`runtime`), with finite numbers. A param fixed at
 * compile time, an unknown name or a value that is not a finite number is an RLP509 error.
 */
export function validateParams(spec: PipelineSpec, params: unknown): Record<string, number> {
  if (params === undefined || params === null) return {};
  if (!isRecord(params))
    throw new InputValidationError([
      inputError(
        InputCode.badSet,
        `params: expected an object mapping param names to numbers, got ${Array.isArray(params) ? "an array" : typeof params}`,
      ),
    ]);
  const out: Record<string, number> = {};
  const errors: InputError[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const decl = spec.params.find((p) => p.name === name);
    if (!decl) {
      const close = closest(
        name,
        spec.params.map((p) => p.name),
      );
      const hint = close
        ? `; did you mean '${close}'?`
        : spec.params.length > 0
          ? ` (it declares ${spec.params.map((p) => p.name).join(", ")})`
          : "";
      errors.push(
        inputError(InputCode.badSet, `param '${name}': pipeline '${spec.pipeline}' has no param named '${name}'${hint}`),
      );
    } else if (!decl.runtime) {
      errors.push(
        inputError(
          InputCode.badSet,
          `param '${name}' is compiled in (${String(decl.value)}): recompile with \`rlp compile ${spec.source} --set ${name}=VALUE -o DIR\` to change it`,
        ),
      );
    } else if (typeof value !== "number" || !Number.isFinite(value)) {
      errors.push(
        inputError(
          InputCode.badSet,
          `param '${name}': expected a finite number, got ${typeof value === "number" ? String(value) : (JSON.stringify(value) ?? typeof value)}`,
        ),
      );
    } else out[name] = value;
  }
  if (errors.length > 0) throw new InputValidationError(errors);
  return out;
}
