// Helpers for the fusion tests: seeded inputs with the edge cases that matter (all-masked rows, length-1 rows,
// zero-variance groups), and comparison of fused float32 kernels with the float64 reference evaluator.
import { expect } from "vitest";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { compileKernels, type KernelOptions, type KernelResult } from "../../runtime/backends/js/index.ts";
import { EvalError, evaluate } from "../../runtime/backends/reference/index.ts";
import { gradients } from "../oracle/reverse_mode.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";

/** Deterministic generator (LCG), values in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 8) / 2 ** 24;
  };
}

const DEFAULT_SIZES: Record<string, number> = { P: 3, G: 4, T: 5, B: 3, V: 6 };

/** Sizes of every dim: static sizes as declared, aliases as their target, others from `sizes` (default 3). */
export function dimSizes(program: IRProgram, sizes: Record<string, number> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of program.dims) {
    const s = d.size ?? d.labels?.length;
    out[d.name] = s ?? sizes[d.name] ?? (d.aliasOf ? out[d.aliasOf] : undefined) ?? DEFAULT_SIZES[d.name] ?? 3;
  }
  return out;
}

/**
 * Seeded inputs for every input of a program. f32: values in [-1.5, 1.5) rounded to f32, with the first slice along
 * the last dim constant (a zero-variance group); bool: per-row prefix masks along the last dim where row r has
 * length 0 (r % 4 == 0), 1 (r % 4 == 1), full (r % 4 == 2) or random; i32<D>: positions in [-1, |D|]; i32/id: 0..3.
 */
export function randomInputs(program: IRProgram, seed: number, sizes: Record<string, number> = {}): Record<string, Tensor> {
  const r = rng(seed);
  const n = dimSizes(program, sizes);
  const out: Record<string, Tensor> = {};
  for (const inp of program.inputs) {
    const dims = inp.type.dims;
    const shape = dims.map((d) => n[d]!);
    const len = shape.reduce((a, b) => a * b, 1);
    const last = shape.length > 0 ? shape[shape.length - 1]! : 1;
    const data = new Float64Array(len);
    for (let i = 0; i < len; i++) {
      const row = Math.floor(i / last);
      const t = i % last;
      switch (inp.type.dtype) {
        case "f32":
          data[i] = Math.fround(row === 0 && dims.length > 0 ? 0.25 : r() * 3 - 1.5);
          break;
        case "bool": {
          const k = row % 4 === 0 ? 0 : row % 4 === 1 ? 1 : row % 4 === 2 ? last : 1 + Math.floor(r() * last);
          data[i] = t < k ? 1 : 0;
          break;
        }
        case "i32": {
          const of = inp.type.indexOf;
          data[i] = of !== undefined ? Math.floor(r() * (n[of]! + 2)) - 1 : Math.floor(r() * 4);
          break;
        }
        case "id":
          data[i] = Math.floor(r() * 3);
          break;
      }
    }
    out[inp.name] = { dtype: inp.type.dtype, dims: [...dims], shape, data };
  }
  return out;
}

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
export async function checkFused(program: IRProgram, inputs: Record<string, Tensor>, opts: { grad?: boolean; kernel?: KernelOptions; what?: string } = {}): Promise<KernelResult | undefined> {
  const grad = opts.grad ?? program.results.some((r) => r.kind === "loss");
  const want = reference(program, inputs, grad);
  const ck = compileKernels(program, { threads: 1, ...opts.kernel });
  try {
    const run = grad ? ck.evaluateWithGrad(inputs) : ck.evaluate(inputs);
    if (want.error !== undefined) {
      await expect(run, `${opts.what ?? program.pipeline}: the reference fails with ${want.error}`).rejects.toMatchObject({ code: want.error });
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
