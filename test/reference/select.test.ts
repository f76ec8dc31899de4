import { describe, expect, it } from "vitest";
import { evaluate } from "../../runtime/backends/reference/index.ts";
import { uniformAt } from "../../runtime/library/ops/select.ts";
import { scalar } from "../../runtime/library/tensor.ts";
import { IRBuilder, bool, expectClose, f32, ints, vals } from "../helpers/ir_builder.ts";

describe("segment reductions", () => {
  it("mean / first / max / count per key within slices, broadcast back; unselected get 0", () => {
    const b = new IRBuilder(["P", "G"]);
    const x = b.input("x", "f32", ["P", "G"]);
    const key = b.input("key", "id", ["P", "G"]);
    const m = b.input("m", "bool", ["P", "G"]);
    const mean = b.segment("mean", x, key, ["G"], m);
    const first = b.segment("first", x, key, ["G"], m);
    const max = b.segment("max", x, key, ["G"], m);
    const count = b.segment("count", x, key, ["G"], m);
    const sum = b.segment("sum", x, key, ["G"]);
    const ev = evaluate(b.build(), {
      x: f32(["P", "G"], [2, 4], [1, 2, 3, 4, 10, 20, 30, 40]),
      key: ints("id", ["P", "G"], [2, 4], [7, 8, 7, 8, 7, 7, 7, 8]), // keys compared only within a row
      m: bool(["P", "G"], [2, 4], [1, 1, 1, 0, 0, 1, 1, 1]),
    });
    expect(vals(ev.values[mean])).toEqual([2, 2, 2, 0, 0, 25, 25, 40]);
    expect(vals(ev.values[first])).toEqual([1, 2, 1, 0, 0, 20, 20, 40]);
    expect(vals(ev.values[max])).toEqual([3, 2, 3, 0, 0, 30, 30, 40]);
    expect(vals(ev.values[count])).toEqual([2, 1, 2, 0, 0, 2, 2, 1]);
    expect(vals(ev.values[sum])).toEqual([4, 6, 4, 6, 60, 60, 60, 40]);
  });

  it("over several dims, with a key that broadcasts", () => {
    const b = new IRBuilder(["P", "G", "S"]);
    const x = b.input("x", "f32", ["G", "S"]);
    const key = b.input("key", "id", ["G"]);
    const mean = b.segment("mean", x, key, ["G", "S"]);
    const ev = evaluate(b.build(), { x: f32(["G", "S"], [3, 2], [1, 2, 3, 5, 5, 6]), key: ints("id", ["G"], [3], [0, 1, 0]) });
    expect(ev.values[mean]!.dims).toEqual(["G", "S"]);
    expect(vals(ev.values[mean])).toEqual([3.5, 3.5, 4, 4, 3.5, 3.5]);
  });
});

describe("topk_mask", () => {
  function topk(x: number[], k: number, largest: boolean, mask?: number[]): number[] {
    const b = new IRBuilder(["T"]);
    const xi = b.input("x", "f32", ["T"]);
    const ki = b.input("k", "i32", []);
    const mi = mask ? b.input("m", "bool", ["T"]) : undefined;
    const t = b.topk(xi, ki, ["T"], largest, mi);
    const inputs = {
      x: f32(["T"], [x.length], x),
      k: scalar(k, "i32"),
      ...(mask ? { m: bool(["T"], [mask.length], mask) } : {}),
    };
    return vals(evaluate(b.build(), inputs).values[t]);
  }
  it("ties go to the smaller canonical index; k is clamped to the selected count", () => {
    expect(topk([3, 5, 5, 1, 5], 2, true)).toEqual([0, 1, 1, 0, 0]);
    expect(topk([3, 5, 5, 1, 5], 2, true, [1, 0, 1, 1, 1])).toEqual([0, 0, 1, 0, 1]);
    expect(topk([3, 5, 5, 1, 5], 2, false)).toEqual([1, 0, 0, 1, 0]);
    expect(topk([3, 5, 5, 1, 5], 10, true, [1, 0, 0, 1, 0])).toEqual([1, 0, 0, 1, 0]);
    expect(topk([3, 5, 5, 1, 5], -3, true)).toEqual([0, 0, 0, 0, 0]);
  });
  it("per-slice k", () => {
    const b = new IRBuilder(["P", "T"]);
    const x = b.input("x", "f32", ["P", "T"]);
    const k = b.input("k", "i32", ["P"]);
    const t = b.topk(x, k, ["T"]);
    const ev = evaluate(b.build(), { x: f32(["P", "T"], [2, 3], [1, 2, 3, 3, 2, 1]), k: ints("i32", ["P"], [2], [1, 2]) });
    expect(vals(ev.values[t])).toEqual([0, 0, 1, 1, 1, 0]);
  });
});

