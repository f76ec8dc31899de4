// Elementwise primitives and masked reductions on tfjs (cpu and wasm) against the reference evaluator: every node's
// value, and tfjs autograd's gradients against the reference's (seeded random inputs, away from kinks; all-masked
// rows; a zero-variance group).
import { beforeAll, describe, it } from "vitest";
import type { UnaryOpName } from "../../compiler/ir/ir.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import type { TF } from "../../runtime/backends/tfjs/types.ts";
import { IRBuilder, bool, f32, ints, rand } from "../helpers/ir_builder.ts";
import { everyNodeOutput, expectAutogradAgrees, expectForwardAgrees, useBackend } from "./helpers.ts";

/** Sum of the given f32 nodes, each summed over its dims, as loss L. */
function lossOf(b: IRBuilder, parts: number[]): void {
  let acc = b.reduce("sum", parts[0]!, b.dimsOf(parts[0]!));
  for (const p of parts.slice(1)) acc = b.add(acc, b.reduce("sum", p, b.dimsOf(p)));
  b.result("L", "loss", acc);
}

function elementwiseProgram(): ReturnType<IRBuilder["build"]> {
  const b = new IRBuilder(["P", "T"], "elementwise");
  const x = b.input("x", "f32", ["P", "T"], { mark: "policy" });
  const y = b.input("y", "f32", ["T"]);
  const m = b.input("m", "bool", ["P", "T"]);
  const k = b.input("k", "i32", ["P"]);
  const c = (v: number): number => b.const(v);
  const ex = b.unary("exp", x);
  const u = (fn: UnaryOpName, a: number): number => b.unary(fn, a);
  const diff = [
    u("neg", x),
    ex,
    u("log", b.add(ex, c(0.5))),
    u("log1p", ex),
    u("expm1", x),
    u("sqrt", ex),
    u("abs", x),
    u("tanh", x),
    u("sigmoid", x),
    u("softplus", b.mul(x, c(30))),
    u("sin", x),
    u("cos", x),
    u("lgamma", b.add(x, c(2.5))),
    u("lgamma", b.sub(b.mul(x, c(0.3)), c(0.5))),
    b.add(x, y),
    b.sub(x, y),
    b.mul(x, y),
    b.div(x, b.add(y, c(2))),
    b.binary("mod", b.mul(x, c(3)), b.add(y, c(2))),
    b.binary("pow", ex, y),
    b.binary("maximum", x, y),
    b.binary("minimum", x, y),
    b.where(m, u("log", x), c(0)),
    b.clamp(x, c(-0.5), y),
    b.safeDiv(x, y, m, c(7)),
    b.mul(b.detach(x), x),
    b.mul(b.cast("f32", b.size("T")), x),
    b.mul(b.param("beta", 0.25), x),
    b.mul(b.cast("f32", m), x),
  ];
  const flat = [
    u("sign", x),
    u("floor", b.mul(x, c(3))),
    u("ceil", b.mul(x, c(3))),
    u("round", b.mul(x, c(3))),
    u("floor", b.div(b.mul(x, c(3)), b.add(y, c(2)))), // idiv's value on floats (idiv itself takes i32)
  ];
  const cmp = (["eq", "ne", "lt", "le", "gt", "ge"] as const).map((fn) => b.binary(fn, x, y));
  b.binary("and", m, cmp[2]!);
  b.binary("or", u("not", m), cmp[4]!);
  b.binary("eq", x, x);
  const i = b.add(k, b.index("T"));
  b.binary("idiv", i, b.const(3, [], "i32"));
  b.binary("mod", b.sub(k, b.const(5, [], "i32")), b.const(3, [], "i32"));
  b.binary("mul", k, b.const(-2, [], "i32"));
  b.cast("i32", b.mul(x, c(3)));
  b.cast("bool", b.sub(b.mul(x, c(0)), c(0)));
  b.cast("bool", x);
  b.cast("f32", b.binary("lt", k, b.const(1, [], "i32")));
  b.cast("id", k);
  b.where(m, k, b.const(-1, [], "i32"));
  b.const(1, ["P", "T"], "bool");
  lossOf(b, [...diff, ...flat]);
  return b.build();
}

