// Helpers for the fusion tests: seeded inputs (the kit's edge profile: all-masked rows, length-1 rows,
// zero-variance groups), and comparison of fused float32 kernels with the float64 reference evaluator.
import { expect } from "vitest";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { compileKernels, type KernelOptions, type KernelResult } from "../../runtime/backends/js/index.ts";
import { EvalError, evaluate } from "../../runtime/backends/reference/index.ts";
import { gradients } from "../oracle/reverse_mode.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";

export interface Expected {
  results: Record<string, Tensor>;
  error?: string;
}

/** The reference evaluator's results, plus `dL/dx` for every loss and differentiable input when `grad`. */
export function reference(program: IRProgram, inputs: Record<string, Tensor>, grad: boolean): Expected {
  let ev;
  try {
    ev = evaluate(program, inputs);
  } catch (e) {
    if (e instanceof EvalError) return { results: {}, error: e.code };
    throw e;
  }
  const results: Record<string, Tensor> = { ...ev.results };
  if (grad) {
    for (const loss of program.results.filter((x) => x.kind === "loss")) {
      const g = gradients(program, ev, loss.node);
      for (const [x, t] of Object.entries(g)) results[`d${loss.name}/d${x}`] = t;
    }
  }
  return { results };
}

/** |a - e| <= abs + rel·|e|; NaN matches NaN, infinities must be equal. */
export function expectClose(actual: Tensor, expected: Tensor, what: string, rel = 1e-4, abs = 1e-5): void {
  expect(actual.dims, `${what}: dims`).toEqual(expected.dims);
  expect(actual.data.length, `${what}: length`).toBe(expected.data.length);
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    if (Number.isNaN(e)) expect(a, `${what}[${i}]`).toBeNaN();
    else if (!Number.isFinite(e)) expect(a, `${what}[${i}]`).toBe(e);
    else expect(Math.abs(a - e), `${what}[${i}]: fused ${a} vs reference ${e}`).toBeLessThanOrEqual(abs + rel * Math.abs(e));
  }
}

/** Runs the fused kernels (with gradients when `grad`) and compares every result with the reference. */
export async function checkFused(
  program: IRProgram,
  inputs: Record<string, Tensor>,
  opts: { grad?: boolean; kernel?: KernelOptions; what?: string } = {},
): Promise<KernelResult | undefined> {
  const grad = opts.grad ?? program.results.some((r) => r.kind === "loss");
  const want = reference(program, inputs, grad);
  const ck = compileKernels(program, { threads: 1, ...opts.kernel });
  try {
    const run = grad ? ck.evaluateWithGrad(inputs) : ck.evaluate(inputs);
    if (want.error !== undefined) {
      await expect(run, `${opts.what ?? program.pipeline}: the reference fails with ${want.error}`).rejects.toMatchObject({
        code: want.error,
      });
      return undefined;
    }
    const got = await run;
    for (const [name, t] of Object.entries(want.results)) {
      const a = got.results[name];
      expect(a, `${opts.what ?? program.pipeline}: result ${name} missing`).toBeDefined();
      expectClose(a!, t, `${opts.what ?? program.pipeline}: ${name}`);
    }
    return got;
  } finally {
    await ck.close();
  }
}
