// The three executions of a pipeline, compared (DESIGN.md §4):
//   1. the reference evaluator (float64), with the symbolic gradients: gradientProgram(program) evaluated by
//      the reference (its results of kind "grad", named `dL/dx`);
//   2. the fused JS kernels (compileKernels, float32 storage): evaluateWithGrad;
//   3. the tfjs backend (cpu): runTfjs for the forward results, and the symbolic gradient program wrapped in
//      tf.customGrad (tfjsCustomGrad), differentiated by tf.valueAndGrads, for the loss and its gradients.
// Each backend is compared with the reference at relative 1e-4, absolute 1e-5 (NaN and ±inf exactly); agreement of
// both with the reference is agreement of the three. tfjs' own autograd (tfjsAutogradGradients) follows other
// conventions at ties, kinks and 0·inf points (runtime/backends/tfjs/grad.ts, test/tfjs/conventions.test.ts), so it is
// compared where they coincide: on tie-free inputs (test/kit/inputs.ts: tieFree), and on the edge-case inputs except for
// the NaN of the 0·inf convention in the cases the tests name. Symbolic gradients are compared with central
// differences of the reference evaluator, detach held at its value (numGradFrozenDetach), away from kinks.
//
// Inputs must be reasonably conditioned: tfjs computes every intermediate in float32 (the fused kernels compute in
// float64 and store float32), so e.g. whitening values that are equal up to 1e-4 amplifies float32 rounding past
// 1e-4 on tfjs. That is not a disagreement of the backends' semantics; the seeds are chosen to avoid it.
import { expect } from "vitest";
import { gradientProgram } from "../../compiler/pipeline/index.ts";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { compileKernels, type CompiledProgram } from "../../runtime/backends/js/index.ts";
import { EvalError, evaluate } from "../../runtime/backends/reference/index.ts";
import { transpose, type Tensor } from "../../runtime/library/tensor.ts";
import { selectBackend } from "../../runtime/backends/tfjs/backend.ts";
import { readBack, uploadInputs, disposeFeeds } from "../../runtime/backends/tfjs/feeds.ts";
import { tfjsAutogradGradients, tfjsCustomGrad } from "../../runtime/backends/tfjs/grad.ts";
import { runTfjs } from "../../runtime/backends/tfjs/lower.ts";
import type { TF, TfTensor } from "../../runtime/backends/tfjs/types.ts";
import { numGradFrozenDetach, resultNode } from "../stdlib/harness.ts";

export const RTOL = 1e-4;
export const ATOL = 1e-5;

/** tfjs on its cpu backend (loaded once per test file). */
export async function cpuTf(): Promise<TF> {
  const sel = await selectBackend("cpu");
  expect(sel.tf.getBackend()).toBe("cpu");
  return sel.tf;
}

/** A program under test, with its symbolic gradient program and its fused kernels (1 thread). */
export interface Subject {
  what: string;
  program: IRProgram;
  gradProgram: IRProgram;
  kernels: CompiledProgram;
}

export function subject(program: IRProgram, what: string): Subject {
  return { what, program, gradProgram: gradientProgram(program), kernels: compileKernels(program, { threads: 1 }) };
}

/** The forward results compared (every result but state updates and gradients). */
function forwardNames(program: IRProgram): string[] {
  return program.results.filter((r) => r.kind !== "update" && r.kind !== "grad").map((r) => r.name);
}

function gradNames(gradProgram: IRProgram): string[] {
  return gradProgram.results.filter((r) => r.kind === "grad").map((r) => r.name);
}

/** Mismatches of `actual` against the float64 `expected` (|a − e| <= atol + rtol·|e|; NaN, ±inf exactly). */
export function mismatches(actual: Tensor | undefined, expected: Tensor, what: string, rtol = RTOL, atol = ATOL): string[] {
  if (actual === undefined) return [`${what}: missing`];
  if ([...actual.dims].sort().join() !== [...expected.dims].sort().join())
    return [`${what}: dims [${actual.dims.join(", ")}], expected [${expected.dims.join(", ")}]`];
  const a = transpose(actual, expected.dims);
  if (a.shape.join() !== expected.shape.join())
    return [`${what}: shape [${a.shape.join(", ")}], expected [${expected.shape.join(", ")}]`];
  const out: string[] = [];
  for (let i = 0; i < expected.data.length; i++) {
    const x = a.data[i]!;
    const e = expected.data[i]!;
    const ok = Number.isNaN(e) ? Number.isNaN(x) : !Number.isFinite(e) ? x === e : Math.abs(x - e) <= atol + rtol * Math.abs(e);
    if (!ok) out.push(`${what}[${position(expected, i)}]: ${x} vs reference ${e}`);
  }
  return out;
}

