// Helpers for the per-method tests (methods_<method>.test.ts): compile an example pipeline with `--set` overrides,
// run it on its worked-example inputs (or variations of them), read tensors by dim name, thread state across steps,
// and check gradients against central differences (with detach held fixed).
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import type { EvalResult } from "../../runtime/backends/reference/evaluate.ts";
import { evaluate } from "../../runtime/backends/reference/evaluate.ts";
import type { StateValue } from "../../runtime/library/ops/state.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import {
  at,
  compileOne,
  compileText,
  expectGradMatchesNumeric,
  gradOf,
  inputsFrom,
  type InputsDoc,
  numGradFrozenDetach,
  repoPath,
  result,
} from "./harness.ts";
import { mulberry32 } from "../kit/index.ts";

/** examples/<name>.rlp compiled with `--set` overrides. */
export function example(name: string, set: Record<string, string | number | boolean> = {}): IRProgram {
  const s: Record<string, string> = {};
  for (const [k, v] of Object.entries(set)) s[k] = String(v);
  return compileOne(repoPath(`examples/${name}.rlp`), { set: s });
}

/** The inputs document examples/data/<name>.json (a fresh copy: callers may modify it). */
export function exampleDoc(name: string): InputsDoc {
  return JSON.parse(readFileSync(repoPath(`examples/data/${name}.json`), "utf8")) as InputsDoc;
}

export interface Run {
  program: IRProgram;
  inputs: Record<string, Tensor>;
  /** The state before the step. */
  state: Record<string, StateValue>;
  ev: EvalResult;
}

/** Reads `doc` for `program` and evaluates, with the state before the step (default: every state at its initial value). */
export function runDoc(program: IRProgram, doc: InputsDoc, state: Record<string, StateValue> = {}): Run {
  const inputs = inputsFrom(program, doc);
  return { program, inputs, state, ev: evaluate(program, inputs, { state }) };
}

/** Compiles in-memory text and runs it on `doc`. */
export function runText(text: string, doc: InputsDoc, state: Record<string, StateValue> = {}): Run {
  return runDoc(compileText(text), doc, state);
}

/** The state after a step: the state before it with the step's writes applied. */
export function nextState(before: Record<string, StateValue>, ev: EvalResult): Record<string, StateValue> {
  return { ...before, ...ev.stateUpdates };
}

/** The elements of `t` in the order of `dims` (row-major over those dims; every dim of t must be listed). */
export function flat(t: Tensor, dims: readonly string[]): number[] {
  expect([...t.dims].sort()).toEqual([...dims].sort());
  const sizes = dims.map((d) => t.shape[t.dims.indexOf(d)]!);
  const out: number[] = [];
  const pos: Record<string, number> = {};
  const walk = (k: number): void => {
    if (k === dims.length) {
      out.push(at(t, pos));
      return;
    }
    for (let i = 0; i < sizes[k]!; i++) {
      pos[dims[k]!] = i;
      walk(k + 1);
    }
  };
  walk(0);
  return out;
}

/** A result's elements in the order of `dims`. */
export function res(ev: EvalResult, name: string, dims: readonly string[]): number[] {
  return flat(result(ev, name), dims);
}

export function scalar(ev: EvalResult, name: string): number {
  const t = result(ev, name);
  expect(t.dims, `${name} should be a scalar`).toEqual([]);
  return t.data[0]!;
}

/** Elementwise |a − b| ≤ tol (arrays of equal length). */
export function expectAllClose(actual: readonly number[], expected: readonly (number | null)[], tol: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  expected.forEach((e, i) => {
    if (e === null) return;
    expect(Math.abs(actual[i]! - e), `${what}[${i}]: got ${actual[i]}, expected ${e}`).toBeLessThanOrEqual(tol);
  });
}

/** The analytic gradient of `loss` w.r.t. `input` (its elements in `dims` order). */
export function grad(run: Run, loss: string, input: string, dims: readonly string[]): number[] {
  const g = gradOf(run.program, run.ev, loss)[input];
  expect(g, `no gradient of ${loss} w.r.t. ${input}`).toBeDefined();
  return flat(g!, dims);
}

/** The analytic gradient matches central differences (detach held fixed). */
export function expectGradCheck(run: Run, loss: string, input: string): void {
  const g = gradOf(run.program, run.ev, loss)[input];
  expect(g, `no gradient of ${loss} w.r.t. ${input}`).toBeDefined();
  expectGradMatchesNumeric(
    g!,
    numGradFrozenDetach(run.program, run.inputs, loss, input, { state: run.state }),
    `d${loss}/d${input}`,
  );
}

/** Nested arrays [P][G][T] of values from f(p, g, t). */
export function pgt(P: number, G: number, T: number, f: (p: number, g: number, t: number) => number): number[][][] {
  return Array.from({ length: P }, (_, p) =>
    Array.from({ length: G }, (_, g) => Array.from({ length: T }, (_, t) => f(p, g, t))),
  );
}

/** Nested arrays [P][G] of values from f(p, g). */
export function pg(P: number, G: number, f: (p: number, g: number) => number): number[][] {
  return Array.from({ length: P }, (_, p) => Array.from({ length: G }, (_, g) => f(p, g)));
}

/**
 * A random batch in the layout of the shared toy batch: logp, old_logp, ref_logp f32[P,G,T], a right-padded mask
 * (every response has 1..T valid tokens), rewards in {0, 1} or continuous.
 */
export function randomBatch(
  seed: number,
  P: number,
  G: number,
  T: number,
  binary = false,
): InputsDoc & Record<string, { dims: string[]; data: unknown }> {
  const r = mulberry32(seed);
  const len = pg(P, G, () => 1 + Math.floor(r() * T));
  const lp = () => -0.05 - 2 * r();
  return {
    logp: { dims: ["P", "G", "T"], data: pgt(P, G, T, lp) },
    old_logp: { dims: ["P", "G", "T"], data: pgt(P, G, T, lp) },
    ref_logp: { dims: ["P", "G", "T"], data: pgt(P, G, T, lp) },
    mask: { dims: ["P", "G", "T"], data: pgt(P, G, T, (p, g, t) => (t < len[p]![g]! ? 1 : 0)) },
    reward: { dims: ["P", "G"], data: pg(P, G, () => (binary ? (r() < 0.5 ? 1 : 0) : Math.round(r() * 100) / 100)) },
  };
}
