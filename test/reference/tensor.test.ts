import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { broadcastIndex, broadcastTo, stridesOf, sumInto, tensor, transpose, Walker } from "../../runtime/library/tensor.ts";

describe("tensor helpers", () => {
  it("row-major strides", () => {
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(stridesOf([])).toEqual([]);
  });

  it("broadcasts by name, not by position", () => {
    // out [P=2, T=3]; input [T] and input [P]
    const xt = tensor("f32", ["T"], [3], [10, 20, 30]);
    const xp = tensor("f32", ["P"], [2], [1, 2]);
    expect(Array.from(broadcastIndex(["P", "T"], [2, 3], xt))).toEqual([0, 1, 2, 0, 1, 2]);
    expect(Array.from(broadcastIndex(["P", "T"], [2, 3], xp))).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(broadcastTo(xt, ["P", "T"], [2, 3]).data)).toEqual([10, 20, 30, 10, 20, 30]);
  });

  it("transposes by name", () => {
    const x = tensor("f32", ["T", "P"], [3, 2], [1, 2, 3, 4, 5, 6]);
    const y = transpose(x, ["P", "T"]);
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.data)).toEqual([1, 3, 5, 2, 4, 6]);
  });

  it("sumInto is the adjoint of broadcasting", () => {
    const acc = new Float64Array(2);
    sumInto(acc, ["P"], [2], Float64Array.from([1, 2, 3, 4, 5, 6]), ["P", "T"], [2, 3]);
    expect(Array.from(acc)).toEqual([6, 15]);
  });

  it("walker offsets match an explicit computation (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        (shape, keep) => {
          const dims = shape.map((_, i) => `D${i}`);
          const inDims = dims.filter((_, i) => keep[i]).reverse(); // a subset, in another order
          const inShape = inDims.map((d) => shape[dims.indexOf(d)]!);
          const n = shape.reduce((a, b) => a * b, 1);
          const map = broadcastIndex(dims, shape, { dims: inDims, shape: inShape });
          const inStr = stridesOf(inShape);
          for (let i = 0; i < n; i++) {
            let rem = i;
            let expected = 0;
            for (let ax = shape.length - 1; ax >= 0; ax--) {
              const k = rem % shape[ax]!;
              rem = Math.floor(rem / shape[ax]!);
              const j = inDims.indexOf(dims[ax]!);
              if (j >= 0) expected += k * inStr[j]!;
            }
            expect(map[i]).toBe(expected);
          }
        },
      ),
    );
  });

  it("walker handles scalars", () => {
    const w = new Walker([], [[]]);
    expect(w.off[0]).toBe(0);
    w.next();
    expect(w.off[0]).toBe(0);
  });
});
