// The JSON Schema (draft-07) of an inputs file, derived from a program's declared inputs, and the structural
// validation of a parsed file with ajv: which inputs are present, unknown inputs (warnings), the shape of each entry,
// and the kind of every datum (numbers vs integers vs booleans). What a schema cannot say (rank, sizes that agree
// across inputs, dim names) is checked afterwards (semantic.ts).
//
// An inputs file is an object { [inputName]: entry } where an entry is
//   { dims?: string[], shape?: number[], data: datum | datum[] | nested arrays }   or just the data itself.
// A datum is a number (f32; also "NaN", "Infinity", "-Infinity" so they can be reported), an integer (i32, id),
// or true/false/0/1 (bool).
import AjvImport from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { DType, IRProgram } from "../../../compiler/ir/ir.ts";
import {
  andMore,
  expectedKind,
  InputCode,
  inputError,
  missingInputError,
  show,
  showIndex,
  unflatten,
  unknownInputWarning,
  type InputError,
} from "./errors.ts";

export const NON_FINITE_STRINGS = ["NaN", "Infinity", "-Infinity"] as const;

type Schema = Record<string, unknown>;

function leafSchema(dtype: DType): Schema {
  switch (dtype) {
    case "f32":
      return { anyOf: [{ type: "number" }, { enum: [...NON_FINITE_STRINGS] }] };
    case "i32":
    case "id":
      return { type: "integer" };
    case "bool":
      return { anyOf: [{ type: "boolean" }, { enum: [0, 1] }] };
  }
}

/** The draft-07 JSON Schema of an inputs file for `program`. Inputs with a default are optional. */
export function inputsSchema(program: IRProgram): Schema {
  const definitions: Record<string, Schema> = {};
  const properties: Record<string, Schema> = {};
  for (const input of program.inputs) {
    const dt = input.type.dtype;
    if (!definitions[`${dt}_data`]) {
      definitions[dt] = leafSchema(dt);
      definitions[`${dt}_data`] = {
        anyOf: [{ $ref: `#/definitions/${dt}` }, { type: "array", items: { $ref: `#/definitions/${dt}_data` } }],
      };
    }
    const data = { $ref: `#/definitions/${dt}_data` };
    properties[input.name] = {
      if: { type: "object" },
      then: {
        type: "object",
        properties: {
          dims: { type: "array", items: { type: "string" } },
          shape: { type: "array", items: { type: "integer", minimum: 0 } },
          data,
        },
        required: ["data"],
        additionalProperties: false,
      },
      else: data,
    };
  }
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: `inputs of pipeline ${program.pipeline}`,
    type: "object",
    properties,
    required: program.inputs.filter((i) => i.default === undefined).map((i) => i.name),
    additionalProperties: false,
    definitions,
  };
}

const Ajv = AjvImport.default;

interface Validators {
  /** The file's top level: required and unknown inputs (all errors). */
  root: ValidateFunction;
  /** Each input's entry, stopping at its first bad datum (a file of a million bad values stays cheap). */
  entries: Map<string, ValidateFunction>;
}

const cache = new WeakMap<IRProgram, Validators>();

function validatorsFor(program: IRProgram): Validators {
  let v = cache.get(program);
  if (!v) {
    const full = { ...inputsSchema(program), $id: "rlp-inputs" };
    const top = { ...full, $id: "rlp-inputs-top", properties: Object.fromEntries(program.inputs.map((i) => [i.name, true])) };
    const ajvAll = new Ajv({ allErrors: true, strict: true });
    const ajvFirst = new Ajv({ allErrors: false, strict: true });
    ajvFirst.addSchema(full);
    const entries = new Map(program.inputs.map((i) => [i.name, ajvFirst.compile({ $ref: `rlp-inputs#/properties/${i.name}` })]));
    v = { root: ajvAll.compile(top), entries };
    cache.set(program, v);
  }
  return v;
}

