// Elementwise primitives on tfjs: const, param, index, size, unary, binary, cast, where, clamp, safe_div, detach.
// Operands are expanded to the node's rank by name and combined with tf broadcasting. f32 computes in float32,
// i32/id in int32, bool as tf bool. Masks built here are made off the gradient tape (ctx.untaped).
import type { BinaryOpName, UnaryOpName } from "../../../compiler/ir/ir.ts";
import type { OpOf } from "../../library/ops/common.ts";
import { LANCZOS } from "../../../compiler/ir/scalar.ts";
import { arg, argFull, asType, axis, bool, f32, select, staticValue, tfDtype, toNodeShape, type TfDType } from "./layout.ts";
import { extremum, remainder, roundOf, signOf } from "./scalar_edges.ts";
import type { LowerCtx, TfTensor } from "./types.ts";
import { BINARY_FNS } from "../../../compiler/ir/ops.ts";

function fill(ctx: LowerCtx, value: number): TfTensor {
  const dt = tfDtype(ctx.node.type.dtype);
  const v = ctx.node.type.dtype === "id" ? ctx.ids.encode(value) : dt === "bool" ? (value !== 0 ? 1 : 0) : value;
  return ctx.tf.fill([...ctx.shape], v, dt);
}

export function lowerConst(ctx: LowerCtx, op: OpOf<"const"> | OpOf<"param">): TfTensor {
  return fill(ctx, op.value);
}

export function lowerIndex(ctx: LowerCtx, op: OpOf<"index">): TfTensor {
  const { tf } = ctx;
  const ax = axis(ctx, op.dim);
  const r = tf.range(0, ctx.shape[ax]!, 1, "int32");
  return toNodeShape(
    ctx,
    tf.reshape(
      r,
      ctx.shape.map((s, i) => (i === ax ? s : 1)),
    ),
  );
}

export function lowerSize(ctx: LowerCtx, op: OpOf<"size">): TfTensor {
  const s = ctx.dimSizes[op.dim];
  if (s === undefined) throw new Error(`tfjs: dim ${op.dim} has no size`);
  return fill(ctx, s);
}

/** log|Γ(x)|: the reference's Lanczos (g=7, n=9) with reflection below 0.5, in tf ops (differentiable). */
function lgamma(ctx: LowerCtx, x: TfTensor): TfTensor {
  const { tf } = ctx;
  const [small, pole, posInf] = ctx.untaped(() => [
    tf.less(x, 0.5),
    tf.logicalAnd(tf.lessEqual(x, 0), tf.equal(x, tf.floor(x))),
    tf.equal(x, Infinity),
  ]);
  const xr = select(tf, small, tf.sub(1, x), x);
  const z = tf.sub(xr, 1);
  let a: TfTensor = tf.scalar(LANCZOS[0]!);
  for (let i = 1; i < LANCZOS.length; i++) a = tf.add(a, tf.div(LANCZOS[i]!, tf.add(z, i)));
  const t = tf.add(z, 7.5);
  const l = tf.add(tf.sub(tf.add(0.5 * Math.log(2 * Math.PI), tf.mul(tf.add(z, 0.5), tf.log(t))), t), tf.log(a));
  const refl = tf.sub(tf.log(tf.div(Math.PI, tf.abs(tf.sin(tf.mul(Math.PI, x))))), l);
  return select(tf, tf.logicalOr(pole, posInf), tf.fill(x.shape, Infinity), select(tf, small, refl, l));
}

function unary(ctx: LowerCtx, fn: UnaryOpName, x: TfTensor): TfTensor {
  const { tf } = ctx;
  switch (fn) {
    case "neg":
      return tf.neg(x);
    case "exp":
      return tf.exp(x);
    case "log":
      return tf.log(x);
    case "log1p":
      return tf.log1p(x);
    case "expm1":
      return tf.expm1(x);
    case "sqrt":
      return tf.sqrt(x);
    case "abs":
      return tf.abs(x);
    case "sign":
      return x.dtype === "float32" ? signOf(ctx, x) : tf.sign(x);
    case "tanh":
      return tf.tanh(x);
    case "sigmoid":
      return tf.sigmoid(x);
    case "softplus":
      return tf.softplus(x);
    case "sin":
      return tf.sin(x);
    case "cos":
      return tf.cos(x);
    case "floor":
      return tf.floor(x);
    case "ceil":
      return tf.ceil(x);
    case "round":
      return x.dtype === "float32" ? roundOf(ctx, x) : tf.round(x); // half to even, like the reference
    case "lgamma":
      return lgamma(ctx, x);
    case "not":
      return tf.logicalNot(bool(tf, x));
  }
}

export function lowerUnary(ctx: LowerCtx, op: OpOf<"unary">): TfTensor {
  const dt = tfDtype(ctx.node.type.dtype);
  const x = arg(ctx, 0);
  const input = op.fn === "not" ? x : asType(ctx.tf, x, dt === "bool" ? "float32" : dt);
  return toNodeShape(ctx, asType(ctx.tf, unary(ctx, op.fn, input), dt));
}

