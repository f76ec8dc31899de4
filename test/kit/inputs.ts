// The one seeded input generator of the tests: a value for every input of a program, by dtype (f32, i32, bool,
// id), with index tensors (i32<D>) addressing D and masks shaped as per-row prefixes. No vitest import: usable from
// scratch scripts too.
//
// Two profiles, each the exact stream its tests were written against (changing one would move every number they see):
//   * "edge" (the fusion and emit tests): program order; f32 in [-1.5, 1.5) with the first slice along the last dim
//     constant (0.25: a zero-variance group); bool masks with row r of length 0 (r % 4 == 0: all masked), 1, the
//     full length or random; i32<D> positions in [-1, |D|] (so -1 and out-of-range fills are exercised).
//   * "realistic" (the three-way agreement tests): values shaped like what conventional names hold (log-probs
//     negative and near each other, rewards in [0, 1] or binary, weights positive), f32 rounded to float32 so the
//     float64 reference and float32 backends see the same point; i32<D> positions in range; options for masks and
//     tie-free differentiable inputs. Scalar inputs with a default are left out (the default is meant).
import { isDifferentiable, type IRInput, type IRProgram } from "../../compiler/ir/ir.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import { dimSizes } from "./dims.ts";
import { hashedLcg, lcg } from "./random.ts";

/** Sizes the agreement tests run at: main, and tiny (singleton groups, length-1 responses). */
export const MAIN_SIZES: Record<string, number> = { P: 3, G: 4, T: 5, B: 4, V: 5, C: 2 };
export const TINY_SIZES: Record<string, number> = { P: 3, G: 1, T: 1, B: 3, V: 2, C: 1 };
/** Sizes the "edge" profile falls back to for dims `sizes` does not give. */
export const EDGE_DEFAULT_SIZES: Record<string, number> = { P: 3, G: 4, T: 5, B: 3, V: 6 };

export interface InputOptions {
  seed: number;
  /** Default "edge". */
  profile?: "edge" | "realistic";
  /** Dim sizes (non-static dims); "realistic" defaults to MAIN_SIZES. */
  sizes?: Record<string, number>;
  /** "realistic": distinct random values for the differentiable inputs (no constant rows). */
  tieFree?: boolean;
  /** "realistic": "nonempty": no all-masked row (row r % 4 == 0 gets length 1); "empty": every mask all false. */
  masks?: "edge" | "nonempty" | "empty";
  /** "realistic": rewards in {0, 1} whatever the seed (default: binary for odd seeds, in [0, 1) for even ones). */
  binaryRewards?: boolean;
}

/** Seeded inputs for every input of `program` (see the profiles above). */
export function seededInputs(program: IRProgram, opts: InputOptions): Record<string, Tensor> {
  return opts.profile === "realistic" ? realistic(program, opts) : edge(program, opts.seed, opts.sizes ?? {});
}

/** A copy of the inputs with every f32 value rounded to float32 (what the f32 backends store). */
export function roundF32(inputs: Record<string, Tensor>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(inputs))
    out[k] = {
      ...t,
      dims: [...t.dims],
      shape: [...t.shape],
      data: t.dtype === "f32" ? t.data.map(Math.fround) : Float64Array.from(t.data),
    };
  return out;
}

/**
 * A tie-free copy for tfjs autograd: every differentiable f32 input gets a distinct small perturbation (so no two
 * entries are equal and none sits on a constant row), the rest is unchanged.
 */
export function tieFree(program: IRProgram, inputs: Record<string, Tensor>, seed: number): Record<string, Tensor> {
  const r = hashedLcg(seed + 101);
  const out: Record<string, Tensor> = { ...inputs };
  for (const inp of program.inputs) {
    const t = inputs[inp.name];
    if (t === undefined || !isDifferentiable(program, inp)) continue;
    out[inp.name] = { ...t, data: t.data.map((v, i) => Math.fround(v + (r() - 0.5) * 0.02 + i * 1e-4)) };
  }
  return out;
}

interface Layout {
  dims: string[];
  shape: number[];
  len: number;
  /** The length of the last dim (1 for a scalar): masks and constant slices run along it. */
  last: number;
}

function layout(inp: IRInput, n: Record<string, number>): Layout {
  const dims = inp.type.dims;
  const shape = dims.map((d) => n[d]!);
  return { dims, shape, len: shape.reduce((a, b) => a * b, 1), last: shape.length > 0 ? shape[shape.length - 1]! : 1 };
}

/** Row `row`'s prefix length in an edge mask: 0, 1, full, random, cycling by row. */
function maskLength(row: number, last: number, draw: () => number, empty: 0 | 1 = 0): number {
  return row % 4 === 0 ? empty : row % 4 === 1 ? 1 : row % 4 === 2 ? last : 1 + Math.floor(draw() * last);
}

