// The family programs: each per-function table (functions.ts) becomes one pipeline in which every function reads
// its own inputs (x_FN, or a_FN and b_FN) and writes y_FN (r_FN: reversed scans), and the loss weights every
// differentiable y_FN, so dL/dx_FN isolates that function's gradient. One program per family keeps the suite fast.
import type { BinaryOpName, UnaryOpName } from "../../compiler/ir/ir.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import {
  BINARY,
  REDUCE,
  RED_GRAD,
  RED_M,
  RED_X,
  SCAN,
  SCAN_GRAD,
  SCAN_X,
  SEGMENT,
  SEG_GRAD,
  SEG_KEY,
  SEG_M,
  SEG_X,
  UNARY,
  W4,
  W8,
  type BinaryEntry,
  type FamilyEntry,
  type UnaryEntry,
} from "./functions.ts";
import { f32, t, vec, type Case, type Column, type Skip } from "./types.ts";

const sub = (expr: string, names: Record<string, string>): string => expr.replace(/\b(x|a|b)\b/g, (v) => names[v] ?? v);
const rows = (n: number, k: number, data: readonly number[]): Tensor => f32(["R", "N"], [n, k], data);
/** The name of the gradient result of L w.r.t. input `v`_`fn`. */
const id = (v: string, fn: string): string => `dL/d${v}_${fn}`;

function unaryFamily(): Record<UnaryOpName, Case> {
  const entries = Object.entries(UNARY) as [UnaryOpName, UnaryEntry][];
  const lines = ["pipeline unary {", "  dims N", "  input w: f32[N]"];
  const loss: string[] = [];
  const inputs: Record<string, Tensor> = { w: vec(W8) };
  const gradInputs: Record<string, Tensor> = { w: vec(W4) };
  for (const [fn, e] of entries) {
    const diff = Array.isArray(e.grad);
    lines.push(`  input x_${fn}: ${e.dtype ?? "f32"}[N]${diff ? " @policy" : ""}`);
    lines.push(`  output y_${fn} = ${fn === "neg" ? `-x_${fn}` : fn === "not" ? `not x_${fn}` : `${fn}(x_${fn})`}`);
    if (diff) loss.push(`sum(y_${fn} * w, over=N)`);
    inputs[`x_${fn}`] = e.dtype === "bool" ? t("bool", ["N"], [e.x.length], e.x) : vec(e.x);
    gradInputs[`x_${fn}`] = Array.isArray(e.grad) ? vec(e.grad) : t("bool", ["N"], [4], [1, 0, 1, 0]);
  }
  lines.push(`  loss L = ${loss.join(" + ")}`, "}");
  const source = lines.join("\n");
  const out = {} as Record<UnaryOpName, Case>;
  for (const [fn, e] of entries) {
    const x = inputs[`x_${fn}`]!.data;
    const want = typeof e.expect === "function" ? Array.from(x, e.expect) : e.expect;
    const grad: Column = Array.isArray(e.grad) ? "run" : (e.grad as Skip);
    out[fn] = {
      source,
      inputs,
      gradInputs,
      exercises: { op: "unary", fn },
      reference: { [`y_${fn}`]: want },
      gradient: grad,
      fused: "run",
      tfjs: "run",
      names: [`y_${fn}`, id("x", fn)],
    };
  }
  return out;
}

function binaryFamily(): Record<BinaryOpName, Case> {
  const entries = Object.entries(BINARY) as [BinaryOpName, BinaryEntry][];
  const lines = ["pipeline binary {", "  dims N", "  input w: f32[N]"];
  const loss: string[] = [];
  const inputs: Record<string, Tensor> = { w: vec(W8) };
  const gradInputs: Record<string, Tensor> = { w: vec(W4) };
  for (const [fn, e] of entries) {
    const diff = !("skip" in e.grad);
    for (const v of ["a", "b"] as const) {
      lines.push(`  input ${v}_${fn}: ${e.dtype ?? "f32"}[N]${diff ? " @policy" : ""}`);
      inputs[`${v}_${fn}`] = e.dtype === undefined ? vec(e[v]) : t(e.dtype, ["N"], [8], e[v]);
      gradInputs[`${v}_${fn}`] = "skip" in e.grad ? t(e.dtype ?? "f32", ["N"], [4], [1, 0, 1, 2]) : vec(e.grad[v]);
    }
    lines.push(`  output y_${fn} = ${sub(e.expr, { a: `a_${fn}`, b: `b_${fn}` })}`);
    if (diff) loss.push(`sum(y_${fn} * w, over=N)`);
  }
  lines.push(`  loss L = ${loss.join(" + ")}`, "}");
  const source = lines.join("\n");
  const out = {} as Record<BinaryOpName, Case>;
  for (const [fn, e] of entries) {
    const a = inputs[`a_${fn}`]!.data;
    const b = inputs[`b_${fn}`]!.data;
    const want =
      typeof e.expect === "function"
        ? Array.from(a, (v, i) => (e.expect as (a: number, b: number) => number)(v, b[i]!))
        : e.expect;
    const grad: Column = "skip" in e.grad ? e.grad : "run";
    out[fn] = {
      source,
      inputs,
      gradInputs,
      exercises: { op: "binary", fn },
      reference: { [`y_${fn}`]: want },
      gradient: grad,
      fused: "run",
      tfjs: "run",
      names: [`y_${fn}`, id("a", fn), id("b", fn)],
    };
  }
  return out;
}