/** The dtype a binary op computes in: the result's, or for comparisons the wider operand type. */
function computeType(ctx: LowerCtx, fn: BinaryOpName): TfDType {
  const kind = BINARY_FNS[fn].kind;
  if (kind === "logic") return "bool";
  if (kind === "arith") return tfDtype(ctx.node.type.dtype) === "int32" && fn !== "div" && fn !== "pow" ? "int32" : "float32";
  const types = ctx.args.map((_, i) => ctx.program.nodes[ctx.node.args[i]!]!.type.dtype);
  return types.some((d) => d === "f32") ? "float32" : "int32";
}

function binary(ctx: LowerCtx, fn: BinaryOpName, a: TfTensor, b: TfTensor): TfTensor {
  const { tf } = ctx;
  const float = a.dtype === "float32";
  switch (fn) {
    case "add":
      return tf.add(a, b);
    case "sub":
      return tf.sub(a, b);
    case "mul":
      return tf.mul(a, b);
    case "div":
      return tf.div(a, b);
    case "idiv":
      return a.dtype === "int32" ? tf.floorDiv(a, b) : tf.floor(tf.div(a, b));
    case "mod":
      return float ? remainder(ctx, a, b) : tf.mod(a, b); // the sign of the divisor, like Python
    case "pow":
      return tf.pow(a, b);
    // gradient ties go to the first operand (as in the reference); -0 < +0 in value (IEEE)
    case "maximum":
    case "minimum":
      return float ? extremum(ctx, fn, a, b) : fn === "maximum" ? tf.maximum(a, b) : tf.minimum(a, b);
    case "eq":
      return tf.equal(a, b);
    case "ne":
      return tf.notEqual(a, b);
    case "lt":
      return tf.less(a, b);
    case "le":
      return tf.lessEqual(a, b);
    case "gt":
      return tf.greater(a, b);
    case "ge":
      return tf.greaterEqual(a, b);
    case "and":
      return tf.logicalAnd(a, b);
    case "or":
      return tf.logicalOr(a, b);
  }
}

export function lowerBinary(ctx: LowerCtx, op: OpOf<"binary">): TfTensor {
  const { tf } = ctx;
  const ct = computeType(ctx, op.fn);
  const r = binary(ctx, op.fn, asType(tf, arg(ctx, 0), ct), asType(tf, arg(ctx, 1), ct));
  return toNodeShape(ctx, asType(tf, r, tfDtype(ctx.node.type.dtype)));
}

/** to i32 truncates toward zero (NaN -> 0); to bool is x != 0; to f32 and id keep the value. */
export function lowerCast(ctx: LowerCtx, op: OpOf<"cast">): TfTensor {
  return toNodeShape(ctx, asType(ctx.tf, arg(ctx, 0), tfDtype(op.to)));
}

/** A true select, forward and backward (see layout.ts select). */
export function lowerWhere(ctx: LowerCtx): TfTensor {
  const { tf } = ctx;
  const dt = tfDtype(ctx.node.type.dtype);
  const c = bool(tf, arg(ctx, 0));
  const side = (i: number): TfTensor => asType(tf, staticValue(ctx, i) === undefined ? arg(ctx, i) : argFull(ctx, i), dt);
  return toNodeShape(ctx, select(tf, c, side(1), side(2)));
}

/**
 * min(max(x, lo), hi). With constant bounds: tf.clipByValue (one op; its gradient passes g at x == lo or x == hi,
 * where the reference gives 0 — a kink). Otherwise as selects, so that x gets g strictly inside (lo, hi), lo at and
 * below lo, hi at and above hi, as in the reference.
 */
export function lowerClamp(ctx: LowerCtx): TfTensor {
  const { tf } = ctx;
  const [cl, ch] = [staticValue(ctx, 1), staticValue(ctx, 2)];
  if (cl !== undefined && ch !== undefined && cl <= ch) return toNodeShape(ctx, tf.clipByValue(f32(tf, arg(ctx, 0)), cl, ch));
  const [x, lo, hi] = [0, 1, 2].map((i) => f32(tf, arg(ctx, i))) as [TfTensor, TfTensor, TfTensor];
  const [atHi, inside, nan] = ctx.untaped(() => [tf.greaterEqual(tf.maximum(x, lo), hi), tf.greater(x, lo), tf.isNaN(x)]);
  return toNodeShape(ctx, select(tf, nan, x, select(tf, atHi, hi, select(tf, inside, x, lo))));
}

/** a/b where ok, fill elsewhere; b is replaced by 1 where not ok, so no inf/NaN is formed forward or backward. */
export function lowerSafeDiv(ctx: LowerCtx): TfTensor {
  const { tf } = ctx;
  const [a, b] = [0, 1].map((i) => f32(tf, arg(ctx, i))) as [TfTensor, TfTensor];
  const fillv = f32(tf, staticValue(ctx, 3) === undefined ? arg(ctx, 3) : argFull(ctx, 3));
  const ok = bool(tf, arg(ctx, 2));
  const bSafe = select(tf, ok, b, tf.onesLike(b));
  return toNodeShape(ctx, select(tf, ok, tf.div(a, bSafe), fillv));
}

/** The identity, made off the tape (tfjs has no stop_gradient): what follows sees a constant. */
export function lowerDetach(ctx: LowerCtx): TfTensor {
  return ctx.untaped(() => toNodeShape(ctx, ctx.tf.clone(arg(ctx, 0))));
}
