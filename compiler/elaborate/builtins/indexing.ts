// Segments, selections, gathers and positions: the builtins that address elements by key or index.
import type { SegmentOpName } from "../../ir/ir.ts";
import { namesOf, SEGMENT_FNS } from "../../ir/functions.ts";
import { constant, emit, unary } from "../ops.ts";
import { describeType, ERROR, type TensorValue, type Value } from "../values.ts";
import { boolArg, dimArg, dimsArg, floatArg, p, staticNumber, tensorArg } from "./args.ts";
import type { Builtin, BuiltinCall } from "./index.ts";

function segmentBuiltin(fn: SegmentOpName): [string, Builtin] {
  return [
    `segment_${fn}`,
    {
      params: [p("x", true), p("key", true), p("over", true), p("where")],
      doc: `segment_${fn}(x, key, over=, where=): the ${fn} of x over the positions that share a key (within each slice of the other dims), broadcast back; 0 outside where=`,
      apply: (c) => {
        const x = fn === "count" ? tensorArg(c, "x") : floatArg(c, "x");
        const key = tensorArg(c, "key");
        const over = dimsArg(c, "over");
        const mask = c.has("where") ? boolArg(c, "where") : undefined;
        if (!x || !key || over === undefined || (c.has("where") && !mask)) return ERROR;
        if (key.type.dtype !== "id" && key.type.dtype !== "i32") {
          c.ctx.report("RLP211", `segment keys must be id or i32, but this is ${describeType(key.type)}`, c.argSpan("key"));
          return ERROR;
        }
        const dims = c.ctx.order.union(x.type.dims, key.type.dims, mask?.type.dims ?? []);
        const overDims = over === "all" ? dims : over;
        for (const d of overDims) {
          if (!dims.includes(d)) {
            c.ctx.report(
              "RLP204",
              `cannot group over ${d}: none of the value, the key or the mask has the dim ${d}`,
              c.argSpan("over"),
            );
            return ERROR;
          }
        }
        const args = mask ? [x, key, mask] : [x, key];
        return emit(c.ctx, { op: "segment", fn, over: overDims, hasWhere: mask !== undefined }, args, c.span);
      },
    },
  ];
}

function topkApply(c: BuiltinCall): Value {
  const x = floatArg(c, "x");
  const kv = tensorArg(c, "k");
  const over = dimsArg(c, "over");
  const mask = c.has("where") ? boolArg(c, "where") : undefined;
  const largest = staticNumber(c, "largest", 1);
  if (!x || !kv || over === undefined || largest === undefined || (c.has("where") && !mask)) return ERROR;
  if (kv.type.dtype !== "i32") {
    c.ctx.report(
      "RLP203",
      `k must be i32 (write i32(...) to truncate a float), but it is ${describeType(kv.type)}`,
      c.argSpan("k"),
    );
    return ERROR;
  }
  const dims = c.ctx.order.union(x.type.dims, mask?.type.dims ?? []);
  const overDims = over === "all" ? dims : over;
  const kExtra = kv.type.dims.filter((d) => overDims.includes(d) || !dims.includes(d));
  if (kExtra.length > 0) {
    c.ctx.report(
      "RLP204",
      `k gives one count per slice, so it may only have dims the result keeps (not ${kExtra.join(", ")}); it is ${describeType(kv.type)}`,
      c.argSpan("k"),
    );
    return ERROR;
  }
  const args = mask ? [x, kv, mask] : [x, kv];
  return emit(c.ctx, { op: "topk_mask", over: overDims, hasWhere: mask !== undefined, largest: largest !== 0 }, args, c.span);
}

function uniformApply(c: BuiltinCall): Value {
  const dims = dimsArg(c, "dims");
  const seed = staticNumber(c, "seed", 0);
  const step = c.has("step") ? tensorArg(c, "step") : constant(c.ctx, 0, "i32", c.span);
  if (dims === undefined || seed === undefined || !step) return ERROR;
  if (dims === "all") {
    c.ctx.report("RLP102", "uniform needs its dims listed: uniform(dims=[P,G,T], seed=0)", c.argSpan("dims"));
    return ERROR;
  }
  return emit(c.ctx, { op: "uniform", seed }, [step], c.span, { declared: { dtype: "f32", dims } });
}

function takeApply(c: BuiltinCall): Value {
  const x = tensorArg(c, "x");
  const idx = tensorArg(c, c.has("idx") ? "idx" : "idx");
  const along = dimArg(c, "along");
  if (!x || !idx || !along) return ERROR;
  if (!x.type.dims.includes(along)) {
    c.ctx.report(
      "RLP204",
      `cannot take along ${along}: the value ${describeType(x.type)} has no dim ${along}`,
      c.argSpan("along"),
    );
    return ERROR;
  }
  if (idx.type.indexOf !== along) {
    const has = idx.type.indexOf ? `addresses ${idx.type.indexOf}` : `is a plain ${describeType(idx.type)}`;
    c.ctx.report(
      "RLP211",
      `the index must be i32<${along}> (positions along ${along}), but it ${has}; declare it as i32<${along}>[...] or convert with as_index(x, ${along})`,
      c.argSpan("idx"),
    );
    return ERROR;
  }
  let fill = c.has("fill") ? tensorArg(c, "fill") : constant(c.ctx, 0, x.type.dtype, c.span);
  if (!fill) return ERROR;
  if (fill.literal && fill.type.dtype !== x.type.dtype) fill = constant(c.ctx, fill.static!, x.type.dtype, c.span);
  // the fill is a value of the result too: gradient flows to it where the index is invalid
  return emit(c.ctx, { op: "take", along }, [x, idx, fill], c.span);
}

