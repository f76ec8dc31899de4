// The element-wise comparison behind `rlp test`: tolerances, NaN/infinities, dims matched by name, the diff text.
import { describe, expect, it } from "vitest";
import { compareOutputs, formatComparison, formatError, formatIndex } from "../../runtime/tools/golden/index.ts";
import { tensor } from "../../runtime/library/tensor.ts";

const tol = { rtol: 1e-6, atol: 1e-9 };

describe("compareOutputs", () => {
  it("accepts values within atol + rtol * |expected|, rejects others", () => {
    const e = { x: tensor("f32", ["B"], [3], [1, 0, -2]) };
    expect(compareOutputs(e, { x: tensor("f32", ["B"], [3], [1 + 5e-7, 5e-10, -2]) }, tol).ok).toBe(true);
    const c = compareOutputs(e, { x: tensor("f32", ["B"], [3], [1 + 5e-6, 0, -2]) }, tol);
    expect(c.ok).toBe(false);
    const p = c.problems[0]!;
    expect(p.kind).toBe("values");
    if (p.kind === "values") {
      expect(p.count).toBe(1);
      expect(p.first[0]!.index).toEqual([0]);
      expect(p.first[0]!.abs).toBeCloseTo(5e-6, 12);
    }
  });

  it("NaN matches NaN; infinities match only themselves", () => {
    const e = { x: tensor("f32", ["B"], [2], [NaN, Infinity]) };
    expect(compareOutputs(e, { x: tensor("f32", ["B"], [2], [NaN, Infinity]) }, tol).ok).toBe(true);
    expect(compareOutputs(e, { x: tensor("f32", ["B"], [2], [0, Infinity]) }, tol).ok).toBe(false);
    expect(compareOutputs(e, { x: tensor("f32", ["B"], [2], [NaN, 1e308]) }, tol).ok).toBe(false);
  });

  it("matches dims by name: an actual tensor in another dim order compares equal", () => {
    const e = { x: tensor("f32", ["P", "T"], [2, 3], [1, 2, 3, 4, 5, 6]) };
    const a = { x: tensor("f32", ["T", "P"], [3, 2], [1, 4, 2, 5, 3, 6]) };
    expect(compareOutputs(e, a, tol).ok).toBe(true);
    const wrong = { x: tensor("f32", ["T", "P"], [3, 2], [1, 4, 2, 5, 3, 7]) };
    const c = compareOutputs(e, wrong, tol);
    expect(c.problems[0]!.kind === "values" && c.problems[0]!.first[0]!.index).toEqual([1, 2]);
  });

  it("reports different dims and sizes", () => {
    const e = { x: tensor("f32", ["P"], [2], [1, 2]) };
    expect(compareOutputs(e, { x: tensor("f32", ["T"], [2], [1, 2]) }, tol).problems[0]).toEqual({
      kind: "dims",
      name: "x",
      expected: ["P"],
      actual: ["T"],
    });
    expect(compareOutputs(e, { x: tensor("f32", ["P"], [3], [1, 2, 3]) }, tol).problems[0]).toEqual({
      kind: "shape",
      name: "x",
      dim: "P",
      expected: 2,
      actual: 3,
    });
  });

  it("formats a diff table with the index by dim name", () => {
    const e = { y: tensor("f32", ["P", "G"], [1, 2], [0.5, 0]) };
    const a = { y: tensor("f32", ["P", "G"], [1, 2], [0.5, 1e-3]) };
    const text = formatComparison(compareOutputs(e, a, tol), tol).join("\n");
    expect(text).toContain(
      "y: values differ at 1 of 2 elements (rtol 0.000001, atol 1e-9; largest abs error 0.001, rel inf)".replace(
        "0.000001",
        String(1e-6),
      ),
    );
    expect(text).toMatch(/y\[P=0, G=1\]\s+0\s+0\.001\s+0\.001\s+inf/);
    expect(formatIndex([], [])).toBe("[]");
    expect(formatError(1.234567e-7)).toBe("1.23e-7");
    expect(formatError(0.5)).toBe("0.5");
  });
});
