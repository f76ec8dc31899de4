// The shape of a conformance entry: one small program, its edge inputs, hand-computed expectations, and which of
// the four checks (reference, symbolic gradient vs central differences, fused JS kernels, tfjs) apply. A check
// that does not apply is an explicit `{ skip: "why" }`, never a missing key.
import type { DType, IRProgram, OpName } from "../../compiler/ir/ir.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";

export interface Skip {
  skip: string;
}

export type Column = "run" | Skip;

export const isSkip = (c: unknown): c is Skip => typeof c === "object" && c !== null && "skip" in c;

/** Expected results of the float64 reference (by result name, canonical order; `dL/dx` names are gradients). */
export type Expected = Record<string, readonly number[]> | ((results: Record<string, Tensor>) => void);

export interface Case {
  /** One pipeline in .rlp. */
  source: string;
  /** Edge inputs for the forward checks. */
  inputs: Record<string, Tensor>;
  /** Smooth points (away from kinks and ties) for the gradient checks; default `inputs`. */
  gradInputs?: Record<string, Tensor>;
  /** The op (and function) this case exists for: it must appear in the program or its gradient program. */
  exercises: { op: OpName; fn?: string };
  reference: Expected | Skip;
  /** Every `dL/dx` of the symbolic gradient against central differences at `gradInputs`. */
  gradient: Column;
  /** The fused kernels (float32) against the reference: forward at `inputs`, gradients at `gradInputs`. */
  fused: Column;
  /** tfjs (cpu, float32) against the reference, the same way. */
  tfjs: Column;
  /** Result names the checks look at (default: every result). Family cases share one program. */
  names?: string[];
}

/** An op whose every column is skipped (it needs a plugin, or exists only inside other entries). */
export interface Skipped {
  reference: Skip;
  gradient: Skip;
  fused: Skip;
  tfjs: Skip;
}

/** An op kind whose entries are per function (the UNARY, BINARY, ... tables). */
export interface ByFunction {
  byFunction: "unary" | "binary" | "reduce" | "scan" | "segment";
}

export type OpEntry = Case | Skipped | ByFunction;

/** A tensor in canonical order from flat data. */
export function t(dtype: DType, dims: string[], shape: number[], data: readonly number[]): Tensor {
  if (shape.reduce((a, b) => a * b, 1) !== data.length) throw new Error(`tensor [${shape}] given ${data.length} values`);
  return { dtype, dims, shape, data: Float64Array.from(data) };
}

export const f32 = (dims: string[], shape: number[], data: readonly number[]): Tensor =>
  t("f32", dims, shape, data.map(Math.fround));
export const vec = (data: readonly number[], dim = "N"): Tensor => f32([dim], [data.length], data);

/** Does `program` contain the op (with the function, when given)? */
export function contains(program: IRProgram, ex: Case["exercises"]): boolean {
  return program.nodes.some((n) => n.op.op === ex.op && (ex.fn === undefined || ("fn" in n.op && n.op.fn === ex.fn)));
}
