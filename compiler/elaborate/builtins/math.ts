// Elementwise builtins: math functions, casts, where/safe_div/clamp, detach.
import type { UnaryOpName } from "../../ir/ir.ts";
import { BINARY, clamp } from "../../ir/scalar.ts";
import { binary, broadcastAll, cast, constant, emit, folded, unary, where } from "../ops.ts";
import { describeType, ERROR, type Value } from "../values.ts";
import { boolArg, floatArg, p, tensorArg } from "./args.ts";
import type { Builtin, BuiltinCall } from "./index.ts";

/** The unary functions that are builtins (neg and not are the operators `-x` and `!x`), with their docs. */
const UNARY_DOCS: Record<Exclude<UnaryOpName, "neg" | "not">, string> = {
  exp: "e^x",
  log: "natural log",
  log1p: "log(1 + x), accurate near 0",
  expm1: "e^x - 1, accurate near 0",
  sqrt: "square root (its gradient at 0 is inf)",
  abs: "|x| (gradient 0 at 0)",
  sign: "-1, 0 or 1",
  tanh: "hyperbolic tangent",
  sigmoid: "1 / (1 + e^-x)",
  softplus: "log(1 + e^x), stable; gradient sigmoid(x)",
  sin: "sine",
  cos: "cosine",
  floor: "round down (gradient 0)",
  ceil: "round up (gradient 0)",
  round: "round half to even (gradient 0)",
  lgamma: "log |Gamma(x)|",
};

function unaryBuiltin(fn: UnaryOpName, doc: string): [string, Builtin] {
  return [fn, { params: [p("x", true)], doc: `${fn}(x): ${doc}`, apply: (c) => unary(c.ctx, fn, c.arg("x") ?? ERROR, c.span) }];
}

function pairBuiltin(name: "maximum" | "minimum"): [string, Builtin] {
  return [
    name,
    {
      params: [p("a", true), p("b", true)],
      doc: `${name}(a, b): elementwise ${name === "maximum" ? "larger" : "smaller"} value; at a tie the gradient goes to a`,
      apply: (c) => {
        const a = c.arg("a") ?? ERROR;
        const b = c.arg("b") ?? ERROR;
        // Reuse the operator path for dtype rules and broadcasting, then swap in the primitive.
        const probe = binary(c.ctx, "+", a, b, c.span, c.span);
        if (probe.kind !== "tensor" || a.kind !== "tensor" || b.kind !== "tensor") return probe.kind === "error" ? ERROR : probe;
        const fa = a.literal ? constant(c.ctx, a.static!, probe.type.dtype, c.span) : a;
        const fb = b.literal ? constant(c.ctx, b.static!, probe.type.dtype, c.span) : b;
        const build = () => emit(c.ctx, { op: "binary", fn: name }, [fa, fb], c.span);
        if (a.static !== undefined && b.static !== undefined) {
          return folded(c.ctx, BINARY[name](a.static, b.static), probe.type.dtype, c.span, [a, b], build);
        }
        return build();
      },
    },
  ];
}

function castBuiltin(to: "f32" | "i32" | "bool" | "id", doc: string): [string, Builtin] {
  return [to, { params: [p("x", true)], doc, apply: (c) => cast(c.ctx, c.arg("x") ?? ERROR, to, c.span) }];
}

function clampApply(c: BuiltinCall): Value {
  const x = floatArg(c, "x");
  if (!x) return ERROR;
  if (!c.has("lo") && !c.has("hi")) {
    c.ctx.report("RLP108", "clamp needs at least one bound: clamp(x, lo=..., hi=...)", c.span);
    return ERROR;
  }
  const lo = c.has("lo") ? floatArg(c, "lo") : constant(c.ctx, -Infinity, "f32", c.span);
  const hi = c.has("hi") ? floatArg(c, "hi") : constant(c.ctx, Infinity, "f32", c.span);
  if (!lo || !hi) return ERROR;
  const dims = broadcastAll(c.ctx, [x, lo, hi], c.span, "clamp()");
  if (!dims) return ERROR;
  const build = () => emit(c.ctx, { op: "clamp" }, [x, lo, hi], c.span);
  if (x.static !== undefined && lo.static !== undefined && hi.static !== undefined) {
    return folded(c.ctx, clamp(x.static, lo.static, hi.static), "f32", c.span, [x, lo, hi], build);
  }
  return build();
}

