// The float64 semantics of the gradient-side primitives argfirst, scan_grad and embed, and their reverse-mode rules.
import { describe, expect, it } from "vitest";
import { evaluate, numericGradient } from "../../runtime/backends/reference/index.ts";
import { gradients } from "../oracle/reverse_mode.ts";
import { IRBuilder, bool, expectClose, f32, ints, total, vals } from "../helpers/ir_builder.ts";

describe("argfirst", () => {
  it("marks the first position of each slice where x == y (canonical order), only among selected ones", () => {
    const b = new IRBuilder(["B", "T"]);
    const x = b.input("x", "f32", ["B", "T"]);
    const m = b.input("m", "bool", ["B", "T"]);
    const mx = b.reduce("max", x, ["T"]);
    const plain = b.node({ op: "argfirst", over: ["T"], hasKey: false, hasWhere: false }, [x, mx], "bool", ["B", "T"]);
    const masked = b.node({ op: "argfirst", over: ["T"], hasKey: false, hasWhere: true }, [x, mx, m], "bool", ["B", "T"]);
    const ev = evaluate(b.build(), {
      x: f32(["B", "T"], [2, 4], [1, 3, 3, 2, 5, 5, 5, 5]),
      m: bool(["B", "T"], [2, 4], [1, 0, 1, 1, 0, 0, 0, 0]),
    });
    expect(vals(ev.values[plain])).toEqual([0, 1, 0, 0, 1, 0, 0, 0]);
    expect(vals(ev.values[masked])).toEqual([0, 0, 1, 0, 0, 0, 0, 0]); // row 1 selects nothing: no true
  });

  it("groups by key within each slice; NaN matches NaN", () => {
    const b = new IRBuilder(["T"]);
    const x = b.input("x", "f32", ["T"]);
    const key = b.input("key", "id", ["T"]);
    const y = b.segment("max", x, key, ["T"]);
    const a = b.node({ op: "argfirst", over: ["T"], hasKey: true, hasWhere: false }, [x, y, key], "bool", ["T"]);
    const ev = evaluate(b.build(), {
      x: f32(["T"], [6], [2, NaN, 2, 1, NaN, 0]),
      key: ints("id", ["T"], [6], [1, 2, 1, 3, 2, 3]),
    });
    expect(vals(ev.values[a])).toEqual([1, 1, 0, 1, 0, 0]);
  });
});

