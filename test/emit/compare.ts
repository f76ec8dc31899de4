// Tolerant comparisons of emitted-module results with the float64 reference (float32 kernels: relative 1e-4,
// absolute 1e-5, as the three-way agreement tests).
import { expect } from "vitest";
import type { StateValue } from "../../runtime/backends/reference/index.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";

/** f32 agreement: |a - b| <= abs + rel * |b| elementwise. */
export function expectClose(actual: number | Tensor | undefined, expected: Tensor, what: string, rel = 1e-4, abs = 1e-5): void {
  expect(actual, `${what}: missing`).toBeDefined();
  const data = typeof actual === "number" ? [actual] : Array.from(actual!.data);
  if (typeof actual !== "number") {
    expect(actual!.dims, `${what}: dims`).toEqual(expected.dims);
    expect(actual!.shape, `${what}: shape`).toEqual(expected.shape);
  } else expect(expected.dims, `${what}: a scalar`).toEqual([]);
  expect(data.length, `${what}: size`).toBe(expected.data.length);
  data.forEach((x, i) => {
    const want = expected.data[i]!;
    const ok = Object.is(x, want) || Math.abs(x - want) <= abs + rel * Math.abs(want);
    expect(ok, `${what}[${i}]: ${x} vs ${want}`).toBe(true);
  });
}

/** A state's tables and scalars, compared within f32 tolerance. */
export function expectSameState(actual: Record<string, unknown>, expected: Record<string, StateValue>, what: string): void {
  for (const [name, want] of Object.entries(expected)) {
    const got = actual[name];
    if (want instanceof Map) {
      expect(got, `${what}: ${name} is a table`).toBeInstanceOf(Map);
      const table = got as Map<number, number>;
      expect([...table.keys()].sort(), `${what}: ${name} keys`).toEqual([...want.keys()].sort());
      for (const [k, v] of want)
        expect(Math.abs(table.get(k)! - v) <= 1e-5 + 1e-4 * Math.abs(v), `${what}: ${name}[${k}] = ${table.get(k)} vs ${v}`).toBe(
          true,
        );
    } else {
      expect(typeof got, `${what}: ${name} is a number`).toBe("number");
      expect(
        Math.abs((got as number) - want) <= 1e-5 + 1e-4 * Math.abs(want),
        `${what}: ${name} = ${String(got)} vs ${want}`,
      ).toBe(true);
    }
  }
}