describe("uniform", () => {
  it("is deterministic, varies with step and element, has 24 bits in [0, 1)", () => {
    const b = new IRBuilder(["B", "T"]);
    b.input("x", "f32", ["B", "T"]);
    const step = b.input("step", "i32", []);
    const u = b.uniform(42, step, ["B", "T"]);
    const p = b.build();
    const x = f32(["B", "T"], [4, 8], new Array(32).fill(0));
    const a = vals(evaluate(p, { x, step: scalar(7, "i32") }).values[u]);
    const a2 = vals(evaluate(p, { x, step: scalar(7, "i32") }).values[u]);
    const c = vals(evaluate(p, { x, step: scalar(8, "i32") }).values[u]);
    expect(a).toEqual(a2);
    expect(a).not.toEqual(c);
    expect(new Set(a).size).toBe(32);
    for (const v of [...a, ...c]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
      expect(Number.isInteger(v * 2 ** 24)).toBe(true);
    }
    // pinned bits (an independent Python implementation of the documented function gives the same)
    expect([uniformAt(0, 0, 0), uniformAt(42, 7, 0), uniformAt(42, 7, 1), uniformAt(42, 8, 0)].map((v) => v * 2 ** 24)).toEqual([
      4475949, 7103471, 7946228, 4219534,
    ]);
    expect(a[0]! * 2 ** 24).toBe(7103471);
    expect(a[1]! * 2 ** 24).toBe(7946228);
  });
});