interface Layout {
  name: string;
  op: "reduce" | "scan" | "segment";
  shape: [number, number];
  x: readonly number[];
  gradX: readonly number[];
  /** Extra input lines and values (masks, keys, weights), and the weight each y_FN is multiplied by in the loss. */
  decls: string[];
  extra: Record<string, Tensor>;
  gradExtra: Record<string, Tensor>;
  weight: string;
  /** Scans: also r_FN, the reversed scan. */
  reversed?: boolean;
}

function family<F extends string>(table: Record<F, FamilyEntry>, l: Layout): Record<F, Case> {
  const entries = Object.entries(table) as [F, FamilyEntry][];
  const lines = [`pipeline ${l.name} {`, "  dims R, N", ...l.decls.map((d) => `  ${d}`)];
  const loss: string[] = [];
  const inputs: Record<string, Tensor> = { ...l.extra };
  const gradInputs: Record<string, Tensor> = { ...l.gradExtra };
  const [nr, nk] = l.shape;
  for (const [fn, e] of entries) {
    const diff = e.grad === "run";
    const x = `x_${fn}`;
    lines.push(`  input ${x}: ${e.dtype ?? "f32"}[R,N]${diff ? " @policy" : ""}`);
    lines.push(`  output y_${fn} = ${sub(e.expr, { x })}`);
    if (l.reversed) lines.push(`  output r_${fn} = ${sub(e.expr, { x }).replace(/\)$/, ", reverse=true)")}`);
    if (diff)
      loss.push(
        `sum(${l.reversed ? `(y_${fn} + r_${fn})` : `y_${fn}`} * ${l.weight}, over=${l.op === "reduce" ? "R" : "[R,N]"})`,
      );
    inputs[x] = e.dtype === "bool" ? t("bool", ["R", "N"], [nr, nk], e.x!) : rows(nr, nk, e.x ?? l.x);
    gradInputs[x] = e.dtype === "bool" ? t("bool", ["R", "N"], [nr, nk], e.x!) : rows(nr, nk, l.gradX);
  }
  lines.push(`  loss L = ${loss.join(" + ")}`, "}");
  const source = lines.join("\n");
  const out = {} as Record<F, Case>;
  for (const [fn, e] of entries) {
    const reference = Object.fromEntries(
      Object.entries(e.expect).map(([k, v]) => [k === "dL/dx" ? id("x", fn) : `${k}_${fn}`, v]),
    );
    const names = [`y_${fn}`, `r_${fn}`, id("x", fn)];
    out[fn] = {
      source,
      inputs,
      gradInputs,
      exercises: { op: l.op, fn },
      reference,
      gradient: e.grad,
      fused: "run",
      tfjs: "run",
      names,
    };
  }
  return out;
}

const mask = (shape: [number, number], data: readonly number[]): Tensor => t("bool", ["R", "N"], shape, data);

export const UNARY_CASES = unaryFamily();
export const BINARY_CASES = binaryFamily();
export const REDUCE_CASES = family(REDUCE, {
  name: "reduce",
  op: "reduce",
  shape: [3, 4],
  x: RED_X,
  gradX: RED_GRAD,
  weight: "w",
  decls: ["input m: bool[R,N]", "input w: f32[R]"],
  extra: { m: mask([3, 4], RED_M), w: f32(["R"], [3], [1, 2, 3]) },
  gradExtra: { m: mask([3, 4], RED_M), w: f32(["R"], [3], [1, 2, 3]) },
});
export const SCAN_CASES = family(SCAN, {
  name: "scan",
  op: "scan",
  shape: [2, 4],
  x: SCAN_X,
  gradX: SCAN_GRAD,
  weight: "w",
  reversed: true,
  decls: ["input w: f32[R,N]"],
  extra: { w: f32(["R", "N"], [2, 4], [1, 2, 3, 4, 0.5, 1, 1.5, 2]) },
  gradExtra: { w: f32(["R", "N"], [2, 4], [1, 2, 3, 4, 0.5, 1, 1.5, 2]) },
});
export const SEGMENT_CASES = family(SEGMENT, {
  name: "segment",
  op: "segment",
  shape: [2, 5],
  x: SEG_X,
  gradX: SEG_GRAD,
  weight: "w",
  decls: ["input key: id[R,N]", "input m: bool[R,N]", "input w: f32[R,N]"],
  extra: {
    key: t("id", ["R", "N"], [2, 5], SEG_KEY),
    m: mask([2, 5], SEG_M),
    w: f32(["R", "N"], [2, 5], [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]),
  },
  gradExtra: {
    key: t("id", ["R", "N"], [2, 5], SEG_KEY),
    m: mask([2, 5], SEG_M),
    w: f32(["R", "N"], [2, 5], [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]),
  },
});
