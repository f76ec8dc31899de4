// The checks an inputs file needs beyond its schema, shared by the JSON and safetensors readers: the `dims` field,
// rank, finite values of the right kind, dim sizes that agree across inputs and with static sizes, then `--set`
// overrides and declared defaults. Produces tensors in each input's declared dim order.
import type { DimInfo, IRInput, IRProgram } from "../../../compiler/ir/ir.ts";
import { transpose, type Tensor } from "../tensor.ts";
import {
  andMore,
  declaredAt,
  expectedKind,
  formatType,
  InputCode,
  inputError,
  showIndex,
  unflatten,
  type InputError,
} from "./errors.ts";

/** One input as stored in a file, before checking. */
export interface RawInput {
  name: string;
  /** The file's `dims` field, when given: the names of its axes (a permutation of the declared dims). */
  dims?: string[];
  /** The shape as stored (in the order of `dims` when given). */
  shape: number[];
  /** Row-major values in the stored order; bools as 0/1. */
  values: Float64Array;
}

export interface SemanticOptions {
  /** `--set name=value` pairs; names of inputs override them with a scalar broadcast to the declared dims. */
  set?: Record<string, string>;
  /** Inputs present in the file but already rejected (they are neither missing nor defaulted). */
  rejected?: ReadonlySet<string>;
}

interface Binding {
  size: number;
  input: string;
  dim: string;
}

class Dims {
  private readonly info = new Map<string, DimInfo>();
  readonly bound = new Map<string, Binding>();

  constructor(program: IRProgram) {
    for (const d of program.dims) this.info.set(d.name, d);
  }

  has(d: string): boolean {
    return this.info.has(d);
  }

  /** Follows `aliasOf` to the dim that carries the size. */
  root(d: string): string {
    let cur = d;
    const seen = new Set<string>();
    for (;;) {
      const next = this.info.get(cur)?.aliasOf;
      if (next === undefined || seen.has(next)) return cur;
      seen.add(cur);
      cur = next;
    }
  }

  staticSize(d: string): { size: number; why: string } | undefined {
    const r = this.root(d);
    const info = this.info.get(r);
    if (!info) return undefined;
    const via = r === d ? d : `${d} (an alias of ${r})`;
    if (info.labels)
      return { size: info.labels.length, why: `${via} is labelled {${info.labels.join(", ")}} (size ${info.labels.length})` };
    if (info.size !== undefined) return { size: info.size, why: `${via} is declared with size ${info.size}` };
    return undefined;
  }

  /** The size of `d` when known (static, or bound by an input read so far). */
  sizeOf(d: string): number | undefined {
    return this.staticSize(d)?.size ?? this.bound.get(this.root(d))?.size;
  }

