// Helpers for the std-library tests: compile .rlp text (from disk or in memory), read inputs written like the
// examples' JSON files, evaluate with the float64 reference evaluator, take gradients, and compare against numbers
// printed in the catalog (shared/methods/*.md) at the precision they were printed with (test/golden/README.md).
import { expect } from "vitest";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import type { Diagnostic } from "../../grammar/diagnostic.ts";
import { readInputs, readJsonInputs } from "../../runtime/library/io/read_inputs.ts";
import { evaluate, type EvalResult, type EvaluateOptions } from "../../runtime/backends/reference/evaluate.ts";
import { numericGradient } from "../../runtime/backends/reference/index.ts";
import { gradients } from "../oracle/reverse_mode.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import { compileSource } from "../kit/index.ts";

// Compiling and diagnostics live in the shared kit (test/kit); re-exported for the std-library tests.
export { compileOne, compileText, errorsOf, formatDiagnostics, inlinePath, REPO, repoPath } from "../kit/index.ts";

/** Compiles in-memory text and returns every diagnostic (for tests that expect an error). */
export function compileTextDiagnostics(text: string, name = "inline"): { programs: IRProgram[]; diagnostics: Diagnostic[] } {
  const r = compileSource(text, { name });
  return { programs: r.programs, diagnostics: r.diagnostics };
}

/** An inputs document as in examples/data/*.json: { name: { dims, data: nested arrays } } (or a bare scalar). */
export type InputsDoc = Record<string, { dims: string[]; data: unknown } | number | boolean>;

/** Reads inputs from a document in the examples' JSON format; fails the test on any input error. */
export function inputsFrom(program: IRProgram, doc: InputsDoc): Record<string, Tensor> {
  const r = readJsonInputs(doc, program, "<inline inputs>");
  expect(
    r.errors.map((e) => e.message),
    "input errors",
  ).toEqual([]);
  return r.tensors;
}

/** Reads an inputs file; fails the test on any input error. */
export function inputsFile(program: IRProgram, path: string): Record<string, Tensor> {
  const r = readInputs(path, program);
  expect(
    r.errors.map((e) => e.message),
    `input errors in ${path}`,
  ).toEqual([]);
  expect(r.warnings, `input warnings in ${path}`).toEqual([]);
  return r.tensors;
}

export function run(program: IRProgram, inputs: Record<string, Tensor>): EvalResult {
  return evaluate(program, inputs);
}

export function resultNode(program: IRProgram, name: string): number {
  const r = program.results.find((x) => x.name === name);
  if (!r)
    throw new Error(
      `pipeline ${program.pipeline} has no result '${name}' (it has ${program.results.map((x) => x.name).join(", ")})`,
    );
  return r.node;
}

export function result(ev: EvalResult, name: string): Tensor {
  const t = ev.results[name];
  if (!t) throw new Error(`no result '${name}' (results: ${Object.keys(ev.results).join(", ")})`);
  return t;
}

/** The value of a scalar result. */
export function scalarOf(ev: EvalResult, name: string): number {
  const t = result(ev, name);
  expect(t.dims, `result ${name} should be a scalar`).toEqual([]);
  return t.data[0]!;
}

/** Gradients of the loss result `lossName` with respect to every differentiable input. */
export function gradOf(program: IRProgram, ev: EvalResult, lossName: string): Record<string, Tensor> {
  return gradients(program, ev, resultNode(program, lossName));
}

export function numGradOf(program: IRProgram, inputs: Record<string, Tensor>, lossName: string, inputName: string): Tensor {
  return numericGradient(program, inputs, resultNode(program, lossName), inputName);
}

/**
 * Central differences with every `detach(...)` held at its value at the unperturbed point: the derivative that a
 * stop-gradient defines. A surrogate such as GPPO's ρ/sg(ρ) has the forward value 1 whatever logp is, so plain
 * central differences of it are 0, while its gradient (the one the autodiff must give) is that of ρ/ρ0 with ρ0
 * fixed. Each detach node becomes an extra input holding its base value. Without detach this is numGradOf.
 */
export function numGradFrozenDetach(
  program: IRProgram,
  inputs: Record<string, Tensor>,
  lossName: string,
  inputName: string,
  options: EvaluateOptions = {},
): Tensor {
  const detached = program.nodes.filter((n) => n.op.op === "detach");
  if (detached.length === 0) return numericGradient(program, inputs, resultNode(program, lossName), inputName, 1e-6, options);
  const base = evaluate(program, inputs, options);
  const frozen: IRProgram = {
    ...program,
    nodes: program.nodes.map((n) => (n.op.op === "detach" ? { ...n, args: [], op: { op: "input", name: `__sg${n.id}` } } : n)),
    inputs: [...program.inputs, ...detached.map((n) => ({ name: `__sg${n.id}`, node: n.id, type: n.type }))],
  };
  const extra: Record<string, Tensor> = {};
  for (const n of detached) extra[`__sg${n.id}`] = base.values[n.id]!;
  return numericGradient(frozen, { ...inputs, ...extra }, resultNode(program, lossName), inputName, 1e-6, options);
}

// ---------------------------------------------------------------- addressing tensors by dim name

/** The element of `t` at the position given per dim name (every dim of t must be given). */
export function at(t: Tensor, pos: Record<string, number>): number {
  let flat = 0;
  for (let i = 0; i < t.dims.length; i++) {
    const d = t.dims[i]!;
    const p = pos[d];
    if (p === undefined) throw new Error(`at(): no position for dim ${d} of [${t.dims.join(", ")}]`);
    if (p < 0 || p >= t.shape[i]!) throw new Error(`at(): position ${p} outside ${d} (size ${t.shape[i]})`);
    flat = flat * t.shape[i]! + p;
  }
  return t.data[flat]!;
}