describe("take / put / log_softmax", () => {
  it("take gathers along S (fill for -1 and out of range); put scatters back", () => {
    const b = new IRBuilder(["B", "S", "T"]);
    const x = b.input("x", "f32", ["B", "S"]);
    const idx = b.input("idx", "i32", ["B", "T"]);
    const t = b.take(x, idx, b.const(-9), "S");
    const back = b.put(t, idx, "S", "T");
    const ev = evaluate(b.build(), {
      x: f32(["B", "S"], [2, 4], [1, 2, 3, 4, 5, 6, 7, 8]),
      idx: ints("i32", ["B", "T"], [2, 3], [2, 0, -1, 3, 3, 4]),
    });
    expect(ev.values[t]!.dims).toEqual(["B", "T"]);
    expect(vals(ev.values[t])).toEqual([3, 1, -9, 8, 8, -9]);
    expect(ev.values[back]!.dims).toEqual(["B", "S"]);
    expect(vals(ev.values[back])).toEqual([1, 0, 3, 0, 0, 0, 0, 16]);
  });

  it("a permutation round-trips (take along S, put into S over the same dim)", () => {
    const b = new IRBuilder(["B", "S"]);
    const x = b.input("x", "f32", ["B", "S"]);
    const perm = b.input("perm", "i32", ["B", "S"]);
    const t = b.take(x, perm, b.const(0), "S"); // t[b, s] = x[b, perm[b, s]]
    const back = b.put(t, perm, "S", "S"); // back[b, perm[b, s]] = t[b, s]
    const ev = evaluate(b.build(), {
      x: f32(["B", "S"], [2, 3], [1, 2, 3, 4, 5, 6]),
      perm: ints("i32", ["B", "S"], [2, 3], [2, 0, 1, 1, 2, 0]),
    });
    expect(vals(ev.values[t])).toEqual([3, 1, 2, 5, 6, 4]);
    expect(vals(ev.values[back])).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("token log-probs: take(log_softmax(logits, V), tokens)", () => {
    const b = new IRBuilder(["T", "V"]);
    const logits = b.input("logits", "f32", ["T", "V"]);
    const tok = b.input("tok", "i32", ["T"]);
    const ls = b.logSoftmax(logits, "V");
    const lp = b.take(ls, tok, b.const(0), "V");
    const ev = evaluate(b.build(), {
      logits: f32(["T", "V"], [2, 3], [1, 2, 3, 1000, 1000, 0]),
      tok: ints("i32", ["T"], [2], [2, 0]),
    });
    const l3 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    expectClose(vals(ev.values[ls]), [1 - l3, 2 - l3, 3 - l3, -Math.log(2), -Math.log(2), -1000 - Math.log(2)]);
    expectClose(vals(ev.values[lp]), [3 - l3, -Math.log(2)]);
  });
});

describe("select / stack / rename", () => {
  it("select drops the dim; stack adds it back in label order", () => {
    const b = new IRBuilder([{ name: "Y", labels: ["w", "l"] }, "G"]);
    const x = b.input("x", "f32", ["Y", "G"]);
    const w = b.select(x, "Y", 0);
    const l = b.select(x, "Y", 1);
    const s = b.stack("Y", [l, w]);
    const s2 = b.stack("Y", [w, b.const(5)]);
    const ev = evaluate(b.build(), { x: f32(["G", "Y"], [3, 2], [1, 4, 2, 5, 3, 6]) });
    expect(vals(ev.values[w])).toEqual([1, 2, 3]);
    expect(vals(ev.values[l])).toEqual([4, 5, 6]);
    expect(vals(ev.values[s])).toEqual([4, 5, 6, 1, 2, 3]);
    expect(vals(ev.values[s2])).toEqual([1, 2, 3, 5, 5, 5]);
  });

  it("rename gives all-pairs within a group and reorders to canonical order", () => {
    const b = new IRBuilder([{ name: "H", aliasOf: "B" }, "B", "G", { name: "G2", aliasOf: "G" }]);
    const x = b.input("x", "f32", ["B", "G"]);
    const x2 = b.rename(x, "G", "G2");
    const diff = b.sub(x, x2); // [B, G, G2]
    const h = b.rename(x, "B", "H"); // H comes first in the canonical order: [H, G]
    const ev = evaluate(b.build(), { x: f32(["B", "G"], [2, 2], [1, 2, 3, 5]) });
    expect(ev.values[x2]!.dims).toEqual(["B", "G2"]);
    expect(ev.values[diff]!.dims).toEqual(["B", "G", "G2"]);
    expect(vals(ev.values[diff])).toEqual([0, -1, 1, 0, 0, -2, 2, 0]);
    expect(ev.values[h]!.dims).toEqual(["H", "G"]);
    expect(vals(ev.values[h])).toEqual([1, 2, 3, 5]);
    expect(ev.dimSizes["G2"]).toBe(2);
  });

  it("rename with a reorder", () => {
    const b = new IRBuilder([{ name: "H", aliasOf: "G" }, "B", "G"]);
    const x = b.input("x", "f32", ["B", "G"]);
    const h = b.rename(x, "G", "H"); // [B, G] -> [H, B]: transposed
    const ev = evaluate(b.build(), { x: f32(["B", "G"], [2, 3], [1, 2, 3, 4, 5, 6]) }, {});
    expect(ev.values[h]!.dims).toEqual(["H", "B"]);
    expect(vals(ev.values[h])).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe("state", () => {
  it("reads see the state before the step's writes; last write wins for duplicate keys", () => {
    const b = new IRBuilder(["P"]);
    const reward = b.input("reward", "f32", ["P"]);
    const pid = b.input("prompt_id", "id", ["P"]);
    b.state("vhat", true, 0.5);
    b.state("steps", false, 0);
    const v = b.tableGet("vhat", pid, 0.5);
    const upd = b.add(v, b.mul(b.const(0.1), b.sub(reward, v)));
    b.result("vhat", "update", upd, pid);
    const again = b.tableGet("vhat", pid, 0.5); // after the update node: still the old state
    const n = b.tableRead("steps", 0);
    b.result("steps", "update", b.add(n, b.const(1)));
    const before = new Map([[7, 0.2]]);
    const ev = evaluate(
      b.build(),
      { reward: f32(["P"], [3], [1, 0, 0]), prompt_id: ints("id", ["P"], [3], [7, 9, 7]) },
      { state: { vhat: before, steps: 4 } },
    );
    expectClose(vals(ev.values[v]), [0.2, 0.5, 0.2]);
    expectClose(vals(ev.values[again]), [0.2, 0.5, 0.2]);
    const after = ev.stateUpdates["vhat"] as Map<number, number>;
    expect([...after.keys()].sort()).toEqual([7, 9]);
    expect(after.get(7)).toBeCloseTo(0.18, 12);
    expect(after.get(9)).toBeCloseTo(0.45, 12);
    expect(before.get(7)).toBe(0.2); // not mutated
    expect(ev.stateUpdates["steps"]).toBe(5);
    // without state: defaults
    const ev0 = evaluate(b.build(), { reward: f32(["P"], [3], [1, 0, 0]), prompt_id: ints("id", ["P"], [3], [7, 9, 7]) });
    expectClose(vals(ev0.values[v]), [0.5, 0.5, 0.5]);
    expect(ev0.stateUpdates["steps"]).toBe(1);
  });
});
