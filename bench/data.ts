// Benchmark inputs: one seeded data set per pipeline, as float64 host Tensors (reference evaluator, tfjs upload)
// and as the same values in SharedArrayBuffer-backed typed arrays in canonical dim order (the fused kernels'
// runArrays, which threads then read in place). Every backend sees the same values (f32 inputs rounded to float32).
//
// Values: log-probs in (-3, 0] (the differentiable one uniform; old/reference ones within ±0.2 of it, so PPO
// ratios fall inside and outside the clip range); critic values in [-1, 1) and old values within ±0.2 of them;
// rewards 0/1; masks keep a prefix of each row: row r keeps its first |T| - (r mod 97) tokens (varying lengths);
// other f32 inputs uniform in [-1, 1). Scalar inputs with a default are left out (the default is used).
import { isDifferentiable, type IRProgram } from "../compiler/ir/ir.ts";
import { allocateArray, type TypedArray } from "../runtime/backends/js/index.ts";
import type { Tensor } from "../runtime/library/tensor.ts";
import { rng } from "./util.ts";

export interface BenchData {
  sizes: Record<string, number>;
  tensors: Record<string, Tensor>;
  arrays: Record<string, TypedArray>;
  /** Bytes of every input as the fused kernels store it (f32/i32 4, bool 1, id 8 per element). */
  inputBytes: number;
}

export const BYTES: Record<string, number> = { f32: 4, i32: 4, bool: 1, id: 8 };

export function benchData(program: IRProgram, sizes: Record<string, number>, seed = 7): BenchData {
  const rand = rng(seed);
  const tensors: Record<string, Tensor> = {};
  const arrays: Record<string, TypedArray> = {};
  let inputBytes = 0;
  // the differentiable log-prob and the current critic values first: the others are drawn near them
  const order = [...program.inputs].sort((a, b) => rank(a) - rank(b));
  function rank(i: (typeof program.inputs)[number]): number {
    return /logp|^lp$/.test(i.name) && isDifferentiable(program, i) ? 0 : i.name === "values" ? 1 : 2;
  }
  let logp: Float64Array | undefined;
  let values: Float64Array | undefined;
  for (const inp of order) {
    const dims = inp.type.dims;
    if (dims.length === 0 && inp.default !== undefined) continue;
    const shape = dims.map((d) => {
      const s =
        sizes[d] ?? program.dims.find((x) => x.name === d)?.size ?? program.dims.find((x) => x.name === d)?.labels?.length;
      if (s === undefined) throw new Error(`benchData: no size for dim ${d}`);
      return s;
    });
    const n = shape.reduce((a, b) => a * b, 1);
    const last = shape[shape.length - 1] ?? 1;
    const data = new Float64Array(n);
    const name = inp.name;
    const near = (base: Float64Array | undefined, i: number, spread: number): number =>
      (base !== undefined && base.length === n ? base[i]! : 0) + (rand() - 0.5) * spread;
    for (let i = 0; i < n; i++) {
      let v: number;
      switch (inp.type.dtype) {
        case "bool": {
          const row = Math.floor(i / last);
          v = i % last < last - (row % 97) ? 1 : 0;
          break;
        }
        case "i32":
          v = inp.type.indexOf !== undefined ? Math.floor(rand() * (sizes[inp.type.indexOf] ?? 1)) : Math.floor(rand() * 4);
          break;
        case "id":
          v = Math.floor(rand() * 3);
          break;
        default:
          if (/logp|^lp$|^rlp$/.test(name))
            v = isDifferentiable(program, inp) || logp === undefined ? -rand() * 3 : Math.min(0, near(logp, i, 0.4));
          else if (name === "values") v = rand() * 2 - 1;
          else if (/values_old|old_values/.test(name)) v = near(values, i, 0.4);
          else if (/reward|score/.test(name)) v = rand() < 0.5 ? 1 : 0;
          else v = rand() * 2 - 1;
      }
      data[i] = inp.type.dtype === "f32" ? Math.fround(v) : v;
    }
    if (/logp|^lp$/.test(name) && isDifferentiable(program, inp)) logp = data;
    if (name === "values") values = data;
    tensors[name] = { dtype: inp.type.dtype, dims: [...dims], shape, data };
    const a = allocateArray(inp.type.dtype, n, true);
    a.set(data);
    arrays[name] = a;
    inputBytes += n * BYTES[inp.type.dtype]!;
  }
  const all: Record<string, number> = {};
  for (const d of program.dims) all[d.name] = sizes[d.name] ?? d.size ?? d.labels?.length ?? 0;
  return { sizes: all, tensors, arrays, inputBytes };
}
