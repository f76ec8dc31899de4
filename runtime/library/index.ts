// The runtime surface of the rlpc package (`import ... from "rlpc/runtime"`): what a module emitted by
// `rlp compile FILE -o DIR` imports, and all it needs at run time. It loads no part of the compiler (no parser, type
// checker, autodiff or code generator): only types from compiler/ and the name suggester for messages.
//
//   createPipeline       the driver of an emitted module: validation, binding, kernels, results, state
//   TensorInput/TensorOf the types of an emitted module's inputs and results
//   InputValidationError bad inputs or params (codes RLP501-RLP509, as `rlp eval`); EvalError: run-time failures
//   bindInputs, allocateArray, library, runKernels, KernelPool: the kernel runtime (runtime/backends/js)
export type { DimInfo, DType } from "../../compiler/ir/ir.ts";
export type {
  AccFnName,
  BufferMeta,
  KernelMeta,
  LibraryKernelMeta,
  LoopKernelMeta,
  PlanMeta,
} from "../../compiler/ir/kernel_meta.ts";
export { scalar, tensor, type Tensor } from "./tensor.ts";
export { EvalError } from "./ops/common.ts";
export type { StateValue } from "./ops/state.ts";
export { InputCode, type InputError, type InputErrorCode } from "./io/errors.ts";
export { allocateArray, bindInputs, type BoundArrays } from "./kernels/bind.ts";
export { library } from "./kernels/library.ts";
export { runKernels, type ExecOptions, type Loaded } from "./kernels/execute.ts";
export { KernelPool } from "./kernels/pool.ts";
export type { KernelContext, KernelFns, LibraryRunner, TypedArray } from "./kernels/load.ts";
export { createPipeline, type CallOptions, type Pass, type PipelineRuntime } from "./emitted/pipeline.ts";
export { InputValidationError, pipelineInputsSchema, validateInputs, validateParams } from "./emitted/validate.ts";
export { STATE_FORMAT, STATE_VERSION } from "./emitted/state.ts";
export type * from "./emitted/types.ts";
