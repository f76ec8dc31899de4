// The metadata a generated module exports as `plan` (the stable surface between generated code and a driver:
// runtime/backends/js, or a module emitted by `rlp compile -o`). Plain JSON-like data.
import type { DimInfo, DType, Op } from "./ir.ts";

export type AccFnName = "sum" | "count" | "max" | "min";

export interface BufferMeta {
  id: number;
  name: string;
  dtype: DType;
  dims: string[];
  role: "input" | "output" | "temp";
  input?: string;
  results?: string[];
}

export interface LoopKernelMeta {
  name: string;
  kind: "loop" | "scan";
  nest: string[];
  splittable: boolean;
  /** float64 partials of depth-0 accumulations: total[offset], combined with fn across threads */
  slots: { offset: number; fn: AccFnName }[];
  /** float64 scratch areas S[i] of scatter accumulations (shared: one area for all threads) */
  scratch: { fn: AccFnName; dims: string[]; shared: boolean }[];
}

export interface LibraryKernelMeta {
  name: string;
  kind: "library";
  op: Op;
  args: number[];
  out: number;
}

export type KernelMeta = LoopKernelMeta | LibraryKernelMeta;

export interface PlanMeta {
  pipeline: string;
  dims: DimInfo[];
  /** Every dim a value of the program has (each must have a size when it runs). */
  usedDims: string[];
  /** param name -> value compiled in (run-time params override) */
  params: Record<string, number>;
  inputs: { name: string; buffer: number; dtype: DType; dims: string[]; default?: number }[];
  buffers: BufferMeta[];
  kernels: KernelMeta[];
  results: Record<string, number>;
  requires: { buffer: number; message: string }[];
}
