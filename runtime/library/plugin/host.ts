// Calls a custom TypeScript node (runtime/library/plugin/api.ts) from any backend: presents the IR's tensors in the layout
// the node declared (row dims first, broadcast; then the declared dims in declared order), checks what forward and
// gradient return, and gives back tensors in the program's canonical dims. Every problem is an EvalError whose
// message names the plugin file and the node (codes RLP521-RLP524, docs/diagnostics.md).
import { displayPath } from "../io/errors.ts";
import type { CustomArg, CustomCall, CustomLayout } from "../../../compiler/ir/ir.ts";
import { EvalError } from "../ops/common.ts";
import { broadcastData, shapeSize, sumInto, transpose, type Tensor } from "../tensor.ts";
import type { Dim, Tensor as PluginTensor } from "./api.ts";
import { pluginNode } from "./registry.ts";

/** The plugin's path relative to the working directory when it lies under it. */
/** `plugin my_nodes.ts, node 'softclip'` (the path relative to the working directory when that is shorter). */
export function where(call: CustomCall): string {
  return `plugin ${displayPath(call.plugin)}, node '${call.node}'`;
}

function layoutOf(
  call: CustomCall,
  l: CustomLayout,
  sizes: Record<string, number>,
): { dims: string[]; shape: number[]; rows: number; inner: number } {
  const rowDims = l.rows ? call.rows : [];
  const dims = [...rowDims, ...l.dims];
  const shape = dims.map((d) => sizes[d]!);
  return { dims, shape, rows: shapeSize(rowDims.map((d) => sizes[d]!)), inner: shapeSize(l.dims.map((d) => sizes[d]!)) };
}

function present(call: CustomCall, t: Tensor, l: CustomLayout, sizes: Record<string, number>): PluginTensor {
  const { dims, shape, rows, inner } = layoutOf(call, l, sizes);
  return { dtype: l.dtype, dims, shape, rows, inner, data: broadcastData(t, dims, shape) };
}

function argv(
  call: CustomCall,
  args: readonly Tensor[],
  sizes: Record<string, number>,
): (PluginTensor | Dim | number | boolean | string)[] {
  return call.argv.map((a: CustomArg) => {
    if (a.kind === "tensor") return present(call, args[a.index]!, a.layout, sizes);
    if (a.kind === "dim") return { name: a.dim, size: sizes[a.dim]! };
    return a.value;
  });
}

/** Reads one returned array into the layout's dims, checking its length and values. */
function readBack(call: CustomCall, what: string, value: unknown, l: CustomLayout, sizes: Record<string, number>): Tensor {
  const { dims, shape } = layoutOf(call, l, sizes);
  const n = shapeSize(shape);
  const layout = `${l.dtype}[${dims.join(",")}]`;
  const isArrayLike = value !== null && typeof value === "object" && typeof (value as ArrayLike<number>).length === "number";
  if (!isArrayLike)
    throw new EvalError(
      "RLP522",
      `${where(call)}: ${what} must be an array of ${n} numbers (${layout}), but it is ${value === null ? "null" : typeof value}`,
    );
  const arr = value as ArrayLike<unknown>;
  if (arr.length !== n) {
    const sizesText = dims.map((d) => `${d}=${sizes[d]}`).join(", ");
    throw new EvalError(
      "RLP522",
      `${where(call)}: ${what} has ${arr.length} values, but ${layout} needs ${n} (${sizesText || "a scalar"})`,
    );
  }
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = arr[i];
    if (typeof v !== "number" && typeof v !== "boolean")
      throw new EvalError("RLP522", `${where(call)}: ${what}[${i}] is ${typeof v}, not a number`);
    const x = Number(v);
    if (l.dtype === "bool") data[i] = x !== 0 ? 1 : 0;
    else if ((l.dtype === "i32" || l.dtype === "id") && !Number.isInteger(x))
      throw new EvalError("RLP522", `${where(call)}: ${what}[${i}] = ${x}, but ${l.dtype} values must be integers`);
    else data[i] = x;
  }
  return { dtype: l.dtype, dims, shape, data };
}

