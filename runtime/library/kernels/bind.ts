// Binding a run's inputs: dim sizes (with the reference evaluator's errors, runtime/library/ops/dims.ts) and the
// input tensors as typed arrays in canonical dim order (f32 -> Float32Array, i32 -> Int32Array truncated toward zero
// (NaN -> 0), bool -> Uint8Array of 0/1 (x != 0), id -> Float64Array).
import type { DType } from "../../../compiler/ir/ir.ts";
import type { PlanMeta } from "../../../compiler/ir/kernel_meta.ts";
import { EvalError } from "../ops/common.ts";
import { stridesOf, type Tensor } from "../tensor.ts";
import type { TypedArray } from "./load.ts";
import { bindInputDims, rootOf, type DimBindings } from "../ops/dims.ts";

export type Allocate = (dtype: DType, n: number) => TypedArray;

export function allocateArray(dtype: DType, n: number, shared = false): TypedArray {
  const bytes = dtype === "f32" || dtype === "i32" ? 4 : dtype === "bool" ? 1 : 8;
  const mem = shared ? new SharedArrayBuffer(n * bytes) : new ArrayBuffer(n * bytes);
  return dtype === "f32"
    ? new Float32Array(mem)
    : dtype === "i32"
      ? new Int32Array(mem)
      : dtype === "bool"
        ? new Uint8Array(mem)
        : new Float64Array(mem);
}

export interface BoundArrays {
  sizes: Record<string, number>;
  arrays: Record<string, TypedArray>;
}

/** Copies `t` (any dim order) into `out` in the order `dims`, coercing to `dtype`. */
function convert(t: Tensor, dims: readonly string[], dtype: DType, out: TypedArray): void {
  const src = t.data;
  const n = src.length;
  const same = t.dims.every((d, i) => dims[i] === d);
  const put =
    dtype === "bool"
      ? (i: number, v: number): void => void (out[i] = v !== 0 ? 1 : 0)
      : dtype === "i32"
        ? (i: number, v: number): void => void (out[i] = Number.isNaN(v) ? 0 : Math.trunc(v))
        : (i: number, v: number): void => void (out[i] = v);
  if (same) {
    if (dtype === "f32" || dtype === "id") out.set(src);
    else for (let i = 0; i < n; i++) put(i, src[i]!);
    return;
  }
  // transpose: walk the canonical layout, reading t at its own strides
  const shape = dims.map((d) => t.shape[t.dims.indexOf(d)]!);
  const inStride = stridesOf(t.shape);
  const st = dims.map((d) => inStride[t.dims.indexOf(d)]!);
  const idx = new Array<number>(dims.length).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    put(i, src[off]!);
    for (let ax = dims.length - 1; ax >= 0; ax--) {
      idx[ax]!++;
      off += st[ax]!;
      if (idx[ax]! < shape[ax]!) break;
      off -= st[ax]! * shape[ax]!;
      idx[ax] = 0;
    }
  }
}

/** Binds sizes and converts the supplied inputs. Throws EvalError (codes as the reference evaluator's). */
export function bindInputs(plan: PlanMeta, supplied: Record<string, Tensor>, allocate: Allocate): BoundArrays {
  const infos = new Map(plan.dims.map((d) => [d.name, d]));
  const bound: DimBindings = new Map();
  for (const d of plan.dims) {
    const s = d.size ?? d.labels?.length;
    if (s !== undefined) bound.set(rootOf(infos, d.name), { size: s, source: `the declaration of ${d.name}` });
  }
  for (const inp of plan.inputs) {
    const t = supplied[inp.name];
    if (t === undefined) {
      if (inp.default === undefined)
        throw new EvalError("missing-input", `input ${inp.name} was not supplied and has no default`);
      continue;
    }
    bindInputDims(inp.name, inp.dims, t, infos, bound);
  }
  const sizes: Record<string, number> = {};
  for (const d of plan.dims) {
    const b = bound.get(rootOf(infos, d.name));
    if (b !== undefined) sizes[d.name] = b.size;
  }
  for (const d of plan.usedDims) {
    if (sizes[d] === undefined)
      throw new EvalError("unbound-dim", `dim ${d} has no size (no input binds it and it has no static size)`);
  }
  const arrays: Record<string, TypedArray> = {};
  for (const inp of plan.inputs) {
    let n = 1;
    for (const d of inp.dims) n *= sizes[d]!;
    const out = allocate(inp.dtype, n);
    const t = supplied[inp.name];
    if (t === undefined) out.fill(inp.default!);
    else convert(t, inp.dims, inp.dtype, out);
    arrays[inp.name] = out;
  }
  return { sizes, arrays };
}
