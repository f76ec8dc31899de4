import { describe, expect, it } from "vitest";
import { evaluate, EvalError } from "../../runtime/backends/reference/index.ts";
import { lgamma } from "../../compiler/ir/scalar.ts";
import { scalar } from "../../runtime/library/tensor.ts";
import { IRBuilder, bool, expectClose, f32, ints, vals } from "../helpers/ir_builder.ts";

describe("dims and broadcasting", () => {
  it("broadcasts by name and orders results canonically", () => {
    const b = new IRBuilder(["P", "G", "T"]);
    const a = b.input("a", "f32", ["T"]);
    const r = b.input("r", "f32", ["P"]);
    const s = b.add(a, r);
    const ev = evaluate(b.build(), { a: f32(["T"], [3], [1, 2, 3]), r: f32(["P"], [2], [10, 20]) });
    expect(ev.values[s]!.dims).toEqual(["P", "T"]);
    expect(ev.values[s]!.shape).toEqual([2, 3]);
    expect(vals(ev.values[s])).toEqual([11, 12, 13, 21, 22, 23]);
    expect(ev.dimSizes).toEqual({ P: 2, T: 3 });
  });

  it("transposes inputs supplied in another dim order", () => {
    const b = new IRBuilder(["P", "T"]);
    const x = b.input("x", "f32", ["P", "T"]);
    const y = b.input("y", "f32", ["T"]);
    const z = b.mul(x, y);
    const ev = evaluate(b.build(), { x: f32(["T", "P"], [3, 2], [1, 4, 2, 5, 3, 6]), y: f32(["T"], [3], [1, 10, 100]) });
    expect(ev.values[x]!.dims).toEqual(["P", "T"]);
    expect(vals(ev.values[x])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(vals(ev.values[z])).toEqual([1, 20, 300, 4, 50, 600]);
  });

  it("reports a dim-size conflict naming both inputs and the dim", () => {
    const b = new IRBuilder(["B", "T"]);
    b.input("logp", "f32", ["B", "T"]);
    b.input("mask", "bool", ["B", "T"]);
    const p = b.build();
    const run = (): unknown =>
      evaluate(p, { logp: f32(["B", "T"], [1, 3], [0, 0, 0]), mask: bool(["B", "T"], [1, 4], [1, 1, 1, 1]) });
    expect(run).toThrow(EvalError);
    try {
      run();
    } catch (e) {
      const err = e as EvalError;
      expect(err.code).toBe("dim-conflict");
      expect(err.message).toContain("logp");
      expect(err.message).toContain("mask");
      expect(err.message).toContain("T=4");
      expect(err.message).toContain("T=3");
    }
  });

  it("checks static sizes and aliases", () => {
    const b = new IRBuilder([{ name: "Y", labels: ["w", "l"] }, "G", { name: "G2", aliasOf: "G" }]);
    const x = b.input("x", "f32", ["Y", "G"]);
    const y = b.input("y", "f32", ["G2"]);
    const s = b.add(x, y);
    const p = b.build();
    const ev = evaluate(p, { x: f32(["Y", "G"], [2, 2], [1, 2, 3, 4]), y: f32(["G2"], [2], [10, 20]) });
    expect(ev.dimSizes).toEqual({ Y: 2, G: 2, G2: 2 });
    expect(vals(ev.values[s])).toEqual([11, 21, 12, 22, 13, 23, 14, 24]);
    const bad = (): unknown => evaluate(p, { x: f32(["Y", "G"], [2, 2], [1, 2, 3, 4]), y: f32(["G2"], [3], [1, 2, 3]) });
    expect(bad).toThrow(/G2, an alias of G/);
    const badY = (): unknown => evaluate(p, { x: f32(["Y", "G"], [3, 2], [1, 2, 3, 4, 5, 6]), y: f32(["G2"], [2], [1, 2]) });
    expect(badY).toThrow(/declaration of Y/);
  });

  it("missing inputs: error without default, default broadcast with one", () => {
    const b = new IRBuilder(["T"]);
    const x = b.input("x", "f32", ["T"]);
    const w = b.input("w", "f32", ["T"], { default: 2 });
    const z = b.mul(x, w);
    const p = b.build();
    expect(vals(evaluate(p, { x: f32(["T"], [2], [1, 3]) }).values[z])).toEqual([2, 6]);
    expect(() => evaluate(p, {})).toThrow(expect.objectContaining({ code: "missing-input" }));
  });

  it("rejects inputs with the wrong dims", () => {
    const b = new IRBuilder(["B", "T"]);
    b.input("x", "f32", ["B", "T"]);
    expect(() => evaluate(b.build(), { x: f32(["T"], [2], [1, 2]) })).toThrow(expect.objectContaining({ code: "input-dims" }));
  });
});

describe("elementwise semantics", () => {
  function bin(fn: Parameters<IRBuilder["binary"]>[0], a: number[], c: number[]): number[] {
    const dtype = fn === "idiv" ? "i32" : fn === "and" || fn === "or" ? "bool" : "f32";
    const b = new IRBuilder(["T"]);
    const x = b.input("a", dtype, ["T"]);
    const y = b.input("b", dtype, ["T"]);
    const z = b.binary(fn, x, y);
    return vals(evaluate(b.build(), { a: ints(dtype, ["T"], [a.length], a), b: ints(dtype, ["T"], [c.length], c) }).values[z]);
  }
  function un(fn: Parameters<IRBuilder["unary"]>[0], a: number[]): number[] {
    const b = new IRBuilder(["T"]);
    const x = b.input("a", "f32", ["T"]);
    const z = b.unary(fn, x);
    return vals(evaluate(b.build(), { a: f32(["T"], [a.length], a) }).values[z]);
  }

  it("idiv rounds down, mod has the sign of the divisor (so idiv*b + mod == a), div follows IEEE", () => {
    expect(bin("idiv", [7, -7, 7, -7], [2, 2, -2, -2])).toEqual([3, -4, -4, 3]);
    expect(bin("mod", [7, -7, 7, -7], [3, 3, -3, -3])).toEqual([1, 2, -2, -1]);
    const d = bin("div", [1, -1, 0], [0, 0, 0]);
    expect(d[0]).toBe(Infinity);
    expect(d[1]).toBe(-Infinity);
    expect(d[2]).toBeNaN();
    expect(bin("maximum", [1, 5], [2, 3])).toEqual([2, 5]);
    expect(bin("le", [1, 2, 3], [2, 2, 2])).toEqual([1, 1, 0]);
    expect(bin("and", [1, 0, 1], [1, 1, 0])).toEqual([1, 0, 0]);
  });

  it("round is half to even; sign(0) = 0; softplus is stable", () => {
    expect(un("round", [0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6])).toEqual([0, 2, 2, -0, -2, 2, 3]);
    expect(un("sign", [-3, 0, 2])).toEqual([-1, 0, 1]);
    expectClose(un("softplus", [1000, -1000, 0]), [1000, 0, Math.log(2)]);
    expectClose(un("sigmoid", [-1000, 0, 1000]), [0, 0.5, 1]);
  });

  it("lgamma by Lanczos", () => {
    expectClose(
      [lgamma(1), lgamma(2), lgamma(5), lgamma(0.5), lgamma(10.3)],
      [0, 0, Math.log(24), 0.5 * Math.log(Math.PI), 13.48203678613836],
      1e-12,
    );
    expectClose([lgamma(-2.7), lgamma(1e-8), lgamma(150.5)], [-0.07140708531564521, 18.42068073818021, 602.5139548705855], 1e-11);
    expectClose([lgamma(-0.5)], [Math.log(2 * Math.sqrt(Math.PI))], 1e-12);
    expect(lgamma(0)).toBe(Infinity);
    expect(lgamma(-2)).toBe(Infinity);
  });

  it("casts: i32 truncates, bool is x != 0", () => {
    const b = new IRBuilder(["T"]);
    const x = b.input("x", "f32", ["T"]);
    const i = b.cast("i32", x);
    const o = b.cast("bool", x);
    const ev = evaluate(b.build(), { x: f32(["T"], [4], [1.7, -1.7, 0, 0.2]) });
    expect(vals(ev.values[i])).toEqual([1, -1, 0, 0]);
    expect(vals(ev.values[o])).toEqual([1, 1, 0, 1]);
  });

  it("where and safe_div are true selects (no NaN from the unselected side)", () => {
    const b = new IRBuilder(["T"]);
    const a = b.input("a", "f32", ["T"]);
    const d = b.input("d", "f32", ["T"]);
    const ok = b.binary("ne", d, b.const(0));
    const q = b.where(ok, b.div(a, d), b.const(0));
    const s = b.safeDiv(a, d, ok, b.const(-1));
    const ev = evaluate(b.build(), { a: f32(["T"], [3], [0, 1, 4]), d: f32(["T"], [3], [0, 0, 2]) });
    expect(vals(ev.values[q])).toEqual([0, 0, 2]);
    expect(vals(ev.values[s])).toEqual([-1, -1, 2]);
  });

  it("clamp = min(max(x, lo), hi); index and size", () => {
    const b = new IRBuilder(["B", "T"]);
    const x = b.input("x", "f32", ["T"]);
    const c = b.clamp(x, b.const(-1), b.const(1));
    const ix = b.index("T");
    const sz = b.size("T");
    const ev = evaluate(b.build(), { x: f32(["T"], [3], [-5, 0.5, 5]) }, {});
    expect(vals(ev.values[c])).toEqual([-1, 0.5, 1]);
    expect(vals(ev.values[ix])).toEqual([0, 1, 2]);
    expect(vals(ev.values[sz])).toEqual([3]);
    // a dim no input binds is an error when a value needs it
    b.node({ op: "index", dim: "B" }, [], "i32", ["B"]);
    expect(() => evaluate(b.build(), { x: f32(["T"], [3], [0, 0, 0]) })).toThrow(
      expect.objectContaining({ code: "unbound-dim" }),
    );
  });

  it("index broadcast over other dims", () => {
    const b = new IRBuilder(["B", "T"]);
    b.input("x", "f32", ["B", "T"]);
    const ib = b.node({ op: "index", dim: "T" }, [], "i32", ["B", "T"]);
    const ev = evaluate(b.build(), { x: f32(["B", "T"], [2, 3], [0, 0, 0, 0, 0, 0]) });
    expect(vals(ev.values[ib])).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it("coerces bool and i32 inputs", () => {
    const b = new IRBuilder(["T"]);
    const m = b.input("m", "bool", ["T"]);
    const k = b.input("k", "i32", ["T"]);
    const ev = evaluate(b.build(), { m: f32(["T"], [3], [2, 0, -1]), k: ints("i32", ["T"], [3], [1.9, -1.9, 0]) });
    expect(vals(ev.values[m])).toEqual([1, 0, 1]);
    expect(vals(ev.values[k])).toEqual([1, -1, 0]);
    expect(ev.values[m]!.dtype).toBe("bool");
  });

  it("params and scalars", () => {
    const b = new IRBuilder([]);
    const g = b.input("g", "f32", []);
    const p = b.param("beta", 0.5);
    const z = b.mul(g, p);
    b.result("z", "metric", z);
    const ev = evaluate(b.build(), { g: scalar(4) });
    expect(vals(ev.results["z"])).toEqual([2]);
  });

  it("checks data-dependent requires", () => {
    const b = new IRBuilder(["T"]);
    const x = b.input("x", "f32", ["T"]);
    const c = b.binary("gt", x, b.const(0));
    const p = { ...b.build(), requires: [{ cond: c, message: "x must be positive" }] };
    expect(() => evaluate(p, { x: f32(["T"], [2], [1, 2]) })).not.toThrow();
    expect(() => evaluate(p, { x: f32(["T"], [2], [1, -2]) })).toThrow(/x must be positive/);
    expect(() => evaluate(p, { x: f32(["T"], [2], [1, -2]) }, { checkRequires: false })).not.toThrow();
  });
});
