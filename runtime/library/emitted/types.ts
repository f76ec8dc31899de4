// The data a module emitted by `rlp compile -o` hands to the runtime (runtime/library/emitted/pipeline.ts), and the types its
// public interfaces are written in. Everything here is plain data or a type: the emitted module embeds a
// `PipelineSpec` literal (what the pipeline declares), one `KernelProgram` per pass (forward; forward + gradients)
// and a `KernelCode` list (its functions, whose source text worker threads evaluate).
import type { PlanMeta } from "../../../compiler/ir/kernel_meta.ts";
import type { DType } from "../../../compiler/ir/ir.ts";
import type { StateUpdateSpec } from "../../../compiler/ir/module_spec.ts";
import type { KernelFns } from "../kernels/load.ts";
import type { StateValue } from "../ops/state.ts";
import type { Tensor } from "../tensor.ts";

export type {
  GradientSpec,
  InputSpec,
  ParamSpec,
  PipelineSpec,
  ResultSpec,
  StateSpec,
  StateUpdateSpec,
} from "../../../compiler/ir/module_spec.ts";

/** Nested arrays of `T` (any depth, including a bare `T` for a scalar). */
export type Nested<T> = T | readonly Nested<T>[];

/** The typed arrays an input's `data` may be (read as numbers; bool: nonzero is true). */
export type NumericArray =
  Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint32Array | Uint16Array | Uint8Array;

/** What one datum of a dtype may be in JSON form: numbers; for bool also true/false. */
export type Datum<D extends DType> = D extends "bool" ? boolean | number : number;

/**
 * One input of a pipeline, in any of the forms an inputs file (`rlp eval --inputs`) accepts, or with typed-array data:
 *
 * * nested arrays in the declared dim order (`[[1, 0], [0, 1]]`), or a bare number for a scalar;
 * * `{ dims?, shape?, data }` with `data` nested or flat (row-major) and `dims` any order of the declared dims;
 * * `{ dims?, shape, data }` with `data` a typed array (row-major; `shape` may be left out for one dim or a
 *   scalar) — this form skips the JSON schema and is only scanned for non-finite values and values of the wrong kind.
 *
 * A `Tensor` (`{ dtype, dims, shape, data: Float64Array }`) is accepted as the typed-array form.
 * `D` and `Dims` document the declaration (`f32[P,G,T]` is `TensorInput<"f32", ["P", "G", "T"]>`).
 */
export type TensorInput<D extends DType, Dims extends readonly string[]> =
  | Nested<Datum<D>>
  | { dims?: Dims[number][]; shape?: number[]; data: Nested<Datum<D>> }
  | { dtype?: DType; dims?: Dims[number][]; shape?: number[]; data: NumericArray };

/** A result: float64 values (computed in float32), `dims` in the pipeline's canonical order. */
export interface TensorOf<D extends DType, Dims extends readonly string[]> extends Tensor {
  dtype: D;
  dims: [...Dims];
}

/** One pass (forward, or forward + gradients): the kernel plan's metadata and its kernels (null: a library kernel). */
export interface KernelProgram {
  plan: PlanMeta;
  kernels: readonly (KernelFns | null)[];
  updates: StateUpdateSpec[];
}

/** Any function of the emitted module (helpers, kernels). */
export type CodeFunction = (...args: never[]) => unknown;

/**
 * The emitted module's functions (helpers and kernels) and top-level constants: worker threads evaluate their
 * source text (Function.prototype.toString), so that the module's code is the only copy of the kernels.
 */
export interface KernelCode {
  functions: readonly CodeFunction[];
  constants?: Record<string, unknown>;
  /**
   * The plugin modules (custom TypeScript nodes) the plans call, by the path the plans name them with: relative to
   * `moduleUrl`, the emitted module's `import.meta.url` (runtime/library/emitted/plugins.ts).
   */
  plugins?: Readonly<Record<string, object>>;
  moduleUrl?: string;
}

/** A pipeline's state: by state name, a table (Map from id to value) or a number. */
export type StateRecord = Record<string, StateValue>;

/** Options of `evaluate` / `evaluateWithGrad`. */
export interface EvaluateOptions {
  /** Threads per kernel (default 1: everything on the calling thread). */
  threads?: number;
  /** Iterations below which a kernel stays on one thread (default 65536). */
  minParallelWork?: number;
  /** Check the pipeline's `require` conditions (default true). */
  checkRequires?: boolean;
  /** Receives warnings about the inputs (unknown inputs, ignored fields); default: console.warn. */
  onWarning?: (message: string) => void;
}
