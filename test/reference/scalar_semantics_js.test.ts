// The JS kernels' scalar code (compiler/codegen/js: the inline expressions of expr.ts and the helper functions of
// helpers.ts, both kept as source text) against compiler/ir/scalar.ts, the one definition, for every unary and
// binary function and every cast on a grid of edge values. Object.is compares, so -0 differs from +0 and NaN
// equals NaN. The tables are keyed by the op-name types: a function missing here is a type error.
import { describe, expect, it } from "vitest";
import { binaryJs, exprJs, unaryJs } from "../../compiler/codegen/js/expr.ts";
import { HELPER_ORDER, HELPERS } from "../../compiler/codegen/js/helpers.ts";
import type { BinaryOpName, DType, IRProgram, UnaryOpName } from "../../compiler/ir/ir.ts";
import { BINARY, cast, UNARY } from "../../compiler/ir/scalar.ts";

const EDGES = [
  0,
  -0,
  Infinity,
  -Infinity,
  NaN,
  0.5,
  -0.5,
  1.5,
  -1.5,
  2.5,
  -2.5,
  1,
  -1,
  2,
  -2,
  3,
  -3,
  7,
  -7,
  10,
  0.1,
  -0.3,
  0.9,
  -1.1,
  1e308,
  -1e308,
  3e38,
  -3e38,
  5e-324,
  -5e-324,
  1e-45,
  -1e-45,
  4503599627370495.5,
  2 ** 31,
  -(2 ** 31) - 1,
  709.8,
  -745.2,
];
const BOOLS = [0, 1];

/** Which operands a function takes in a kernel: numbers, or JS booleans (bool tensors load as `b[i] !== 0`). */
type Domain = "number" | "bool";
const UNARY_DOMAIN: Record<UnaryOpName, Domain> = {
  neg: "number",
  exp: "number",
  log: "number",
  log1p: "number",
  expm1: "number",
  sqrt: "number",
  abs: "number",
  sign: "number",
  tanh: "number",
  sigmoid: "number",
  softplus: "number",
  sin: "number",
  cos: "number",
  floor: "number",
  ceil: "number",
  round: "number",
  lgamma: "number",
  not: "bool",
};
const BINARY_DOMAIN: Record<BinaryOpName, Domain> = {
  add: "number",
  sub: "number",
  mul: "number",
  div: "number",
  idiv: "number",
  mod: "number",
  pow: "number",
  maximum: "number",
  minimum: "number",
  eq: "number",
  ne: "number",
  lt: "number",
  le: "number",
  gt: "number",
  ge: "number",
  and: "bool",
  or: "bool",
};

/** A JS function of `params` returning `expr`, with the helpers the expression uses defined in front of it. */
function compile(params: string[], build: (use: (h: string) => void) => string): (...xs: unknown[]) => unknown {
  const used = new Set<string>();
  const expr = build((h) => used.add(h));
  for (const h of used) expect(HELPERS[h], `helper ${h} has source text`).toBeDefined();
  const helpers = HELPER_ORDER.filter((h) => used.has(h)).map((h) => HELPERS[h]!);
  return new Function(...params, `${helpers.join("\n")}\nreturn ${expr};`) as (...xs: unknown[]) => unknown;
}

/** A kernel's value as a number (comparisons and logic give JS booleans, stored as 0/1). */
const num = (v: unknown): number => (typeof v === "boolean" ? Number(v) : (v as number));
const show = (x: number): string => (Object.is(x, -0) ? "-0" : String(x));
const operand = (d: Domain, v: number): number | boolean => (d === "bool" ? v !== 0 : v);

describe("JS kernel expressions and helpers agree with compiler/ir/scalar.ts", () => {
  it.each(Object.keys(UNARY_DOMAIN) as UnaryOpName[])("unary %s", (fn) => {
    const d = UNARY_DOMAIN[fn];
    const js = compile(["x"], (use) => unaryJs(fn, "x", { use }));
    const bad = (d === "bool" ? BOOLS : EDGES).flatMap((x) => {
      const [got, want] = [num(js(operand(d, x))), UNARY[fn](x)];
      return Object.is(got, want) ? [] : [`${fn}(${show(x)}): js ${show(got)}, scalar.ts ${show(want)}`];
    });
    expect(bad).toEqual([]);
  });

  it.each(Object.keys(BINARY_DOMAIN) as BinaryOpName[])("binary %s", (fn) => {
    const d = BINARY_DOMAIN[fn];
    const js = compile(["a", "b"], (use) => binaryJs(fn, "a", "b", { use }));
    const grid = d === "bool" ? BOOLS : EDGES;
    const bad = grid.flatMap((a) =>
      grid.flatMap((b) => {
        const [got, want] = [num(js(operand(d, a), operand(d, b))), BINARY[fn](a, b)];
        return Object.is(got, want) ? [] : [`${fn}(${show(a)}, ${show(b)}): js ${show(got)}, scalar.ts ${show(want)}`];
      }),
    );
    expect(bad.slice(0, 10)).toEqual([]);
  });

  it("negative literals as operands keep their meaning (parenthesised)", () => {
    for (const fn of Object.keys(BINARY_DOMAIN) as BinaryOpName[]) {
      if (BINARY_DOMAIN[fn] === "bool") continue;
      const js = compile([], (use) => binaryJs(fn, "-1.5", "-2.5", { use }));
      expect(show(num(js())), fn).toBe(show(BINARY[fn](-1.5, -2.5)));
    }
    const neg = compile([], (use) => unaryJs("neg", "-3", { use }));
    expect(neg()).toBe(3);
  });

  const CASTS: Record<DType, readonly DType[]> = {
    f32: ["i32", "bool", "f32"],
    i32: ["f32", "bool", "id"],
    bool: ["f32", "i32"],
    id: [],
  };
  it.each(Object.entries(CASTS).flatMap(([from, tos]) => tos.map((to) => [from as DType, to])))("cast %s -> %s", (from, to) => {
    const program = {
      nodes: [
        { id: 0, op: { op: "input", name: "x" }, args: [], type: { dtype: from, dims: [] }, grad: [] },
        { id: 1, op: { op: "cast", to }, args: [0], type: { dtype: to, dims: [] }, grad: [] },
      ],
    } as unknown as IRProgram;
    const js = compile(["x"], (use) =>
      exprJs(
        { e: "op", node: 1, args: ["x"] },
        {
          program,
          buffer: () => {
            throw new Error("no buffers");
          },
          use,
        },
      ),
    );
    const domain =
      from === "bool" ? BOOLS : from === "i32" ? EDGES.filter((v) => Number.isInteger(v) && !Object.is(v, -0)) : EDGES;
    const bad = domain.flatMap((x) => {
      const [got, want] = [num(js(from === "bool" ? x !== 0 : x)), cast(to, x)];
      return Object.is(got, want) ? [] : [`${to}(${show(x)} as ${from}): js ${show(got)}, scalar.ts ${show(want)}`];
    });
    expect(bad).toEqual([]);
  });
});
