// The kernel plan: what compiler/fuse produces and compiler/codegen/js renders. Pure data (JSON-friendly).
//
// A plan is a list of kernels run in order over named buffers. A loop kernel is a loop nest over dims (canonical
// order, a scan's `along` innermost) whose body is a tree of statements: nested loops, `let`s of inline values
// (locals: no buffer), accumulations (float64), scan steps and stores. Operands are local names or literals.
import type { DType, IRProgram, ReduceOpName, ScanOpName } from "../ir/ir.ts";

export type BufferRole = "input" | "output" | "temp";

export interface BufferInfo {
  id: number;
  /** Readable and unique: the input or result name, or `t<node>` for a temporary. */
  name: string;
  dtype: DType;
  /** Canonical order; the buffer is row-major over them. */
  dims: string[];
  role: BufferRole;
  /** The (lowered) IR node whose value it holds. */
  node: number;
  /** For inputs: the input name. */
  input?: string;
  /** The results stored here (outputs). */
  results?: string[];
}

/** A float64 partial of a depth-0 accumulation (one per thread, combined before the epilogue). */
export interface AccSlot {
  node: number;
  fn: AccFn;
  offset: number;
}

/**
 * A float64 accumulation area of a scatter accumulation (a reduction whose result is not a prefix of the loop nest).
 * `shared`: its dims contain the split dim, so threads write disjoint parts of one area; otherwise each thread has
 * its own, combined before the epilogue.
 */
export interface ScratchInfo {
  id: number;
  node: number;
  fn: AccFn;
  dims: string[];
  shared: boolean;
}

export type AccFn = Extract<ReduceOpName, "sum" | "count" | "max" | "min">;

/** A local name (v12, a61, o_P_G, i_T, p_beta, n_T) or a JS-compatible numeric literal. */
export type Operand = string;

export type Expr =
  /** The inline op of IR node `node` on operand locals (`index`: the dim's index for embed/stack, the flat index for uniform). */
  | { e: "op"; node: number; args: Operand[]; index?: Operand }
  | { e: "load"; buffer: number; offset: Operand }
  /** prev * n_dim + index (a row-major offset, one dim at a time); prev absent for the first dim. */
  | { e: "offset"; prev?: Operand; dim: string; index: Operand }
  /** index - by (a shifted position) */
  | { e: "sub"; a: Operand; by: number }
  /** 0 <= a < n_dim */
  | { e: "inrange"; a: Operand; dim: string }
  | { e: "pick"; cond: Operand; a: Operand; b: Operand }
  /** A combined depth-0 partial (epilogue), rounded to f32 when `round` */
  | { e: "slot"; offset: number; round: boolean }
  /** a rounded to float32: a reduction's or scan's value, exactly as a later kernel reads it back from its buffer */
  | { e: "round"; a: Operand };

export type AccTarget = { t: "local"; name: string } | { t: "scratch"; scratch: number; index: Operand };

export type Stmt =
  | { s: "loop"; dim: string; reverse: boolean; split: boolean; body: Stmt[] }
  | { s: "let"; name: string; expr: Expr; node?: number }
  | { s: "acc_init"; name: string; fn: AccFn; node: number }
  | { s: "acc"; node: number; fn: AccFn; target: AccTarget; value?: Operand; where?: Operand; countIf?: Operand }
  | { s: "slot_out"; offset: number; name: string }
  | { s: "scan_init"; name: string; fn: ScanOpName | "linrec"; init?: Operand; node: number }
  | { s: "scan_step"; name: string; fn: ScanOpName | "linrec"; node: number; x?: Operand; a?: Operand; b?: Operand }
  | { s: "store"; buffer: number; offset: Operand; value: Operand; node: number }
  /** a float64 scratch area -> its buffer (epilogue of a scatter accumulation) */
  | { s: "flush"; buffer: number; scratch: number; node: number };

export interface LoopKernel {
  kind: "loop" | "scan";
  name: string;
  index: number;
  /** The dims of the loop nest, outermost first. */
  nest: string[];
  /** The outermost loop may be split over threads (every write contains that dim, or goes to a partial). */
  splittable: boolean;
  /** Runs once per thread over [lo, hi) of the outermost dim. */
  body: Stmt[];
  /** Runs once after the loops (and after the partials of all threads are combined). */
  epilogue: Stmt[];
  slots: AccSlot[];
  scratch: ScratchInfo[];
  reads: number[];
  writes: number[];
  /** IR nodes computed here, in order: stage nodes and the inline nodes fused into them. */
  nodes: number[];
  /** Why this kernel starts a new pass (for the plan dump). */
  notes: string[];
}

export interface LibraryKernel {
  kind: "library";
  name: string;
  index: number;
  node: number;
  args: number[];
  out: number;
  reads: number[];
  writes: number[];
  nodes: number[];
  notes: string[];
}

export type Kernel = LoopKernel | LibraryKernel;

export interface KernelPlan {
  /** The lowered program the kernels compute (node ids in kernels refer to it). */
  program: IRProgram;
  buffers: BufferInfo[];
  kernels: Kernel[];
  /** Result name -> buffer id. */
  results: Record<string, number>;
  /** Input name -> buffer id. */
  inputs: Record<string, number>;
  /** Buffers of `require` conditions (checked after the run), with their messages. */
  requires: { buffer: number; message: string }[];
}
