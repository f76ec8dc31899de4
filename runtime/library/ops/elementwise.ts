// Elementwise primitives: const, param, index, size, unary, binary, cast, where, clamp, safe_div, detach.
// Operands broadcast BY NAME to node.type.dims; results are in canonical order. All arithmetic is float64, with the
// scalar functions of compiler/ir/scalar.ts (the one definition, shared with compile-time folding).
import { BINARY, cast, clamp, UNARY } from "../../../compiler/ir/scalar.ts";
import { filled, shapeSize, type Tensor } from "../tensor.ts";
import { axisOf, mapN, nodeError, result, type NodeCtx, type OpOf } from "./common.ts";

/** `const`: the value broadcast to the node's dims. */
export function evalConst(ctx: NodeCtx, op: OpOf<"const">): Tensor {
  return filled(ctx.node.type.dtype, ctx.dims, ctx.shape, op.value);
}

/** `param`: its recorded value (a scalar, broadcast to the node's dims). */
export function evalParam(ctx: NodeCtx, op: OpOf<"param">): Tensor {
  return filled(ctx.node.type.dtype, ctx.dims, ctx.shape, op.value);
}

/** `index(D)`: 0..|D|-1 along D (i32), broadcast over any other dims of the node. */
export function evalIndex(ctx: NodeCtx, op: OpOf<"index">): Tensor {
  const ax = axisOf(ctx.node, ctx.dims, op.dim);
  const n = shapeSize(ctx.shape);
  let inner = 1;
  for (let i = ax + 1; i < ctx.shape.length; i++) inner *= ctx.shape[i]!;
  const len = ctx.shape[ax]!;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(i / inner) % len;
  return result(ctx, out);
}

/** `size(D)`: |D| as an i32 scalar. */
export function evalSize(ctx: NodeCtx, op: OpOf<"size">): Tensor {
  const s = ctx.dimSizes[op.dim];
  if (s === undefined) throw nodeError(ctx.node, `dim ${op.dim} has no size`);
  return filled(ctx.node.type.dtype, ctx.dims, ctx.shape, s);
}

export function evalUnary(ctx: NodeCtx, op: OpOf<"unary">): Tensor {
  const f = UNARY[op.fn];
  return result(
    ctx,
    mapN(ctx.dims, ctx.shape, ctx.args, (v) => f(v[0]!)),
  );
}

export function evalBinary(ctx: NodeCtx, op: OpOf<"binary">): Tensor {
  const f = BINARY[op.fn];
  return result(
    ctx,
    mapN(ctx.dims, ctx.shape, ctx.args, (v) => f(v[0]!, v[1]!)),
  );
}

/** `cast`: to i32 truncates toward zero (NaN -> 0), to bool is x != 0, to f32 (and id) is the identity. */
export function evalCast(ctx: NodeCtx, op: OpOf<"cast">): Tensor {
  return result(
    ctx,
    mapN(ctx.dims, ctx.shape, ctx.args, (v) => cast(op.to, v[0]!)),
  );
}

/** `where(c, a, b)`: a true select; the unselected operand's value (even NaN/inf) never reaches the result. */
export function evalWhere(ctx: NodeCtx): Tensor {
  return result(
    ctx,
    mapN(ctx.dims, ctx.shape, ctx.args, (v) => (v[0]! !== 0 ? v[1]! : v[2]!)),
  );
}

/** `clamp(x, lo, hi)` = min(max(x, lo), hi). */
export function evalClamp(ctx: NodeCtx): Tensor {
  return result(
    ctx,
    mapN(ctx.dims, ctx.shape, ctx.args, (v) => clamp(v[0]!, v[1]!, v[2]!)),
  );
}

/** `safe_div(a, b, ok, fill)`: a/b where ok, fill elsewhere; the unselected quotient is never computed. */
export function evalSafeDiv(ctx: NodeCtx): Tensor {
  return result(
    ctx,
    mapN(ctx.dims, ctx.shape, ctx.args, (v) => (v[2]! !== 0 ? v[0]! / v[1]! : v[3]!)),
  );
}

/** `detach`: the identity in the forward pass (it only stops gradients). */
export function evalDetach(ctx: NodeCtx): Tensor {
  return result(
    ctx,
    mapN(ctx.dims, ctx.shape, ctx.args, (v) => v[0]!),
  );
}
