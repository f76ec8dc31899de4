// The simplifier: each identity and fold on its own, the exactness limits (no x·0 = 0 for a value that may be
// inf/NaN), and properties on random programs: every pass keeps the verifier clean, simplify preserves every value
// exactly and is idempotent, and the simplified symbolic gradient equals the reference reverse mode.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { differentiate } from "../../compiler/autodiff/index.ts";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { cse, eliminateDeadCode, foldConstants, simplify } from "../../compiler/simplify/index.ts";
import { evaluate } from "../../runtime/backends/reference/index.ts";
import { gradients } from "../oracle/reverse_mode.ts";
import { IRBuilder, f32, vals } from "../helpers/ir_builder.ts";
import { expectSameValues, expectVerified, simplifyVerified } from "./harness.ts";
import { buildRandomProgram, recipe } from "./random_programs.ts";

/** A program over T with input x: f32[T] @policy; `build` returns the output node. */
function prog(build: (b: IRBuilder, x: number) => number): IRProgram {
  const b = new IRBuilder([{ name: "T", size: 3 }]);
  const x = b.input("x", "f32", ["T"], { mark: "policy" });
  b.result("out", "output", build(b, x));
  return b.build();
}

/** The op of the node that `out` points at after simplify. */
function outOp(p: IRProgram): string {
  const s = simplify(p);
  expectVerified(s, "simplified");
  const n = s.nodes[s.results[0]!.node]!;
  return n.op.op === "const" ? `const ${n.op.value}` : n.op.op === "binary" || n.op.op === "unary" ? n.op.fn : n.op.op;
}

describe("identities and folds", () => {
  it("x + 0, x − 0, x · 1, x / 1, −(−x), where(true, x, y), where(c, x, x), cast to its own type, sum over no dims", () => {
    const builds: ((b: IRBuilder, x: number) => number)[] = [
      (b, x) => b.add(x, b.const(0)),
      (b, x) => b.sub(x, b.const(0)),
      (b, x) => b.mul(b.const(1), x),
      (b, x) => b.div(x, b.const(1)),
      (b, x) => b.unary("neg", b.unary("neg", x)),
      (b, x) => b.where(b.const(1, [], "bool"), x, b.const(3, ["T"])),
      (b, x) => b.where(b.binary("gt", x, b.const(0)), x, x),
      (b, x) => b.cast("f32", x),
      (b, x) => b.reduce("sum", x, []),
      (b, _x) => b.detach(b.detach(b.const(2, ["T"]))),
    ];
    for (const build of builds) expect(outOp(prog(build))).toMatch(/^(input|const 2)$/);
  });

  it("folds consts with the evaluator's semantics (round half to even, Python mod, size of a static dim)", () => {
    expect(outOp(prog((b) => b.unary("round", b.const(2.5))))).toBe("const 2");
    expect(outOp(prog((b) => b.binary("mod", b.const(-1), b.const(3))))).toBe("const 2");
    expect(outOp(prog((b) => b.cast("f32", b.size("T"))))).toBe("const 3");
    expect(outOp(prog((b) => b.reduce("count", b.const(1, ["T"]), ["T"])))).toBe("const 3");
  });

  it("x · 0 stays unless x is finite by construction (an input may hold inf or NaN)", () => {
    expect(outOp(prog((b, x) => b.mul(x, b.const(0))))).toBe("mul");
    expect(outOp(prog((b, x) => b.mul(b.cast("f32", b.binary("gt", x, b.const(0))), b.const(0))))).toBe("const 0");
    const p = prog((b, x) => b.mul(x, b.const(0)));
    const ev = evaluate(simplify(p), { x: f32(["T"], [3], [Infinity, NaN, 2]) });
    expect(vals(ev.results["out"])).toEqual([NaN, NaN, 0]);
  });

  it("the strong-zero guard goes where the derivative is finite by construction and stays elsewhere", () => {
    const b = new IRBuilder(["T"]);
    const x = b.input("x", "f32", ["T"], { mark: "policy" });
    const k = b.param("k", 3);
    b.result("L", "loss", b.reduce("sum", b.add(b.mul(x, k), b.unary("sqrt", x)), ["T"]));
    const s = simplify(differentiate(b.build()));
    const ops = s.nodes.map((n) => (n.op.op === "binary" ? n.op.fn : n.op.op));
    // one guard remains: the one in front of sqrt's derivative 1/(2·sqrt(x)); the seed 1 makes the loss's own vanish
    expect(ops.filter((o) => o === "eq").length).toBe(0);
    expect(ops.includes("where")).toBe(false);
    expect(vals(evaluate(s, { x: f32(["T"], [2], [0, 4]) }).results["dL/dx"])).toEqual([Infinity, 3.25]);
  });

  it("CSE shares equal nodes (commutative args in either order); DCE keeps inputs and params, drops the rest", () => {
    const b = new IRBuilder(["T"]);
    const x = b.input("x", "f32", ["T"], { mark: "policy" });
    const y = b.input("y", "f32", ["T"]);
    b.param("unused", 1);
    b.unary("exp", y); // dead
    b.result("out", "output", b.sub(b.add(x, y), b.add(y, x)));
    const p = b.build();
    const c = cse(p);
    expectVerified(c, "cse");
    expect(c.nodes.filter((n) => n.op.op === "binary" && n.op.fn === "add").length).toBe(1);
    const d = eliminateDeadCode(c);
    expectVerified(d, "dce");
    expect(d.nodes.map((n) => n.op.op)).toEqual(["input", "input", "param", "binary", "binary"]);
    expect(foldConstants(d)).toEqual(d);
  });

  it("never modifies its input", () => {
    const { program } = buildRandomProgram(
      [
        [2, 1, 2, 3],
        [12, 5, 0, 0],
        [6, 7, 1, 0],
      ],
      5,
    );
    const before = JSON.stringify(program);
    simplify(program);
    differentiate(program);
    expect(JSON.stringify(program)).toBe(before);
  });
});

describe("properties on random programs", () => {
  it("simplify: the verifier accepts every pass; values are preserved exactly; a second run changes nothing", () => {
    fc.assert(
      fc.property(recipe, fc.nat(1000), (steps, seed) => {
        const { program, inputs } = buildRandomProgram(steps, seed);
        expectVerified(program, "random program");
        const s = simplifyVerified(program, "random program");
        const a = evaluate(program, inputs);
        const b = evaluate(s, inputs);
        for (const r of program.results) expectSameValues(b.results[r.name]!, a.results[r.name]!, 0, r.name);
      }),
      { numRuns: 150, seed: 20260527 },
    );
  });

  it("the simplified symbolic gradient equals the reference reverse mode", () => {
    fc.assert(
      fc.property(recipe, fc.nat(1000), (steps, seed) => {
        const { program, inputs } = buildRandomProgram(steps, seed);
        const d = differentiate(program);
        expectVerified(d, "differentiated");
        const s = simplifyVerified(d, "differentiated");
        const ev = evaluate(program, inputs);
        const es = evaluate(s, inputs);
        const loss = program.results.find((r) => r.name === "L")!.node;
        const ref = gradients(program, ev, loss);
        for (const x of ["x", "y"]) expectSameValues(es.results[`dL/d${x}`]!, ref[x]!, 1e-9, `dL/d${x}`);
      }),
      { numRuns: 150, seed: 7 },
    );
  });
});
