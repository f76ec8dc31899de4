// Exact gradient conventions at kinks and at unselected positions (DESIGN.md 3b, docs/language.md section 8),
// asserted on the SIMPLIFIED symbolic gradient: each value is compared exactly, not within a tolerance.
import { describe, expect, it } from "vitest";
import { gradientProgram } from "../../compiler/pipeline/index.ts";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { evaluate } from "../../runtime/backends/reference/index.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import { IRBuilder, f32, total, vals } from "../helpers/ir_builder.ts";
import { compileText, inputsFrom } from "../stdlib/harness.ts";
import { checkGradients } from "./harness.ts";

/** The simplified symbolic gradients of `loss L`, by input name (also checked against the reference). */
function grads(p: IRProgram, inputs: Record<string, Tensor>): Record<string, number[]> {
  checkGradients(p, inputs, "conventions", { numeric: false });
  const s = gradientProgram(p);
  const ev = evaluate(s, inputs);
  const out: Record<string, number[]> = {};
  for (const r of s.results) if (r.kind === "grad") out[r.wrt!] = vals(ev.results[r.name]);
  return out;
}

/** d/dx of sum(build(x)) for x: f32[T] with the given values. */
function grad1(build: (b: IRBuilder, x: number) => number, x: number[]): number[] {
  const b = new IRBuilder(["T"]);
  const xi = b.input("x", "f32", ["T"], { mark: "policy" });
  total(b, build(b, xi));
  return grads(b.build(), { x: f32(["T"], [x.length], x) })["x"]!;
}

describe("subgradients at kinks", () => {
  it("abs'(0) = 0, sqrt'(0) = inf, softplus'(0) = 1/2", () => {
    expect(grad1((b, x) => b.unary("abs", x), [0, 2, -3])).toEqual([0, 1, -1]);
    expect(grad1((b, x) => b.unary("sqrt", x), [0])).toEqual([Infinity]);
    expect(grad1((b, x) => b.unary("softplus", x), [0])).toEqual([0.5]);
  });

  it("maximum/minimum ties go to the first operand", () => {
    const b = new IRBuilder(["T"]);
    const x = b.input("x", "f32", ["T"], { mark: "policy" });
    const y = b.input("y", "f32", ["T"], { mark: "policy" });
    total(b, b.add(b.binary("maximum", x, y), b.mul(b.const(10), b.binary("minimum", y, x))));
    const g = grads(b.build(), { x: f32(["T"], [3], [1, 2, 0]), y: f32(["T"], [3], [1, 1, 3]) });
    expect(g["x"]).toEqual([1, 1, 10]);
    expect(g["y"]).toEqual([10, 10, 1]);
  });

  it("clamp: 1 strictly inside, 0 at and beyond the bounds; the bound that gives the value takes g", () => {
    const b = new IRBuilder(["T"]);
    const x = b.input("x", "f32", ["T"], { mark: "policy" });
    const lo = b.input("lo", "f32", [], { mark: "policy" });
    const hi = b.input("hi", "f32", [], { mark: "policy" });
    total(b, b.clamp(x, lo, hi));
    const g = grads(b.build(), { x: f32(["T"], [5], [-1, 1, 0.5, -3, 3]), lo: f32([], [], [-1]), hi: f32([], [], [1]) });
    expect(g).toEqual({ x: [0, 0, 1, 0, 0], lo: [2], hi: [2] });
  });

  it("max/min reductions, cummax and segment max: the first extreme (canonical order) takes g", () => {
    expect(grad1((b, x) => b.reduce("max", x, ["T"]), [1, 3, 3, 2])).toEqual([0, 1, 0, 0]);
    expect(grad1((b, x) => b.reduce("min", x, ["T"]), [2, 1, 5, 1])).toEqual([0, 1, 0, 0]);
    expect(grad1((b, x) => b.scan("cummax", x, "T"), [1, 3, 3, 2])).toEqual([1, 3, 0, 0]);
    expect(grad1((b, x) => b.scan("cummax", x, "T", true), [1, 3, 3, 2])).toEqual([0, 0, 3, 1]); // scan order from the end
    expect(grad1((b, x) => b.segment("max", x, b.const(0, ["T"], "id"), ["T"]), [4, 1, 4, 0])).toEqual([4, 0, 0, 0]);
  });

  it("relu (a select on x > 0) has gradient 0 at 0", () => {
    expect(grad1((b, x) => b.where(b.binary("gt", x, b.const(0)), x, b.const(0)), [0, 1, -1])).toEqual([0, 1, 0]);
  });
});

