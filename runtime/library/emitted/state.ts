// The state of an emitted module between steps: created empty, checked when passed in, saved as JSON and loaded back.
//
//   { "format": "rlp-state", "version": 1, "pipeline": "dcpo",
//     "states": { "times": { "keyed": true, "entries": [[17, 1], [42, 2]] },     // a table: [id, value] pairs by id
//                 "kl_beta": { "keyed": false, "value": 0.001 } } }                // an unkeyed state
//
// Values that are not finite are written as the strings "NaN", "Infinity", "-Infinity" (as in `rlp eval` output).
import { EvalError } from "../ops/common.ts";
import type { StateValue } from "../ops/state.ts";
import type { PipelineSpec } from "../../../compiler/ir/module_spec.ts";
import type { StateRecord } from "./types.ts";

export const STATE_FORMAT = "rlp-state";
export const STATE_VERSION = 1;

/** Empty tables; unkeyed states at their declared initial values. */
export function createStateOf(spec: PipelineSpec): StateRecord {
  const out: StateRecord = {};
  for (const s of spec.states) out[s.name] = s.keyed ? new Map<number, number>() : s.init;
  return out;
}

function fail(message: string): never {
  throw new EvalError("state", message);
}

/** A state passed by the caller, checked against the declarations (missing states start fresh). */
export function normalizeState(spec: PipelineSpec, state: object): StateRecord {
  if (typeof state !== "object" || state === null)
    fail(`state: expected an object of the pipeline's states, got ${state === null ? "null" : typeof state}`);
  const given = state as Record<string, unknown>;
  for (const k of Object.keys(given)) {
    if (!spec.states.some((s) => s.name === k))
      fail(`state: pipeline '${spec.pipeline}' has no state '${k}' (it declares ${spec.states.map((s) => s.name).join(", ")})`);
  }
  const out: StateRecord = {};
  for (const s of spec.states) {
    const v = given[s.name];
    if (v === undefined) out[s.name] = s.keyed ? new Map<number, number>() : s.init;
    else if (s.keyed) {
      if (!(v instanceof Map)) fail(`state ${s.name} is a table (a Map from id to value), got ${typeof v}`);
      out[s.name] = v as Map<number, number>;
    } else {
      if (typeof v !== "number") fail(`state ${s.name} is a number, got ${v instanceof Map ? "a table" : typeof v}`);
      out[s.name] = v;
    }
  }
  return out;
}

type JsonNumber = number | "NaN" | "Infinity" | "-Infinity";

function toJson(x: number): JsonNumber {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  return Object.is(x, -0) ? 0 : x;
}

function fromJson(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return undefined;
}

/** The state as JSON text: tables as [id, value] pairs sorted by id, one state per line. Ends with a newline. */
export function saveStateOf(spec: PipelineSpec, state: StateRecord): string {
  const lines = spec.states.map((s) => {
    const v = state[s.name]!;
    const entry =
      v instanceof Map
        ? { keyed: true, entries: [...v.entries()].sort((a, b) => a[0] - b[0]).map(([k, x]) => [k, toJson(x)]) }
        : { keyed: false, value: toJson(v) };
    return `    ${JSON.stringify(s.name)}: ${JSON.stringify(entry)}`;
  });
  const head = `{\n  "format": ${JSON.stringify(STATE_FORMAT)},\n  "version": ${STATE_VERSION},\n  "pipeline": ${JSON.stringify(spec.pipeline)},\n  "states": {`;
  return lines.length === 0 ? `${head}}\n}\n` : `${head}\n${lines.join(",\n")}\n  }\n}\n`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parses saveStateOf's text; a state the file does not mention starts fresh. */
export function loadStateOf(spec: PipelineSpec, text: string): StateRecord {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    fail(`state: not valid JSON (${(e instanceof Error ? e.message : String(e)).split("\n")[0]})`);
  }
  if (!isRecord(doc) || doc.format !== STATE_FORMAT) fail(`state: not an rlp state file (expected "format": "${STATE_FORMAT}")`);
  if (doc.version !== STATE_VERSION)
    fail(`state: unsupported version ${JSON.stringify(doc.version)} (this runtime reads version ${STATE_VERSION})`);
  if (doc.pipeline !== spec.pipeline)
    fail(`state: the file is the state of pipeline '${String(doc.pipeline)}', not '${spec.pipeline}'`);
  if (!isRecord(doc.states)) fail(`state: "states" must be an object`);
  const out = createStateOf(spec);
  for (const [name, entry] of Object.entries(doc.states)) {
    const decl = spec.states.find((s) => s.name === name);
    if (!decl)
      fail(
        `state: pipeline '${spec.pipeline}' has no state '${name}' (it declares ${spec.states.map((s) => s.name).join(", ")})`,
      );
    if (!isRecord(entry) || entry.keyed !== decl.keyed)
      fail(
        `state ${name}: expected { "keyed": ${decl.keyed}, ${decl.keyed ? '"entries": [[id, value], ...]' : '"value": number'} }`,
      );
    let value: StateValue;
    if (decl.keyed) {
      if (!Array.isArray(entry.entries)) fail(`state ${name}: "entries" must be a list of [id, value] pairs`);
      const table = new Map<number, number>();
      entry.entries.forEach((pair: unknown, i: number) => {
        const k = Array.isArray(pair) && pair.length === 2 ? pair[0] : undefined;
        const x = Array.isArray(pair) && pair.length === 2 ? fromJson(pair[1]) : undefined;
        if (typeof k !== "number" || !Number.isSafeInteger(k) || x === undefined)
          fail(`state ${name}: entry ${i} must be [id, value] with an integer id, got ${JSON.stringify(pair)}`);
        table.set(k, x);
      });
      value = table;
    } else {
      const x = fromJson(entry.value);
      if (x === undefined) fail(`state ${name}: "value" must be a number, got ${JSON.stringify(entry.value)}`);
      value = x;
    }
    out[name] = value;
  }
  return out;
}
