import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { evaluate, numericGradient } from "../../runtime/backends/reference/index.ts";
import { gradients } from "../oracle/reverse_mode.ts";
import { scalar, type Tensor } from "../../runtime/library/tensor.ts";
import { IRBuilder, bool, f32, ints, rand, total } from "../helpers/ir_builder.ts";

/** Compares the reverse-mode gradient with central differences for every marked input. */
function checkGrad(p: IRProgram, inputs: Record<string, Tensor>, loss: number, tol = 1e-6): void {
  const ev = evaluate(p, inputs);
  const g = gradients(p, ev, loss);
  for (const inp of p.inputs) {
    if (!inp.mark) continue;
    const num = numericGradient(p, inputs, loss, inp.name);
    const ana = g[inp.name]!;
    expect(ana.dims).toEqual(num.dims);
    for (let i = 0; i < num.data.length; i++) {
      const a = ana.data[i]!;
      const n = num.data[i]!;
      expect(Number.isFinite(a), `${inp.name}[${i}] = ${a}`).toBe(true);
      expect(Math.abs(a - n), `${inp.name}[${i}]: analytic ${a} vs numeric ${n}`).toBeLessThanOrEqual(
        tol * Math.max(1, Math.abs(n)),
      );
    }
  }
}

describe("gradients match central differences", () => {
  it("1: elementwise math", () => {
    const b = new IRBuilder(["T"]);
    const x = b.input("x", "f32", ["T"], { mark: "policy" });
    const y = b.input("y", "f32", ["T"], { mark: "critic" });
    const one = b.const(1);
    const terms = [
      b.mul(b.unary("exp", x), b.unary("log1p", b.mul(y, y))),
      b.div(b.unary("tanh", x), b.add(one, b.unary("sigmoid", y))),
      b.unary("softplus", b.mul(x, y)),
      b.mul(b.unary("sin", x), b.unary("cos", y)),
      b.unary("lgamma", b.add(x, b.const(3))),
      b.unary("sqrt", b.add(b.mul(x, x), one)),
      b.unary("expm1", b.unary("neg", y)),
      b.binary("pow", b.add(b.mul(x, x), one), y),
      b.unary("log", b.add(b.unary("abs", x), one)),
      b.binary("mod", b.mul(x, b.const(3)), b.const(0.7)),
      b.binary("maximum", x, y),
      b.binary("minimum", b.mul(x, y), y),
      b.sub(x, b.cast("f32", b.binary("gt", x, y))),
    ];
    const L = total(
      b,
      terms.reduce((a, t) => b.add(a, t)),
    );
    checkGrad(b.build(), { x: f32(["T"], [6], rand(6, 1)), y: f32(["T"], [6], rand(6, 2)) }, L);
  });

  it("2: broadcasting and masked mean over a broadcast operand", () => {
    const b = new IRBuilder(["P", "G", "T"]);
    const a = b.input("A", "f32", ["P", "G"], { mark: "policy" });
    const lp = b.input("logp", "f32", ["P", "G", "T"], { mark: "policy" });
    const m = b.input("mask", "bool", ["P", "G", "T"]);
    const tok = b.reduce("mean", b.mul(a, b.unary("exp", lp)), ["P", "G", "T"], { where: m });
    const seq = b.reduce("mean", b.reduce("sum", lp, ["T"], { where: m }), ["G"]);
    const L = total(b, b.add(tok, b.reduce("sum", b.mul(seq, seq), ["P"])));
    checkGrad(
      b.build(),
      {
        A: f32(["P", "G"], [2, 3], rand(6, 3)),
        logp: f32(["P", "G", "T"], [2, 3, 4], rand(24, 4)),
        mask: bool(
          ["P", "G", "T"],
          [2, 3, 4],
          rand(24, 5).map((v) => (v > -0.3 ? 1 : 0)),
        ),
      },
      L,
    );
  });

  it("3: max / min / logsumexp / count reductions with where", () => {
    const b = new IRBuilder(["B", "T"]);
    const x = b.input("x", "f32", ["B", "T"], { mark: "policy" });
    const m = b.input("m", "bool", ["B", "T"]);
    const parts = [
      b.reduce("max", x, ["T"], { where: m, empty: 0 }),
      b.mul(b.const(0.5), b.reduce("min", x, ["T"], { where: m, empty: 0 })),
      b.reduce("logsumexp", b.mul(x, b.const(3)), ["T"], { where: m, empty: 0 }),
      b.mul(b.reduce("count", x, ["T"], { where: m }), b.reduce("mean", x, ["B", "T"])),
    ];
    const L = total(
      b,
      parts.reduce((a, p) => b.add(a, p)),
    );
    checkGrad(
      b.build(),
      { x: f32(["B", "T"], [3, 4], rand(12, 6)), m: bool(["B", "T"], [3, 4], [1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0]) },
      L,
    );
  });

  it("4: group normalisation with where and safe_div (unbiased std)", () => {
    const b = new IRBuilder(["P", "G"]);
    const r = b.input("r", "f32", ["P", "G"], { mark: "policy" });
    const n = b.reduce("count", r, ["G"]);
    const mu = b.reduce("mean", r, ["G"]);
    const dev = b.sub(r, mu);
    const ok = b.binary("gt", n, b.const(1));
    const v = b.safeDiv(b.reduce("sum", b.mul(dev, dev), ["G"]), b.sub(n, b.const(1)), ok, b.const(0));
    const sd = b.where(ok, b.unary("sqrt", v), b.const(1));
    const A = b.div(dev, b.add(sd, b.const(1e-6)));
    const w = b.input("w", "f32", ["P", "G"]);
    const L = total(b, b.mul(A, w));
    checkGrad(b.build(), { r: f32(["P", "G"], [2, 4], rand(8, 7)), w: f32(["P", "G"], [2, 4], rand(8, 8)) }, L);
  });

  it("5: cumsum / cummax / cummin, forward and reverse", () => {
    const b = new IRBuilder(["B", "T"]);
    const x = b.input("x", "f32", ["B", "T"], { mark: "policy" });
    const w = b.input("w", "f32", ["B", "T"]);
    const s = [
      b.scan("cumsum", x, "T"),
      b.scan("cumsum", x, "T", true),
      b.scan("cummax", x, "T"),
      b.scan("cummin", x, "T", true),
    ].reduce((a, t) => b.add(a, t));
    const L = total(b, b.mul(s, w));
    checkGrad(b.build(), { x: f32(["B", "T"], [2, 5], rand(10, 9)), w: f32(["B", "T"], [2, 5], rand(10, 10)) }, L);
  });

  it("6: linrec forward and reverse, gradients to a, b and init", () => {
    const b = new IRBuilder(["B", "T"]);
    const a = b.input("a", "f32", ["B", "T"], { mark: "policy" });
    const x = b.input("x", "f32", ["T"], { mark: "policy" });
    const init = b.input("init", "f32", ["B"], { mark: "critic" });
    const w = b.input("w", "f32", ["B", "T"]);
    const y = b.add(b.linrec(a, x, "T", false, init), b.linrec(b.mul(a, a), b.mul(x, init), "T", true, init));
    const L = total(b, b.mul(y, w));
    checkGrad(
      b.build(),
      {
        a: f32(["B", "T"], [2, 5], rand(10, 11)),
        x: f32(["T"], [5], rand(5, 12)),
        init: f32(["B"], [2], rand(2, 13)),
        w: f32(["B", "T"], [2, 5], rand(10, 14)),
      },
      L,
    );
  });

  it("7: GAE with a differentiable value and bootstrap (shift + linrec)", () => {
    const b = new IRBuilder(["B", "T"]);
    const r = b.input("reward", "f32", ["B", "T"]);
    const value = b.input("value", "f32", ["B", "T"], { mark: "critic" });
    const vLast = b.input("v_last", "f32", ["B"], { mark: "critic" });
    const done = b.input("done", "bool", ["B", "T"]);
    const nd = b.sub(b.const(1), b.cast("f32", done));
    const delta = b.sub(b.add(r, b.mul(b.mul(b.const(0.9), nd), b.shift(value, vLast, "T", -1))), value);
    const A = b.linrec(b.mul(b.const(0.72), nd), delta, "T", true);
    const L = total(b, b.mul(A, A));
    checkGrad(
      b.build(),
      {
        reward: f32(["B", "T"], [2, 5], rand(10, 15)),
        value: f32(["B", "T"], [2, 5], rand(10, 16)),
        v_last: f32(["B"], [2], [0.8, -0.2]),
        done: bool(["B", "T"], [2, 5], [0, 0, 1, 0, 0, 0, 1, 0, 0, 0]),
      },
      L,
    );
  });

  it("8: shift with a tensor fill, both directions", () => {
    const b = new IRBuilder(["B", "T"]);
    const x = b.input("x", "f32", ["B", "T"], { mark: "policy" });
    const f = b.input("f", "f32", ["B"], { mark: "policy" });
    const w = b.input("w", "f32", ["B", "T"]);
    const L = total(b, b.mul(w, b.add(b.shift(x, f, "T", 2), b.shift(b.mul(x, x), f, "T", -1))));
    checkGrad(
      b.build(),
      { x: f32(["B", "T"], [2, 4], rand(8, 17)), f: f32(["B"], [2], rand(2, 18)), w: f32(["B", "T"], [2, 4], rand(8, 19)) },
      L,
    );
  });

  it("9: segment sum / mean / max / first", () => {
    const b = new IRBuilder(["P", "G"]);
    const x = b.input("x", "f32", ["P", "G"], { mark: "policy" });
    const key = b.input("key", "id", ["P", "G"]);
    const m = b.input("m", "bool", ["P", "G"]);
    const w = b.input("w", "f32", ["P", "G"]);
    const s = ["sum", "mean", "max", "first", "min"]
      .map((fn) => b.segment(fn as "sum", x, key, ["G"], m))
      .reduce((a, t) => b.add(a, t));
    const L = total(b, b.mul(b.mul(s, s), w));
    checkGrad(
      b.build(),
      {
        x: f32(["P", "G"], [2, 5], rand(10, 20)),
        key: ints("id", ["P", "G"], [2, 5], [1, 2, 1, 1, 2, 3, 3, 3, 4, 4]),
        m: bool(["P", "G"], [2, 5], [1, 1, 1, 0, 1, 1, 0, 1, 1, 1]),
        w: f32(["P", "G"], [2, 5], rand(10, 21)),
      },
      L,
    );
  });

  it("10: take / put / log_softmax (cross-entropy of chosen tokens)", () => {
    const b = new IRBuilder(["B", "T", "V"]);
    const logits = b.input("logits", "f32", ["B", "T", "V"], { mark: "policy" });
    const tok = b.input("tok", "i32", ["B", "T"]);
    const fill = b.input("fill", "f32", [], { mark: "policy" });
    const lp = b.take(b.logSoftmax(logits, "V"), tok, fill, "V");
    const put = b.put(b.mul(lp, lp), tok, "V", "T"); // [B, V]
    const L = total(b, b.add(b.reduce("sum", lp, ["B", "T"]), b.reduce("sum", b.mul(put, b.const(0.3)), ["B", "V"])));
    checkGrad(
      b.build(),
      {
        logits: f32(["B", "T", "V"], [2, 3, 4], rand(24, 22, -2, 2)),
        tok: ints("i32", ["B", "T"], [2, 3], [0, 3, -1, 2, 2, 7]),
        fill: scalar(0.4),
      },
      L,
    );
  });

  it("11: pairwise preference with select / stack / rename", () => {
    const b = new IRBuilder([{ name: "Y", labels: ["w", "l"] }, "G", { name: "G2", aliasOf: "G" }]);
    const lp = b.input("logp", "f32", ["Y", "G"], { mark: "policy" });
    const ref = b.input("ref", "f32", ["Y", "G"]);
    const r = b.sub(lp, ref);
    const margin = b.sub(b.select(r, "Y", 0), b.select(r, "Y", 1)); // [G]
    const dpo = b.unary("softplus", b.unary("neg", b.mul(b.const(0.1), margin)));
    const pairs = b.sub(margin, b.rename(margin, "G", "G2")); // [G, G2]
    const st = b.stack("Y", [dpo, b.reduce("sum", b.mul(pairs, pairs), ["G2"])]);
    const L = total(b, b.mul(st, lp));
    checkGrad(b.build(), { logp: f32(["Y", "G"], [2, 3], rand(6, 23)), ref: f32(["Y", "G"], [2, 3], rand(6, 24)) }, L);
  });

  it("12: PPO clip with clamp and minimum away from the kinks", () => {
    const b = new IRBuilder(["B", "T"]);
    const lp = b.input("logp", "f32", ["B", "T"], { mark: "policy" });
    const old = b.input("old", "f32", ["B", "T"]);
    const adv = b.input("adv", "f32", ["B"]);
    const m = b.input("mask", "bool", ["B", "T"]);
    const ratio = b.unary("exp", b.sub(lp, old));
    const clipped = b.clamp(ratio, b.const(0.8), b.const(1.2));
    const obj = b.binary("minimum", b.mul(ratio, adv), b.mul(clipped, adv));
    const kl = b.mul(ratio, lp); // (no detach here: central differences cannot see it)
    const L = b.result("L", "loss", b.reduce("mean", b.sub(kl, obj), ["B", "T"], { where: m }));
    checkGrad(
      b.build(),
      {
        logp: f32(["B", "T"], [2, 5], rand(10, 25, -0.5, 0.5)),
        old: f32(["B", "T"], [2, 5], rand(10, 26, -0.5, 0.5)),
        adv: f32(["B"], [2], [1.3, -0.7]),
        mask: bool(["B", "T"], [2, 5], [1, 1, 1, 0, 0, 1, 1, 1, 1, 1]),
      },
      L,
    );
  });

  it("13: property: random data on the group-normalisation program", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: -3000, max: 3000 }), { minLength: 6, maxLength: 6 }), (ints) => {
        const xs = ints.map((v) => v / 1000); // distinct: away from the ties of max
        const b = new IRBuilder(["P", "G"]);
        const r = b.input("r", "f32", ["P", "G"], { mark: "policy" });
        const mu = b.reduce("mean", r, ["G"]);
        const dev = b.sub(r, mu);
        const sd = b.unary("sqrt", b.add(b.reduce("mean", b.mul(dev, dev), ["G"]), b.const(0.1)));
        const L = total(b, b.mul(b.div(dev, sd), b.reduce("max", r, ["G"])));
        checkGrad(b.build(), { r: f32(["P", "G"], [2, 3], xs) }, L, 1e-5);
      }),
      { numRuns: 25 },
    );
  });
});
