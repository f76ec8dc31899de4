// Scans along one dim: cumulative sum/product/max/min (one builtin per function of the registry's SCAN_FNS), the
// linear recurrence (GAE and discounted returns are one reverse linrec) and shifts (prev/next read the neighbouring
// position, with a fill at the edge).
import { namesOf, SCAN_FNS, type ScanOpName } from "../../ir/ops.ts";
import { broadcastAll, constant, emit } from "../ops.ts";
import { describeType, ERROR, type TensorValue, type Value } from "../values.ts";
import { dimArg, floatArg, p, staticNumber, tensorArg } from "./args.ts";
import type { Builtin, BuiltinCall } from "./index.ts";

function requireDim(c: BuiltinCall, v: TensorValue, dim: string, argName: string): boolean {
  if (v.type.dims.includes(dim)) return true;
  c.ctx.report("RLP204", `cannot scan along ${dim}: the value ${describeType(v.type)} has no dim ${dim}`, c.argSpan(argName));
  return false;
}

function staticBool(c: BuiltinCall, name: string): boolean | undefined {
  const v = staticNumber(c, name, 0);
  return v === undefined ? undefined : v !== 0;
}

function scanBuiltin(fn: ScanOpName, doc: string): [string, Builtin] {
  return [
    fn,
    {
      params: [p("x", true), p("along", true), p("reverse")],
      doc,
      apply: (c) => {
        const x = tensorArg(c, "x");
        const along = dimArg(c, "along");
        const reverse = staticBool(c, "reverse");
        if (!x || !along || reverse === undefined) return ERROR;
        if (x.type.dtype !== "f32" && x.type.dtype !== "i32") {
          c.ctx.report("RLP203", `${fn} works on numbers, but this is ${describeType(x.type)}`, c.argSpan("x"));
          return ERROR;
        }
        if (!requireDim(c, x, along, "x")) return ERROR;
        return emit(c.ctx, { op: "scan", fn, along, reverse }, [x], c.span);
      },
    },
  ];
}

function linrecApply(c: BuiltinCall): Value {
  const a = floatArg(c, "a");
  const b = floatArg(c, "b");
  const along = dimArg(c, "along");
  const reverse = staticBool(c, "reverse");
  if (!a || !b || !along || reverse === undefined) return ERROR;
  const dims = broadcastAll(c.ctx, [a, b], c.span, "linrec()");
  if (!dims) return ERROR;
  if (!dims.includes(along)) {
    c.ctx.report(
      "RLP204",
      `cannot scan along ${along}: neither a ${describeType(a.type)} nor b ${describeType(b.type)} has the dim ${along}`,
      c.argSpan("along"),
    );
    return ERROR;
  }
  const args = [a, b];
  if (c.has("init")) {
    const init = floatArg(c, "init");
    if (!init) return ERROR;
    if (init.type.dims.includes(along)) {
      c.ctx.report(
        "RLP204",
        `init= is the value beyond the edge of ${along}, so it cannot have the dim ${along} (it is ${describeType(init.type)})`,
        c.argSpan("init"),
      );
      return ERROR;
    }
    args.push(init);
  }
  return emit(c.ctx, { op: "linrec", along, reverse, hasInit: args.length === 3 }, args, c.span);
}

function shiftApply(c: BuiltinCall, fixedBy: number | undefined): Value {
  const x = tensorArg(c, "x");
  const along = dimArg(c, "along");
  const by = fixedBy ?? staticNumber(c, "by", 1);
  if (!x || !along || by === undefined) return ERROR;
  if (!requireDim(c, x, along, "x")) return ERROR;
  let fill: TensorValue | undefined = c.has("fill") ? tensorArg(c, "fill") : constant(c.ctx, 0, x.type.dtype, c.span);
  if (!fill) return ERROR;
  if (fill.literal && fill.type.dtype !== x.type.dtype) fill = constant(c.ctx, fill.static!, x.type.dtype, c.span);
  if (fill.type.dtype !== x.type.dtype) {
    c.ctx.report(
      "RLP203",
      `fill= must have the dtype of the value (${x.type.dtype}), but it is ${describeType(fill.type)}`,
      c.argSpan("fill"),
    );
    return ERROR;
  }
  if (fill.type.dims.includes(along)) {
    c.ctx.report("RLP204", `fill= is the value past the edge of ${along}, so it cannot have the dim ${along}`, c.argSpan("fill"));
    return ERROR;
  }
  return emit(c.ctx, { op: "shift", along, by }, [x, fill], c.span);
}

export const SCAN_BUILTINS: [string, Builtin][] = [
  ...namesOf(SCAN_FNS).map((fn) => scanBuiltin(fn, SCAN_FNS[fn].doc)),
  [
    "linrec",
    {
      params: [p("a", true), p("b", true), p("along", true), p("reverse"), p("init")],
      doc: "linrec(a, b, along=T, reverse=false, init=0): y_t = b_t + a_t * y_(t-1) (reverse: y_(t+1)); y beyond the edge is init",
      apply: linrecApply,
    },
  ],
  [
    "prev",
    {
      params: [p("x", true), p("along", true), p("fill")],
      doc: "prev(x, along=T, fill=0): y_t = x_(t-1); fill at the first position",
      apply: (c) => shiftApply(c, 1),
    },
  ],
  [
    "next",
    {
      params: [p("x", true), p("along", true), p("fill")],
      doc: "next(x, along=T, fill=0): y_t = x_(t+1); fill at the last position",
      apply: (c) => shiftApply(c, -1),
    },
  ],
  [
    "shift",
    {
      params: [p("x", true), p("along", true), p("by", true), p("fill")],
      doc: "shift(x, along=T, by=k, fill=0): y_t = x_(t-k); prefer prev/next",
      apply: (c) => shiftApply(c, undefined),
    },
  ],
];
