// Moving values between the host (reference Tensors, float64) and the device (tf tensors in canonical dim order):
// binding dim sizes, uploading inputs, reading results back.
import type { DimInfo, IRProgram } from "../../../compiler/ir/ir.ts";
import { EvalError } from "../../library/ops/common.ts";
import { coerce } from "../../library/ops/dims.ts";
import { transpose, type Tensor } from "../../library/tensor.ts";
import { tfDtype } from "./layout.ts";
import { IdCodec, type TF, type TfTensor } from "./types.ts";

/** Inputs on the device, in canonical dim order, with the bound dim sizes. Dispose with disposeFeeds. */
export interface TfFeeds {
  tensors: Record<string, TfTensor>;
  dimSizes: Record<string, number>;
  ids: IdCodec;
  /** Tensors this module uploaded (the caller's own device tensors are not disposed). */
  owned: TfTensor[];
}

function rootOf(infos: Map<string, DimInfo>, name: string): string {
  let d = name;
  const seen = new Set<string>();
  for (;;) {
    const info = infos.get(d);
    if (!info?.aliasOf || seen.has(d)) return d;
    seen.add(d);
    d = info.aliasOf;
  }
}

/**
 * Binds dim sizes and uploads inputs. `host` tensors may come in any dim order (they are transposed to the canonical
 * order and coerced to the declared dtype, as the reference does); `device` tensors must already be laid out in the
 * input's declared (canonical) dims. Errors are the reference's EvalErrors (missing-input, input-dims, dim-conflict).
 */
export function uploadInputs(
  tf: TF,
  program: IRProgram,
  host: Record<string, Tensor>,
  device: Record<string, TfTensor> = {},
  ids = new IdCodec(),
): TfFeeds {
  const infos = new Map(program.dims.map((d) => [d.name, d]));
  const bound = new Map<string, { size: number; source: string }>();
  for (const d of program.dims) {
    const s = d.size ?? d.labels?.length;
    if (s !== undefined) bound.set(rootOf(infos, d.name), { size: s, source: `the declaration of ${d.name}` });
  }
  const bind = (input: string, dim: string, size: number): void => {
    const root = rootOf(infos, dim);
    const prev = bound.get(root);
    if (prev === undefined) bound.set(root, { size, source: `input ${input}` });
    else if (prev.size !== size)
      throw new EvalError(
        "dim-conflict",
        `dim ${root}: input ${input} says ${root}=${size} but ${prev.source} says ${root}=${prev.size}`,
      );
  };
  const feeds: TfFeeds = { tensors: {}, dimSizes: {}, ids, owned: [] };
  for (const inp of program.inputs) {
    const want = inp.type.dims;
    const d = device[inp.name];
    const h = host[inp.name];
    if (d !== undefined) {
      if (d.rank !== want.length)
        throw new EvalError("input-dims", `input ${inp.name}: a device tensor of rank ${d.rank}, declared [${want.join(", ")}]`);
      want.forEach((dim, i) => bind(inp.name, dim, d.shape[i]!));
      feeds.tensors[inp.name] = d.dtype === tfDtype(inp.type.dtype) ? d : tf.cast(d, tfDtype(inp.type.dtype));
      if (feeds.tensors[inp.name] !== d) feeds.owned.push(feeds.tensors[inp.name]!);
      continue;
    }
    if (h === undefined) {
      if (inp.default === undefined)
        throw new EvalError("missing-input", `input ${inp.name} was not supplied and has no default`);
      continue;
    }
    if (h.dims.length !== want.length || !want.every((x) => h.dims.includes(x))) {
      throw new EvalError("input-dims", `input ${inp.name} has dims [${h.dims.join(", ")}], declared [${want.join(", ")}]`);
    }
    if (h.data.length !== h.shape.reduce((a, b) => a * b, 1))
      throw new EvalError(
        "input-dims",
        `input ${inp.name}: shape [${h.shape.join(", ")}] does not match ${h.data.length} values`,
      );
    h.dims.forEach((dim, i) => bind(inp.name, dim, h.shape[i]!));
    const c = transpose(h, want);
    c.dtype = inp.type.dtype;
    if (c.data === h.data) c.data = Float64Array.from(h.data);
    coerce(c);
    const dt = tfDtype(inp.type.dtype);
    const data =
      inp.type.dtype === "id"
        ? Int32Array.from(c.data, (v) => ids.encode(v))
        : dt === "float32"
          ? Float32Array.from(c.data)
          : dt === "int32"
            ? Int32Array.from(c.data)
            : Uint8Array.from(c.data);
    const t = tf.tensor(data, c.shape, dt);
    feeds.tensors[inp.name] = t;
    feeds.owned.push(t);
  }
  for (const d of program.dims) {
    const b = bound.get(rootOf(infos, d.name));
    if (b !== undefined) feeds.dimSizes[d.name] = b.size;
  }
  return feeds;
}

export function disposeFeeds(feeds: TfFeeds): void {
  for (const t of feeds.owned) t.dispose();
  feeds.owned = [];
}

/** A device value read back as a float64 host Tensor (bool as 0/1, ids decoded). */
export function readBack(t: TfTensor, dtype: Tensor["dtype"], dims: string[], ids: IdCodec): Tensor {
  const raw = t.dataSync() as ArrayLike<number>;
  const data = dtype === "id" ? Float64Array.from(raw, (v) => ids.decode(v)) : Float64Array.from(raw);
  return { dtype, dims: [...dims], shape: [...t.shape], data };
}