/** "P=1,G=0,T=2" for flat index i of t. */
function position(t: Tensor, i: number): string {
  const pos: string[] = [];
  let rem = i;
  for (let k = t.dims.length - 1; k >= 0; k--) {
    pos.unshift(`${t.dims[k]}=${rem % t.shape[k]!}`);
    rem = Math.floor(rem / t.shape[k]!);
  }
  return pos.join(",");
}

function expectNoMismatch(list: string[], what: string): void {
  const shown = list.slice(0, 8);
  if (list.length > shown.length) shown.push(`... and ${list.length - shown.length} more`);
  expect(shown, `${what}: values that disagree`).toEqual([]);
}

/** The reference: forward results and symbolic gradients (both float64), or the EvalError it raises. */
export function referenceRun(
  s: Subject,
  inputs: Record<string, Tensor>,
): { results: Record<string, Tensor> } | { error: EvalError } {
  let forward;
  try {
    forward = evaluate(s.program, inputs);
  } catch (e) {
    if (e instanceof EvalError) return { error: e };
    throw e;
  }
  const results: Record<string, Tensor> = {};
  for (const name of forwardNames(s.program)) results[name] = forward.results[name]!;
  const names = gradNames(s.gradProgram);
  if (names.length > 0) {
    const g = evaluate(s.gradProgram, inputs);
    for (const name of names) results[name] = g.results[name]!;
  }
  return { results };
}

/** The loss and `dL/dx` of each loss, by tfjsCustomGrad (the symbolic gradient program) under tf.valueAndGrads. */
export function tfjsCustomGradResults(tf: TF, s: Subject, inputs: Record<string, Tensor>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  const losses = [...new Set(s.gradProgram.results.filter((r) => r.kind === "grad").map((r) => r.of!))];
  for (const loss of losses) {
    const f = tfjsCustomGrad(tf, s.program, s.gradProgram, { loss });
    const feeds = uploadInputs(tf, s.program, inputs);
    try {
      const others: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(inputs)) if (!f.wrt.includes(k)) others[k] = v;
      tf.tidy(() => {
        const xs = f.wrt.map((name) => feeds.tensors[name]!);
        const { value, grads } = tf.valueAndGrads((...ts: TfTensor[]) =>
          f(Object.fromEntries(f.wrt.map((n, i) => [n, ts[i]!])), others),
        )(xs);
        out[loss] = readBack(value, "f32", [], feeds.ids);
        f.wrt.forEach((name, i) => {
          const decl = s.program.inputs.find((x) => x.name === name)!;
          out[`d${loss}/d${name}`] = readBack(grads[i]!, "f32", decl.type.dims, feeds.ids);
        });
      });
    } finally {
      disposeFeeds(feeds);
    }
  }
  return out;
}

export type Outcome = "compared" | `error ${string}`;

/**
 * The three-way check on one set of inputs. When the reference raises an EvalError (a failed `require`, ...),
 * the fused kernels and tfjs must raise one with the same code. Returns what happened.
 */