/** Calls fn(value, positionByDimName, path) for every leaf of nested arrays laid out along `dims`. */
export function forEachNested(
  dims: readonly string[],
  data: unknown,
  fn: (v: number | null, pos: Record<string, number>, path: number[]) => void,
): void {
  const walk = (x: unknown, depth: number, path: number[]): void => {
    if (depth === dims.length) {
      if (Array.isArray(x)) throw new Error(`nested data is deeper than its dims [${dims.join(", ")}] at [${path.join(", ")}]`);
      const pos: Record<string, number> = {};
      dims.forEach((d, i) => (pos[d] = path[i]!));
      fn(x === null ? null : typeof x === "boolean" ? Number(x) : (x as number), pos, path);
      return;
    }
    if (!Array.isArray(x)) throw new Error(`nested data is shallower than its dims [${dims.join(", ")}] at [${path.join(", ")}]`);
    x.forEach((y, i) => walk(y, depth + 1, [...path, i]));
  };
  walk(data, 0, []);
}

/** The sizes of nested arrays along `dims`. */
export function nestedShape(dims: readonly string[], data: unknown): Record<string, number> {
  const shape: Record<string, number> = {};
  let x = data;
  for (const d of dims) {
    if (!Array.isArray(x)) throw new Error(`nested data is shallower than its dims [${dims.join(", ")}]`);
    shape[d] = x.length;
    x = x[0];
  }
  return shape;
}

// ---------------------------------------------------------------- printed precision (test/golden/README.md)

export interface Precision {
  /** Significant digits the number was printed with (trailing zeros dropped). */
  digits: number;
  /** Decimal places the number may have been printed with instead. */
  decimals: number;
}

export const CATALOG_PRECISION: Precision = { digits: 6, decimals: 6 };

/** One unit in the last printed place of `v` (the coarser of the two readings), with a hair of slack. */
export function printedTolerance(v: number, p: Precision = CATALOG_PRECISION): number {
  const u = v === 0 ? 10 ** -p.decimals : Math.max(10 ** (Math.floor(Math.log10(Math.abs(v))) - p.digits + 1), 10 ** -p.decimals);
  return u * (1 + 1e-6) + 1e-12;
}

/** Expects `actual` to equal the printed number `printed` within its printed precision (or `atol` when given). */
export function expectPrinted(
  actual: number,
  printed: number,
  what: string,
  p: Precision = CATALOG_PRECISION,
  atol?: number,
): void {
  expect(Number.isFinite(actual), `${what}: ${actual} is not finite`).toBe(true);
  const tol = atol ?? printedTolerance(printed, p);
  expect(
    Math.abs(actual - printed),
    `${what}: got ${actual}, expected ${printed} (tolerance ${tol.toExponential(2)})`,
  ).toBeLessThanOrEqual(tol);
}

/**
 * Expects tensor `t` to match nested printed data laid out along `dims` (compared by dim name, so `t` may hold its
 * dims in another order). `null` entries are not compared.
 */
export function expectTensorPrinted(
  t: Tensor,
  dims: readonly string[],
  data: unknown,
  what: string,
  p: Precision = CATALOG_PRECISION,
  atol?: number,
): void {
  expect([...t.dims].sort(), `${what}: dims`).toEqual([...dims].sort());
  const shape = nestedShape(dims, data);
  for (const d of dims) expect(t.shape[t.dims.indexOf(d)], `${what}: size of ${d}`).toBe(shape[d]);
  forEachNested(dims, data, (v, pos, path) => {
    if (v === null) return;
    expectPrinted(at(t, pos), v, `${what}[${path.join(",")}]`, p, atol);
  });
}

/** Every element finite (no NaN, no ±inf). */
export function expectFinite(t: Tensor, what: string): void {
  const bad = Array.from(t.data).findIndex((x) => !Number.isFinite(x));
  expect(bad, `${what}: element ${bad} is ${t.data[bad]}`).toBe(-1);
}

/**
 * Analytic vs central-difference gradient: relative error < 1e-6, or an absolute error < 1e-9 (central differences
 * with h = 1e-6 carry ~1e-10 of rounding noise, which dominates for entries below ~1e-3).
 */
export function expectGradMatchesNumeric(analytic: Tensor, numeric: Tensor, what: string): void {
  expect([...analytic.dims].sort(), `${what}: dims`).toEqual([...numeric.dims].sort());
  const pos: Record<string, number> = {};
  const n = numeric.data.length;
  for (let flat = 0; flat < n; flat++) {
    let rem = flat;
    for (let i = numeric.dims.length - 1; i >= 0; i--) {
      pos[numeric.dims[i]!] = rem % numeric.shape[i]!;
      rem = Math.floor(rem / numeric.shape[i]!);
    }
    const a = at(analytic, pos);
    const f = numeric.data[flat]!;
    expect(Number.isFinite(a), `${what}: analytic gradient at ${JSON.stringify(pos)} is ${a}`).toBe(true);
    const err = Math.abs(a - f);
    const ok = err <= 1e-6 * Math.max(Math.abs(a), Math.abs(f)) || err <= 1e-9;
    expect(ok, `${what} at ${JSON.stringify(pos)}: analytic ${a}, central difference ${f}`).toBe(true);
  }
}
