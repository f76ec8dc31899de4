// The scalar edge cases of compiler/ir/scalar.ts (docs/language.md "Scalar semantics"), through every place that
// computes them: compile-time folding by the elaborator, the simplifier's constant folding, the reference evaluator,
// the fused JS kernels and tfjs (cpu and wasm). Values are compared with Object.is, so -0 and +0 differ (seen here
// through 1/x = ±inf) and NaN equals NaN.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BinaryOpName, IRProgram, UnaryOpName } from "../../compiler/ir/ir.ts";
import { BINARY, UNARY } from "../../compiler/ir/scalar.ts";
import { foldConstants } from "../../compiler/simplify/fold.ts";
import { simplify } from "../../compiler/simplify/index.ts";
import { compileKernels, type CompiledProgram } from "../../runtime/backends/js/index.ts";
import { evaluate } from "../../runtime/backends/reference/index.ts";
import { selectBackend, type BackendName } from "../../runtime/backends/tfjs/backend.ts";
import { runTfjs } from "../../runtime/backends/tfjs/lower.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import { f32, IRBuilder } from "../helpers/ir_builder.ts";
import { compileText } from "../stdlib/harness.ts";

/** An edge case: `outer(inner(a, b))`, written as source with literals (folded) and with inputs a, b (run). */
interface EdgeCase {
  what: string;
  inner: { unary: UnaryOpName } | { binary: BinaryOpName };
  /** 1/x makes the sign of a zero visible as ±inf. */
  reciprocal: boolean;
  a: number;
  b: number;
  /** The decided value (docs/language.md, "Scalar semantics"). */
  want: number;
}

const inf = Infinity;
const CASES: EdgeCase[] = [
  { what: "1/maximum(-0.0, 0.0)", inner: { binary: "maximum" }, reciprocal: true, a: -0, b: 0, want: inf },
  { what: "1/maximum(0.0, -0.0)", inner: { binary: "maximum" }, reciprocal: true, a: 0, b: -0, want: inf },
  { what: "1/minimum(-0.0, 0.0)", inner: { binary: "minimum" }, reciprocal: true, a: -0, b: 0, want: -inf },
  { what: "1/minimum(0.0, -0.0)", inner: { binary: "minimum" }, reciprocal: true, a: 0, b: -0, want: -inf },
  { what: "1/sign(-0.0)", inner: { unary: "sign" }, reciprocal: true, a: -0, b: 0, want: inf },
  { what: "1/sign(0.0)", inner: { unary: "sign" }, reciprocal: true, a: 0, b: 0, want: inf },
  { what: "-1 % inf", inner: { binary: "mod" }, reciprocal: false, a: -1, b: inf, want: inf },
  { what: "1 % -inf", inner: { binary: "mod" }, reciprocal: false, a: 1, b: -inf, want: -inf },
  { what: "1 % inf", inner: { binary: "mod" }, reciprocal: false, a: 1, b: inf, want: 1 },
  { what: "1/(0.0 % -1)", inner: { binary: "mod" }, reciprocal: true, a: 0, b: -1, want: inf },
  { what: "1/(-0.0 % 1)", inner: { binary: "mod" }, reciprocal: true, a: -0, b: 1, want: -inf },
  { what: "1/(3 % -3)", inner: { binary: "mod" }, reciprocal: true, a: 3, b: -3, want: inf },
  { what: "-1 % 3", inner: { binary: "mod" }, reciprocal: false, a: -1, b: 3, want: 2 },
  { what: "maximum(1, NaN)", inner: { binary: "maximum" }, reciprocal: false, a: 1, b: NaN, want: NaN },
  { what: "maximum(NaN, 1)", inner: { binary: "maximum" }, reciprocal: false, a: NaN, b: 1, want: NaN },
  { what: "minimum(1, NaN)", inner: { binary: "minimum" }, reciprocal: false, a: 1, b: NaN, want: NaN },
  { what: "sign(1e-30)", inner: { unary: "sign" }, reciprocal: false, a: 1e-30, b: 0, want: 1 },
  { what: "sign(-1e-30)", inner: { unary: "sign" }, reciprocal: false, a: -1e-30, b: 0, want: -1 },
  { what: "sign(NaN)", inner: { unary: "sign" }, reciprocal: false, a: NaN, b: 0, want: NaN },
  { what: "1/round(-0.5)", inner: { unary: "round" }, reciprocal: true, a: -0.5, b: 0, want: -inf },
  { what: "1/round(0.5)", inner: { unary: "round" }, reciprocal: true, a: 0.5, b: 0, want: inf },
  { what: "round(2.5)", inner: { unary: "round" }, reciprocal: false, a: 2.5, b: 0, want: 2 },
  { what: "lgamma(-inf)", inner: { unary: "lgamma" }, reciprocal: false, a: -inf, b: 0, want: inf },
];

const SOURCE_FN: Partial<Record<BinaryOpName, string>> = { mod: "%" };