function safeDivApply(c: BuiltinCall): Value {
  const a = floatArg(c, "a");
  const b = floatArg(c, "b");
  const ok = boolArg(c, "ok");
  const fill = c.has("fill") ? floatArg(c, "fill") : constant(c.ctx, 0, "f32", c.span);
  if (!a || !b || !ok || !fill) return ERROR;
  const dims = broadcastAll(c.ctx, [a, b, ok, fill], c.span, "safe_div()");
  if (!dims) return ERROR;
  return emit(c.ctx, { op: "safe_div" }, [a, b, ok, fill], c.span);
}

function idivApply(c: BuiltinCall): Value {
  const a = tensorArg(c, "a");
  const b = tensorArg(c, "b");
  if (!a || !b) return ERROR;
  for (const [v, n] of [
    [a, "a"],
    [b, "b"],
  ] as const) {
    if (v.type.dtype !== "i32") {
      c.ctx.report("RLP203", `idiv works on i32, but '${n}' is ${describeType(v.type)}; use / for f32`, c.argSpan(n));
      return ERROR;
    }
  }
  const build = () => emit(c.ctx, { op: "binary", fn: "idiv" }, [a, b], c.span);
  if (a.static !== undefined && b.static !== undefined)
    return folded(c.ctx, BINARY.idiv(a.static, b.static), "i32", c.span, [a, b], build);
  return build();
}

export const MATH_BUILTINS: [string, Builtin][] = [
  ...Object.entries(UNARY_DOCS).map(([fn, doc]) => unaryBuiltin(fn as UnaryOpName, doc)),
  pairBuiltin("maximum"),
  pairBuiltin("minimum"),
  castBuiltin("f32", "f32(x): a bool as 0/1, or an i32 as a float"),
  castBuiltin("i32", "i32(x): truncate toward zero"),
  castBuiltin("bool", "bool(x): x != 0"),
  castBuiltin("id", "id(x): an i32 used as a key (ids support only ==, != and keyed lookups)"),
  [
    "where",
    {
      params: [p("cond", true), p("a", true), p("b", true)],
      doc: "where(cond, a, b): a where cond holds, b elsewhere; a true select (the unselected side never leaks NaN, forward or backward)",
      apply: (c) => where(c.ctx, c.arg("cond") ?? ERROR, c.arg("a") ?? ERROR, c.arg("b") ?? ERROR, c.span),
    },
  ],
  [
    "safe_div",
    {
      params: [p("a", true), p("b", true), p("ok", true), p("fill")],
      doc: "safe_div(a, b, ok, fill=0.0): a / b where ok, fill elsewhere; the unselected quotient is never computed",
      apply: safeDivApply,
    },
  ],
  [
    "clamp",
    {
      params: [p("x", true), p("lo"), p("hi")],
      doc: "clamp(x, lo=, hi=): limit x to [lo, hi]; gradient 1 strictly inside, 0 at and beyond the bounds",
      apply: clampApply,
    },
  ],
  [
    "idiv",
    {
      params: [p("a", true), p("b", true)],
      doc: "idiv(a, b): integer division of i32 values, rounding down (Python's //); idiv(a, b) * b + a % b == a",
      apply: idivApply,
    },
  ],
  [
    "once",
    {
      params: [p("x", true)],
      doc: "once(x): x as it is at the first update on a batch, fixed for the batch's later updates and minibatches (no gradient); once(r.logp) is r.old_logp",
      apply: (c) => {
        const x = tensorArg(c, "x");
        if (!x) return ERROR;
        // Always a node of its own (even for a const x): the trainer reads it once per batch and supplies it after.
        const v = emit(c.ctx, { op: "detach" }, [x], c.span, { flags: x.flags });
        if (c.ctx.pipe) c.ctx.onces.push({ node: v.node, span: c.span });
        return v;
      },
    },
  ],
  [
    "detach",
    {
      params: [p("x", true)],
      doc: "detach(x): the same value, carrying no gradient (a stop-gradient)",
      apply: (c) => {
        const x = tensorArg(c, "x");
        if (!x) return ERROR;
        if (x.type.grad.length === 0) return x;
        return emit(c.ctx, { op: "detach" }, [x], c.span, { flags: x.flags });
      },
    },
  ],
];
