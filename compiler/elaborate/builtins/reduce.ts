// Reductions over named dims. The operand is broadcast against `where=` first (a per-sequence value
// averaged with a token mask is token-weighted); a dim in neither is an error. Empty sum/count/mean are 0.
import type { ReduceOpName } from "../../ir/ir.ts";
import { binary, cast, constant, emit, unary } from "../ops.ts";
import { describeType, ERROR, type TensorValue, type Value } from "../values.ts";
import { boolArg, dimsArg, p, staticNumber, tensorArg } from "./args.ts";
import type { Builtin, BuiltinCall } from "./index.ts";
import { REDUCE_FNS } from "../../ir/ops.ts";
import { runLints } from "../lints/index.ts";

interface Prepared {
  x: TensorValue;
  mask: TensorValue | undefined;
  over: string[];
  resultDims: string[];
}

/** Resolves `over=` and `where=` (or the pipeline's default mask), checking that every dim exists. */
function prepare(c: BuiltinCall, xName: string, allowBool: boolean): Prepared | undefined {
  const x = tensorArg(c, xName);
  if (!x) return undefined;
  if (x.type.dtype === "bool" && !allowBool) {
    c.ctx.report(
      "RLP202",
      `${c.name}() of a bool mask: to count true entries use count(mask, over=...); to use it as 0/1 write f32(...)`,
      c.argSpan(xName),
    );
    return undefined;
  }
  if (x.type.dtype === "id") {
    c.ctx.report("RLP210", `${c.name}() of an id: ids support only ==, != and use as keys`, c.argSpan(xName));
    return undefined;
  }
  if (!c.has("over")) {
    c.ctx.report("RLP108", `${c.name} needs over=: the dim(s) to reduce, e.g. over=T, over=[P,G] or over=... for all`, c.span);
    return undefined;
  }
  const overArg = dimsArg(c, "over");
  if (overArg === undefined) return undefined;
  let mask = c.has("where") ? boolArg(c, "where") : undefined;
  if (c.has("where") && !mask) return undefined;
  const pipe = c.ctx.pipe;
  const atPipelineLevel = c.ctx.callStack.length === 0 && pipe !== undefined;
  if (!mask && atPipelineLevel) {
    const overDims = overArg === "all" ? x.type.dims : overArg;
    for (const d of overDims) {
      const m = pipe.defaultMasks.get(d);
      if (!m) continue;
      mask = mask ? (binary(c.ctx, "and", mask, m, c.span, c.span) as TensorValue) : m;
    }
  }
  const operandDims = c.ctx.order.union(x.type.dims, mask?.type.dims ?? []);
  const over = overArg === "all" ? operandDims : overArg;
  for (const d of over) {
    if (!operandDims.includes(d)) {
      const maskPart = mask ? ` nor its where= mask ${describeType(mask.type)}` : "";
      c.ctx.report(
        "RLP204",
        `cannot reduce over ${d}: neither the value ${describeType(x.type)}${maskPart} has the dim ${d}`,
        c.argSpan("over"),
      );
      return undefined;
    }
  }
  if (atPipelineLevel) runLints("reduction", { ctx: c.ctx, call: c, x, over, operandDims, masked: mask !== undefined });
  return { x, mask, over, resultDims: operandDims.filter((d) => !over.includes(d)) };
}

export function reduce(c: BuiltinCall, fn: ReduceOpName, pr: Prepared, empty: number): TensorValue {
  const args = pr.mask ? [pr.x, pr.mask] : [pr.x];
  const flags = REDUCE_FNS[fn].counts ? { countLike: c.span } : {};
  return emit(c.ctx, { op: "reduce", fn, over: pr.over, hasWhere: pr.mask !== undefined, empty }, args, c.span, { flags });
}

function simpleReduce(fn: "sum" | "mean" | "max" | "min" | "logsumexp", doc: string): [string, Builtin] {
  const needsEmpty = fn === "max" || fn === "min" || fn === "logsumexp";
  return [
    fn,
    {
      params: needsEmpty ? [p("x", true), p("over"), p("where"), p("empty")] : [p("x", true), p("over"), p("where")],
      doc,
      apply: (c) => {
        const pr = prepare(c, "x", false);
        if (!pr) return ERROR;
        let empty = 0;
        if (needsEmpty) {
          if (pr.mask && !c.has("empty")) {
            c.ctx.report(
              "RLP214",
              `${fn} over a where= selection can be empty (an all-masked row); say what it gives then with empty=, e.g. empty=0.0`,
              c.span,
            );
            return ERROR;
          }
          const e = staticNumber(c, "empty", fn === "max" || fn === "logsumexp" ? -Infinity : Infinity);
          if (e === undefined) return ERROR;
          empty = e;
        }
        return reduce(c, fn, pr, empty);
      },
    },
  ];
}