function elementwiseInputs(seed: number): Record<string, Tensor> {
  const y = rand(4, seed + 1, -1, 1);
  y[1] = 0; // safe_div divides by zero only where m is false
  const m = rand(12, seed + 2).map((v) => (v > -0.3 ? 1 : 0));
  for (let p = 0; p < 3; p++) m[p * 4 + 1] = 0;
  return {
    x: f32(["P", "T"], [3, 4], rand(12, seed, -1, 1)),
    y: f32(["T"], [4], y),
    m: bool(["P", "T"], [3, 4], m),
    k: ints("i32", ["P"], [3], [-4, 0, 7]),
  };
}

function reduceProgram(): ReturnType<IRBuilder["build"]> {
  const b = new IRBuilder(["P", "G", "T"], "reduce");
  const x = b.input("x", "f32", ["P", "G", "T"], { mark: "policy" });
  const r = b.input("r", "f32", ["P", "G"], { mark: "policy" });
  const reward = b.input("reward", "f32", ["P", "G"]);
  const m = b.input("m", "bool", ["P", "G", "T"]);
  const diff = [
    b.reduce("sum", x, ["T"], { where: m }),
    b.reduce("mean", x, ["T"], { where: m }),
    b.reduce("max", x, ["T"], { where: m, empty: -7 }),
    b.reduce("min", x, ["T"], { where: m, empty: 5 }),
    b.reduce("logsumexp", x, ["T"], { where: m, empty: -3 }),
    b.reduce("sum", x, ["G", "T"]),
    b.reduce("mean", x, ["P"]),
    b.reduce("max", x, ["P", "T"]),
    b.reduce("logsumexp", x, ["T"]),
    b.reduce("sum", r, ["T"], { where: m }),
    b.reduce("mean", r, ["G", "T"], { where: m }),
    b.reduce("min", x, ["G"]),
  ];
  b.reduce("count", x, ["T"], { where: m });
  b.reduce("count", m, ["G", "T"]);
  b.reduce("count", m, ["T"], { where: b.binary("gt", x, b.const(0)) });
  // group_norm of a non-differentiable reward with a zero-variance group, times a differentiable value
  const mu = b.reduce("mean", reward, ["G"]);
  const d = b.sub(reward, mu);
  const sd = b.unary("sqrt", b.reduce("mean", b.mul(d, d), ["G"]));
  const adv = b.safeDiv(d, sd, b.binary("gt", sd, b.const(0)), b.const(0));
  lossOf(b, [...diff, b.mul(adv, b.reduce("mean", x, ["T"], { where: m }))]);
  return b.build();
}

function reduceInputs(seed: number): Record<string, Tensor> {
  const m = rand(2 * 3 * 5, seed + 1).map((v) => (v > -0.4 ? 1 : 0));
  for (let t = 0; t < 5; t++) m[1 * 5 + t] = 0; // row (p=0, g=1) all masked
  for (let g = 0; g < 3; g++) for (let t = 0; t < 5; t++) m[(3 + g) * 5 + t] = t === 0 ? 1 : 0; // p=1: length-1 rows
  return {
    x: f32(["P", "G", "T"], [2, 3, 5], rand(30, seed, -2, 2)),
    r: f32(["P", "G"], [2, 3], rand(6, seed + 2)),
    reward: f32(["P", "G"], [2, 3], [1, 0, 1, 0.5, 0.5, 0.5]), // p=1: zero variance
    m: bool(["P", "G", "T"], [2, 3, 5], m),
  };
}

for (const backend of ["cpu", "wasm"] as const) {
  describe(`elementwise and reductions on tfjs-${backend}`, () => {
    let tf: TF;
    beforeAll(async () => {
      tf = await useBackend(backend);
    });

    for (const seed of [1, 2]) {
      it(`elementwise primitives (seed ${seed})`, () => {
        const p = elementwiseProgram();
        expectForwardAgrees(tf, everyNodeOutput(p), elementwiseInputs(seed));
        expectAutogradAgrees(tf, p, elementwiseInputs(seed));
      });
      it(`masked reductions with empty rows, length-1 rows and a zero-variance group (seed ${seed})`, () => {
        const p = reduceProgram();
        expectForwardAgrees(tf, everyNodeOutput(p), reduceInputs(seed));
        expectAutogradAgrees(tf, p, reduceInputs(seed));
      });
    }
  });
}
