import { describe, expect, it } from "vitest";
import { evaluate } from "../../runtime/backends/reference/index.ts";
import { IRBuilder, bool, expectClose, f32, vals } from "../helpers/ir_builder.ts";
import { runReference } from "../kit/index.ts";
import { tensor } from "../../runtime/library/tensor.ts";

describe("reductions", () => {
  it("mean(A_seq[P,G], over=[P,G,T], where=mask[P,G,T]) is a token-weighted mean", () => {
    const b = new IRBuilder(["P", "G", "T"]);
    const a = b.input("A", "f32", ["P", "G"]);
    const m = b.input("mask", "bool", ["P", "G", "T"]);
    const r = b.reduce("mean", a, ["P", "G", "T"], { where: m });
    const s = b.reduce("sum", a, ["T"], { where: m }); // per sequence: A times its token count
    const ev = evaluate(b.build(), {
      A: f32(["P", "G"], [1, 2], [1, 4]),
      mask: bool(["P", "G", "T"], [1, 2, 3], [1, 1, 1, 1, 0, 0]),
    });
    expect(ev.values[r]!.dims).toEqual([]);
    expectClose(vals(ev.values[r]), [(1 * 3 + 4 * 1) / 4]);
    expect(ev.values[s]!.dims).toEqual(["P", "G"]);
    expect(vals(ev.values[s])).toEqual([3, 4]);
  });

  it("empty reductions: sum/mean/count 0, max/min/logsumexp give `empty`; never NaN", () => {
    const b = new IRBuilder(["B", "T"]);
    const x = b.input("x", "f32", ["B", "T"]);
    const m = b.input("m", "bool", ["B", "T"]);
    const ids = {
      sum: b.reduce("sum", x, ["T"], { where: m }),
      mean: b.reduce("mean", x, ["T"], { where: m }),
      count: b.reduce("count", x, ["T"], { where: m }),
      max: b.reduce("max", x, ["T"], { where: m, empty: -1e9 }),
      min: b.reduce("min", x, ["T"], { where: m, empty: 7 }),
      lse: b.reduce("logsumexp", x, ["T"], { where: m, empty: -Infinity }),
    };
    const ev = evaluate(b.build(), {
      x: f32(["B", "T"], [2, 3], [1, 2, 3, 4, 5, 6]),
      m: bool(["B", "T"], [2, 3], [1, 0, 1, 0, 0, 0]), // row 1 all masked
    });
    expect(vals(ev.values[ids.sum])).toEqual([4, 0]);
    expect(vals(ev.values[ids.mean])).toEqual([2, 0]);
    expect(vals(ev.values[ids.count])).toEqual([2, 0]);
    expect(vals(ev.values[ids.max])).toEqual([3, -1e9]);
    expect(vals(ev.values[ids.min])).toEqual([1, 7]);
    expectClose(vals(ev.values[ids.lse]), [Math.log(Math.exp(1) + Math.exp(3)), -Infinity]);
    for (const v of ev.values) for (const d of v.data) expect(Number.isNaN(d)).toBe(false);
  });

  it("count of a bool counts true and selected elements", () => {
    const b = new IRBuilder(["T"]);
    const x = b.input("x", "bool", ["T"]);
    const m = b.input("m", "bool", ["T"]);
    const c = b.reduce("count", x, ["T"], { where: m });
    const c2 = b.reduce("count", x, ["T"]);
    const ev = evaluate(b.build(), { x: bool(["T"], [4], [1, 1, 0, 1]), m: bool(["T"], [4], [1, 0, 1, 1]) });
    expect(vals(ev.values[c])).toEqual([2]);
    expect(vals(ev.values[c2])).toEqual([3]);
  });

  it("logsumexp is stable and max/min ignore masked extremes", () => {
    const b = new IRBuilder(["T"]);
    const x = b.input("x", "f32", ["T"]);
    const m = b.input("m", "bool", ["T"]);
    const l = b.reduce("logsumexp", x, ["T"]);
    const mx = b.reduce("max", x, ["T"], { where: m });
    const ev = evaluate(b.build(), { x: f32(["T"], [3], [1000, 1000, 50]), m: bool(["T"], [3], [0, 1, 1]) });
    expectClose(vals(ev.values[l]), [1000 + Math.log(2)]);
    expect(vals(ev.values[mx])).toEqual([1000]);
  });

  it("reduces over several dims with the mask broadcasting the operand", () => {
    const b = new IRBuilder(["P", "G", "T"]);
    const x = b.input("x", "f32", ["P", "T"]);
    const m = b.input("m", "bool", ["G", "T"]);
    const s = b.reduce("sum", x, ["G", "T"], { where: m });
    const ev = evaluate(b.build(), { x: f32(["P", "T"], [2, 2], [1, 2, 3, 4]), m: bool(["G", "T"], [2, 2], [1, 1, 0, 1]) });
    expect(ev.values[s]!.dims).toEqual(["P"]);
    expect(vals(ev.values[s])).toEqual([1 + 2 + 2, 3 + 4 + 4]);
  });
});

describe("var and std of an i32 value", () => {
  it("average it as f32, like mean (it was an internal error: the i32 sum reached safe_div)", () => {
    const src = `pipeline t {
  dims P, G
  input k: i32[P,G]
  output v = var(k, over=G)
  output s = std(k, over=G, ddof=0)
}`;
    const r = runReference(src, { k: tensor("i32", ["P", "G"], [1, 4], [1, 2, 3, 6]) });
    // mean 3, squared deviations 4 + 1 + 0 + 9 = 14: var (ddof 1) 14/3, std (ddof 0) sqrt(14/4)
    const out = (name: string): number[] => vals(r.values[r.program.results.find((x) => x.name === name)!.node]);
    expectClose(out("v"), [14 / 3]);
    expectClose(out("s"), [Math.sqrt(3.5)]);
  });
});
