// What a module emitted by `rlp compile -o` embeds about its pipeline (PIPELINE) and its kernel passes: plain data,
// read by the runtime (runtime/library/emitted). The shape is the stable surface between emitted code and rlpc/runtime.
import type { DimInfo, DType } from "./ir.ts";

/** An input as the pipeline declares it. */
export interface InputSpec {
  name: string;
  dtype: DType;
  dims: string[];
  /** `i32<V>`: the dim the values index. */
  indexOf?: string;
  /** `@policy`, `@critic`, ...: the input is differentiable. */
  mark?: string;
  /** Used when the input is not supplied (broadcast to its dims). */
  default?: number;
  /** Where it is declared (line and column in `PipelineSpec.source`), for messages. */
  line: number;
  col: number;
}

/** A param: its compiled-in value; `runtime` params may be overridden per call, the others are fixed in the kernels. */
export interface ParamSpec {
  name: string;
  value: number | string | boolean;
  runtime: boolean;
}

/** A `state` declaration: a keyed table (id -> f32) or an unkeyed scalar, and its initial value. */
export interface StateSpec {
  name: string;
  keyed: boolean;
  init: number;
}

/** A value the evaluation returns: a loss, metric, output or advantage; scalars are returned as numbers. */
export interface ResultSpec {
  name: string;
  kind: "loss" | "metric" | "output" | "advantage";
  dtype: DType;
  dims: string[];
}

/** A gradient `dL/dx`: of loss `loss` with respect to the differentiable input `input`. */
export interface GradientSpec {
  name: string;
  loss: string;
  input: string;
  dims: string[];
}

/** What a pipeline declares, as the emitted module embeds it. */
export interface PipelineSpec {
  pipeline: string;
  /** The .rlp file it was compiled from (as given to `rlp compile`), for messages. */
  source: string;
  /** The dims in canonical order (static sizes, labels, aliases). */
  dims: DimInfo[];
  inputs: InputSpec[];
  params: ParamSpec[];
  states: StateSpec[];
  results: ResultSpec[];
  gradients: GradientSpec[];
}

/** A state update of a kernel pass: the state it writes, from which buffer (and the key buffer of a table). */
export interface StateUpdateSpec {
  state: string;
  keyed: boolean;
  value: number;
  key?: number;
}