  /** Checks `d` = `size` for `input`; binds it when it is the first. */
  bind(input: string, d: string, size: number): InputError | undefined {
    const st = this.staticSize(d);
    if (st) {
      return st.size === size
        ? undefined
        : inputError(InputCode.staticSize, `input '${input}': dim ${d} has size ${size}, but ${st.why}`);
    }
    const r = this.root(d);
    const b = this.bound.get(r);
    if (!b) {
      this.bound.set(r, { size, input, dim: d });
      return undefined;
    }
    if (b.size === size) return undefined;
    const alias =
      b.dim === d
        ? ""
        : r === b.dim
          ? ` (${d} is an alias of ${b.dim})`
          : r === d
            ? ` (${b.dim} is an alias of ${d})`
            : ` (${d} and ${b.dim} are aliases of ${r})`;
    return inputError(
      InputCode.sizeConflict,
      `input '${input}': dim ${d} has size ${size}, but input '${b.input}' gave ${b.dim} = ${b.size}${alias}`,
    );
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

const I32_MAX = 2 ** 31 - 1;

/** Finite values of the declared kind; reports the first bad element (in the stored coordinates). */
function checkValues(input: IRInput, raw: RawInput, errors: InputError[]): boolean {
  const dtype = input.type.dtype;
  let nonFinite = 0;
  let firstNonFinite = -1;
  let wrong = 0;
  let firstWrong = -1;
  const v = raw.values;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x)) {
      if (nonFinite++ === 0) firstNonFinite = i;
      continue;
    }
    const bad =
      dtype === "bool"
        ? x !== 0 && x !== 1
        : dtype === "i32"
          ? !Number.isInteger(x) || Math.abs(x) > I32_MAX
          : dtype === "id"
            ? !Number.isSafeInteger(x)
            : false;
    if (bad && wrong++ === 0) firstWrong = i;
  }
  const where = (i: number): string => (raw.shape.length === 0 ? "" : ` at ${showIndex(unflatten(i, raw.shape))}`);
  if (nonFinite > 0) {
    const x = v[firstNonFinite]!;
    const what =
      raw.shape.length === 0
        ? `input '${input.name}' is`
        : `input '${input.name}': element ${showIndex(unflatten(firstNonFinite, raw.shape))} is`;
    errors.push(
      inputError(
        InputCode.nonFinite,
        `${what} ${Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity"} (inputs must be finite)${andMore(nonFinite)}`,
      ),
    );
  }
  if (wrong > 0) {
    const x = v[firstWrong]!;
    const range =
      dtype === "i32" && Number.isInteger(x)
        ? " (outside the i32 range)"
        : dtype === "id" && Number.isInteger(x)
          ? " (not a safe integer)"
          : "";
    errors.push(
      inputError(
        InputCode.dtype,
        `input '${input.name}': expected ${expectedKind(dtype)}, got ${x}${where(firstWrong)}${range}${andMore(wrong)}`,
      ),
    );
  }
  return nonFinite === 0 && wrong === 0;
}

/** Checks one stored input against its declaration; the tensor in declared dim order, or undefined on errors. */
function checkOne(input: IRInput, raw: RawInput, dims: Dims, errors: InputError[]): Tensor | undefined {
  const declared = input.type.dims;
  const decl = formatType(input.type);
  let fileDims = declared;
  if (raw.dims !== undefined) {
    const unknown = raw.dims.filter((d) => !dims.has(d) && !declared.includes(d));
    const twice = raw.dims.filter((d, i) => raw.dims!.indexOf(d) !== i);
    if (unknown.length > 0) {
      errors.push(
        inputError(
          InputCode.dims,
          `input '${input.name}': 'dims' lists [${raw.dims.join(",")}]: unknown dim ${unknown.join(", ")} (the declaration is ${decl})`,
        ),
      );
      return undefined;
    }
    if (twice.length > 0) {
      errors.push(
        inputError(
          InputCode.dims,
          `input '${input.name}': 'dims' lists [${raw.dims.join(",")}]: dim ${twice[0]} appears twice (the declaration is ${decl})`,
        ),
      );
      return undefined;
    }
    if (!sameSet(raw.dims, declared)) {
      errors.push(
        inputError(InputCode.dims, `input '${input.name}': 'dims' lists [${raw.dims.join(",")}] but the declaration is ${decl}`),
      );
      return undefined;
    }
    fileDims = raw.dims;
  }
  let shape = raw.shape;
  if (declared.length === 0 && shape.length === 1 && shape[0] === 1 && raw.dims === undefined) shape = []; // [x] for a scalar
  if (shape.length !== declared.length) {
    const got = `${shape.length} (shape [${shape.join(",")}])`;
    const msg =
      raw.dims !== undefined
        ? `'dims' lists ${declared.length} dims [${fileDims.join(",")}] but the data has ${got}`
        : declared.length === 0
          ? `expected a scalar (${decl}), got ${shape.length} dims (shape [${shape.join(",")}])`
          : `expected ${declared.length} dims [${declared.join(",")}], got ${got}`;
    errors.push(inputError(InputCode.rank, `input '${input.name}': ${msg}`));
    return undefined;
  }
  const okValues = checkValues(input, { ...raw, shape }, errors);
  let okSizes = true;
  for (let i = 0; i < fileDims.length; i++) {
    const e = dims.bind(input.name, fileDims[i]!, shape[i]!);
    if (e) {
      errors.push(e);
      okSizes = false;
    }
  }
  if (!okValues || !okSizes) return undefined;
  const t: Tensor = { dtype: input.type.dtype, dims: [...fileDims], shape: [...shape], data: raw.values };
  return fileDims === declared || fileDims.every((d, i) => d === declared[i])
    ? { ...t, dims: [...declared] }
    : transpose(t, declared);
}