export async function checkThreeWay(tf: TF, s: Subject, inputs: Record<string, Tensor>, label: string): Promise<Outcome> {
  const what = `${s.what} (${label})`;
  const ref = referenceRun(s, inputs);
  const live = tf.memory().numTensors;
  if ("error" in ref) {
    const code = ref.error.code;
    await expect(s.kernels.evaluateWithGrad(inputs), `${what}: fused kernels fail like the reference`).rejects.toMatchObject({
      code,
    });
    let tfErr: unknown;
    try {
      runTfjs(tf, s.program, inputs);
    } catch (e) {
      tfErr = e;
    }
    expect(tfErr, `${what}: tfjs fails like the reference (${code})`).toMatchObject({ code });
    expect(tf.memory().numTensors, `${what}: tfjs leaves no tensors behind`).toBe(live);
    return `error ${code}`;
  }
  const want = ref.results;
  const grads = gradNames(s.gradProgram);
  const bad: string[] = [];

  const fused = await s.kernels.evaluateWithGrad(inputs);
  for (const [name, t] of Object.entries(want)) bad.push(...mismatches(fused.results[name], t, `fused ${name}`));

  const tfFwd = runTfjs(tf, s.program, inputs);
  for (const name of forwardNames(s.program)) bad.push(...mismatches(tfFwd.results[name], want[name]!, `tfjs ${name}`));
  if (grads.length > 0) {
    const cg = tfjsCustomGradResults(tf, s, inputs);
    for (const [name, t] of Object.entries(cg)) bad.push(...mismatches(t, want[name]!, `tfjs customGrad ${name}`));
    for (const name of grads) if (cg[name] === undefined) bad.push(`tfjs customGrad ${name}: missing`);
  }
  expect(tf.memory().numTensors, `${what}: tfjs leaves no tensors behind`).toBe(live);
  expectNoMismatch(bad, what);
  return "compared";
}

/**
 * The fused kernels split over `threads` threads (every kernel whose outer loop may be split, however small)
 * against the reference, on one set of inputs the reference accepts.
 */
export async function checkFusedThreads(s: Subject, inputs: Record<string, Tensor>, label: string, threads = 3): Promise<void> {
  const what = `${s.what} (${label}, ${threads} threads)`;
  const ref = referenceRun(s, inputs);
  if ("error" in ref)
    throw new Error(`${what}: the reference fails (${ref.error.code}: ${ref.error.message}); pick other inputs`);
  const ck = compileKernels(s.program, { threads, minParallelWork: 1 });
  try {
    const got = await ck.evaluateWithGrad(inputs);
    const bad: string[] = [];
    for (const [name, t] of Object.entries(ref.results)) bad.push(...mismatches(got.results[name], t, `fused ${name}`));
    expectNoMismatch(bad, what);
  } finally {
    await ck.close();
  }
}

/**
 * tfjs autograd (op by op, tf.grads) against the reference's symbolic gradients. With `nanAtSingular`, an entry where
 * tfjs gives NaN and the reference a finite value is tfjs' 0·inf convention (runtime/backends/tfjs/grad.ts, "strong zeros":
 * the std of a zero-variance group of a differentiable value) and is not a mismatch; returns how many there were.
 */
export function checkTfjsAutograd(
  tf: TF,
  s: Subject,
  inputs: Record<string, Tensor>,
  label: string,
  options: { nanAtSingular?: boolean } = {},
): number {
  const what = `${s.what} (${label})`;
  const ref = referenceRun(s, inputs);
  if ("error" in ref)
    throw new Error(`${what}: the reference fails (${ref.error.code}: ${ref.error.message}); pick other inputs`);
  const live = tf.memory().numTensors;
  const got = tfjsAutogradGradients(tf, s.program, inputs);
  expect(tf.memory().numTensors, `${what}: tfjs leaves no tensors behind`).toBe(live);
  const bad: string[] = [];
  let nans = 0;
  for (const name of gradNames(s.gradProgram)) {
    let g = got[name];
    const want = ref.results[name]!;
    if (options.nanAtSingular && g !== undefined) {
      const t = transpose(g, want.dims);
      const data = t.data.map((v, i) => (Number.isNaN(v) && Number.isFinite(want.data[i]!) ? (nans++, want.data[i]!) : v));
      g = { ...t, data };
    }
    bad.push(...mismatches(g, want, `tfjs autograd ${name}`));
  }
  expectNoMismatch(bad, what);
  return nans;
}

const H = 1e-6;