function edge(program: IRProgram, seed: number, sizes: Record<string, number>): Record<string, Tensor> {
  const r = lcg(seed);
  const n = dimSizes(program, sizes, EDGE_DEFAULT_SIZES);
  const out: Record<string, Tensor> = {};
  for (const inp of program.inputs) {
    const { dims, shape, len, last } = layout(inp, n);
    const data = new Float64Array(len);
    for (let i = 0; i < len; i++) {
      const row = Math.floor(i / last);
      switch (inp.type.dtype) {
        case "f32":
          data[i] = Math.fround(row === 0 && dims.length > 0 ? 0.25 : r() * 3 - 1.5);
          break;
        case "bool":
          // drawn per element: a random-length row (r % 4 == 3) need not be a prefix
          data[i] = i % last < maskLength(row, last, r) ? 1 : 0;
          break;
        case "i32": {
          const of = inp.type.indexOf;
          data[i] = of !== undefined ? Math.floor(r() * (n[of]! + 2)) - 1 : Math.floor(r() * 4);
          break;
        }
        case "id":
          data[i] = Math.floor(r() * 3);
          break;
      }
    }
    out[inp.name] = { dtype: inp.type.dtype, dims: [...dims], shape, data };
  }
  return out;
}

const isLogp = (name: string): boolean => /logp|logprob/i.test(name);

function realistic(program: IRProgram, opts: InputOptions): Record<string, Tensor> {
  const r = hashedLcg(opts.seed);
  const n = dimSizes(program, opts.sizes ?? MAIN_SIZES);
  const out: Record<string, Tensor> = {};
  const lastDims = program.inputs
    .filter((i) => i.type.dtype === "bool" && i.type.dims.length >= 2)
    .map((i) => i.type.dims[i.type.dims.length - 1]!);
  const tokenDim = lastDims[0] ?? "T";
  // the differentiable log-prob input (the anchor that the other log-probs lie near) first, then `values`
  const rank = (i: IRInput): number => (isLogp(i.name) && isDifferentiable(program, i) ? 0 : i.name === "values" ? 1 : 2);
  const order = [...program.inputs].sort((a, b) => rank(a) - rank(b));
  let anchor: Tensor | undefined;
  let valuesAnchor: Tensor | undefined;
  for (const inp of order) {
    if (inp.type.dims.length === 0 && inp.default !== undefined) continue;
    const { dims, shape, len, last } = layout(inp, n);
    const diff = isDifferentiable(program, inp);
    const data = new Float64Array(len);
    const name = inp.name;
    switch (inp.type.dtype) {
      case "f32": {
        const sameDims = (t: Tensor | undefined): t is Tensor => t !== undefined && t.dims.join() === dims.join();
        const binary = opts.binaryRewards === true || opts.seed % 2 === 1;
        for (let i = 0; i < len; i++) {
          let v: number;
          if (isLogp(name))
            v = !diff && sameDims(anchor) ? Math.min(-1e-3, anchor.data[i]! + (r() - 0.5) * 0.8) : -2 + r() * 1.95;
          else if (/values_old|old_values/.test(name) && sameDims(valuesAnchor)) v = valuesAnchor.data[i]! + (r() - 0.5) * 0.6;
          else if (/reward|score|acc|success/i.test(name) && name !== "token_reward") v = binary ? (r() < 0.5 ? 0 : 1) : r();
          else if (/weight/i.test(name)) v = 0.5 + r();
          else if (/^D$/.test(name)) v = r() * 0.2;
          else v = r() * 3 - 1.5;
          data[i] = v;
        }
        // a zero-variance group: the first row of a per-response value (not per token) is constant
        const perToken = dims.length > 0 && dims[dims.length - 1] === tokenDim;
        if (!(opts.tieFree && diff) && dims.length >= 2 && !perToken) for (let i = 0; i < last; i++) data[i] = data[0]!;
        break;
      }
      case "bool":
        if (dims.length >= 2) {
          for (let row = 0; row < len / last; row++) {
            const k = opts.masks === "empty" ? 0 : maskLength(row, last, r, opts.masks === "nonempty" ? 1 : 0);
            for (let j = 0; j < last; j++) data[row * last + j] = j < k ? 1 : 0;
          }
        } else for (let i = 0; i < len; i++) data[i] = r() < 0.5 ? 1 : 0;
        break;
      case "i32": {
        const of = inp.type.indexOf;
        for (let i = 0; i < len; i++) data[i] = of !== undefined ? Math.floor(r() * n[of]!) : Math.floor(r() * 4);
        break;
      }
      case "id":
        for (let i = 0; i < len; i++) data[i] = Math.floor(r() * 3);
        break;
    }
    const t: Tensor = {
      dtype: inp.type.dtype,
      dims: [...dims],
      shape,
      data: inp.type.dtype === "f32" ? data.map(Math.fround) : data,
    };
    out[name] = t;
    if (isLogp(name) && diff) anchor = t;
    if (name === "values") valuesAnchor = t;
  }
  return out;
}