/** A float literal in source: ±inf as ±1.0/0.0, NaN as 0.0/0.0, -0 as -0.0. */
function lit(v: number): string {
  if (Number.isNaN(v)) return "(0.0 / 0.0)";
  if (v === inf) return "(1.0 / 0.0)";
  if (v === -inf) return "(-1.0 / 0.0)";
  if (Object.is(v, -0)) return "-0.0";
  const text = Number.isInteger(v) ? v.toFixed(1) : String(v);
  return v < 0 ? `(${text})` : text;
}

function sourceOf(c: EdgeCase, a: string, b: string): string {
  const op =
    "unary" in c.inner
      ? `${c.inner.unary}(${a})`
      : SOURCE_FN[c.inner.binary]
        ? `(${a} ${SOURCE_FN[c.inner.binary]} ${b})`
        : `${c.inner.binary}(${a}, ${b})`;
  return c.reciprocal ? `1.0 / ${op}` : op;
}

const same = (x: number | undefined, y: number): boolean => x !== undefined && Object.is(x, y);
const show = (x: number | undefined): string => (Object.is(x, -0) ? "-0" : String(x));

describe("the scalar module itself gives the decided values", () => {
  it.each(CASES)("$what", (c) => {
    const inner = "unary" in c.inner ? UNARY[c.inner.unary](c.a) : BINARY[c.inner.binary](c.a, c.b);
    const got = c.reciprocal ? BINARY.div(1, inner) : inner;
    expect(show(got)).toBe(show(c.want));
  });
});

describe("compile-time folding (the elaborator) agrees", () => {
  it.each(CASES)("$what", (c) => {
    const p = compileText(`pipeline folded {\n  output y = ${sourceOf(c, lit(c.a), lit(c.b))}\n}\n`, "folded");
    const op = p.nodes[p.results[0]!.node]!.op;
    expect(op.op, "a static expression folds to a constant").toBe("const");
    expect(show(op.op === "const" ? op.value : undefined)).toBe(show(c.want));
  });
});

/** The case as IR on two f32 nodes. */
function irOf(b: IRBuilder, c: EdgeCase, x: number, y: number): number {
  const inner = "unary" in c.inner ? b.unary(c.inner.unary, x) : b.binary(c.inner.binary, x, y);
  return c.reciprocal ? b.div(b.const(1), inner) : inner;
}

function constProgram(c: EdgeCase): IRProgram {
  const b = new IRBuilder([], "consts");
  b.result("y", "output", irOf(b, c, b.const(c.a), b.const(c.b)));
  return b.build();
}

function resultConst(p: IRProgram): number | undefined {
  const op = p.nodes[p.results[0]!.node]!.op;
  return op.op === "const" ? op.value : undefined;
}

describe("the simplifier's constant folding agrees", () => {
  it.each(CASES)("foldConstants: $what", (c) => {
    expect(show(resultConst(foldConstants(constProgram(c))))).toBe(show(c.want));
  });
  it.each(CASES)("simplify (all passes, with hash-consing of ±0 constants): $what", (c) => {
    expect(show(resultConst(simplify(constProgram(c))))).toBe(show(c.want));
  });
});

/** Every case as one output of a run-time program over inputs a, b: f32[B] (case i at position i). */
function runtimeProgram(): { program: IRProgram; inputs: Record<string, Tensor> } {
  const outputs = CASES.map((c, i) => `  output y${i} = ${sourceOf(c, "a", "b")}`).join("\n");
  const program = compileText(`pipeline edges {\n  dims B\n  input a: f32[B]\n  input b: f32[B]\n${outputs}\n}\n`, "edges");
  const n = CASES.length;
  return {
    program,
    inputs: {
      a: f32(
        ["B"],
        [n],
        CASES.map((c) => c.a),
      ),
      b: f32(
        ["B"],
        [n],
        CASES.map((c) => c.b),
      ),
    },
  };
}

/** Cases whose result at their own position differs from the decided value. */
function disagreements(results: Record<string, Tensor>): string[] {
  return CASES.flatMap((c, i) => {
    const got = results[`y${i}`]?.data[i];
    return same(got, c.want) ? [] : [`${c.what}: ${show(got)}, decided ${show(c.want)}`];
  });
}

describe("run-time backends agree", () => {
  const { program, inputs } = runtimeProgram();
  let kernels: CompiledProgram;
  beforeAll(() => {
    kernels = compileKernels(program, { threads: 1 });
  });
  afterAll(async () => {
    await kernels.close();
  });

  it("the reference evaluator", () => {
    expect(disagreements(evaluate(program, inputs).results)).toEqual([]);
  });
  it("the fused JS kernels", async () => {
    expect(disagreements((await kernels.evaluate(inputs)).results)).toEqual([]);
  });
  it.each<BackendName>(["cpu", "wasm"])("tfjs-%s", async (name) => {
    const { tf } = await selectBackend(name);
    expect(disagreements(runTfjs(tf, program, inputs).results)).toEqual([]);
  });
});
