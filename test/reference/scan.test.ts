import { describe, expect, it } from "vitest";
import { evaluate } from "../../runtime/backends/reference/index.ts";
import { IRBuilder, bool, expectClose, f32, vals } from "../helpers/ir_builder.ts";

describe("scans", () => {
  it("cumsum / cummax / cummin forward and reverse", () => {
    const b = new IRBuilder(["B", "T"]);
    const x = b.input("x", "f32", ["B", "T"]);
    const cs = b.scan("cumsum", x, "T");
    const csr = b.scan("cumsum", x, "T", true);
    const cm = b.scan("cummax", x, "T");
    const cmr = b.scan("cummin", x, "T", true);
    const ev = evaluate(b.build(), { x: f32(["B", "T"], [2, 3], [1, 3, 2, 5, -1, 0]) });
    expect(vals(ev.values[cs])).toEqual([1, 4, 6, 5, 4, 4]);
    expect(vals(ev.values[csr])).toEqual([6, 5, 2, 4, -1, 0]);
    expect(vals(ev.values[cm])).toEqual([1, 3, 3, 5, 5, 5]);
    expect(vals(ev.values[cmr])).toEqual([1, 2, 2, -1, -1, 0]);
  });

  it("linrec forward and reverse with init", () => {
    const b = new IRBuilder(["B", "T"]);
    const a = b.input("a", "f32", ["T"]);
    const x = b.input("x", "f32", ["B", "T"]);
    const init = b.input("init", "f32", ["B"]);
    const fwd = b.linrec(a, x, "T", false, init);
    const rev = b.linrec(a, x, "T", true, init);
    const none = b.linrec(a, x, "T", true);
    const ev = evaluate(b.build(), {
      a: f32(["T"], [3], [0.5, 2, 0.1]),
      x: f32(["B", "T"], [2, 3], [1, 1, 1, 0, 1, 2]),
      init: f32(["B"], [2], [2, -1]),
    });
    // forward row 0: y0 = 1 + 0.5·2 = 2, y1 = 1 + 2·2 = 5, y2 = 1 + 0.1·5 = 1.5
    // forward row 1: y0 = 0 + 0.5·-1 = -0.5, y1 = 1 - 1 = 0, y2 = 2
    expectClose(vals(ev.values[fwd]), [2, 5, 1.5, -0.5, 0, 2]);
    // reverse row 0: y2 = 1 + 0.1·2 = 1.2, y1 = 1 + 2.4 = 3.4, y0 = 1 + 1.7 = 2.7
    // reverse row 1: y2 = 2 - 0.1 = 1.9, y1 = 1 + 3.8 = 4.8, y0 = 0 + 2.4 = 2.4
    expectClose(vals(ev.values[rev]), [2.7, 3.4, 1.2, 2.4, 4.8, 1.9]);
    expectClose(vals(ev.values[none]), [2.5, 3, 1, 2.5, 5, 2]);
  });

  it("GAE worked example (CB.GAE) from shift + linrec", () => {
    const b = new IRBuilder(["B", "T"]);
    const r = b.input("reward", "f32", ["B", "T"]);
    const value = b.input("value", "f32", ["B", "T"]);
    const vLast = b.input("v_last", "f32", ["B"]);
    const done = b.input("done", "bool", ["B", "T"]);
    const gamma = b.param("gamma", 0.9);
    const lam = b.param("lambda", 0.8);
    const vNext = b.shift(value, vLast, "T", -1); // value_(t+1), v_last at the end
    const notDone = b.sub(b.const(1), b.cast("f32", done));
    const delta = b.sub(b.add(r, b.mul(b.mul(gamma, notDone), vNext)), value);
    const A = b.linrec(b.mul(b.mul(gamma, lam), notDone), delta, "T", true);
    const R = b.add(A, value);
    b.result("A", "advantage", A);
    const ev = evaluate(b.build(), {
      reward: f32(["B", "T"], [1, 5], [1, 0, 2, 1, 0.5]),
      value: f32(["B", "T"], [1, 5], [0.5, 0.4, 1.0, 0.3, 0.6]),
      v_last: f32(["B"], [1], [0.8]),
      done: bool(["B", "T"], [1, 5], [0, 0, 1, 0, 0]),
    });
    expectClose(vals(ev.results["A"]), [1.7384, 1.22, 1.0, 1.6864, 0.62], 1e-12);
    expectClose(vals(ev.values[R]), [2.2384, 1.62, 2.0, 1.9864, 1.22], 1e-12);
  });

  it("shift by k with a fill that lacks T", () => {
    const b = new IRBuilder(["B", "T"]);
    const x = b.input("x", "f32", ["B", "T"]);
    const fill = b.input("fill", "f32", ["B"]);
    const s1 = b.shift(x, fill, "T", 1);
    const s2 = b.shift(x, b.const(0), "T", -2);
    const s0 = b.shift(x, b.const(0), "T", 5);
    const ev = evaluate(b.build(), { x: f32(["B", "T"], [2, 3], [1, 2, 3, 4, 5, 6]), fill: f32(["B"], [2], [-1, -2]) });
    expect(vals(ev.values[s1])).toEqual([-1, 1, 2, -2, 4, 5]);
    expect(vals(ev.values[s2])).toEqual([3, 0, 0, 6, 0, 0]);
    expect(vals(ev.values[s0])).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("bool shift keeps the mask dtype", () => {
    const b = new IRBuilder(["T"]);
    const m = b.input("m", "bool", ["T"]);
    const s = b.shift(m, b.const(0, [], "bool"), "T", 1);
    const ev = evaluate(b.build(), { m: bool(["T"], [3], [1, 1, 0]) });
    expect(ev.values[s]!.dtype).toBe("bool");
    expect(vals(ev.values[s])).toEqual([0, 1, 1]);
  });
});
