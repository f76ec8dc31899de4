// Fused JS kernels: compile an IR program into generated loop kernels and run them in-process (threads optional).
// The surface a module emitted by `rlp compile -o` needs: `library` (library kernels), `bindInputs`/`allocateArray`
// (Tensors -> typed arrays, with the reference evaluator's errors), and for threads `KernelPool` + `runKernels`.
export { compileKernels, type CompiledProgram, type KernelOptions, type KernelResult, type RunOptions } from "./compiled.ts";
export {
  loadGenerated,
  moduleBody,
  EXPORT_LINE,
  type GeneratedModule,
  type KernelContext,
  type KernelFns,
  type LibraryRunner,
  type TypedArray,
} from "../../library/kernels/load.ts";
export { library } from "../../library/kernels/library.ts";
export { bindInputs, allocateArray, type BoundArrays } from "../../library/kernels/bind.ts";
export { runKernels, type ExecOptions, type Loaded } from "../../library/kernels/execute.ts";
export { KernelPool } from "../../library/kernels/pool.ts";