describe("no NaN at unselected positions (strong zero and true selects)", () => {
  it("where(n > 1, x / (n - 1), 0) at n = 1", () => {
    const b = new IRBuilder(["G"]);
    const x = b.input("x", "f32", ["G"], { mark: "policy" });
    const n = b.input("n", "f32", ["G"], { mark: "critic" });
    total(b, b.where(b.binary("gt", n, b.const(1)), b.div(x, b.sub(n, b.const(1))), b.const(0)));
    expect(grads(b.build(), { x: f32(["G"], [2], [3, 4]), n: f32(["G"], [2], [1, 3]) })).toEqual({ x: [0, 0.5], n: [0, -1] });
  });

  it("where(c, sqrt(x), 0) and where(c, log(x), 0) at x = 0, unselected: 0, not NaN", () => {
    expect(grad1((b, x) => b.where(b.binary("gt", x, b.const(0)), b.unary("sqrt", x), b.const(0)), [0, 4])).toEqual([0, 0.25]);
    expect(grad1((b, x) => b.where(b.binary("gt", x, b.const(0)), b.unary("log", x), b.const(0)), [0, 2])).toEqual([0, 0.5]);
  });

  it("a masked mean over an all-masked row gives its elements 0", () => {
    const b = new IRBuilder(["B", "T"]);
    const x = b.input("x", "f32", ["B", "T"], { mark: "policy" });
    const m = b.input("m", "bool", ["B", "T"]);
    total(b, b.reduce("mean", b.unary("log", x), ["T"], { where: m }));
    const g = grads(b.build(), {
      x: f32(["B", "T"], [2, 2], [0, -1, 2, 0]),
      m: { ...f32(["B", "T"], [2, 2], [0, 0, 1, 0]), dtype: "bool" },
    });
    expect(g["x"]).toEqual([0, 0, 0.5, 0]);
  });

  const groupNorm = `
pipeline t {
  dims P, G
  input x: f32[P,G] @policy
  input w: f32[P,G]
  loss L = sum(group_norm(x, over=G) * w, over=[P,G])
}`;

  it("std in group_norm of a singleton group: finite, and x / (1 + eps) there", () => {
    const p = compileText(groupNorm, "gn1");
    const g = grads(
      p,
      inputsFrom(p, { x: { dims: ["P", "G"], data: [[0.3], [-2]] }, w: { dims: ["P", "G"], data: [[1], [2]] } }),
    )["x"]!;
    expect(g).toEqual([1 / (1 + 1e-6), 2 / (1 + 1e-6)]);
  });

  it("group_norm of a zero-variance group: finite", () => {
    const p = compileText(groupNorm, "gn0");
    const g = grads(
      p,
      inputsFrom(p, {
        x: {
          dims: ["P", "G"],
          data: [
            [0.5, 0.5, 0.5],
            [1, 2, 4],
          ],
        },
        w: {
          dims: ["P", "G"],
          data: [
            [1, 2, 3],
            [1, -1, 0.5],
          ],
        },
      }),
    )["x"]!;
    expect(g.every(Number.isFinite)).toBe(true);
  });
});

describe("ppo_clip at the clip boundary: the full unclipped gradient (verl)", () => {
  // ratio = exp(logp − old_logp) with old_logp = 0; the bounds are set to exactly the ratios of tokens 0 and 1:
  // 1 + eps_high == exp(0.15) and 1 − eps_low == exp(−0.2) (both exact: Sterbenz), so l1 == l2 there (a tie of the
  // max goes to l1). Token 2 is strictly beyond hi with A > 0: clipped, gradient 0.
  const hi = Math.exp(0.15);
  const lo = Math.exp(-0.2);
  const text = `
pipeline t {
  dims T
  input logp: f32[T] @policy
  input old_logp: f32[T]
  input A: f32[T]
  let l, clipped = ppo_clip(logp, old_logp, A, eps_low=${1 - lo}, eps_high=${hi - 1})
  loss L = sum(l, over=T)
}`;

  it("gives −A·ratio at ratio == 1 + eps_high (A > 0) and at ratio == 1 − eps_low (A < 0), 0 beyond", () => {
    const p = compileText(text, "ppo_boundary");
    const inputs = inputsFrom(p, {
      logp: { dims: ["T"], data: [0.15, -0.2, 0.3] },
      old_logp: { dims: ["T"], data: [0, 0, 0] },
      A: { dims: ["T"], data: [1, -1, 1] },
    });
    expect(1 + (hi - 1)).toBe(hi);
    expect(1 - (1 - lo)).toBe(lo);
    expect(grads(p, inputs)["logp"]).toEqual([-hi, lo, 0]);
  });
});
