// Tensors of the reference evaluator: named dims, row-major float64 storage, and by-NAME broadcasting.
// bool is stored as 0/1, i32 and id as integers in the f64 array. A scalar has dims [] and shape [].
import type { DType } from "../../compiler/ir/ir.ts";

export interface Tensor {
  dtype: DType;
  dims: string[];
  shape: number[];
  /** Row-major (the last dim varies fastest). */
  data: Float64Array;
}

/** Builds a tensor, copying `data` (a plain array is fine). The length must be the product of `shape`. */
export function tensor(dtype: DType, dims: string[], shape: number[], data: ArrayLike<number>): Tensor {
  if (dims.length !== shape.length) throw new Error(`tensor: ${dims.length} dims but ${shape.length} sizes`);
  if (new Set(dims).size !== dims.length) throw new Error(`tensor: repeated dim in [${dims.join(", ")}]`);
  const n = shapeSize(shape);
  if (data.length !== n) throw new Error(`tensor: shape [${shape.join(", ")}] needs ${n} values, got ${data.length}`);
  return { dtype, dims: [...dims], shape: [...shape], data: Float64Array.from(data) };
}

/** A scalar (dims []). */
export function scalar(v: number, dtype: DType = "f32"): Tensor {
  return { dtype, dims: [], shape: [], data: Float64Array.of(v) };
}

/** A tensor filled with `v`. */
export function filled(dtype: DType, dims: string[], shape: number[], v: number): Tensor {
  return { dtype, dims: [...dims], shape: [...shape], data: new Float64Array(shapeSize(shape)).fill(v) };
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Number of elements. */
export function size(t: Tensor): number {
  return t.data.length;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = acc;
    acc *= shape[i]!;
  }
  return st;
}

/** The size of `dim` in `t` (throws when absent). */
export function dimSize(t: { dims: string[]; shape: number[] }, dim: string): number {
  const i = t.dims.indexOf(dim);
  if (i < 0) throw new Error(`dim ${dim} not in [${t.dims.join(", ")}]`);
  return t.shape[i]!;
}

/**
 * The stride of each OUTPUT dim inside an input laid out as `inDims`/`inShape` (0 where the input lacks the dim:
 * by-name broadcasting). Input dims not among `outDims` are an error unless listed in `ignore` (the caller addresses
 * them itself, e.g. the indexed dim of `take`). A dim listed in `ignore` that also appears in `outDims` gets stride 0.
 */
export function broadcastStrides(
  outDims: readonly string[],
  inDims: readonly string[],
  inShape: readonly number[],
  ignore: readonly string[] = [],
): number[] {
  const inStrides = stridesOf(inShape);
  for (const d of inDims) {
    if (!outDims.includes(d) && !ignore.includes(d)) {
      throw new Error(`broadcast: dim ${d} of [${inDims.join(", ")}] is not among [${outDims.join(", ")}]`);
    }
  }
  return outDims.map((d) => {
    if (ignore.includes(d)) return 0;
    const j = inDims.indexOf(d);
    return j < 0 ? 0 : inStrides[j]!;
  });
}

/**
 * Walks the flat indices of an output shape in row-major order, keeping the flat offset of each of k operands
 * (given by their per-output-dim strides, see `broadcastStrides`). A multi-index counter: no allocation per step.
 *   const w = new Walker(shape, [sa, sb]); for (let i = 0; i < n; i++, w.next()) use(w.off[0], w.off[1]);
 */
export class Walker {
  readonly off: Int32Array;
  private readonly idx: Int32Array;
  private readonly shape: Int32Array;
  private readonly st: Int32Array; // st[ax * k + j]
  private readonly k: number;

  constructor(shape: readonly number[], strides: readonly (readonly number[])[]) {
    this.k = strides.length;
    this.off = new Int32Array(this.k);
    this.idx = new Int32Array(shape.length);
    this.shape = Int32Array.from(shape);
    this.st = new Int32Array(shape.length * this.k);
    for (let ax = 0; ax < shape.length; ax++) {
      for (let j = 0; j < this.k; j++) this.st[ax * this.k + j] = strides[j]![ax]!;
    }
  }

