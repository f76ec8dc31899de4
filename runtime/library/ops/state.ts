// State across steps: keyed tables (`table_get`) and unkeyed scalars (`table_read`), and the updates of a step.
// Every read of a step sees the state BEFORE the step's writes. Writes are applied after evaluation, per `update`
// result in program order; within one update, elements are written in canonical flat-index order, so for duplicate
// keys the last write (largest canonical index) wins.
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import { broadcastStrides, canonicalDims, filled, shapeSize, Walker, type Tensor } from "../tensor.ts";
import { EvalError, result, type NodeCtx, type OpOf } from "./common.ts";

/** A keyed table maps a key (an id value) to its stored value; an unkeyed state is one number. */
export type StateValue = Map<number, number> | number;

function tableOf(state: Record<string, StateValue>, name: string): Map<number, number> | undefined {
  const v = state[name];
  if (v === undefined) return undefined;
  if (!(v instanceof Map)) throw new EvalError("state", `state ${name} is keyed but was given a ${typeof v}`);
  return v;
}

/** `table_get(key)`: the stored value for each key (the op's `default` when absent), broadcast to the node's dims. */
export function evalTableGet(ctx: NodeCtx, op: OpOf<"table_get">, state: Record<string, StateValue>): Tensor {
  const table = tableOf(state, op.table);
  const key = ctx.args[0]!;
  const n = shapeSize(ctx.shape);
  const out = new Float64Array(n);
  const w = new Walker(ctx.shape, [broadcastStrides(ctx.dims, key.dims, key.shape)]);
  for (let i = 0; i < n; i++, w.next()) out[i] = table?.get(key.data[w.off[0]!]!) ?? op.default;
  return result(ctx, out);
}

/** `table_read`: the unkeyed state's value (the op's `default` when absent), broadcast to the node's dims. */
export function evalTableRead(ctx: NodeCtx, op: OpOf<"table_read">, state: Record<string, StateValue>): Tensor {
  const v = state[op.table];
  if (v instanceof Map) throw new EvalError("state", `state ${op.table} is unkeyed but was given a table`);
  return filled(ctx.node.type.dtype, ctx.dims, ctx.shape, v ?? op.default);
}

/** The state after the step's writes, for every state named by an `update` result (inputs are not modified). */
export function applyUpdates(
  program: IRProgram,
  values: Tensor[],
  state: Record<string, StateValue>,
): Record<string, StateValue> {
  const order = program.dims.map((d) => d.name);
  const updates: Record<string, StateValue> = {};
  for (const r of program.results) {
    if (r.kind !== "update") continue;
    const decl = program.states.find((s) => s.name === r.name);
    const keyed = decl?.keyed ?? r.key !== undefined;
    const val = values[r.node];
    if (val === undefined) throw new EvalError("state", `update ${r.name}: node %${r.node} was not evaluated`);
    if (!keyed) {
      if (val.data.length !== 1)
        throw new EvalError("state", `update ${r.name}: an unkeyed state needs a scalar, got [${val.dims.join(", ")}]`);
      updates[r.name] = val.data[0]!;
      continue;
    }
    if (r.key === undefined) throw new EvalError("state", `update ${r.name}: a keyed state needs a key`);
    const key = values[r.key];
    if (key === undefined) throw new EvalError("state", `update ${r.name}: key node %${r.key} was not evaluated`);
    const prev = updates[r.name] ?? state[r.name];
    if (prev !== undefined && !(prev instanceof Map))
      throw new EvalError("state", `state ${r.name} is keyed but was given a ${typeof prev}`);
    const table = new Map(prev ?? []);
    const dims = canonicalDims([...key.dims, ...val.dims], order);
    const shape = dims.map((d) => (key.dims.includes(d) ? key.shape[key.dims.indexOf(d)]! : val.shape[val.dims.indexOf(d)]!));
    const n = shapeSize(shape);
    const w = new Walker(shape, [broadcastStrides(dims, key.dims, key.shape), broadcastStrides(dims, val.dims, val.shape)]);
    for (let i = 0; i < n; i++, w.next()) table.set(key.data[w.off[0]!]!, val.data[w.off[1]!]!);
    updates[r.name] = table;
  }
  return updates;
}