function putApply(c: BuiltinCall): Value {
  const x = floatArg(c, "x");
  const at = tensorArg(c, "at");
  const into = dimArg(c, "into");
  const over = dimArg(c, "over");
  if (!x || !at || !into || !over) return ERROR;
  if (at.type.indexOf !== into) {
    c.ctx.report(
      "RLP211",
      `at= must be i32<${into}> (positions along ${into}), but it is ${describeType(at.type)}`,
      c.argSpan("at"),
    );
    return ERROR;
  }
  const dims = c.ctx.order.union(x.type.dims, at.type.dims);
  if (!dims.includes(over)) {
    c.ctx.report("RLP204", `cannot sum over ${over}: neither the value nor at= has the dim ${over}`, c.argSpan("over"));
    return ERROR;
  }
  return emit(c.ctx, { op: "put", into, over }, [x, at], c.span);
}

function logSoftmax(c: BuiltinCall): TensorValue | undefined {
  const x = floatArg(c, "x");
  const over = dimArg(c, "over");
  if (!x || !over) return undefined;
  if (!x.type.dims.includes(over)) {
    c.ctx.report(
      "RLP204",
      `cannot normalise over ${over}: the value ${describeType(x.type)} has no dim ${over}`,
      c.argSpan("over"),
    );
    return undefined;
  }
  return emit(c.ctx, { op: "log_softmax", over }, [x], c.span);
}

function positionBuiltin(name: "index" | "size"): [string, Builtin] {
  return [
    name,
    {
      params: [p("dim", true)],
      doc: name === "index" ? "index(D): the positions 0..|D|-1 as i32<D>[D]" : "size(D): |D| as an i32 scalar",
      apply: (c) => {
        const d = dimArg(c, "dim");
        if (!d) return ERROR;
        if (name === "index")
          return emit(c.ctx, { op: "index", dim: d }, [], c.span, { declared: { dtype: "i32", dims: [d], indexOf: d } });
        const info = c.ctx.dimInfo(d);
        const known = info?.size ?? info?.labels?.length;
        if (known !== undefined) return constant(c.ctx, known, "i32", c.span);
        return emit(c.ctx, { op: "size", dim: d }, [], c.span);
      },
    },
  ];
}

export const INDEXING_BUILTINS: [string, Builtin][] = [
  ...namesOf(SEGMENT_FNS).map(segmentBuiltin),
  [
    "topk_mask",
    {
      params: [p("x", true), p("k", true), p("over", true), p("where"), p("largest")],
      doc: "topk_mask(x, k=, over=, where=, largest=true): true at the k largest selected elements of each slice; ties go to the earlier position",
      apply: topkApply,
    },
  ],
  [
    "uniform",
    {
      params: [p("dims", true), p("seed"), p("step")],
      doc: "uniform(dims=[...], seed=0, step=0): counter-based random numbers in [0, 1), the same on every backend",
      apply: uniformApply,
    },
  ],
  [
    "take",
    {
      params: [p("x", true), p("idx", true), p("along", true), p("fill")],
      doc: "take(x, idx, along=D, fill=0): x at the positions idx (i32<D>) along D; -1 or out of range gives fill",
      apply: takeApply,
    },
  ],
  [
    "gather",
    {
      params: [p("x", true), p("idx", true), p("along", true), p("fill")],
      doc: "gather(x, idx, along=D, fill=0): the same as take",
      apply: takeApply,
    },
  ],
  [
    "put",
    {
      params: [p("x", true), p("at", true), p("into", true), p("over", true)],
      doc: "put(x, at=idx, into=T, over=S): sum x over S into the positions at (i32<T>) along T; the adjoint of take",
      apply: putApply,
    },
  ],
  [
    "log_softmax",
    {
      params: [p("x", true), p("over", true)],
      doc: "log_softmax(x, over=V): x - logsumexp(x, over=V), stable",
      apply: (c) => logSoftmax(c) ?? ERROR,
    },
  ],
  [
    "softmax",
    {
      params: [p("x", true), p("over", true)],
      doc: "softmax(x, over=V): exp(log_softmax(x, over=V))",
      apply: (c) => {
        const l = logSoftmax(c);
        return l ? unary(c.ctx, "exp", l, c.span) : ERROR;
      },
    },
  ],
  positionBuiltin("index"),
  positionBuiltin("size"),
  [
    "as_index",
    {
      params: [p("x", true), p("dim", true)],
      doc: "as_index(x, D): an i32 tensor used as positions along D (i32<D>); range-checked when used",
      apply: (c) => {
        const x = tensorArg(c, "x");
        const d = dimArg(c, "dim");
        if (!x || !d) return ERROR;
        if (x.type.dtype !== "i32") {
          c.ctx.report(
            "RLP203",
            `as_index takes i32 values, but this is ${describeType(x.type)}; convert with i32(...) first`,
            c.argSpan("x"),
          );
          return ERROR;
        }
        return emit(c.ctx, { op: "cast", to: "i32", indexOf: d }, [x], c.span);
      },
    },
  ],
];
