// generateJs: a KernelPlan as one self-contained ES module (no imports): the plan's metadata, the helpers its kernels
// call, one pair of functions per loop kernel (compiler/codegen/js/kernel.ts) and a single-threaded driver `run`.
// The module's last line is its only export statement (runtime/library/kernels/load.ts relies on that to evaluate the same
// text with `new Function`). Output is deterministic: the same plan gives byte-identical text.
//
//   export { plan, kernels, run }
//   plan     JSON metadata: dims, params, inputs, buffers, kernels, results, requires (what a driver needs)
//   kernels  [{ name, body(B, Z, lo, hi, total, S), end(B, Z, total, S) } | null (library kernel)] by kernel index
//   run(inputs, sizes, params?, lib?) -> { result name: typed array }
//            inputs: typed arrays in canonical dim order (Float32Array f32, Int32Array i32, Uint8Array bool,
//            Float64Array id), by input name; sizes: every dim's size; lib: runtime/library/kernels/library.ts's
//            `library` (only needed when the plan has library kernels)
import type { IRProgram } from "../../ir/ir.ts";
import type { KernelPlan } from "../../fuse/types.ts";
import { HELPER_ORDER, HELPERS } from "./helpers.ts";
import { kernelJs } from "./kernel.ts";
import type { PlanMeta } from "../../ir/kernel_meta.ts";

export interface GeneratedJs {
  source: string;
  kernels: { name: string; source: string }[];
}

/** The plan metadata the driver and the runtime read (plain JSON). */
export function planMeta(plan: KernelPlan): PlanMeta {
  const p: IRProgram = plan.program;
  const params: Record<string, number> = {};
  for (const n of p.nodes) if (n.op.op === "param") params[n.op.name] = n.op.value;
  return {
    pipeline: p.pipeline,
    dims: p.dims,
    usedDims: p.dims
      .map((d) => d.name)
      .filter((d) => p.nodes.some((n) => n.type.dims.includes(d) || (n.op.op === "reduce" && n.op.over.includes(d)))),
    params,
    inputs: p.inputs.map((i) => ({
      name: i.name,
      buffer: plan.inputs[i.name]!,
      dtype: i.type.dtype,
      dims: i.type.dims,
      ...(i.default === undefined ? {} : { default: i.default }),
    })),
    buffers: plan.buffers.map((b) => ({
      id: b.id,
      name: b.name,
      dtype: b.dtype,
      dims: b.dims,
      role: b.role,
      ...(b.input ? { input: b.input } : {}),
      ...(b.results ? { results: b.results } : {}),
    })),
    kernels: plan.kernels.map((k) =>
      k.kind === "library"
        ? { name: k.name, kind: "library" as const, op: p.nodes[k.node]!.op, args: k.args, out: k.out }
        : {
            name: k.name,
            kind: k.kind,
            nest: k.nest,
            splittable: k.splittable,
            slots: k.slots.map((s) => ({ offset: s.offset, fn: s.fn })),
            scratch: k.scratch.map((s) => ({ fn: s.fn, dims: s.dims, shared: s.shared })),
          },
    ),
    results: plan.results,
    requires: plan.requires,
  };
}

const DRIVER = `const IDENTITY = { sum: 0, count: 0, max: -Infinity, min: Infinity };

function sizeOf(dims, sizes) {
  let n = 1;
  for (const d of dims) n *= sizes[d];
  return n;
}

function allocate(dtype, n) {
  return dtype === "f32" ? new Float32Array(n) : dtype === "i32" ? new Int32Array(n) : dtype === "bool" ? new Uint8Array(n) : new Float64Array(n);
}

/** Runs every kernel in order on one thread. */
function run(inputs, sizes, params = {}, lib = undefined) {
  const Z = { n: sizes, p: Object.assign({}, plan.params, params) };
  const B = plan.buffers.map((b) => {
    if (b.role !== "input") return allocate(b.dtype, sizeOf(b.dims, sizes));
    const given = inputs[b.input];
    if (given !== undefined) return given;
    const decl = plan.inputs.find((i) => i.name === b.input);
    if (decl.default === undefined) throw new Error("input " + b.input + " was not supplied and has no default");
    return allocate(b.dtype, sizeOf(b.dims, sizes)).fill(decl.default);
  });
  plan.kernels.forEach((k, i) => {
    if (k.kind === "library") {
      if (lib === undefined) throw new Error("kernel " + k.name + " needs the library implementation (runtime/library/kernels/library.ts)");
      lib.run(k, B, Z, plan);
      return;
    }
    const total = new Float64Array(k.slots.length);
    for (const s of k.slots) total[s.offset] = IDENTITY[s.fn];
    const S = k.scratch.map((s) => new Float64Array(sizeOf(s.dims, sizes)).fill(IDENTITY[s.fn]));
    kernels[i].body(B, Z, 0, k.nest.length > 0 ? sizes[k.nest[0]] : 0, total, S);
    kernels[i].end(B, Z, total, S);
  });
  for (const q of plan.requires) if (B[q.buffer].some((v) => v === 0)) throw new Error("require failed: " + q.message);
  const out = {};
  for (const name of Object.keys(plan.results)) out[name] = B[plan.results[name]];
  return out;
}`;

export function generateJs(plan: KernelPlan): GeneratedJs {
  const used = new Set<string>();
  const use = (h: string): void => void used.add(h);
  const kernels = plan.kernels.flatMap((k) => (k.kind === "library" ? [] : [{ name: k.name, source: kernelJs(plan, k, use) }]));
  const table = plan.kernels.map((k) =>
    k.kind === "library"
      ? "  null, // library kernel (runtime/library/kernels/library.ts)"
      : `  { name: ${JSON.stringify(k.name)}, body: ${k.name}, end: ${k.name}_end },`,
  );
  const source = [
    `// Generated by rlp (compiler/codegen/js) from pipeline ${plan.program.pipeline}. Do not edit.`,
    `// ${plan.kernels.length} kernel(s): ${plan.kernels.map((k) => k.name).join(", ")}`,
    `"use strict";`,
    "",
    `const plan = ${jsLiteral(planMeta(plan))};`,
    "",
    ...HELPER_ORDER.filter((h) => used.has(h)).flatMap((h) => [HELPERS[h]!, ""]),
    ...kernels.flatMap((k) => [k.source, ""]),
    "const kernels = [",
    ...table,
    "];",
    "",
    DRIVER,
    "",
    "export { plan, kernels, run };",
    "",
  ].join("\n");
  return { source, kernels };
}

/** JSON, except that NaN, Infinity, -Infinity and -0 stay numbers (a JS literal, not JSON). */
function jsLiteral(v: unknown): string {
  const mark = "\u0000num:";
  const text = JSON.stringify(v, (_k, x: unknown) =>
    typeof x === "number" && (!Number.isFinite(x) || Object.is(x, -0)) ? `${mark}${Object.is(x, -0) ? "-0" : String(x)}` : x,
  );
  return text.replace(/"\\u0000num:([^"]*)"/g, "$1");
}
