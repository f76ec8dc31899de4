// Runs the conformance columns. Programs are compiled once per source and each backend runs once per program
// (family entries share one program), so the whole table stays fast.
import { expect } from "vitest";
import { gradientProgram } from "../../compiler/pipeline/index.ts";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { compileKernels } from "../../runtime/backends/js/index.ts";
import { evaluate } from "../../runtime/backends/reference/evaluate.ts";
import { runTfjs } from "../../runtime/backends/tfjs/lower.ts";
import type { TF } from "../../runtime/backends/tfjs/types.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import { compileText } from "../kit/index.ts";
import { numericGradient } from "./oracle.ts";
import { contains, isSkip, type Case } from "./types.ts";

interface Compiled {
  program: IRProgram;
  /** The differentiated and simplified program (forward results plus `dL/dx`), when the program has a loss. */
  grad?: IRProgram;
}

const compiled = new Map<string, Compiled>();

export function compileCase(c: Case): Compiled {
  let r = compiled.get(c.source);
  if (r === undefined) {
    const program = compileText(c.source, "conformance");
    const grad = program.results.some((x) => x.kind === "loss") ? gradientProgram(program) : undefined;
    r = grad ? { program, grad } : { program };
    compiled.set(c.source, r);
  }
  return r;
}

const gradInputs = (c: Case): Record<string, Tensor> => c.gradInputs ?? c.inputs;
const wanted = (c: Case, results: Record<string, Tensor>): string[] =>
  c.names?.filter((n) => n in results) ?? Object.keys(results);

/** Values agree: NaN with NaN, infinities exactly, others within atol + rtol·|e| (the sign of zero is not compared). */
export function expectValues(
  actual: Tensor | undefined,
  expected: ArrayLike<number>,
  what: string,
  rtol: number,
  atol: number,
): void {
  expect(actual, `${what}: missing`).toBeDefined();
  const a = actual!.data;
  expect(a.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const x = a[i]!;
    const e = expected[i]!;
    const ok = Number.isNaN(e) ? Number.isNaN(x) : !Number.isFinite(e) ? x === e : Math.abs(x - e) <= atol + rtol * Math.abs(e);
    expect(ok, `${what}[${i}]: got ${x}, expected ${e}`).toBe(true);
  }
}

export function checkExercised(c: Case): void {
  const { program, grad } = compileCase(c);
  expect(
    contains(program, c.exercises) || (grad !== undefined && contains(grad, c.exercises)),
    `the program uses ${c.exercises.op} ${c.exercises.fn ?? ""}`,
  ).toBe(true);
}

/**
 * The float64 reference on the edge inputs (the gradient program when there is one: `dL/dx` at the edges too)
 * against the hand-computed values.
 */
export function checkReference(c: Case): void {
  if (isSkip(c.reference)) throw new Error("skipped column");
  const { program, grad } = compileCase(c);
  const results = evaluate(grad ?? program, c.inputs).results;
  if (typeof c.reference === "function") return c.reference(results);
  for (const [name, want] of Object.entries(c.reference)) expectValues(results[name], want, `reference ${name}`, 1e-12, 1e-14);
}

/** Every `dL/dx` (those in `names`) against float64 central differences (h = 1e-6) at the smooth points. */
export function checkGradient(c: Case): void {
  const { program, grad } = compileCase(c);
  expect(grad, "a gradient check needs a loss").toBeDefined();
  const inputs = gradInputs(c);
  const got = evaluate(grad!, inputs).results;
  const loss = program.results.find((r) => r.kind === "loss")!;
  const names = wanted(c, got).filter((n) => grad!.results.some((r) => r.name === n && r.kind === "grad"));
  expect(names.length, "gradients to check").toBeGreaterThan(0);
  for (const name of names) {
    const wrt = grad!.results.find((r) => r.name === name)!.wrt!;
    const numeric = numericGradient(program, inputs, loss.node, wrt, 1e-6);
    expectValues(got[name], numeric.data, `symbolic ${name} vs central differences`, 1e-5, 1e-7);
  }
}

type Run = Promise<{ forward: Record<string, Tensor>; grad?: Record<string, Tensor> }>;
const fusedRuns = new Map<string, Run>();
const tfjsRuns = new Map<string, Run>();

async function fused(c: Case): Run {
  const { program, grad } = compileCase(c);
  const ck = compileKernels(program, { threads: 1 });
  try {
    const forward = (await ck.evaluate(c.inputs)).results;
    return grad ? { forward, grad: (await ck.evaluateWithGrad(gradInputs(c))).results } : { forward };
  } finally {
    await ck.close();
  }
}

async function tfjs(tf: TF, c: Case): Run {
  const { program, grad } = compileCase(c);
  const forward = runTfjs(tf, program, c.inputs).results;
  return grad ? { forward, grad: runTfjs(tf, grad, gradInputs(c)).results } : { forward };
}

/** A float32 backend against the float64 reference: forward results at the edge inputs, gradients at the smooth points. */
async function checkBackend(c: Case, runs: Map<string, Run>, run: () => Run, backend: string): Promise<void> {
  let r = runs.get(c.source);
  if (r === undefined) runs.set(c.source, (r = run()));
  const got = await r;
  const { program, grad } = compileCase(c);
  const want = evaluate(program, c.inputs).results;
  for (const name of wanted(c, want)) expectValues(got.forward[name], want[name]!.data, `${backend} ${name}`, 1e-4, 1e-5);
  if (grad === undefined || got.grad === undefined) return;
  const wantGrad = evaluate(grad, gradInputs(c)).results;
  const gradNames = wanted(c, wantGrad).filter((n) => grad.results.some((x) => x.name === n && x.kind === "grad"));
  for (const name of gradNames) expectValues(got.grad[name], wantGrad[name]!.data, `${backend} ${name}`, 1e-4, 1e-5);
}

export const checkFused = (c: Case): Promise<void> => checkBackend(c, fusedRuns, () => fused(c), "fused");
export const checkTfjs = (tf: TF, c: Case): Promise<void> => checkBackend(c, tfjsRuns, () => tfjs(tf, c), "tfjs");
