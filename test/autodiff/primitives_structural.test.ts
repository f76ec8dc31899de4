// The gradient rule of every structural primitive (reductions, scans, linrec, shift, segments, take/put,
// log_softmax, select/stack/rename, embed), checked against the reference reverse mode and central differences.
import { describe, expect, it } from "vitest";
import { differentiate } from "../../compiler/autodiff/index.ts";
import type { ReduceOpName, SegmentOpName } from "../../compiler/ir/ir.ts";
import { Case } from "./case.ts";

describe("reductions", () => {
  for (const fn of ["sum", "mean", "max", "min", "logsumexp"] as ReduceOpName[]) {
    it(`${fn}: plain, with where= (an all-masked row), and of a value broadcast against its mask`, () => {
      const c = new Case({ B: 3, G: 2, T: 4 });
      const x = c.x("x", ["B", "G", "T"], -2, 2);
      const s = c.x("s", ["B", "G"], -2, 2);
      const m = c.mask("m", ["B", "G", "T"], 0.6, [0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1]);
      c.loss(
        c.b.reduce(fn, x, ["T"]),
        c.b.reduce(fn, x, ["T"], { where: m, empty: 0.5 }),
        c.b.reduce(fn, s, ["G", "T"], { where: m, empty: -1 }),
        c.b.reduce(fn, x, ["B", "G", "T"], { where: m, empty: 0 }),
      );
      c.check(fn);
    });
  }

  it("count passes no gradient; mean over no dims is the value", () => {
    const c = new Case({ T: 3 });
    const x = c.x("x", ["T"]);
    c.loss(c.b.mul(c.b.reduce("count", x, ["T"]), c.b.reduce("sum", x, ["T"])), c.b.reduce("mean", x, []));
    c.check("count");
  });
});

describe("scans", () => {
  for (const fn of ["cumsum", "cummax", "cummin"] as const) {
    for (const reverse of [false, true]) {
      it(`${fn}${reverse ? " reverse" : ""}`, () => {
        const c = new Case({ B: 2, T: 6 });
        const x = c.x("x", ["B", "T"], -2, 2);
        c.loss(c.b.scan(fn, x, "T", reverse));
        c.check(`${fn} ${reverse}`);
      });
    }
  }

  for (const reverse of [false, true]) {
    it(`linrec${reverse ? " reverse" : ""}: a, b and init all marked; a with and without the dim`, () => {
      const c = new Case({ B: 2, T: 5 });
      const a = c.x("a", ["B", "T"], -0.9, 0.9);
      const b = c.x("b", ["B", "T"]);
      const init = c.x("init", ["B"]);
      const gamma = c.input("gamma", "f32", [], { mark: "critic", values: [0.8] });
      c.loss(
        c.b.linrec(a, b, "T", reverse, init),
        c.b.linrec(gamma, b, "T", reverse),
        c.b.linrec(a, c.b.const(1), "T", reverse, c.b.const(0.5)),
      );
      c.check(`linrec ${reverse}`);
    });
  }

  for (const by of [1, -1, 2, -3]) {
    it(`shift by ${by}, with a marked fill over other dims`, () => {
      const c = new Case({ B: 3, T: 5 });
      const x = c.x("x", ["B", "T"]);
      const fill = c.x("fill", ["B"]);
      c.loss(c.b.shift(x, fill, "T", by), c.b.shift(x, c.b.const(0.25), "T", by));
      c.check(`shift ${by}`);
    });
  }

  it("cummax twice: a second-order gradient through scan_grad is refused with a clear error", () => {
    const c = new Case({ T: 4 });
    const x = c.x("x", ["T"]);
    const g = c.x("g", ["T"]);
    c.loss(c.b.node({ op: "scan_grad", fn: "cummax", along: "T", reverse: false }, [x, g], "f32", ["T"]));
    expect(() => differentiate(c.b.build())).toThrow(/no gradient rule for scan_grad/);
  });
});

describe("segments", () => {
  for (const fn of ["sum", "mean", "max", "min", "first", "count"] as SegmentOpName[]) {
    it(`segment ${fn}, with and without where=`, () => {
      const c = new Case({ P: 2, G: 5 });
      const x = c.x("x", ["P", "G"], -2, 2);
      const key = c.input("key", "id", ["P", "G"], { values: [1, 2, 1, 1, 3, 7, 7, 2, 7, 2] });
      const m = c.mask("m", ["P", "G"], 0.5, [1, 1, 0, 1, 1, 0, 1, 1, 1, 0]);
      c.loss(c.b.segment(fn, x, key, ["G"]), c.b.segment(fn, x, key, ["G"], m));
      c.check(`segment ${fn}`);
    });
  }

  it("segment over a dim only the key has (x broadcast)", () => {
    const c = new Case({ P: 2, G: 4 });
    const x = c.x("x", ["P"]);
    const key = c.input("key", "i32", ["P", "G"], { values: [0, 1, 0, 1, 2, 2, 3, 2] });
    c.loss(c.b.segment("mean", x, key, ["G"]), c.b.segment("max", x, key, ["G"]));
    c.check("segment broadcast");
  });
});

describe("addressing and layout", () => {
  it("take with invalid indices and a marked fill; take with an index over an extra dim", () => {
    const c = new Case({ B: 2, T: 3, V: 4, K: 2 });
    const logits = c.x("logits", ["B", "T", "V"]);
    const tok = c.input("tok", "i32", ["B", "T"], { values: [0, 3, -1, 2, 7, 1] });
    const fill = c.x("fill", ["B"]);
    const pick = c.input("pick", "i32", ["K"], { values: [2, 0] });
    c.loss(c.b.take(logits, tok, fill, "V"), c.b.take(logits, pick, c.b.const(0), "V"));
    c.check("take");
  });

  it("put (the adjoint of take), with dropped positions", () => {
    const c = new Case({ B: 2, S: 3, T: 4 });
    const x = c.x("x", ["B", "S"]);
    const at = c.input("at", "i32", ["B", "S"], { values: [0, 3, 3, 9, 1, -1] });
    c.loss(c.b.put(x, at, "T", "S"));
    c.check("put");
  });

  it("log_softmax", () => {
    const c = new Case({ B: 2, V: 5 });
    c.loss(c.b.logSoftmax(c.x("x", ["B", "V"], -3, 3), "V"));
    c.check("log_softmax");
  });

  it("select, stack and rename (to an alias dim)", () => {
    const c = new Case({ P: 2, Y: 2, G: 3, G2: 3 }, ["P", "Y", "G", "G2"]);
    c.b.dims.find((d) => d.name === "Y")!.labels = ["w", "l"];
    c.b.dims.find((d) => d.name === "G2")!.aliasOf = "G";
    const lp = c.x("lp", ["P", "Y", "G"]);
    const s = c.x("s", ["P"]);
    const w = c.b.select(lp, "Y", 0);
    const l = c.b.select(lp, "Y", 1);
    const pairs = c.b.sub(c.b.rename(w, "G", "G2"), l); // f32[P, G, G2]
    c.loss(pairs, c.b.stack("Y", [c.b.mul(w, w), s]), c.b.stack("Y", [s, c.b.const(1)]));
    c.check("select/stack/rename");
  });

  it("embed (the adjoint of select) taking a marked value", () => {
    const c = new Case({ P: 2, Y: 2 });
    c.b.dims.find((d) => d.name === "Y")!.labels = ["w", "l"];
    const x = c.x("x", ["P"]);
    c.loss(c.b.node({ op: "embed", dim: "Y", position: 1 }, [c.b.unary("exp", x)], "f32", ["P", "Y"]));
    c.check("embed");
  });
});
