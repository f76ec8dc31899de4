// Where tfjs autograd and the reference's gradient conventions part ways (kinks, ties, singular points): pinned here
// so the list in runtime/backends/tfjs/grad.ts stays true. Values away from these points agree (the other test files).
import { beforeAll, describe, expect, it } from "vitest";
import { evaluate } from "../../runtime/backends/reference/index.ts";
import { gradients } from "../oracle/reverse_mode.ts";
import { tfjsAutogradGradients } from "../../runtime/backends/tfjs/grad.ts";
import type { TF } from "../../runtime/backends/tfjs/types.ts";
import { IRBuilder, bool, f32 } from "../helpers/ir_builder.ts";
import { useBackend } from "./helpers.ts";

type Case = [string, (b: IRBuilder, x: number, m: number) => number, number[], number[], number[]];
// name, loss body, x, reference dL/dx, tfjs dL/dx (m = [false, true, true])
const CASES: Case[] = [
  ["a tied max", (b, x) => b.reduce("max", x, ["T"]), [1, 3, 3], [0, 1, 0], [0, 1, 1]],
  ["clamp at constant bounds", (b, x) => b.clamp(x, b.const(0), b.const(1)), [0, 1, 0.5], [0, 0, 1], [1, 1, 1]],
  ["abs at 0", (b, x) => b.unary("abs", x), [0, 1, -1], [0, 1, -1], [-1, 1, -1]],
  [
    "log(0) in the unselected branch",
    (b, x, m) => b.where(m, b.unary("log", x), b.const(0)),
    [0, 1, 2],
    [0, 1, 0.5],
    [NaN, 1, 0.5],
  ],
  [
    "x / std(x) of a zero-variance x",
    (b, x) => {
      const sd = b.unary("sqrt", b.reduce("mean", b.mul(x, x), ["T"]));
      return b.safeDiv(x, sd, b.binary("gt", sd, b.const(0)), b.const(0));
    },
    [0, 0, 0],
    [0, 0, 0],
    [NaN, NaN, NaN],
  ],
  ["pow(x, 0) at x = 0", (b, x) => b.binary("pow", x, b.const(0)), [0, 1, 2], [0, 0, 0], [NaN, 0, 0]],
  ["maximum with a NaN first operand", (b, x) => b.binary("maximum", x, b.const(0.5)), [NaN, 1, 0], [1, 1, 0], [0, 1, 0]],
  [
    "logsumexp of all -inf",
    (b, x) => b.reduce("logsumexp", x, ["T"]),
    [-Infinity, -Infinity, -Infinity],
    [0, 0, 0],
    [NaN, NaN, NaN],
  ],
  [
    "a NaN in a masked logsumexp row",
    (b, x, m) => b.reduce("logsumexp", x, ["T"], { where: m }),
    [NaN, 0, 0],
    [0, 0.5, 0.5],
    [0, 0.5, 0.5],
  ],
];

describe("tfjs autograd conventions at kinks (cpu)", () => {
  let tf: TF;
  beforeAll(async () => {
    tf = await useBackend("cpu");
  });
  for (const [name, body, x, refWant, tfWant] of CASES) {
    it(name, () => {
      const b = new IRBuilder(["T"], name);
      const xi = b.input("x", "f32", ["T"], { mark: "policy" });
      const y = body(b, xi, b.input("m", "bool", ["T"]));
      b.result("L", "loss", b.reduce("sum", y, b.dimsOf(y)));
      const p = b.build();
      const inputs = { x: f32(["T"], [3], x), m: bool(["T"], [3], [0, 1, 1]) };
      const ref = gradients(p, evaluate(p, inputs), p.results[0]!.node)["x"]!;
      expect(Array.from(ref.data)).toEqual(refWant);
      expect(Array.from(tfjsAutogradGradients(tf, p, inputs)["dL/dx"]!.data)).toEqual(tfWant);
    });
  }
});