export interface StructureResult {
  errors: InputError[];
  warnings: string[];
  /** Inputs present in the file whose entries passed the structural checks. */
  valid: Set<string>;
  /** Inputs present in the file (valid or not), so later passes do not call them missing. */
  present: Set<string>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function segments(pointer: string): string[] {
  return pointer === ""
    ? []
    : pointer
        .slice(1)
        .split("/")
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** The value at a path of segments (ajv's instancePath). */
function at(doc: unknown, segs: readonly string[]): unknown {
  let v = doc;
  for (const s of segs) {
    if (Array.isArray(v)) v = v[Number(s)];
    else if (isObject(v)) v = v[s];
    else return undefined;
  }
  return v;
}

/**
 * Validates a parsed inputs file with ajv and turns its errors into one-line messages (at most one per input and
 * kind of problem). `optional` names inputs supplied elsewhere (`--set`), so they are not reported missing.
 */
export function validateStructure(
  doc: unknown,
  program: IRProgram,
  file: string,
  optional: ReadonlySet<string> = new Set(),
): StructureResult {
  const errors: InputError[] = [];
  const warnings: string[] = [];
  if (!isObject(doc)) {
    errors.push(
      inputError(
        InputCode.file,
        `${file}: expected a JSON object mapping input names to values, got ${Array.isArray(doc) ? "an array" : show(doc)}`,
      ),
    );
    return { errors, warnings, valid: new Set(), present: new Set() };
  }
  const present = new Set(Object.keys(doc).filter((k) => program.inputs.some((i) => i.name === k)));
  const { root, entries } = validatorsFor(program);
  if (!root(doc)) {
    for (const e of root.errors ?? []) {
      if (e.keyword === "required") {
        const name = String(e.params.missingProperty);
        const input = program.inputs.find((i) => i.name === name);
        if (input && !optional.has(name)) errors.push(missingInputError(input));
      } else if (e.keyword === "additionalProperties") {
        warnings.push(
          unknownInputWarning(
            String(e.params.additionalProperty),
            program.inputs.map((i) => i.name),
          ),
        );
      }
    }
  }
  const failed = new Set<string>();
  for (const input of program.inputs) {
    const check = entries.get(input.name)!;
    if (!present.has(input.name) || check(doc[input.name])) continue;
    const errs = (check.errors ?? []).map((e) => ({ ...e, instancePath: `/${input.name}${e.instancePath}` }));
    const r = describeEntry(input.name, input.type.dtype, doc[input.name], errs);
    warnings.push(...r.warnings);
    if (r.errors.length > 0) {
      errors.push(...r.errors);
      failed.add(input.name);
    }
  }
  const valid = new Set([...present].filter((n) => !failed.has(n)));
  return { errors, warnings, valid, present };
}

/** Document order of JSON pointers (array indices numerically); a path sorts right before its extensions. */
function comparePaths(a: string, b: string): number {
  const x = segments(a);
  const y = segments(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === y[i]) continue;
    const m = Number(x[i]);
    const n = Number(y[i]);
    return Number.isInteger(m) && Number.isInteger(n) ? m - n : x[i]! < y[i]! ? -1 : 1;
  }
  return x.length - y.length;
}

/** The ajv errors of one input entry, as messages. */
function describeEntry(
  name: string,
  dtype: DType,
  entry: unknown,
  errs: ErrorObject[],
): { errors: InputError[]; warnings: string[] } {
  const errors: InputError[] = [];
  const warnings: string[] = [];
  const objectForm = isObject(entry);
  const dataDepth = objectForm ? 2 : 1; // path segments before the data's own indices
  const dataPaths: string[] = [];
  let dimsBad = false;
  let shapeBad = false;
  for (const e of errs) {
    const segs = segments(e.instancePath);
    if (objectForm && segs.length === 1) {
      if (e.keyword === "required") errors.push(inputError(InputCode.missing, `input '${name}' has no 'data' field`));
      else if (e.keyword === "additionalProperties")
        warnings.push(`input '${name}': unknown field '${String(e.params.additionalProperty)}' is ignored`);
      continue;
    }
    if (objectForm && segs[1] === "dims") dimsBad = true;
    else if (objectForm && segs[1] === "shape") shapeBad = true;
    else if (!objectForm || segs[1] === "data") {
      if (e.keyword !== "if" && e.keyword !== "anyOf") dataPaths.push(e.instancePath);
    }
  }
  if (dimsBad)
    errors.push(
      inputError(
        InputCode.dims,
        `input '${name}': 'dims' must be a list of dim names, got ${show((entry as Record<string, unknown>).dims)}`,
      ),
    );
  if (shapeBad)
    errors.push(
      inputError(
        InputCode.rank,
        `input '${name}': 'shape' must be a list of non-negative integers, got ${show((entry as Record<string, unknown>).shape)}`,
      ),
    );
  // Report the innermost failing data paths (an array fails whenever an element does). Numbers that overflowed to
  // ±Infinity fail `type: number` in ajv: those are non-finite values, not values of the wrong kind.
  const unique = [...new Set(dataPaths)].sort(comparePaths);
  const leaves = unique.filter((p, i) => !(unique[i + 1] ?? "").startsWith(p + "/"));
  const located = leaves.map((p) => {
    const segs = segments(p);
    let index = segs.slice(dataDepth).map(Number);
    const shape = objectForm ? (entry as Record<string, unknown>).shape : undefined;
    if (index.length === 1 && Array.isArray(shape) && shape.length !== 1 && shape.every((s) => Number.isInteger(s) && s >= 0)) {
      index = unflatten(index[0]!, shape as number[]); // flat data with a shape: report the multi-index
    }
    return { index, value: at(entry, segs.slice(1)) };
  });
  const nonFinite = located.filter((l) => typeof l.value === "number" && !Number.isFinite(l.value));
  const wrong = located.filter((l) => !nonFinite.includes(l));
  if (nonFinite.length > 0) {
    const { index, value } = nonFinite[0]!;
    const what = index.length > 0 ? `input '${name}': element ${showIndex(index)} is` : `input '${name}' is`;
    errors.push(inputError(InputCode.nonFinite, `${what} ${show(value)} (inputs must be finite)${andMore(nonFinite.length)}`));
  }
  if (wrong.length > 0) {
    const { index, value } = wrong[0]!;
    const where = index.length > 0 ? ` at ${showIndex(index)}` : "";
    errors.push(
      inputError(
        InputCode.dtype,
        `input '${name}': expected ${expectedKind(dtype)}, got ${show(value)}${where}${andMore(wrong.length)}`,
      ),
    );
  }
  return { errors, warnings };
}
