// Gradient rules of the elementwise primitives: unary, binary, cast, where, clamp, safe_div.
// Local derivatives are written with the same floating-point operations as test/oracle/reverse_mode.ts, and every
// product of the cotangent with a derivative that may be inf or NaN is the strong-zero pattern `b.sz(g, d)`.
import { unreachable, type UnaryOpName } from "../../ir/ops.ts";
import type { GradBuilder } from "../builder.ts";
import { digamma } from "./digamma.ts";
import { forArgs, opOf, type GradRule } from "./rule.ts";

/** d/dx of a unary op as a node (x: the operand, y: the node's value); undefined: no gradient. */
function unaryDerivative(b: GradBuilder, fn: UnaryOpName, x: number, y: number): number | undefined {
  const one = b.constant(1);
  switch (fn) {
    case "exp":
      return y;
    case "log":
      return b.div(one, x);
    case "log1p":
      return b.div(one, b.add(one, x));
    case "expm1":
      return b.add(y, one);
    case "sqrt":
      return b.div(one, b.mul(b.constant(2), y)); // inf at 0
    case "abs":
      return b.unary("sign", x); // sign(0) = 0: abs'(0) = 0
    case "tanh":
      return b.sub(one, b.mul(y, y));
    case "sigmoid":
      return b.mul(y, b.sub(one, y));
    case "softplus":
      return b.unary("sigmoid", x);
    case "sin":
      return b.unary("cos", x);
    case "cos":
      return b.neg(b.unary("sin", x));
    case "lgamma":
      return digamma(b, x);
    case "sign":
    case "floor":
    case "ceil":
    case "round":
      return undefined; // 0
    case "not":
      return undefined; // bool
    case "neg":
      return b.constant(-1); // (unaryRule writes -g directly)
    default:
      return unreachable(fn, "autodiff: unary function");
  }
}

export const unaryRule: GradRule = (b, node, g) => {
  const { fn } = opOf(node, "unary");
  if (!b.wants(node, 0)) return [];
  if (fn === "neg") return [b.neg(g)];
  const d = unaryDerivative(b, fn, node.args[0]!, node.id);
  return [d === undefined ? undefined : b.sz(g, d)];
};

export const binaryRule: GradRule = (b, node, g) => {
  const { fn } = opOf(node, "binary");
  const [x, y] = node.args as [number, number];
  const zero = b.constant(0);
  switch (fn) {
    case "add":
      return forArgs(b, node, [() => g, () => g]);
    case "sub":
      return forArgs(b, node, [() => g, () => b.neg(g)]);
    case "mul":
      return forArgs(b, node, [() => b.sz(g, y), () => b.sz(g, x)]);
    case "div":
      return forArgs(b, node, [() => b.sz(g, b.div(b.constant(1), y)), () => b.sz(g, b.neg(b.div(x, b.mul(y, y))))]);
    case "mod":
      return forArgs(b, node, [() => g, () => b.sz(g, b.neg(b.unary("floor", b.div(x, y))))]);
    case "pow": {
      // a: b·a^(b-1), 0 when b = 0; b: a^b·log a, 0 when a = 0
      const da = (): number => b.where(b.binary("eq", y, zero), zero, b.mul(y, b.binary("pow", x, b.sub(y, b.constant(1)))));
      const db = (): number => b.where(b.binary("eq", x, zero), zero, b.mul(node.id, b.unary("log", x)));
      return forArgs(b, node, [() => b.sz(g, da()), () => b.sz(g, db())]);
    }
    case "maximum":
    case "minimum": {
      // a true select of the operand that gives the value; a tie (or a NaN in a) goes to the first operand
      const first = (): number => b.binary("or", b.binary(fn === "maximum" ? "ge" : "le", x, y), b.binary("ne", x, x));
      return forArgs(b, node, [() => b.keep(first(), g), () => b.drop(first(), g)]);
    }
    case "idiv":
    case "eq":
    case "ne":
    case "lt":
    case "le":
    case "gt":
    case "ge":
    case "and":
    case "or":
      return []; // integer, comparisons, logic: no gradient
    default:
      return unreachable(fn, "autodiff: binary function");
  }
};

export const castRule: GradRule = (b, node, g) => {
  // only a cast of an f32 to f32 passes gradient (the identity); casts to bool/i32 are const
  const { to } = opOf(node, "cast");
  return to === "f32" ? forArgs(b, node, [() => g]) : [];
};

export const whereRule: GradRule = (b, node, g) => {
  const c = node.args[0]!;
  return forArgs(b, node, [undefined, () => b.keep(c, g), () => b.drop(c, g)]);
};

export const clampRule: GradRule = (b, node, g) => {
  // the bound that gives the value takes g: hi where max(x, lo) >= hi (so hi wins ties), else x strictly inside
  // (x > lo), else lo; x gets 0 at and beyond the bounds
  const [x, lo, hi] = node.args as [number, number, number];
  const atHi = (): number => b.binary("ge", b.binary("maximum", x, lo), hi);
  const inside = (): number => b.binary("gt", x, lo);
  const zero = b.constant(0);
  return forArgs(b, node, [
    () => b.where(atHi(), zero, b.keep(inside(), g)),
    () => b.where(atHi(), zero, b.drop(inside(), g)),
    () => b.keep(atHi(), g),
  ]);
};

export const safeDivRule: GradRule = (b, node, g) => {
  // a: where(ok, g/b, 0); b: where(ok, -g·a/b², 0); fill: where(ok, 0, g) — the unselected quotient is never formed
  const [x, y, ok] = node.args as [number, number, number];
  return forArgs(b, node, [
    () => b.keep(ok, b.sz(g, b.div(b.constant(1), y))),
    () => b.keep(ok, b.sz(g, b.neg(b.div(x, b.mul(y, y))))),
    undefined,
    () => b.drop(ok, g),
  ]);
};