describe("scan_grad", () => {
  it("sends each g_k to the running arg of cummax/cummin (first extreme in scan order; NaN sticks)", () => {
    const b = new IRBuilder(["T"]);
    const x = b.input("x", "f32", ["T"]);
    const g = b.input("g", "f32", ["T"]);
    const fwd = b.node({ op: "scan_grad", fn: "cummax", along: "T", reverse: false }, [x, g], "f32", ["T"]);
    const rev = b.node({ op: "scan_grad", fn: "cummin", along: "T", reverse: true }, [x, g], "f32", ["T"]);
    const nan = b.node({ op: "scan_grad", fn: "cummax", along: "T", reverse: false }, [b.input("z", "f32", ["T"]), g], "f32", [
      "T",
    ]);
    const ev = evaluate(b.build(), {
      x: f32(["T"], [5], [1, 3, 3, 2, 4]),
      g: f32(["T"], [5], [1, 10, 100, 1000, 10000]),
      z: f32(["T"], [5], [1, NaN, 5, 2, 4]),
    });
    expect(vals(ev.values[fwd])).toEqual([1, 1110, 0, 0, 10000]);
    expect(vals(ev.values[rev])).toEqual([1, 0, 0, 1110, 10000]);
    expect(vals(ev.values[nan])).toEqual([1, 11110, 0, 0, 0]);
  });

  it("matches the gradient of the scan it stands for", () => {
    const b = new IRBuilder(["B", "T"]);
    const x = b.input("x", "f32", ["B", "T"], { mark: "policy" });
    const w = b.input("w", "f32", ["B", "T"]);
    total(b, b.mul(b.scan("cummin", x, "T", true), w));
    const p = b.build();
    const inputs = {
      x: f32(["B", "T"], [2, 4], [3, 1, 2, 0.5, -1, 2, -3, 4]),
      w: f32(["B", "T"], [2, 4], [1, 2, 3, 4, 5, 6, 7, 8]),
    };
    const sg = new IRBuilder(["B", "T"]);
    const sx = sg.input("x", "f32", ["B", "T"]);
    const node = sg.node(
      { op: "scan_grad", fn: "cummin", along: "T", reverse: true },
      [sx, sg.input("w", "f32", ["B", "T"])],
      "f32",
      ["B", "T"],
    );
    const viaOp = evaluate(sg.build(), inputs).values[node]!;
    expect(vals(viaOp)).toEqual(vals(gradients(p, evaluate(p, inputs), p.results[0]!.node)["x"]));
  });

  it("its reverse-mode rule (for its g argument) matches central differences", () => {
    const b = new IRBuilder(["T"]);
    const x = b.input("x", "f32", ["T"]);
    const g = b.input("g", "f32", ["T"], { mark: "policy" });
    const w = b.input("w", "f32", ["T"]);
    const L = total(b, b.mul(b.node({ op: "scan_grad", fn: "cummax", along: "T", reverse: false }, [x, g], "f32", ["T"]), w));
    const p = b.build();
    const inputs = { x: f32(["T"], [4], [2, 1, 5, 3]), g: f32(["T"], [4], [0.5, -1, 2, 1]), w: f32(["T"], [4], [1, 2, 3, 4]) };
    const ana = gradients(p, evaluate(p, inputs), L)["g"]!;
    expectClose(vals(ana), vals(numericGradient(p, inputs, L, "g")), 1e-8);
    expect(vals(ana)).toEqual([1, 1, 3, 3]);
  });
});

describe("embed", () => {
  it("puts g at the position along the new dim and 0 elsewhere; its gradient is the select back", () => {
    const b = new IRBuilder(["P", { name: "Y", labels: ["w", "l"] }, "T"]);
    const g = b.input("g", "f32", ["P", "T"], { mark: "policy" });
    const w = b.input("w", "f32", ["P", "Y", "T"]);
    const e = b.node({ op: "embed", dim: "Y", position: 1 }, [g], "f32", ["P", "Y", "T"]);
    const L = total(b, b.mul(e, w));
    const p = b.build();
    const inputs = { g: f32(["P", "T"], [1, 2], [3, 4]), w: f32(["P", "Y", "T"], [1, 2, 2], [1, 2, 3, 5]) };
    const ev = evaluate(p, inputs);
    expect(vals(ev.values[e])).toEqual([0, 0, 3, 4]);
    expect(vals(gradients(p, ev, L)["g"])).toEqual([3, 5]);
  });

  it("rejects a position outside the dim", () => {
    const b = new IRBuilder(["P", { name: "Y", labels: ["w", "l"] }]);
    const g = b.input("g", "f32", ["P"]);
    b.unchecked({ op: "embed", dim: "Y", position: 2 }, [g], "f32", ["P", "Y"]);
    expect(() => evaluate(b.build(), { g: f32(["P"], [1], [1]) })).toThrow(/outside Y/);
  });
});

describe("maximum/minimum in the reverse mode: a true select", () => {
  it("an infinite cotangent reaches only the selected operand (never inf · 0 = NaN)", () => {
    const b = new IRBuilder(["T"]);
    const x = b.input("x", "f32", ["T"], { mark: "policy" });
    const y = b.input("y", "f32", ["T"], { mark: "policy" });
    const L = total(b, b.unary("sqrt", b.binary("maximum", x, y)));
    const p = b.build();
    const g = gradients(p, evaluate(p, { x: f32(["T"], [2], [0, 4]), y: f32(["T"], [2], [-1, 1]) }), L);
    expect(vals(g["x"])).toEqual([Infinity, 0.25]);
    expect(vals(g["y"])).toEqual([0, 0]);
  });
});
