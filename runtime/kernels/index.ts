// Fused JS kernels: compile an IR program into generated loop kernels and run them in-process (threads optional).
export { compileKernels, type CompiledProgram, type KernelOptions, type KernelResult, type RunOptions } from "./compiled.ts";
export { loadGenerated, moduleBody, EXPORT_LINE, type GeneratedModule, type KernelContext, type KernelFns, type LibraryRunner, type TypedArray } from "./load.ts";
export { library } from "./library.ts";
export { bindInputs, allocateArray } from "./bind.ts";
