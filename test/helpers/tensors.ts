// Small conveniences for tests over reference-evaluator tensors.
import { expect } from "vitest";
import type { DType } from "../../compiler/ir.ts";
import { tensor, type Tensor } from "../../runtime/tensor.ts";

export function f32(dims: string[], shape: number[], data: number[]): Tensor {
  return tensor("f32", dims, shape, data);
}
export function bool(dims: string[], shape: number[], data: number[]): Tensor {
  return tensor("bool", dims, shape, data);
}
export function ints(dtype: DType, dims: string[], shape: number[], data: number[]): Tensor {
  return tensor(dtype, dims, shape, data);
}
export function vals(t: Tensor | undefined): number[] {
  if (t === undefined) throw new Error("no tensor");
  return Array.from(t.data);
}
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e)) expect(a).toBeNaN();
    else if (!Number.isFinite(e)) expect(a).toBe(e);
    else expect(Math.abs(a - e), `index ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  }
}