/** Runs user code, turning what it throws into an error that names the plugin, the node and the function. */
function guarded<T>(call: CustomCall, fn: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof EvalError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    // Where in the plugin: `my_nodes.ts:12:5`, from the first stack frame in the plugin's file.
    const frame = e instanceof Error ? e.stack?.split("\n").find((l) => l.includes(call.plugin)) : undefined;
    const pos = frame ? /:(\d+):(\d+)\)?\s*$/.exec(frame) : null;
    const at = pos ? ` (${displayPath(call.plugin)}:${pos[1]}:${pos[2]})` : "";
    throw new EvalError("RLP523", `${where(call)}: ${fn} threw: ${msg.split("\n")[0]}${at}`);
  }
}

/** Result `output` of the call, in `outDims` (the IR node's canonical dims). */
export function customForward(
  call: CustomCall,
  output: number,
  args: readonly Tensor[],
  outDims: readonly string[],
  sizes: Record<string, number>,
): Tensor {
  const def = pluginNode(call.plugin, call.node);
  const returned = guarded(call, "forward", () => (def.forward as (...a: unknown[]) => unknown)(...argv(call, args, sizes)));
  let value: unknown = returned;
  if (call.results.length > 1) {
    if (!Array.isArray(returned) || returned.length !== call.results.length) {
      throw new EvalError(
        "RLP522",
        `${where(call)}: forward must return an array of ${call.results.length} results (one per declared result), but it returned ${Array.isArray(returned) ? `${returned.length}` : typeof returned}`,
      );
    }
    value = returned[output];
  }
  const what = call.results.length > 1 ? `forward's result ${output + 1}` : "forward's result";
  return transpose(readBack(call, what, value, call.results[output]!, sizes), outDims);
}

/** The gradient w.r.t. tensor argument `wrt` given the cotangent `g` of result `output`, in that argument's dims. */
export function customVjp(
  call: CustomCall,
  output: number,
  wrt: number,
  args: readonly Tensor[],
  g: Tensor,
  sizes: Record<string, number>,
): Tensor {
  const def = pluginNode(call.plugin, call.node);
  if (typeof def.gradient !== "function")
    throw new EvalError(
      "RLP524",
      `${where(call)}: the node has no gradient function, but a gradient is needed (declare 'differentiable: false' or write gradient(...))`,
    );
  // the cotangent of result `output`; zeros for the others (the VJP is linear in them)
  const zero: Tensor = { dtype: "f32", dims: [], shape: [], data: Float64Array.of(0) };
  const cot = call.results.map((l, k) => present(call, k === output ? g : zero, { ...l, dtype: "f32" }, sizes));
  const returned = guarded(call, "gradient", () =>
    (def.gradient as (...a: unknown[]) => unknown)(call.results.length > 1 ? cot : cot[0], ...argv(call, args, sizes)),
  );
  const target = call.argv.find((a): a is Extract<CustomArg, { kind: "tensor" }> => a.kind === "tensor" && a.index === wrt)!;
  if (returned === null || typeof returned !== "object" || Array.isArray(returned)) {
    throw new EvalError(
      "RLP524",
      `${where(call)}: gradient must return an object with one array per differentiable argument ({ ${target.name}: ... }), but it returned ${Array.isArray(returned) ? "an array" : typeof returned}`,
    );
  }
  const v = (returned as Record<string, unknown>)[target.name];
  if (v === undefined)
    throw new EvalError(
      "RLP524",
      `${where(call)}: gradient returned no gradient for the argument '${target.name}' (it returned ${Object.keys(returned).join(", ") || "nothing"})`,
    );
  const full = readBack(call, `gradient's '${target.name}'`, v, { ...target.layout, dtype: "f32" }, sizes);
  // The argument was broadcast over the row dims it lacks: its gradient is the sum over them.
  const arg = args[wrt]!;
  const acc = new Float64Array(arg.data.length);
  sumInto(acc, arg.dims, arg.shape, full.data, full.dims, full.shape);
  return { dtype: "f32", dims: [...arg.dims], shape: [...arg.shape], data: acc };
}
