// The gradient rule of every elementwise primitive, checked against the reference reverse mode and central
// differences on seeded random inputs (broadcasting included: operands with fewer dims than the result).
import { describe, expect, it } from "vitest";
import type { BinaryOpName, UnaryOpName } from "../../compiler/ir/ir.ts";
import { Case } from "./case.ts";

describe("unary ops", () => {
  const smooth: [UnaryOpName, number, number][] = [
    ["neg", -2, 2],
    ["exp", -2, 2],
    ["log", 0.2, 3],
    ["log1p", -0.5, 2],
    ["expm1", -2, 2],
    ["sqrt", 0.1, 3],
    ["abs", -2, 2],
    ["tanh", -2, 2],
    ["sigmoid", -3, 3],
    ["softplus", -3, 3],
    ["sin", -3, 3],
    ["cos", -3, 3],
    ["lgamma", 0.05, 9],
  ];
  for (const [fn, lo, hi] of smooth) {
    it(`${fn}`, () => {
      const c = new Case({ B: 2, T: 5 });
      const x = c.x("x", ["B", "T"], lo, hi);
      c.loss(c.b.unary(fn, x));
      c.check(fn);
    });
  }

  it("lgamma on negative non-integers (the reflection branch of digamma)", () => {
    const c = new Case({ T: 6 });
    const x = c.input("x", "f32", ["T"], { mark: "policy", values: [-0.3, -1.7, -2.5, -3.2, 0.49, 0.51] });
    c.loss(c.b.unary("lgamma", x));
    c.check("lgamma reflection");
  });

  it("sign, floor, ceil, round pass no gradient", () => {
    const c = new Case({ T: 4 });
    const x = c.x("x", ["T"], -2, 2);
    const y = c.x("y", ["T"]);
    c.loss(...(["sign", "floor", "ceil", "round"] as UnaryOpName[]).map((fn) => c.b.mul(c.b.unary(fn, x), y)));
    const { grads } = c.check("piecewise constant", { skipNumeric: ["x"] });
    expect(Array.from(grads["dL/dx"]!.data)).toEqual([0, 0, 0, 0]);
  });
});

describe("binary ops", () => {
  const cases: [BinaryOpName, number, number][] = [
    ["add", -1, 1],
    ["sub", -1, 1],
    ["mul", -1, 1],
    ["div", 0.5, 2],
    ["mod", 0.3, 3],
    ["pow", 0.3, 2],
    ["maximum", -1, 1],
    ["minimum", -1, 1],
  ];
  for (const [fn, lo, hi] of cases) {
    it(`${fn}, with a broadcast operand`, () => {
      const c = new Case({ B: 3, T: 4 });
      const a = c.x("a", ["B", "T"], lo, hi);
      const b = c.input("b", "f32", ["T"], { mark: "critic", lo, hi });
      c.loss(c.b.binary(fn, a, b), c.b.binary(fn, b, a));
      c.check(fn);
    });
  }

  it("mul of a value with itself, pow with a const exponent and a const base", () => {
    const c = new Case({ T: 5 });
    const x = c.x("x", ["T"], 0.2, 2);
    c.loss(
      c.b.mul(x, x),
      c.b.binary("pow", x, c.b.const(3)),
      c.b.binary("pow", c.b.const(1.7), x),
      c.b.binary("pow", x, c.b.const(0)),
    );
    c.check("squares and powers");
  });

  it("comparisons, logic and idiv pass no gradient", () => {
    const c = new Case({ T: 4 });
    const x = c.x("x", ["T"]);
    const y = c.x("y", ["T"]);
    const gt = c.b.cast("f32", c.b.binary("gt", x, y));
    c.loss(c.b.mul(gt, c.b.const(2)), c.b.add(x, y));
    const { grads } = c.check("comparisons");
    expect(Array.from(grads["dL/dx"]!.data)).toEqual(Array.from(c.data["w1"]!.data));
  });
});

describe("selects and guards", () => {
  it("where with a broadcast condition and branches of different dims", () => {
    const c = new Case({ B: 3, T: 4 });
    const a = c.x("a", ["B", "T"]);
    const b = c.x("b", ["B"]);
    const m = c.mask("m", ["T"], 0.5, [1, 0, 1, 0]);
    c.loss(c.b.where(m, a, b), c.b.where(m, b, c.b.const(0)));
    c.check("where");
  });

  it("clamp with marked bounds", () => {
    const c = new Case({ B: 2, T: 6 });
    const x = c.x("x", ["B", "T"], -2, 2);
    const lo = c.input("lo", "f32", ["B"], { mark: "policy", values: [-0.6, -1.1] });
    const hi = c.input("hi", "f32", [], { mark: "policy", values: [0.7] });
    c.loss(c.b.clamp(x, lo, hi));
    c.check("clamp");
  });

  it("safe_div with a marked fill, including rows where ok is false and b is 0", () => {
    const c = new Case({ B: 2, T: 4 });
    const a = c.x("a", ["B", "T"]);
    const den = c.input("den", "f32", ["T"], { mark: "critic", values: [0, 1.5, 0.7, -2] });
    const fill = c.x("fill", ["B"]);
    const ok = c.b.binary("ne", den, c.b.const(0));
    c.loss(c.b.safeDiv(a, den, ok, fill));
    // den = 0 is a discontinuity of the value (ok flips): central differences there are meaningless
    const { grads } = c.check("safe_div", { skipNumeric: ["den"] });
    for (const g of Object.values(grads)) expect(Array.from(g.data).every(Number.isFinite)).toBe(true);
  });

  it("detach and casts to bool/i32 stop the gradient; a cast of f32 to f32 passes it", () => {
    const c = new Case({ T: 3 });
    const x = c.x("x", ["T"], 0.5, 2);
    c.loss(c.b.mul(c.b.detach(x), x), c.b.cast("f32", c.b.cast("i32", x)), c.b.cast("f32", x));
    c.check("detach", { numeric: false });
  });
});
