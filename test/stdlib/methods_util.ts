// Shared helpers of the per-method std tests (test/stdlib/methods_*.test.ts): compile in-memory pipelines, run them
// on inputs written like examples/data/*.json (optionally with state), and check gradients against central
// differences with every detach held fixed.
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { evaluate, type EvalResult } from "../../runtime/backends/reference/evaluate.ts";
import type { StateValue } from "../../runtime/library/ops/state.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import {
  at,
  compileOne,
  compileText,
  expectGradMatchesNumeric,
  expectTensorPrinted,
  gradOf,
  inputsFile,
  inputsFrom,
  type InputsDoc,
  numGradFrozenDetach,
  repoPath,
} from "./harness.ts";

export interface Run {
  program: IRProgram;
  inputs: Record<string, Tensor>;
  ev: EvalResult;
}

/** Compiles `text`, reads `doc` and evaluates (with `state` before the step, if given). */
export function setup(text: string, doc: InputsDoc, name = "t", state?: Record<string, StateValue>): Run {
  const program = compileText(text, name);
  const inputs = inputsFrom(program, doc);
  return { program, inputs, ev: evaluate(program, inputs, state ? { state } : {}) };
}

/** Compiles an example (examples/<name>.rlp, with `set` overrides) and reads its data file (examples/data/<name>.json). */
export function example(name: string, set: Record<string, string> = {}, state?: Record<string, StateValue>): Run {
  const path = repoPath(`examples/${name}.rlp`);
  const program = compileOne(path, { set });
  const inputs = inputsFile(program, repoPath(`examples/data/${name}.json`));
  return { program, inputs, ev: evaluate(program, inputs, state ? { state } : {}) };
}

/** The examples' data document, to modify in a test. */
export function exampleDoc(name: string): InputsDoc {
  return JSON.parse(readFileSync(repoPath(`examples/data/${name}.json`), "utf8")) as InputsDoc;
}

/** Expects `t` (any dim order) to equal nested `data` along `dims` within `tol` (absolute); null entries skipped. */
export function expectTensor(t: Tensor, dims: string[], data: unknown, tol: number, what: string): void {
  expectTensorPrinted(t, dims, data, what, undefined, tol);
}

/** The values of `t` as nested arrays along `dims` (2 or 3 dims; for readable comparisons). */
export function nested(t: Tensor, dims: string[]): unknown {
  const sizes = dims.map((d) => t.shape[t.dims.indexOf(d)]!);
  const build = (k: number, pos: Record<string, number>): unknown => {
    if (k === dims.length) return at(t, pos);
    return Array.from({ length: sizes[k]! }, (_, i) => build(k + 1, { ...pos, [dims[k]!]: i }));
  };
  return build(0, {});
}

/** Every gradient of loss `lossName` w.r.t. every marked input matches central differences (detach held fixed). */
export function expectGradsMatchNumeric(r: Run, lossName: string): void {
  const grads = gradOf(r.program, r.ev, lossName);
  for (const input of r.program.inputs.filter((i) => i.mark !== undefined).map((i) => i.name)) {
    const numeric = numGradFrozenDetach(r.program, r.inputs, lossName, input);
    const analytic = grads[input];
    if (analytic === undefined) {
      for (const v of numeric.data) expect(Math.abs(v), `d${lossName}/d${input} should be 0`).toBeLessThan(1e-12);
      continue;
    }
    expectGradMatchesNumeric(analytic, numeric, `d${lossName}/d${input}`);
  }
}

/** Expects evaluating to fail at run time with a message containing `phrase` (a data-dependent require). */
export function expectRunFails(text: string, doc: InputsDoc, phrase: string): void {
  const program = compileText(text, "fails");
  const inputs = inputsFrom(program, doc);
  expect(() => evaluate(program, inputs)).toThrow(phrase);
}
