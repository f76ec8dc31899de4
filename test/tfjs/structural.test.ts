// Scans, segments, selection, layout, random and state primitives on tfjs (cpu and wasm) against the reference:
// every node's value and tfjs autograd's gradients (length-1 responses, all-masked groups, ties in top-k).
import { beforeAll, describe, expect, it } from "vitest";
import { evaluate, type EvalError } from "../../runtime/backends/reference/index.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import { runTfjs } from "../../runtime/backends/tfjs/lower.ts";
import type { TF } from "../../runtime/backends/tfjs/types.ts";
import { IRBuilder, bool, f32, ints, rand } from "../helpers/ir_builder.ts";
import { expectAgree, everyNodeOutput, expectAutogradAgrees, expectForwardAgrees, useBackend } from "./helpers.ts";

function lossOf(b: IRBuilder, parts: number[]): void {
  let acc = b.reduce("sum", parts[0]!, b.dimsOf(parts[0]!));
  for (const p of parts.slice(1)) acc = b.add(acc, b.reduce("sum", b.mul(p, b.const(0.3 + 0.1 * (p % 7))), b.dimsOf(p)));
  b.result("L", "loss", acc);
}

function scanProgram(): ReturnType<IRBuilder["build"]> {
  const b = new IRBuilder(["B", "T"], "scans");
  const x = b.input("x", "f32", ["B", "T"], { mark: "policy" });
  const a = b.input("a", "f32", ["B", "T"], { mark: "policy" });
  const init = b.input("init", "f32", ["B"], { mark: "policy" });
  const m = b.input("m", "bool", ["B", "T"]);
  const parts: number[] = [];
  for (const reverse of [false, true]) {
    for (const fn of ["cumsum", "cummax", "cummin"] as const) parts.push(b.scan(fn, x, "T", reverse));
    parts.push(
      b.linrec(a, x, "T", reverse),
      b.linrec(a, x, "T", reverse, init),
      b.linrec(b.mul(a, b.cast("f32", m)), x, "T", reverse),
    );
  }
  for (const by of [1, -2, 7]) parts.push(b.shift(x, b.const(0.5), "T", by), b.shift(x, init, "T", by));
  b.shift(m, b.const(0, [], "bool"), "T", -1);
  lossOf(b, parts);
  return b.build();
}

function scanInputs(T: number, seed: number): Record<string, Tensor> {
  return {
    x: f32(["B", "T"], [3, T], rand(3 * T, seed, -2, 2)),
    a: f32(["B", "T"], [3, T], rand(3 * T, seed + 1, 0.2, 1)),
    init: f32(["B"], [3], rand(3, seed + 2)),
    m: bool(
      ["B", "T"],
      [3, T],
      rand(3 * T, seed + 3).map((v) => (v > -0.3 ? 1 : 0)),
    ),
  };
}

function segmentProgram(): ReturnType<IRBuilder["build"]> {
  const b = new IRBuilder(["P", "G"], "segments");
  const x = b.input("x", "f32", ["P", "G"], { mark: "policy" });
  const key = b.input("key", "id", ["P", "G"]);
  const ki = b.input("ki", "i32", ["G"]);
  const m = b.input("m", "bool", ["P", "G"]);
  const parts: number[] = [];
  for (const fn of ["sum", "mean", "max", "min", "first"] as const) {
    parts.push(b.segment(fn, x, key, ["G"], m), b.segment(fn, x, key, ["G"]), b.segment(fn, x, ki, ["P", "G"], m));
  }
  b.segment("count", x, key, ["G"], m);
  b.segment("count", m, ki, ["P", "G"]);
  lossOf(b, parts);
  return b.build();
}

function segmentInputs(seed: number): Record<string, Tensor> {
  return {
    x: f32(["P", "G"], [3, 4], rand(12, seed, -1, 1)),
    key: ints("id", ["P", "G"], [3, 4], [5, 5, 7, 7, 1, 1, 1, 1, 9e12, 3, 9e12, 3]), // a non-int32 id too
    ki: ints("i32", ["G"], [4], [0, 1, 0, 2]),
    m: bool(["P", "G"], [3, 4], [1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1]), // (p=0, key 7) has no selected member
  };
}

function selectProgram(): ReturnType<IRBuilder["build"]> {
  const b = new IRBuilder(["P", { name: "Y", labels: ["w", "l"] }, "G", { name: "G2", aliasOf: "G" }, "T", "V"], "select");
  const logits = b.input("logits", "f32", ["P", "T", "V"], { mark: "policy" });
  const x = b.input("x", "f32", ["P", "T"], { mark: "policy" });
  const xy = b.input("xy", "f32", ["P", "Y", "T"], { mark: "policy" });
  const r = b.input("r", "f32", ["P", "G"], { mark: "policy" });
  const idx = b.input("idx", "i32", ["P", "T"]);
  const tk = b.input("tk", "f32", ["P", "T"]);
  const k = b.input("k", "i32", ["P"]);
  const m = b.input("m", "bool", ["P", "T"]);
  const step = b.input("step", "i32", []);
  const lsm = b.logSoftmax(logits, "V");
  const parts = [
    lsm,
    b.take(lsm, idx, b.const(-0.25), "V"),
    b.take(x, idx, x, "T"),
    b.put(x, idx, "V", "T"),
    b.select(xy, "Y", 0),
    b.select(xy, "Y", 1),
    b.stack("Y", [x, b.mul(x, x)]),
    b.mul(b.rename(r, "G", "G2"), r),
  ];
  for (const largest of [true, false]) {
    b.topk(tk, k, ["T"], largest, m);
    b.topk(tk, b.const(2, [], "i32"), ["P", "T"], largest);
  }
  b.uniform(7, step, ["P", "T"]);
  b.uniform(123456789, b.add(step, b.const(1, [], "i32")), ["P", "G"]);
  lossOf(b, parts);
  return b.build();
}

