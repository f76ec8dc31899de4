// Loading generated code in-process. The generated module (compiler/codegen/js) is self-contained and ends with its
// one export statement; we evaluate the same text with `new Function`, returning the exports instead. This works
// the same under node, tsx and vitest (no data: URL or temp-file import, no module loader involved), and in worker
// threads (runtime/library/kernels/pool.ts sends the text).
import type { PlanMeta } from "../../../compiler/ir/kernel_meta.ts";

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Dim sizes, params and (for table kernels) the state, as the generated functions receive them. */
export interface KernelContext {
  n: Record<string, number>;
  p: Record<string, number>;
  state?: Record<string, unknown>;
}

export interface KernelFns {
  name: string;
  body: (B: TypedArray[], Z: KernelContext, lo: number, hi: number, total: Float64Array, S: Float64Array[]) => void;
  end: (B: TypedArray[], Z: KernelContext, total: Float64Array, S: Float64Array[]) => void;
}

export interface LibraryRunner {
  run(kernel: PlanMeta["kernels"][number], B: TypedArray[], Z: KernelContext, plan: PlanMeta): void;
}

export interface GeneratedModule {
  plan: PlanMeta;
  kernels: readonly (KernelFns | null)[];
  run(
    inputs: Record<string, TypedArray>,
    sizes: Record<string, number>,
    params?: Record<string, number>,
    lib?: LibraryRunner,
  ): Record<string, TypedArray>;
}

export const EXPORT_LINE = "export { plan, kernels, run };";

/** The module text as a function body returning its exports. */
export function moduleBody(source: string): string {
  const at = source.lastIndexOf(EXPORT_LINE);
  if (at < 0) throw new Error("not a generated rlp module: no export line");
  return `${source.slice(0, at)}return { plan, kernels, run };${source.slice(at + EXPORT_LINE.length)}`;
}

/** Evaluates a generated module's text and returns its exports. */
export function loadGenerated(source: string): GeneratedModule {
  return new Function(moduleBody(source))() as GeneratedModule;
}
