// Binding dim sizes and canonicalising inputs.
// Sizes come from (1) static sizes in program.dims (`size`, or the number of `labels`), (2) the shapes of the supplied
// inputs, by dim name. An alias dim (`dims G2 = G`) has the size of its target (either one may bind it).
// Every supplied tensor is transposed to the canonical order (the order of program.dims) and coerced to its dtype.
import type { DimInfo, IRProgram } from "../../../compiler/ir/ir.ts";
import { broadcastTo, dimSize, type Tensor } from "../tensor.ts";
import { EvalError } from "./common.ts";

/** The dim an alias chain ends at. */
export function rootOf(dims: Map<string, DimInfo>, name: string): string {
  let d = name;
  const seen = new Set<string>();
  while (true) {
    const info = dims.get(d);
    if (!info?.aliasOf || seen.has(d)) return d;
    seen.add(d);
    d = info.aliasOf;
  }
}

export type DimBindings = Map<string, { size: number; source: string }>;

/**
 * Checks one supplied input against its declared dims (any order, a consistent shape) and binds the sizes of its
 * dims (an alias binds its root). Shared by every executor, so their errors are the same. Throws EvalError.
 */
export function bindInputDims(
  name: string,
  want: readonly string[],
  t: Tensor,
  infos: Map<string, DimInfo>,
  bound: DimBindings,
): void {
  if (!(t.dims.length === want.length && want.every((d) => t.dims.includes(d)))) {
    throw new EvalError("input-dims", `input ${name} has dims [${t.dims.join(", ")}], declared [${want.join(", ")}]`);
  }
  let n = 1;
  for (const s of t.shape) n *= s;
  if (t.shape.length !== t.dims.length || t.data.length !== n) {
    throw new EvalError("input-dims", `input ${name}: shape [${t.shape.join(", ")}] does not match ${t.data.length} values`);
  }
  for (const d of want) {
    if (!infos.has(d)) throw new EvalError("input-dims", `input ${name} uses undeclared dim ${d}`);
    const root = rootOf(infos, d);
    const s = t.shape[t.dims.indexOf(d)]!;
    const via = d === root ? "" : ` (as ${d}, an alias of ${root})`;
    const prev = bound.get(root);
    if (prev === undefined) bound.set(root, { size: s, source: `input ${name}${via}` });
    else if (prev.size !== s) {
      throw new EvalError(
        "dim-conflict",
        `dim ${root}: input ${name}${via} says ${root}=${s} but ${prev.source} says ${root}=${prev.size}`,
      );
    }
  }
}

export interface BoundInputs {
  dimSizes: Record<string, number>;
  /** Supplied inputs, in canonical dim order and coerced to the declared dtype. */
  inputs: Record<string, Tensor>;
}

/** Binds every dim's size and canonicalises the supplied inputs. Throws EvalError on a conflict or a missing input. */
export function bindDims(program: IRProgram, supplied: Record<string, Tensor>): BoundInputs {
  const infos = new Map(program.dims.map((d) => [d.name, d]));
  const order = program.dims.map((d) => d.name);
  // size and the source that set it, per root dim
  const bound: DimBindings = new Map();
  for (const d of program.dims) {
    const s = d.size ?? d.labels?.length;
    if (s !== undefined) bound.set(rootOf(infos, d.name), { size: s, source: `the declaration of ${d.name}` });
  }

  const inputs: Record<string, Tensor> = {};
  for (const inp of program.inputs) {
    const t = supplied[inp.name];
    if (t === undefined) {
      if (inp.default === undefined) {
        throw new EvalError("missing-input", `input ${inp.name} was not supplied and has no default`);
      }
      continue;
    }
    const want = inp.type.dims;
    bindInputDims(inp.name, want, t, infos, bound);
    const canon = order.filter((d) => want.includes(d));
    const tt = broadcastTo(
      t,
      canon,
      canon.map((d) => dimSize(t, d)),
    );
    tt.dtype = inp.type.dtype;
    coerce(tt);
    inputs[inp.name] = tt;
  }

  const dimSizes: Record<string, number> = {};
  for (const d of program.dims) {
    const b = bound.get(rootOf(infos, d.name));
    if (b !== undefined) dimSizes[d.name] = b.size;
  }
  return { dimSizes, inputs };
}

/** Stores values as the dtype says: bool as 0/1 (x != 0), i32 truncated toward zero (NaN -> 0); f32 and id unchanged. */
export function coerce(t: Tensor): void {
  const a = t.data;
  if (t.dtype === "bool") for (let i = 0; i < a.length; i++) a[i] = a[i] !== 0 ? 1 : 0;
  else if (t.dtype === "i32") for (let i = 0; i < a.length; i++) a[i] = Number.isNaN(a[i]!) ? 0 : Math.trunc(a[i]!);
}
