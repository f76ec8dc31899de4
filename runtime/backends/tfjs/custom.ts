// Custom TypeScript nodes on tfjs: opaque host calls between device ops (runtime/library/plugin/host.ts, float64). The
// arguments are read back to the host, the plugin runs, and its result is uploaded in the node's canonical dims.
// Under a gradient tape a differentiable call is a tf.customGrad op over its differentiable arguments whose gradient
// calls the node's own `gradient` (customVjp); the other arguments are closed over, so no gradient reaches them (as
// in the reference, test/oracle/reverse_ops.ts). custom_vjp (the symbolic gradient program's node) is a host call.
// The plugin modules must be loaded first (loadPlugins, runtime/library/plugin/registry.ts): lowering is synchronous.
import type { CustomCall } from "../../../compiler/ir/ir.ts";
import { tensorArgs } from "../../../compiler/ir/rules.ts";
import { customForward, customVjp } from "../../library/plugin/host.ts";
import type { OpOf } from "../../library/ops/common.ts";
import { transpose, type Tensor } from "../../library/tensor.ts";
import { readBack } from "./feeds.ts";
import { tfDtype } from "./layout.ts";
import type { LowerCtx, TfTensor } from "./types.ts";

/** The IR arg positions through which gradient flows into a custom node (none for a non-differentiable node). */
export function customGradArgs(call: CustomCall): number[] {
  return call.differentiable
    ? tensorArgs(call)
        .filter((t) => t.grad)
        .map((t) => t.index)
    : [];
}

function hostArgs(ctx: LowerCtx): Tensor[] {
  return ctx.args.map((v, i) => readBack(v.t, ctx.program.nodes[ctx.node.args[i]!]!.type.dtype, v.dims, ctx.ids));
}

/** A host tensor (any dim order) as a device tensor laid out in `dims` with dtype `dtype`. */
function upload(ctx: LowerCtx, t: Tensor, dims: readonly string[], dtype: Tensor["dtype"]): TfTensor {
  const c = transpose(t, dims);
  const dt = tfDtype(dtype);
  const data =
    dtype === "id"
      ? Int32Array.from(c.data, (v) => ctx.ids.encode(v))
      : dt === "float32"
        ? Float32Array.from(c.data)
        : dt === "int32"
          ? Int32Array.from(c.data)
          : Uint8Array.from(c.data);
  return ctx.tf.tensor(data, [...c.shape], dt);
}

export function lowerCustom(ctx: LowerCtx, op: OpOf<"custom">): TfTensor {
  const { tf } = ctx;
  const dtype = ctx.node.type.dtype;
  const forward = (args: Tensor[]): TfTensor =>
    upload(ctx, customForward(op.call, op.output, args, ctx.dims, ctx.dimSizes), ctx.dims, dtype);
  const wrt = customGradArgs(op.call);
  if (wrt.length === 0 || dtype !== "f32" || !tf.engine().isTapeOn()) return forward(hostArgs(ctx));
  const f = tf.customGrad((...xs: unknown[]) => {
    xs.pop(); // `save`: the host copies below are all the gradient needs
    const args = hostArgs(ctx);
    return {
      value: forward(args),
      gradFunc: (dy: TfTensor) => {
        const g = readBack(dy, "f32", ctx.dims, ctx.ids);
        return wrt.map((i) => upload(ctx, customVjp(op.call, op.output, i, args, g, ctx.dimSizes), ctx.args[i]!.dims, "f32"));
      },
    };
  });
  return f(...wrt.map((i) => ctx.args[i]!.t));
}

export function lowerCustomVjp(ctx: LowerCtx, op: OpOf<"custom_vjp">): TfTensor {
  const args = hostArgs(ctx);
  const g = args.pop()!;
  return upload(ctx, customVjp(op.call, op.output, op.wrt, args, g, ctx.dimSizes), ctx.dims, "f32");
}
