// The shared test kit itself: dim sizes, the seeded generator's edge cases and determinism, the reference runner,
// and expectDiagnostic (which must fail when the code is reported elsewhere or not at all).
import { describe, expect, it } from "vitest";
import {
  compileText,
  dimSizes,
  diagnosticsOf,
  errorsOf,
  expectDiagnostic,
  lcg,
  mulberry32,
  runReference,
  seededInputs,
  uniform,
} from "./index.ts";

const SRC = `pipeline k {
  dims P, T
  dims T2 = T
  dim Head = {a, b}
  input x: f32[P,T] @policy
  input m: bool[P,T]
  input idx: i32<T>[P]
  input key: id[P]
  input h: f32[Head]
  output s = sum(x, over=T, where=m)
  output g = take(x, idx, along=T, fill=-1.0)
  output y = x[T as T2]
  loss L = sum(s, over=P)
}`;

describe("test kit", () => {
  const program = compileText(SRC, "kit");

  it("dimSizes: labels, sizes, aliases, defaults, then 3", () => {
    expect(dimSizes(program, { P: 5 }, { T: 4 })).toMatchObject({ P: 5, T: 4, T2: 4, Head: 2 });
    expect(dimSizes(program)).toMatchObject({ P: 3, T: 3, T2: 3, Head: 2 });
  });

  it("seededInputs (edge): deterministic, masks with an all-masked and a length-1 row, indices in [-1, |T|]", () => {
    const a = seededInputs(program, { seed: 4, sizes: { P: 8, T: 5 } });
    expect(seededInputs(program, { seed: 4, sizes: { P: 8, T: 5 } })).toEqual(a);
    expect(seededInputs(program, { seed: 5, sizes: { P: 8, T: 5 } })).not.toEqual(a);
    const m = Array.from(a.m!.data);
    expect(m.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(m.slice(5, 10)).toEqual([1, 0, 0, 0, 0]);
    expect(m.slice(10, 15)).toEqual([1, 1, 1, 1, 1]);
    for (const v of a.idx!.data) expect(v >= -1 && v <= 5 && Number.isInteger(v)).toBe(true);
    expect(Array.from(a.x!.data.slice(0, 5))).toEqual([0.25, 0.25, 0.25, 0.25, 0.25]);
    expect(a.h!.shape).toEqual([2]);
  });

  it("seededInputs (realistic): f32 rounded to float32, indices in range, no mask empty when asked", () => {
    const r = seededInputs(program, { profile: "realistic", seed: 2, masks: "nonempty" });
    for (const v of r.x!.data) expect(Math.fround(v)).toBe(v);
    for (const v of r.idx!.data) expect(v >= 0 && v < 5).toBe(true);
    const T = r.m!.shape[1]!;
    for (let p = 0; p < r.m!.shape[0]!; p++) expect(r.m!.data.slice(p * T, p * T + T).some((v) => v === 1)).toBe(true);
  });

  it("random streams are the ones the tests were written against", () => {
    expect(uniform(3, 7)).toEqual(Array.from({ length: 3 }, lcg(7)).map((v) => -1 + 2 * v));
    const r = mulberry32(1);
    expect(r()).toBeCloseTo(0.6270739405881613, 15);
  });

  it("runReference compiles text and evaluates in float64", () => {
    const ev = runReference("pipeline r {\n  dims N\n  input x: f32[N]\n  output y = x * 3.0 + 0.1\n}", {
      x: { dtype: "f32", dims: ["N"], shape: [2], data: Float64Array.from([1, 2]) },
    });
    expect(Array.from(ev.results.y!.data)).toEqual([3.1, 6.1]);
  });

  it("expectDiagnostic finds the code at its line and column, and fails elsewhere", () => {
    const bad = "pipeline p {\n  dims P\n  input x: f32[P]\n  output y = nope(x)\n}\n";
    const d = expectDiagnostic(bad, errorsOf(diagnosticsOf(bad))[0]!.code, 4, 14);
    expect(d.severity).toBe("error");
    expect(() => expectDiagnostic(bad, d.code, 4, 15)).toThrow(/expected RLP\d+ at 4:15; reported:/);
    expect(() => expectDiagnostic("pipeline p {\n  dims P\n}\n", "RLP101", 1, 1)).toThrow(/reported/);
  });
});
