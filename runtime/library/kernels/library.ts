// Library kernels: the primitives the fusion planner does not fuse (segment ops, topk_mask, put, argfirst, scan_grad,
// state tables, custom TypeScript nodes). Each runs the reference evaluator's generic implementation (float64) on its
// operand buffers and writes the result buffer (f32/i32/bool storage). Used by the runtime and by generated modules
// (`run(..., lib)`). Library kernels always run on the calling thread (runtime/library/kernels/execute.ts), never in a
// worker: custom nodes call plugin modules that only the calling thread has loaded (runtime/library/plugin/registry.ts).
import type { IRNode, IRProgram } from "../../../compiler/ir/ir.ts";
import type { KernelMeta, PlanMeta } from "../../../compiler/ir/kernel_meta.ts";
import type { NodeCtx, OpOf } from "../ops/common.ts";
import { evalArgfirst, evalScanGrad } from "../ops/gradient_ops.ts";
import { evalSegment } from "../ops/segment.ts";
import { evalPut, evalTopkMask } from "../ops/select.ts";
import { customForward, customVjp } from "../plugin/host.ts";
import { evalTableGet, evalTableRead, type StateValue } from "../ops/state.ts";
import type { Tensor } from "../tensor.ts";
import type { KernelContext, LibraryRunner, TypedArray } from "./load.ts";
import { unreachable } from "../../../compiler/ir/ops.ts";

function asTensor(plan: PlanMeta, B: TypedArray[], id: number, sizes: Record<string, number>): Tensor {
  const b = plan.buffers[id]!;
  return { dtype: b.dtype, dims: b.dims, shape: b.dims.map((d) => sizes[d]!), data: Float64Array.from(B[id]!) };
}

export const library: LibraryRunner = {
  run(kernel: KernelMeta, B: TypedArray[], Z: KernelContext, plan: PlanMeta): void {
    if (kernel.kind !== "library") throw new Error(`library: ${kernel.name} is a loop kernel`);
    const out = plan.buffers[kernel.out]!;
    const program: IRProgram = {
      pipeline: plan.pipeline,
      dims: plan.dims,
      inputs: [],
      params: [],
      nodes: [],
      results: [],
      states: [],
      requires: [],
      marks: [],
    };
    const node: IRNode = { id: -1, op: kernel.op, args: [], type: { dtype: out.dtype, dims: out.dims }, grad: [] };
    const args = kernel.args.map((a) => asTensor(plan, B, a, Z.n));
    const ctx: NodeCtx = { program, node, args, dimSizes: Z.n, dims: out.dims, shape: out.dims.map((d) => Z.n[d]!) };
    const state = (Z.state ?? {}) as Record<string, StateValue>;
    const op = kernel.op;
    let r: Tensor;
    switch (op.op) {
      case "segment":
        r = evalSegment(ctx, op);
        break;
      case "topk_mask":
        r = evalTopkMask(ctx, op);
        break;
      case "put":
        r = evalPut(ctx, op);
        break;
      case "argfirst":
        r = evalArgfirst(ctx, op as OpOf<"argfirst">);
        break;
      case "scan_grad":
        r = evalScanGrad(ctx, op);
        break;
      case "table_get":
        r = evalTableGet(ctx, op, state);
        break;
      case "table_read":
        r = evalTableRead(ctx, op, state);
        break;
      case "custom":
        r = customForward(op.call, op.output, args, out.dims, Z.n);
        break;
      case "custom_vjp":
        r = customVjp(op.call, op.output, op.wrt, args.slice(0, -1), args[args.length - 1]!, Z.n);
        break;
      // not library ops (compiler/ir/ops.ts stage): the fused kernels compute them
      case "input":
      case "param":
      case "const":
      case "index":
      case "size":
      case "unary":
      case "binary":
      case "cast":
      case "where":
      case "clamp":
      case "safe_div":
      case "detach":
      case "reduce":
      case "scan":
      case "linrec":
      case "shift":
      case "uniform":
      case "take":
      case "log_softmax":
      case "select":
      case "stack":
      case "rename":
      case "embed":
        throw new Error(`library: ${op.op} is not a library op`);
      default:
        unreachable(op, "library: op");
    }
    B[kernel.out]!.set(r.data);
  },
};
