// Random small well-typed programs for property tests: a recipe (a list of small integers, drawn by fast-check) is
// turned into a program over dims [A, B] with marked inputs, consts that trigger the identities (0, 1, −1) and
// repeated subexpressions that trigger CSE. The last f32 value is the loss (summed over its dims).
import fc from "fast-check";
import type { BinaryOpName, IRProgram, UnaryOpName } from "../../compiler/ir/ir.ts";
import { tensor, type Tensor } from "../../runtime/library/tensor.ts";
import { IRBuilder, rand } from "../helpers/ir_builder.ts";

const UNARY: UnaryOpName[] = ["neg", "abs", "tanh", "sigmoid", "sin", "exp", "softplus"];
const BINARY: BinaryOpName[] = ["add", "sub", "mul", "maximum", "minimum", "div"];
export const SIZES = { A: 2, B: 3 };

export const recipe = fc.array(fc.tuple(fc.nat(12), fc.nat(1000), fc.nat(1000), fc.nat(1000)), { minLength: 2, maxLength: 14 });

export interface RandomProgram {
  program: IRProgram;
  inputs: Record<string, Tensor>;
}

export function buildRandomProgram(steps: [number, number, number, number][], seed: number): RandomProgram {
  const b = new IRBuilder(["A", "B"]);
  const f: number[] = [
    b.input("x", "f32", ["A", "B"], { mark: "policy" }),
    b.input("y", "f32", ["B"], { mark: "critic" }),
    b.input("c", "f32", ["A"]),
    b.const(0),
    b.const(1),
    b.const(-1),
    b.param("k", 0.5),
  ];
  const masks: number[] = [b.input("m", "bool", ["A", "B"])];
  const pick = (pool: number[], i: number): number => pool[i % pool.length]!;
  for (const [kind, i, j, k] of steps) {
    const x = pick(f, i);
    const y = pick(f, j);
    switch (kind) {
      case 0:
      case 1:
        f.push(b.unary(UNARY[k % UNARY.length]!, x));
        break;
      case 2:
      case 3:
        f.push(b.binary(BINARY[k % BINARY.length]!, x, y));
        break;
      case 4:
        masks.push(b.binary(k % 2 === 0 ? "gt" : "le", x, y));
        break;
      case 5:
        f.push(b.where(pick(masks, k), x, y));
        break;
      case 6: {
        const mask = k % 3 === 0 ? undefined : pick(masks, j);
        const space = b.canon(b.dimsOf(x), mask === undefined ? [] : b.dimsOf(mask));
        const over = space.length === 0 ? [] : k % 2 === 0 ? space : [space[k % space.length]!];
        const fn = (["sum", "mean", "max", "min", "logsumexp"] as const)[k % 5]!;
        f.push(b.reduce(fn, x, over, mask === undefined ? {} : { where: mask, empty: 0 }));
        break;
      }
      case 7:
        f.push(b.safeDiv(x, y, pick(masks, k), b.const(0)));
        break;
      case 8:
        f.push(b.clamp(x, b.const(-0.5), y));
        break;
      case 9:
        f.push(b.dimsOf(x).includes("B") ? b.scan(k % 2 === 0 ? "cumsum" : "cummax", x, "B", k % 3 === 0) : b.detach(x));
        break;
      case 10:
        f.push(b.dimsOf(x).includes("B") ? b.shift(x, f[2]!, "B", (k % 3) - 1 || 1) : b.cast("f32", pick(masks, k)));
        break;
      case 11:
        f.push(b.dimsOf(x).includes("B") ? b.linrec(b.const(0.5), x, "B", k % 2 === 0) : b.mul(x, b.const(0)));
        break;
      default:
        f.push(b.add(b.mul(x, b.const(1)), b.const(0)));
        break;
    }
  }
  const last = f[f.length - 1]!;
  b.result("out", "output", last);
  b.result("L", "loss", b.reduce("sum", b.add(last, b.mul(f[0]!, b.const(0.01))), ["A", "B"]));
  const data = (dims: ("A" | "B")[], s: number, lo = -1.5, hi = 1.5): Tensor => {
    const shape = dims.map((d) => SIZES[d]);
    return tensor(
      "f32",
      dims,
      shape,
      rand(
        shape.reduce((a, v) => a * v, 1),
        s,
        lo,
        hi,
      ),
    );
  };
  const m = data(["A", "B"], seed + 3, 0, 1);
  return {
    program: b.build(),
    inputs: {
      x: data(["A", "B"], seed),
      y: data(["B"], seed + 1),
      c: data(["A"], seed + 2),
      m: { ...m, dtype: "bool", data: m.data.map((v) => (v < 0.6 ? 1 : 0)) },
    },
  };
}
