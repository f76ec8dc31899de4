// Checks of the symbolic gradient: differentiate a program, simplify it pass by pass (verifying after each pass),
// evaluate the `dL/dx` results with the reference evaluator and compare them with the reference's numeric reverse
// mode (test/oracle/reverse_mode.ts) and with central differences (away from kinks).
import { expect } from "vitest";
import { differentiate } from "../../compiler/autodiff/index.ts";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { PASSES, simplify } from "../../compiler/simplify/index.ts";
import { verifyProgram } from "../../compiler/ir/verify.ts";
import { evaluate, numericGradient } from "../../runtime/backends/reference/index.ts";
import { gradients } from "../oracle/reverse_mode.ts";
import type { EvalResult } from "../../runtime/backends/reference/evaluate.ts";
import { transpose, type Tensor } from "../../runtime/library/tensor.ts";

export function expectVerified(p: IRProgram, what: string): void {
  expect(verifyProgram(p), `verifier on ${what}`).toEqual([]);
}

/** simplify, but pass by pass with the verifier after each one; also checks it agrees with simplify(). */
export function simplifyVerified(program: IRProgram, what: string): IRProgram {
  let p = program;
  for (let round = 0; round < 50; round++) {
    const before = JSON.stringify(p.nodes);
    for (const pass of PASSES) {
      p = pass.run(p);
      expectVerified(p, `${what} after ${pass.name} (round ${round})`);
    }
    if (JSON.stringify(p.nodes) === before) break;
  }
  const direct = simplify(program);
  expect(strip(direct), `${what}: simplify() reaches the same program`).toEqual(strip(p));
  expect(strip(simplify(direct)), `${what}: simplify is idempotent`).toEqual(strip(direct));
  return direct;
}

/** The program without spans (vitest compares them slowly and they never matter here). */
function strip(p: IRProgram): unknown {
  return {
    ...p,
    nodes: p.nodes.map(({ span: _s, site: _t, ...n }) => n),
    inputs: p.inputs.map(({ span: _s, ...i }) => i),
    results: p.results.map(({ span: _s, ...r }) => r),
  };
}

/** Values equal as numbers (NaN equals NaN, +0 equals −0), within `tol` relative to max(|e|, scale). */
export function expectSameValues(actual: Tensor, expected: Tensor, tol: number, what: string): void {
  const e = transpose(expected, actual.dims);
  expect(actual.dims, `${what}: dims`).toEqual(expected.dims);
  let scale = 0;
  for (const v of e.data) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < e.data.length; i++) {
    const a = actual.data[i]!;
    const x = e.data[i]!;
    if (Number.isNaN(x) || !Number.isFinite(x)) {
      expect(Object.is(a, x) || (Number.isNaN(a) && Number.isNaN(x)) || a === x, `${what}[${i}]: ${a}, expected ${x}`).toBe(true);
      continue;
    }
    expect(Math.abs(a - x), `${what}[${i}]: ${a}, expected ${x}`).toBeLessThanOrEqual(
      tol * Math.max(Math.abs(x), scale) + 1e-300,
    );
  }
}

export interface GradCheckOptions {
  /** Compare with central differences (default true). */
  numeric?: boolean;
  /** Inputs whose numeric gradient is not compared. */
  skipNumeric?: string[];
  /** The largest share of entries central differences may skip as kinks (default 0.35). */
  maxKinkShare?: number;
}

export interface GradCheck {
  simplified: IRProgram;
  evaluated: EvalResult;
  /** The symbolic gradients by result name (`dL/dx`). */
  grads: Record<string, Tensor>;
}

/**
 * The full check on one program and one set of inputs: verifier after differentiate and after every simplify pass;
 * simplify preserves every forward result; each `dL/dx` equals the reference reverse mode (relative 1e-9, NaN where
 * it is NaN) and central differences (relative 1e-6 or absolute 1e-9) wherever the function is smooth.
 */