function selectInputs(seed: number): Record<string, Tensor> {
  const idx = rand(8, seed + 1, 0, 5).map(Math.floor);
  idx[1] = -1;
  idx[6] = 9; // out of range: fill
  return {
    logits: f32(["P", "T", "V"], [2, 4, 5], rand(40, seed, -3, 3)),
    x: f32(["P", "T"], [2, 4], rand(8, seed + 2)),
    xy: f32(["P", "Y", "T"], [2, 2, 4], rand(16, seed + 3)),
    r: f32(["P", "G"], [2, 3], rand(6, seed + 4)),
    idx: ints("i32", ["P", "T"], [2, 4], idx),
    tk: f32(["P", "T"], [2, 4], [0.5, 0.2, 0.5, 0.5, NaN, -1, 3, -1]),
    k: ints("i32", ["P"], [2], [2, 9]),
    m: bool(["P", "T"], [2, 4], [1, 1, 0, 1, 1, 1, 1, 0]),
    step: ints("i32", [], [], [seed * 1000 + 17]),
  };
}

for (const backend of ["cpu", "wasm"] as const) {
  describe(`structural primitives on tfjs-${backend}`, () => {
    let tf: TF;
    beforeAll(async () => {
      tf = await useBackend(backend);
    });

    for (const T of [5, 1]) {
      it(`scans, linrec and shift with T=${T}`, () => {
        const p = scanProgram();
        expectForwardAgrees(tf, everyNodeOutput(p), scanInputs(T, T));
        expectAutogradAgrees(tf, p, scanInputs(T, T));
      });
    }

    it("segments (id and i32 keys, a group with no selected member)", () => {
      const p = segmentProgram();
      expectForwardAgrees(tf, everyNodeOutput(p), segmentInputs(3));
      expectAutogradAgrees(tf, p, segmentInputs(3));
    });

    it("take, put, log_softmax, select, stack, rename, topk_mask (ties, NaN, k per slice), uniform", () => {
      const p = selectProgram();
      expectForwardAgrees(tf, everyNodeOutput(p), selectInputs(1));
      expectAutogradAgrees(tf, p, selectInputs(1));
    });

    it("reproduces the reference's uniform bit for bit", () => {
      const b = new IRBuilder(
        [
          { name: "P", size: 3 },
          { name: "T", size: 1000 },
        ],
        "uniform",
      );
      const step = b.input("step", "i32", []);
      b.result("u", "output", b.uniform(42, step, ["P", "T"]));
      const inputs = { step: ints("i32", [], [], [3]) };
      const ref = evaluate(b.build(), inputs).results["u"]!;
      const got = runTfjs(tf, b.build(), inputs).results["u"]!;
      expect(Array.from(got.data)).toEqual(Array.from(ref.data));
      expect(new Set(got.data).size).toBe(got.data.length);
    });

    it("reports bad inputs and failed requires with the reference's error codes", () => {
      const b = new IRBuilder(["B", "T"], "errors");
      const x = b.input("x", "f32", ["B", "T"]);
      b.input("m", "bool", ["B", "T"]);
      b.result("s", "output", b.reduce("sum", x, ["T"]));
      const cond = b.binary("gt", b.reduce("count", b.binary("gt", x, b.const(0)), ["B", "T"]), b.const(0));
      const q = { ...b.build(), requires: [{ cond, message: "some x > 0" }] };
      const code = (f: () => unknown): string | undefined => {
        try {
          f();
        } catch (e) {
          return (e as EvalError).code;
        }
        return undefined;
      };
      const x23 = f32(["B", "T"], [2, 3], [-1, -2, -3, -4, -5, -6]);
      expect(code(() => runTfjs(tf, q, { x: x23 }))).toBe("missing-input");
      expect(code(() => runTfjs(tf, q, { x: x23, m: bool(["B", "T"], [2, 2], [1, 1, 1, 1]) }))).toBe("dim-conflict");
      expect(code(() => runTfjs(tf, q, { x: x23, m: bool(["T", "B"], [3, 2], [1, 1, 1, 1, 1, 1]) }))).toBe("require");
      expect(
        code(() => runTfjs(tf, q, { x: x23, m: bool(["T", "B"], [3, 2], [1, 1, 1, 1, 1, 1]) }, { checkRequires: false })),
      ).toBeUndefined();
    });

    it("tables: keyed reads and updates (ids above int32 too), unkeyed state", () => {
      const b = new IRBuilder(["P"], "tables");
      const key = b.input("key", "id", ["P"]);
      const v = b.input("v", "f32", ["P"]);
      b.state("t", true, 0.5);
      b.state("n", false, 0);
      const got = b.tableGet("t", key, 0.5);
      b.result("seen", "output", got);
      b.result("t", "update", b.add(got, v), key);
      b.result("n", "update", b.add(b.tableRead("n", 0), b.const(1)));
      const p = b.build();
      const state = {
        t: new Map([
          [2 ** 40, 3],
          [7, -1],
        ]),
        n: 4,
      };
      const inputs = { key: ints("id", ["P"], [4], [7, 2 ** 40, 9, 7]), v: f32(["P"], [4], [1, 2, 3, 4]) };
      const ref = evaluate(p, inputs, { state });
      const tr = runTfjs(tf, p, inputs, { state });
      expectAgree(tr.results["seen"], ref.results["seen"], "seen");
      expect(tr.stateUpdates).toEqual(ref.stateUpdates);
    });
  });
}