/** Parses a `--set` value for an input of `dtype`; undefined if it does not fit. */
function parseScalar(text: string, dtype: IRInput["type"]["dtype"]): number | undefined {
  const s = text.trim();
  if (dtype === "bool") return s === "true" || s === "1" ? 1 : s === "false" || s === "0" ? 0 : undefined;
  if (s === "" || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return undefined;
  const x = Number(s);
  if (!Number.isFinite(x)) return undefined;
  if (dtype === "i32") return Number.isInteger(x) && Math.abs(x) <= I32_MAX ? x : undefined;
  if (dtype === "id") return Number.isSafeInteger(x) ? x : undefined;
  return x;
}

/** A scalar broadcast to the input's declared dims, or the name of the first dim with no known size. */
function broadcastScalar(input: IRInput, value: number, dims: Dims): Tensor | string {
  const shape: number[] = [];
  for (const d of input.type.dims) {
    const s = dims.sizeOf(d);
    if (s === undefined) return d;
    shape.push(s);
  }
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype: input.type.dtype, dims: [...input.type.dims], shape, data: new Float64Array(n).fill(value) };
}

/**
 * Checks every stored input (in declaration order, so the first input that binds a dim is the one named in
 * conflicts), then applies `--set` overrides and the declared defaults of inputs not supplied.
 */
export function checkInputs(
  program: IRProgram,
  raws: ReadonlyMap<string, RawInput>,
  options: SemanticOptions = {},
): { tensors: Record<string, Tensor>; errors: InputError[] } {
  const errors: InputError[] = [];
  const tensors: Record<string, Tensor> = {};
  const dims = new Dims(program);
  const rejected = options.rejected ?? new Set<string>();
  for (const input of program.inputs) {
    const raw = raws.get(input.name);
    if (!raw) continue;
    const t = checkOne(input, raw, dims, errors);
    if (t) tensors[input.name] = t;
  }
  const set = options.set ?? {};
  const paramNames = new Set(program.params.map((p) => p.name));
  for (const [name, text] of Object.entries(set)) {
    const input = program.inputs.find((i) => i.name === name);
    if (!input) {
      if (!paramNames.has(name))
        errors.push(
          inputError(
            InputCode.badSet,
            `--set ${name}=${text}: pipeline '${program.pipeline}' has no param or input named '${name}'`,
          ),
        );
      continue;
    }
    const x = parseScalar(text, input.type.dtype);
    if (x === undefined) {
      errors.push(
        inputError(
          InputCode.badSet,
          `--set ${name}=${text}: input '${name}' expects ${input.type.dtype === "f32" ? "a finite number" : expectedKind(input.type.dtype)} ${declaredAt(input)}`,
        ),
      );
      continue;
    }
    const t = broadcastScalar(input, x, dims);
    if (typeof t === "string")
      errors.push(
        inputError(
          InputCode.badSet,
          `--set ${name}=${text}: cannot broadcast to ${formatType(input.type)}: dim ${t} has no size from the other inputs`,
        ),
      );
    else tensors[name] = t;
  }
  for (const input of program.inputs) {
    if (input.default === undefined || raws.has(input.name) || rejected.has(input.name) || hasName(set, input.name)) continue;
    const t = broadcastScalar(input, input.default, dims);
    if (typeof t === "string") {
      errors.push(
        inputError(
          InputCode.missing,
          `input '${input.name}' was omitted (default ${input.default}), but dim ${t} has no size from the other inputs; supply it ${declaredAt(input)}`,
        ),
      );
    } else tensors[input.name] = t;
  }
  return { tensors, errors };
}

function hasName(set: Record<string, string>, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(set, name);
}

/** The inputs that are neither stored, rejected, set, nor defaulted. */
export function missingInputs(program: IRProgram, present: ReadonlySet<string>, set: Record<string, string> = {}): IRInput[] {
  return program.inputs.filter((i) => i.default === undefined && !present.has(i.name) && !hasName(set, i.name));
}
