// Exact gradient conventions at kinks and masked positions (DESIGN 3b), and a broadcasting property.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { evaluate, numericGradient } from "../../runtime/backends/reference/index.ts";
import { gradients } from "../oracle/reverse_mode.ts";
import { broadcastIndex, scalar } from "../../runtime/library/tensor.ts";
import { IRBuilder, bool, expectClose, f32, rand, total, vals } from "../helpers/ir_builder.ts";

describe("gradient conventions (exact)", () => {
  function grad1(build: (b: IRBuilder, x: number) => number, x: number[]): number[] {
    const b = new IRBuilder(["T"]);
    const xi = b.input("x", "f32", ["T"], { mark: "policy" });
    const L = total(b, build(b, xi));
    const p = b.build();
    return vals(gradients(p, evaluate(p, { x: f32(["T"], [x.length], x) }), L)["x"]);
  }

  it("abs'(0) = 0, softplus'(0) = 1/2, sqrt'(0) = inf", () => {
    expect(grad1((b, x) => b.unary("abs", x), [0, 2, -3])).toEqual([0, 1, -1]);
    expect(grad1((b, x) => b.unary("softplus", x), [0])).toEqual([0.5]);
    expect(grad1((b, x) => b.unary("sqrt", x), [0])).toEqual([Infinity]);
  });

  it("maximum/minimum ties go to the first operand", () => {
    const b = new IRBuilder(["T"]);
    const x = b.input("x", "f32", ["T"], { mark: "policy" });
    const y = b.input("y", "f32", ["T"], { mark: "policy" });
    const L = total(b, b.add(b.binary("maximum", x, y), b.mul(b.const(10), b.binary("minimum", y, x))));
    const p = b.build();
    const g = gradients(p, evaluate(p, { x: f32(["T"], [3], [1, 2, 0]), y: f32(["T"], [3], [1, 1, 3]) }), L);
    expect(vals(g["x"])).toEqual([1, 1, 10]); // the tie at 0: maximum(x, y) gives it to x
    expect(vals(g["y"])).toEqual([10, 10, 1]); // ... and minimum(y, x) to y
  });

  it("clamp: 1 strictly inside, 0 at and beyond the bounds; the bound takes it there", () => {
    const b = new IRBuilder(["T"]);
    const x = b.input("x", "f32", ["T"], { mark: "policy" });
    const lo = b.input("lo", "f32", [], { mark: "policy" });
    const hi = b.input("hi", "f32", [], { mark: "policy" });
    const L = total(b, b.clamp(x, lo, hi));
    const p = b.build();
    const g = gradients(p, evaluate(p, { x: f32(["T"], [5], [-1, 1, 0.5, -3, 3]), lo: scalar(-1), hi: scalar(1) }), L);
    expect(vals(g["x"])).toEqual([0, 0, 1, 0, 0]);
    expect(vals(g["lo"])).toEqual([2]);
    expect(vals(g["hi"])).toEqual([2]);
  });

  it("where(n > 1, x/(n-1), 0) at n = 1: value and gradient 0, not NaN", () => {
    const b = new IRBuilder(["G"]);
    const x = b.input("x", "f32", ["G"], { mark: "policy" });
    const n = b.input("n", "f32", ["G"], { mark: "critic" });
    const q = b.where(b.binary("gt", n, b.const(1)), b.div(x, b.sub(n, b.const(1))), b.const(0));
    const L = total(b, q);
    const p = b.build();
    const ev = evaluate(p, { x: f32(["G"], [2], [3, 4]), n: f32(["G"], [2], [1, 3]) });
    expect(vals(ev.values[q])).toEqual([0, 2]);
    const g = gradients(p, ev, L);
    expect(vals(g["x"])).toEqual([0, 0.5]);
    expect(vals(g["n"])).toEqual([0, -1]);
  });

  it("var with ddof=1 via safe_div: a group of one gives 0 in value and gradient", () => {
    const b = new IRBuilder(["P", "G"]);
    const x = b.input("x", "f32", ["P", "G"], { mark: "policy" });
    const m = b.input("m", "bool", ["P", "G"]);
    const n = b.reduce("count", x, ["G"], { where: m });
    const dev = b.sub(x, b.reduce("mean", x, ["G"], { where: m }));
    const ss = b.reduce("sum", b.mul(dev, dev), ["G"], { where: m });
    const v = b.safeDiv(ss, b.sub(n, b.const(1)), b.binary("gt", n, b.const(1)), b.const(0));
    const sd = b.unary("sqrt", v); // sqrt'(0) = inf, but the cotangent reaching it is finite...
    const L = total(b, b.add(v, b.where(b.binary("gt", n, b.const(1)), sd, b.const(0))));
    const p = b.build();
    const inputs = { x: f32(["P", "G"], [2, 3], [1, 2, 4, 5, 7, 9]), m: bool(["P", "G"], [2, 3], [1, 1, 1, 0, 1, 0]) };
    const ev = evaluate(p, inputs);
    expectClose(vals(ev.values[v]), [7 / 3, 0]);
    const g = vals(gradients(p, ev, L)["x"]);
    for (const d of g) expect(Number.isNaN(d)).toBe(false);
    expect(g.slice(3)).toEqual([0, 0, 0]);
    const num = numericGradient(p, inputs, L, "x");
    for (let i = 0; i < 3; i++) expect(Math.abs(g[i]! - num.data[i]!)).toBeLessThan(1e-6);
  });

  it("masked positions get exactly 0 even when they hold inf/NaN", () => {
    const b = new IRBuilder(["T"]);
    const x = b.input("x", "f32", ["T"], { mark: "policy" });
    const m = b.input("m", "bool", ["T"]);
    const L = b.result("L", "loss", b.reduce("mean", b.unary("log", x), ["T"], { where: m }));
    const p = b.build();
    const ev = evaluate(p, { x: f32(["T"], [3], [1, 0, -1]), m: bool(["T"], [3], [1, 0, 0]) });
    expect(vals(ev.values[L])).toEqual([0]);
    expect(vals(gradients(p, ev, L)["x"])).toEqual([1, 0, 0]);
  });

  it("max reduction ties: the first selected arg takes the gradient", () => {
    expect(grad1((b, x) => b.reduce("max", x, ["T"]), [1, 3, 3, 2])).toEqual([0, 1, 0, 0]);
    expect(grad1((b, x) => b.scan("cummax", x, "T"), [1, 3, 3, 2])).toEqual([1, 3, 0, 0]);
  });

  it("pow: the exponent's gradient is 0 at a = 0; detach and unreached inputs give zeros", () => {
    const b = new IRBuilder(["T"]);
    const a = b.input("a", "f32", ["T"], { mark: "policy" });
    const e = b.input("e", "f32", ["T"], { mark: "policy" });
    const u = b.input("u", "f32", ["T"], { mark: "policy" });
    const L = total(b, b.add(b.binary("pow", a, e), b.detach(u)));
    const p = b.build();
    const g = gradients(
      p,
      evaluate(p, { a: f32(["T"], [2], [0, 2]), e: f32(["T"], [2], [2, 3]), u: f32(["T"], [2], [1, 1]) }),
      L,
    );
    expect(vals(g["a"])).toEqual([0, 12]);
    expect(g["e"]!.data[0]).toBe(0);
    expect(g["e"]!.data[1]).toBeCloseTo(8 * Math.log(2), 12);
    expect(vals(g["u"])).toEqual([0, 0]);
  });

  it("property: the gradient of sum(x*y) w.r.t. x is y summed over y's extra dims", () => {
    const dimNames = ["A", "B", "C"];
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
        fc.subarray(dimNames),
        fc.subarray(dimNames),
        fc.integer(),
        (sizes, xd, yd, seed) => {
          const b = new IRBuilder(dimNames);
          const x = b.input("x", "f32", xd, { mark: "policy" });
          const y = b.input("y", "f32", yd);
          const L = total(b, b.mul(x, y));
          const p = b.build();
          const shapeOf = (ds: string[]): number[] => b.canon(ds).map((d) => sizes[dimNames.indexOf(d)]!);
          const xs = shapeOf(xd);
          const ys = shapeOf(yd);
          const yT = f32(
            b.canon(yd),
            ys,
            rand(
              ys.reduce((a, c) => a * c, 1),
              seed,
            ),
          );
          const xT = f32(
            b.canon(xd),
            xs,
            rand(
              xs.reduce((a, c) => a * c, 1),
              seed + 1,
            ),
          );
          const g = gradients(p, evaluate(p, { x: xT, y: yT }), L)["x"]!;
          // expected: for every position of the union, add y there to x's position
          const ud = b.canon(xd, yd);
          const us = shapeOf(ud);
          const xi = broadcastIndex(ud, us, xT);
          const yi = broadcastIndex(ud, us, yT);
          const expected = new Float64Array(xT.data.length);
          for (let i = 0; i < xi.length; i++) expected[xi[i]!]! += yT.data[yi[i]!]!;
          for (let i = 0; i < expected.length; i++) expect(Math.abs(g.data[i]! - expected[i]!)).toBeLessThan(1e-12);
        },
      ),
      { numRuns: 60 },
    );
  });
});