export function checkGradients(
  program: IRProgram,
  inputs: Record<string, Tensor>,
  what: string,
  options: GradCheckOptions = {},
): GradCheck {
  expectVerified(program, `${what} (forward)`);
  const d = differentiate(program);
  expectVerified(d, `${what} after differentiate`);
  const s = simplifyVerified(d, what);
  const forward = evaluate(program, inputs);
  const evd = evaluate(d, inputs);
  const evs = evaluate(s, inputs);
  for (const r of program.results) {
    expectSameValues(evs.results[r.name]!, forward.results[r.name]!, 0, `${what}: ${r.name} after simplify`);
  }
  const grads: Record<string, Tensor> = {};
  for (const r of s.results.filter((x) => x.kind === "grad")) {
    const lossNode = program.results.find((x) => x.name === r.of)!.node;
    const ref = gradients(program, forward, lossNode)[r.wrt!]!;
    const got = evs.results[r.name]!;
    grads[r.name] = got;
    expectSameValues(evd.results[r.name]!, ref, 1e-9, `${what}: ${r.name} (differentiate) vs gradients()`);
    expectSameValues(got, ref, 1e-9, `${what}: ${r.name} (simplified) vs gradients()`);
    // where the loss reads detach(a value of x), its gradient w.r.t. x is not its derivative (a stop-gradient,
    // e.g. a straight-through estimator): central differences do not apply
    const wrtNode = program.inputs.find((i) => i.name === r.wrt)!.node;
    if (
      (options.numeric ?? true) &&
      !(options.skipNumeric ?? []).includes(r.wrt!) &&
      !readsStopGradient(program, lossNode, wrtNode)
    ) {
      expectMatchesNumeric(program, inputs, lossNode, r.wrt!, got, `${what}: ${r.name}`, options.maxKinkShare ?? 0.35);
    }
  }
  return { simplified: s, evaluated: evs, grads };
}

const H = 1e-6;

/**
 * Central differences (numericGradient) compared entry by entry where the function is smooth. An entry is a kink
 * when the one-sided differences disagree (|forward − backward| > 1e-4·max(1, |central|): relu or clamp at a bound)
 * or when central differences at h and h/10 disagree (a symmetric kink smoothed on a scale near h, such as std at
 * zero variance next to an eps of 1e-6): there the analytic gradient follows a convention central differences
 * cannot see.
 */
export function expectMatchesNumeric(
  program: IRProgram,
  inputs: Record<string, Tensor>,
  lossNode: number,
  wrt: string,
  analytic: Tensor,
  what: string,
  maxKinkShare: number,
): void {
  const central = numericGradient(program, inputs, lossNode, wrt, H);
  const fine = numericGradient(program, inputs, lossNode, wrt, H / 10);
  const base = transpose(inputs[wrt]!, central.dims);
  const f0 = total(evaluate(program, inputs).values[lossNode]!);
  let kinks = 0;
  for (let i = 0; i < central.data.length; i++) {
    const plus = { ...base, data: Float64Array.from(base.data) };
    plus.data[i]! += H;
    const fwd = (total(evaluate(program, { ...inputs, [wrt]: plus }).values[lossNode]!) - f0) / H;
    const c = central.data[i]!;
    const bwd = 2 * c - fwd;
    const a = analytic.data[i]!;
    const scale = Math.max(1, Math.abs(c));
    if (
      !Number.isFinite(c) ||
      !Number.isFinite(a) ||
      Math.abs(fwd - bwd) > 1e-4 * scale ||
      Math.abs(c - fine.data[i]!) > 1e-5 * scale
    ) {
      kinks++;
      continue;
    }
    expect(
      Math.abs(a - c) <= 1e-6 * Math.abs(c) || Math.abs(a - c) <= 1e-9,
      `${what}[${i}]: symbolic ${a}, central difference ${c}`,
    ).toBe(true);
  }
  expect(kinks, `${what}: ${kinks} of ${central.data.length} entries sit at kinks`).toBeLessThanOrEqual(
    Math.ceil(maxKinkShare * central.data.length),
  );
}

function total(t: Tensor): number {
  let s = 0;
  for (const v of t.data) s += v;
  return s;
}

/** The ids of the nodes a node reads, transitively (itself included). */
export function dependencies(p: IRProgram, id: number): Set<number> {
  const seen = new Set<number>();
  const stack = [id];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...p.nodes[n]!.args);
  }
  return seen;
}

/** Does the value of `id` read a detach of a value that depends on node `from`? */
export function readsStopGradient(p: IRProgram, id: number, from: number): boolean {
  return [...dependencies(p, id)].some((n) => p.nodes[n]!.op.op === "detach" && dependencies(p, p.nodes[n]!.args[0]!).has(from));
}