/** `program` with each detach node replaced by an input holding its value at `inputs` (as numGradFrozenDetach). */
function frozenAt(program: IRProgram, inputs: Record<string, Tensor>): { program: IRProgram; inputs: Record<string, Tensor> } {
  const detached = program.nodes.filter((n) => n.op.op === "detach");
  if (detached.length === 0) return { program, inputs };
  const base = evaluate(program, inputs);
  return {
    program: {
      ...program,
      nodes: program.nodes.map((n) => (n.op.op === "detach" ? { ...n, args: [], op: { op: "input", name: `__sg${n.id}` } } : n)),
      inputs: [...program.inputs, ...detached.map((n) => ({ name: `__sg${n.id}`, node: n.id, type: n.type }))],
    },
    inputs: { ...inputs, ...Object.fromEntries(detached.map((n) => [`__sg${n.id}`, base.values[n.id]!])) },
  };
}

function lossAt(program: IRProgram, inputs: Record<string, Tensor>, node: number): number {
  let s = 0;
  for (const v of evaluate(program, inputs).values[node]!.data) s += v;
  return s;
}

/**
 * Symbolic gradients (the reference's evaluation of the gradient program) against central differences of the
 * reference evaluator with every detach held (numGradFrozenDetach), entry by entry: |a − c| <= 1e-5·max(|a|, |c|)
 * + 1e-7·max(1, |L|). An entry that disagrees must sit at a kink: one-sided differences that disagree, or central
 * differences at h and h/10 that disagree (a non-smooth point or a selection that flips); at most `maxKinkShare`
 * of the entries may. Returns the number of entries compared and of kinks.
 */
export function checkFiniteDifferences(
  s: Subject,
  inputs: Record<string, Tensor>,
  label: string,
  maxKinkShare = 0.5,
): { compared: number; kinks: number } {
  const what = `${s.what} (${label})`;
  const ref = referenceRun(s, inputs);
  if ("error" in ref)
    throw new Error(`${what}: the reference fails (${ref.error.code}: ${ref.error.message}); pick other inputs`);
  const frozen = frozenAt(s.program, inputs);
  let compared = 0;
  let kinks = 0;
  const bad: string[] = [];
  for (const r of s.gradProgram.results.filter((x) => x.kind === "grad")) {
    const lossNode = resultNode(s.program, r.of!);
    const L = lossAt(s.program, inputs, lossNode);
    const central = numGradFrozenDetach(s.program, inputs, r.of!, r.wrt!);
    const analytic = transpose(ref.results[r.name]!, central.dims);
    const base = transpose(inputs[r.wrt!]!, central.dims);
    const atol = 1e-7 * Math.max(1, Math.abs(L));
    let entryKinks = 0;
    for (let i = 0; i < central.data.length; i++) {
      const a = analytic.data[i]!;
      const c = central.data[i]!;
      if (Number.isFinite(a) && Number.isFinite(c) && Math.abs(a - c) <= 1e-5 * Math.max(Math.abs(a), Math.abs(c)) + atol) {
        compared++;
        continue;
      }
      // a kink? one-sided differences, and central differences on a finer step
      const at = (h: number): number => {
        const t = { ...base, data: Float64Array.from(base.data) };
        t.data[i]! += h;
        return lossAt(frozen.program, { ...frozen.inputs, [r.wrt!]: t }, lossNode);
      };
      const f0 = lossAt(frozen.program, frozen.inputs, lossNode);
      const fwd = (at(H) - f0) / H;
      const bwd = (f0 - at(-H)) / H;
      const fine = (at(H / 10) - at(-H / 10)) / (H / 5);
      const scale = Math.max(1, Math.abs(c));
      if (!Number.isFinite(c) || Math.abs(fwd - bwd) > 1e-4 * scale || Math.abs(c - fine) > 1e-5 * scale) {
        entryKinks++;
        continue;
      }
      bad.push(`${r.name}[${position(central, i)}]: symbolic ${a}, central difference ${c}`);
    }
    kinks += entryKinks;
    expect(entryKinks, `${what}: ${r.name}: ${entryKinks} of ${central.data.length} entries sit at kinks`).toBeLessThanOrEqual(
      Math.ceil(maxKinkShare * central.data.length),
    );
  }
  expectNoMismatch(bad, `${what}: symbolic gradient vs central differences`);
  return { compared, kinks };
}
