// Random programs (elementwise ops, reductions over any dims with and without masks, scans in both directions, shifts)
// over P, G, T: the fused kernels agree with the reference evaluator. Exercises scheduling corners: sibling passes,
// scatter reductions, scans read by later loops (spills), values crossing kernels at shifted positions.
import { describe, expect, it } from "vitest";
import type { IRProgram, ReduceOpName } from "../../compiler/ir/ir.ts";
import { IRBuilder } from "../helpers/ir_builder.ts";
import { checkFused } from "./helpers.ts";
import { lcg, seededInputs } from "../kit/index.ts";

function randomProgram(seed: number, withLoss = false): IRProgram {
  const r = lcg(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const b = new IRBuilder(["P", "G", "T", { name: "Y", labels: ["w", "l"] }, { name: "G2", aliasOf: "G" }]);
  const vals: number[] = [
    b.input("x", "f32", ["P", "G", "T"], withLoss ? { mark: "policy" } : {}),
    b.input("y", "f32", ["P", "G"]),
    b.input("z", "f32", ["T"]),
    b.input("w", "f32", ["P", "T"]),
  ];
  vals.push(b.input("u", "f32", ["P", "Y", "T"]));
  const masks = [b.input("m", "bool", ["P", "G", "T"]), b.input("k", "bool", ["P", "T"])];
  const ti = b.input("ti", "i32", ["P", "G"]);
  b.nodes[ti]!.type.indexOf = "T";
  b.inputs[b.inputs.length - 1]!.type.indexOf = "T";
  for (let step = 0; step < 10; step++) {
    const a = pick(vals);
    const dims = b.dimsOf(a);
    const kind = r();
    let v: number;
    if (kind < 0.3) v = b.binary(pick(["add", "sub", "mul", "maximum"] as const), a, pick(vals));
    else if (kind < 0.4) v = b.where(pick(masks), a, pick(vals));
    else if (kind < 0.45) v = b.unary(pick(["tanh", "sin", "neg", "abs"] as const), a);
    else if (kind < 0.75 && dims.length > 0) {
      const over = dims.filter(() => r() < 0.5);
      if (over.length === 0) over.push(pick(dims));
      const fn = pick(["sum", "max", "min", "mean", "count", "logsumexp"] as ReduceOpName[]);
      const masked = r() < 0.5;
      const red = b.reduce(
        fn,
        a,
        over,
        masked ? { where: pick(masks), empty: 0 } : { empty: fn === "min" ? Infinity : -Infinity },
      );
      v = b.unary("tanh", red);
    } else if (kind < 0.9 && dims.length > 0) {
      const along = pick(dims);
      v =
        r() < 0.3
          ? b.linrec(b.const(0.5), a, along, r() < 0.5)
          : b.scan(pick(["cumsum", "cummax", "cummin"] as const), a, along, r() < 0.5);
    } else if (kind < 0.93 && dims.length > 0) v = b.shift(a, b.const(0), pick(dims), pick([1, -1, 2]));
    else if (kind < 0.95 && dims.includes("Y")) v = b.select(a, "Y", pick([0, 1]));
    else if (kind < 0.96 && !dims.includes("Y")) v = b.stack("Y", [a, pick(vals.filter((x) => !b.dimsOf(x).includes("Y")))]);
    else if (kind < 0.98 && dims.includes("G") && !dims.includes("G2")) v = b.rename(a, "G", "G2");
    else if (dims.includes("T")) v = b.take(a, ti, b.const(-1), "T");
    else v = b.unary("sin", a);
    vals.push(v);
  }
  for (const [i, v] of vals.slice(-4).entries()) b.result(`out${i}`, "output", v);
  b.result("pick", "output", vals[4 + Math.floor(r() * 6)]!);
  if (withLoss) {
    // a loss over every value that depends on x
    const terms = vals
      .filter((v) => b.nodes[v]!.grad.length > 0 && b.dtypeOf(v) === "f32")
      .map((v) => b.reduce("sum", v, b.dimsOf(v)));
    if (terms.length > 0)
      b.result(
        "L",
        "loss",
        terms.reduce((a, t) => b.add(a, t)),
      );
  }
  return b.build();
}

export { randomProgram };

describe("random programs", () => {
  it("fused kernels agree with the reference on 150 random programs (1 and 2 threads)", async () => {
    let checked = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const program = randomProgram(seed);
      const inputs = seededInputs(program, { seed, sizes: { P: 3, G: 2, T: 4 } });
      const threads = seed % 2 === 0 ? 2 : 1;
      await checkFused(program, inputs, { grad: false, kernel: { threads, minParallelWork: 1 }, what: `random program ${seed}` });
      checked++;
    }
    expect(checked).toBe(150);
  }, 120_000);

  it("fused gradients agree with the reference on 60 random programs", async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const program = randomProgram(seed, true);
      const inputs = seededInputs(program, { seed, sizes: { P: 3, G: 2, T: 4 } });
      await checkFused(program, inputs, { kernel: { threads: 1 }, what: `random program ${seed} with its gradient` });
    }
  }, 120_000);
});