function countApply(c: BuiltinCall): Value {
  const pr = prepare(c, "x", true);
  return pr ? reduce(c, "count", pr, 0) : ERROR;
}

/** var/std with `ddof` (default 1, torch's unbiased): safe_div by n - ddof, 0 when n <= ddof. */
function varianceApply(c: BuiltinCall, takeSqrt: boolean): Value {
  const prepared = prepare(c, "x", false);
  if (!prepared) return ERROR;
  // An i32 x is averaged as f32, as mean() does (its sum and deviations would otherwise stay i32).
  const pr =
    prepared.x.type.dtype === "i32" ? { ...prepared, x: cast(c.ctx, prepared.x, "f32", c.span) as TensorValue } : prepared;
  const ddof = staticNumber(c, "ddof", 1);
  if (ddof === undefined) return ERROR;
  const ctx = c.ctx;
  const n = reduce(c, "count", pr, 0);
  const zero = constant(ctx, 0, "f32", c.span);
  const nPositive = binary(ctx, ">", n, zero, c.span, c.span) as TensorValue;
  const total = reduce(c, "sum", pr, 0);
  const mean = emit(ctx, { op: "safe_div" }, [total, n, nPositive, zero], c.span);
  const dev = binary(ctx, "-", pr.x, mean, c.span, c.span) as TensorValue;
  const sq = binary(ctx, "*", dev, dev, c.span, c.span) as TensorValue;
  const ss = reduce(c, "sum", { ...pr, x: sq }, 0);
  const ddofC = constant(ctx, ddof, "f32", c.span);
  const denom = binary(ctx, "-", n, ddofC, c.span, c.span) as TensorValue;
  const ok = binary(ctx, ">", n, ddofC, c.span, c.span) as TensorValue;
  const v = emit(ctx, { op: "safe_div" }, [ss, denom, ok, zero], c.span);
  if (!takeSqrt) return v;
  const s = unary(ctx, "sqrt", v, c.span) as TensorValue;
  return { ...s, flags: { stdLike: c.span } };
}

function anyAll(c: BuiltinCall, all: boolean): Value {
  const pr = prepare(c, "b", true);
  if (!pr) return ERROR;
  if (pr.x.type.dtype !== "bool") {
    c.ctx.report("RLP202", `${c.name}() takes a bool, but this is ${describeType(pr.x.type)}`, c.argSpan("b"));
    return ERROR;
  }
  const x = all ? (unary(c.ctx, "not", pr.x, c.span) as TensorValue) : pr.x;
  const n = reduce(c, "count", { ...pr, x }, 0);
  const zero = constant(c.ctx, 0, "f32", c.span);
  return binary(c.ctx, all ? "==" : ">", n, zero, c.span, c.span);
}

export const REDUCE_BUILTINS: [string, Builtin][] = [
  simpleReduce("sum", "sum(x, over=, where=): sum over the dims; an empty selection gives 0"),
  simpleReduce("mean", "mean(x, over=, where=): mean over the selected elements; an empty selection gives 0, never NaN"),
  simpleReduce("max", "max(x, over=, where=, empty=): largest selected element; with where= give empty= for an empty selection"),
  simpleReduce("min", "min(x, over=, where=, empty=): smallest selected element; with where= give empty= for an empty selection"),
  simpleReduce("logsumexp", "logsumexp(x, over=, where=, empty=): log of the sum of exp, stable"),
  [
    "count",
    {
      params: [p("x", true), p("over"), p("where")],
      doc: "count(x, over=, where=): number of selected elements as f32 (of a bool: the true ones)",
      apply: countApply,
    },
  ],
  [
    "var",
    {
      params: [p("x", true), p("over"), p("where"), p("ddof")],
      doc: "var(x, over=, where=, ddof=1): variance; ddof=1 is torch's unbiased default; 0 when n <= ddof",
      apply: (c) => varianceApply(c, false),
    },
  ],
  [
    "std",
    {
      params: [p("x", true), p("over"), p("where"), p("ddof")],
      doc: "std(x, over=, where=, ddof=1): sqrt(var); ddof=1 is torch's unbiased default; 0 when n <= ddof",
      apply: (c) => varianceApply(c, true),
    },
  ],
  [
    "any",
    {
      params: [p("b", true), p("over"), p("where")],
      doc: "any(b, over=): true where some selected element is true",
      apply: (c) => anyAll(c, false),
    },
  ],
  [
    "all",
    {
      params: [p("b", true), p("over"), p("where")],
      doc: "all(b, over=): true where every selected element is true (and for an empty selection)",
      apply: (c) => anyAll(c, true),
    },
  ],
];