  /** Advances to the next output flat index (wraps to all-zero after the last one). */
  next(): void {
    const k = this.k;
    for (let ax = this.shape.length - 1; ax >= 0; ax--) {
      const base = ax * k;
      this.idx[ax]!++;
      if (this.idx[ax]! < this.shape[ax]!) {
        for (let j = 0; j < k; j++) this.off[j]! += this.st[base + j]!;
        return;
      }
      const back = this.shape[ax]! - 1;
      for (let j = 0; j < k; j++) this.off[j]! -= this.st[base + j]! * back;
      this.idx[ax] = 0;
    }
  }
}

/** For each flat index of the output (dims/shape), the flat index into `input` (whose dims are a subset), by name. */
export function broadcastIndex(
  outDims: readonly string[],
  outShape: readonly number[],
  input: { dims: string[]; shape: number[] },
): Int32Array {
  const n = shapeSize(outShape);
  const map = new Int32Array(n);
  const w = new Walker(outShape, [broadcastStrides(outDims, input.dims, input.shape)]);
  for (let i = 0; i < n; i++, w.next()) map[i] = w.off[0]!;
  return map;
}

/** The data of `t` broadcast by name to `dims`/`shape` (also transposes when the dim sets are equal). */
export function broadcastData(t: Tensor, dims: readonly string[], shape: readonly number[]): Float64Array {
  const n = shapeSize(shape);
  if (sameLayout(t.dims, t.shape, dims, shape)) return t.data.slice(0, n); // the common case: a plain copy
  const out = new Float64Array(n);
  const w = new Walker(shape, [broadcastStrides(dims, t.dims, t.shape)]);
  for (let i = 0; i < n; i++, w.next()) out[i] = t.data[w.off[0]!]!;
  return out;
}

/** The same dims in the same order with the same sizes (element i is element i: no index walk needed). */
function sameLayout(
  aDims: readonly string[],
  aShape: readonly number[],
  bDims: readonly string[],
  bShape: readonly number[],
): boolean {
  if (aDims.length !== bDims.length) return false;
  for (let i = 0; i < aDims.length; i++) if (aDims[i] !== bDims[i] || aShape[i] !== bShape[i]) return false;
  return true;
}

/** `t` broadcast by name to `dims`/`shape`. */
export function broadcastTo(t: Tensor, dims: readonly string[], shape: readonly number[]): Tensor {
  return { dtype: t.dtype, dims: [...dims], shape: [...shape], data: broadcastData(t, dims, shape) };
}

/** `t` with its dims reordered to `dims` (a permutation of `t.dims`). */
export function transpose(t: Tensor, dims: readonly string[]): Tensor {
  if (dims.length !== t.dims.length || dims.some((d) => !t.dims.includes(d))) {
    throw new Error(`transpose: [${dims.join(", ")}] is not a permutation of [${t.dims.join(", ")}]`);
  }
  return broadcastTo(
    t,
    dims,
    dims.map((d) => dimSize(t, d)),
  );
}

/**
 * The reverse of broadcasting: sums `src` (laid out as outDims/outShape) into `acc`, laid out as a tensor whose dims
 * are a subset of outDims (positions that broadcast to several output positions receive the sum).
 */
export function sumInto(
  acc: Float64Array,
  accDims: readonly string[],
  accShape: readonly number[],
  src: Float64Array,
  outDims: readonly string[],
  outShape: readonly number[],
): void {
  const n = shapeSize(outShape);
  if (sameLayout(accDims, accShape, outDims, outShape)) {
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      if (v !== 0) acc[i]! += v;
    }
    return;
  }
  const w = new Walker(outShape, [broadcastStrides(outDims, accDims, accShape)]);
  for (let i = 0; i < n; i++, w.next()) {
    const v = src[i]!;
    if (v !== 0) acc[w.off[0]!]! += v;
  }
}

/** Sorts dim names into the canonical order given by `order`. */
export function canonicalDims(dims: Iterable<string>, order: readonly string[]): string[] {
  const set = new Set(dims);
  for (const d of set) if (!order.includes(d)) throw new Error(`dim ${d} is not declared`);
  return order.filter((d) => set.has(d));
}

/** For a line-wise pass along axis `ax` of `shape`: calls fn(base, stride, n, lineIndex) once per line. */
export function forEachLine(
  shape: readonly number[],
  ax: number,
  fn: (base: number, stride: number, n: number, line: number) => void,
): void {
  let outer = 1;
  for (let i = 0; i < ax; i++) outer *= shape[i]!;
  let inner = 1;
  for (let i = ax + 1; i < shape.length; i++) inner *= shape[i]!;
  const n = shape[ax]!;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) fn(o * n * inner + i, inner, n, o * inner + i);
  }
}
