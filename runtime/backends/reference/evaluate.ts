// The float64 reference evaluator: runs an IRProgram op by op. It defines the semantics other backends must match.
//  * Dim sizes are bound from the inputs by name (dims.ts); every value has exactly node.type.dims, in the canonical
//    order of program.dims; operands broadcast to it BY NAME.
//  * Masking never produces NaN: masked reductions of nothing give 0 (or `empty`), `where`/`safe_div` are true
//    selects, segment/topk ignore unselected positions, and unselected positions hold 0.
import type { IRNode, IRProgram } from "../../../compiler/ir/ir.ts";
import { customForward, customVjp } from "../../library/plugin/host.ts";
import { filled, type Tensor } from "../../library/tensor.ts";
import { EvalError, nodeError, shapeFor, type NodeCtx } from "../../library/ops/common.ts";
import { bindDims } from "../../library/ops/dims.ts";
import {
  evalBinary,
  evalCast,
  evalClamp,
  evalConst,
  evalDetach,
  evalIndex,
  evalParam,
  evalSafeDiv,
  evalSize,
  evalUnary,
  evalWhere,
} from "../../library/ops/elementwise.ts";
import { evalReduce } from "../../library/ops/reduce.ts";
import { evalLinrec, evalScan, evalShift } from "../../library/ops/scan.ts";
import { evalArgfirst, evalEmbed, evalScanGrad } from "../../library/ops/gradient_ops.ts";
import { evalSegment } from "../../library/ops/segment.ts";
import {
  evalLogSoftmax,
  evalPut,
  evalRename,
  evalSelect,
  evalStack,
  evalTake,
  evalTopkMask,
  evalUniform,
} from "../../library/ops/select.ts";
import { applyUpdates, evalTableGet, evalTableRead, type StateValue } from "../../library/ops/state.ts";

export interface EvaluateOptions {
  /** State before this step, by state name (keyed: a Map from key to value; unkeyed: a number). */
  state?: Record<string, StateValue>;
  /** Check data-dependent `require` conditions (default true). */
  checkRequires?: boolean;
}

export interface EvalResult {
  /** Every node's value, by node id. */
  values: Tensor[];
  /** Every result's value, by result name (update results too: the written values). */
  results: Record<string, Tensor>;
  dimSizes: Record<string, number>;
  /** The state after the step's writes, for each state that an `update` result writes. */
  stateUpdates: Record<string, StateValue>;
}

/** Evaluates the program on the given inputs (tensors in any dim order; canonicalised here). */
export function evaluate(program: IRProgram, inputs: Record<string, Tensor>, options: EvaluateOptions = {}): EvalResult {
  const { dimSizes, inputs: canon } = bindDims(program, inputs);
  const state = options.state ?? {};
  const values: Tensor[] = [];
  for (const node of program.nodes) {
    const args = node.args.map((a) => {
      const v = values[a];
      if (v === undefined) throw nodeError(node, `argument %${a} is not evaluated before it`);
      return v;
    });
    const dims = node.type.dims;
    const ctx: NodeCtx = { program, node, args, dimSizes, dims, shape: shapeFor(dims, dimSizes) };
    values[node.id] = evalNode(ctx, canon, state);
  }
  if (options.checkRequires ?? true) {
    for (const req of program.requires) {
      const c = values[req.cond];
      if (c !== undefined && c.data.some((v) => v === 0)) throw new EvalError("require", `require failed: ${req.message}`);
    }
  }
  const results: Record<string, Tensor> = {};
  for (const r of program.results) {
    const v = values[r.node];
    if (v === undefined) throw new EvalError("bad-node", `result ${r.name}: node %${r.node} does not exist`);
    results[r.name] = v;
  }
  return { values, results, dimSizes, stateUpdates: applyUpdates(program, values, state) };
}

function evalInput(ctx: NodeCtx, name: string, inputs: Record<string, Tensor>): Tensor {
  const decl = ctx.program.inputs.find((i) => i.name === name);
  const t = inputs[name];
  if (t !== undefined) {
    if (t.dims.join(",") !== ctx.dims.join(","))
      throw nodeError(ctx.node, `input ${name} has dims [${t.dims.join(", ")}], node says [${ctx.dims.join(", ")}]`);
    return t;
  }
  if (decl?.default === undefined) throw new EvalError("missing-input", `input ${name} was not supplied and has no default`);
  // `input` with a default: the default broadcast to the declared dims
  return filled(ctx.node.type.dtype, ctx.dims, ctx.shape, decl.default);
}

function evalNode(ctx: NodeCtx, inputs: Record<string, Tensor>, state: Record<string, StateValue>): Tensor {
  const op = ctx.node.op;
  switch (op.op) {
    case "input":
      return evalInput(ctx, op.name, inputs);
    case "param":
      return evalParam(ctx, op);
    case "const":
      return evalConst(ctx, op);
    case "index":
      return evalIndex(ctx, op);
    case "size":
      return evalSize(ctx, op);
    case "unary":
      return evalUnary(ctx, op);
    case "binary":
      return evalBinary(ctx, op);
    case "cast":
      return evalCast(ctx, op);
    case "where":
      return evalWhere(ctx);
    case "clamp":
      return evalClamp(ctx);
    case "safe_div":
      return evalSafeDiv(ctx);
    case "detach":
      return evalDetach(ctx);
    case "reduce":
      return evalReduce(ctx, op);
    case "scan":
      return evalScan(ctx, op);
    case "linrec":
      return evalLinrec(ctx, op);
    case "shift":
      return evalShift(ctx, op);
    case "segment":
      return evalSegment(ctx, op);
    case "topk_mask":
      return evalTopkMask(ctx, op);
    case "uniform":
      return evalUniform(ctx, op);
    case "take":
      return evalTake(ctx, op);
    case "put":
      return evalPut(ctx, op);
    case "log_softmax":
      return evalLogSoftmax(ctx, op);
    case "select":
      return evalSelect(ctx, op);
    case "stack":
      return evalStack(ctx, op);
    case "rename":
      return evalRename(ctx, op);
    case "argfirst":
      return evalArgfirst(ctx, op);
    case "scan_grad":
      return evalScanGrad(ctx, op);
    case "embed":
      return evalEmbed(ctx, op);
    case "table_get":
      return evalTableGet(ctx, op, state);
    case "table_read":
      return evalTableRead(ctx, op, state);
    case "custom":
      return customForward(op.call, op.output, ctx.args, ctx.dims, ctx.dimSizes);
    case "custom_vjp":
      return customVjp(op.call, op.output, op.wrt, ctx.args.slice(0, -1), ctx.args[ctx.args.length - 1]!, ctx.dimSizes);
    default: {
      const never: never = op;
      throw nodeError(ctx.node as IRNode, `unknown op ${(never as { op: string }).op}`);
    }
  }
}
