// Typed construction of elementwise primitives: the dtype rules, by-name broadcasting (and its one
// conflict), grad propagation and compile-time folding of static scalars (by compiler/ir/scalar.ts, the functions the
// reference evaluator runs, so a folded value is what evaluation would give).
import type { Span } from "../../grammar/ast.ts";
import type { BinaryOpName, DType, IRType, Op, UnaryOpName } from "../ir/ir.ts";
import { BINARY, cast as castScalar, UNARY } from "../ir/scalar.ts";
import type { Ctx } from "./context.ts";
import { describeType, ERROR, type Flags, type TensorType, type TensorValue, type Value } from "./values.ts";
import { UNARY_FNS } from "../ir/ops.ts";
import { runLints } from "./lints/index.ts";

export interface EmitOptions {
  flags?: Flags;
  /** The type of a source the rule takes from the node (an input, a uniform draw, index): see compiler/ir/rules.ts. */
  declared?: IRType;
  /** An input's marks (the program lists the input only once its node exists). */
  marks?: string[];
}

/** Appends op(args) through the IR builder: the value's type and marks are what the op's rules give. */
export function emit(ctx: Ctx, op: Op, args: TensorValue[], span: Span, options: EmitOptions = {}): TensorValue {
  const { declared, marks } = options;
  const node = ctx.g.emit(
    op,
    args.map((a) => a.node),
    { origin: { span }, ...(declared ? { declared } : {}), ...(marks ? { marks } : {}) },
  );
  const t = ctx.g.type(node);
  // a dim the program meets first here joins the canonical order (where the type rule put it: last)
  ctx.order.sort(t.dims);
  const g = ctx.g.node(node).grad;
  const type: TensorType = { dtype: t.dtype, dims: [...t.dims], ...(t.indexOf ? { indexOf: t.indexOf } : {}), grad: [...g] };
  const v: TensorValue = { kind: "tensor", type, node, flags: options.flags ?? {} };
  const origin = args.find((a) => a.gradOrigin && a.type.grad.length > 0)?.gradOrigin;
  if (origin && g.length > 0) v.gradOrigin = origin;
  return v;
}

export function constant(ctx: Ctx, value: number, dtype: DType, span: Span, literal?: "int" | "float"): TensorValue {
  const v: TensorValue = { ...emit(ctx, { op: "const", value }, [], span, { declared: { dtype, dims: [] } }), static: value };
  if (literal) v.literal = literal;
  return v;
}

/** Folds to a constant only values that no param feeds; a param-fed result keeps its op (and its static value). */
export function folded(
  ctx: Ctx,
  value: number,
  dtype: DType,
  span: Span,
  args: TensorValue[],
  build: () => TensorValue,
): TensorValue {
  if (!args.some((a) => a.fromParam)) return constant(ctx, value, dtype, span);
  return { ...build(), static: value, fromParam: true };
}

export function unary(ctx: Ctx, fn: UnaryOpName, x: Value, span: Span): Value {
  if (x.kind !== "tensor") return notATensor(ctx, x, span, fn);
  let arg = x;
  if (fn === "not") {
    if (x.type.dtype !== "bool") {
      ctx.report("RLP202", `'not' needs a bool, but this is ${describeType(x.type)}; compare it first (x > 0)`, span);
      return ERROR;
    }
  } else {
    if (x.type.dtype === "bool") {
      ctx.report("RLP202", `${fn}() of a bool: a bool is not a number here; write ${fn}(f32(...)) if you mean 0/1`, span);
      return ERROR;
    }
    if (x.type.dtype === "id") {
      ctx.report("RLP210", `${fn}() of an id: ids support only == and != and use as keys`, span);
      return ERROR;
    }
    if (UNARY_FNS[fn].operand === "float" && x.type.dtype === "i32") {
      if (x.literal) arg = constant(ctx, x.static!, "f32", span, "float");
      else {
        ctx.report("RLP203", `${fn}() needs f32, but this is ${describeType(x.type)}; convert it with f32(...)`, span);
        return ERROR;
      }
    }
  }
  const build = () => emit(ctx, { op: "unary", fn }, [arg], span);
  if (arg.static !== undefined) return folded(ctx, UNARY[fn](arg.static), arg.type.dtype, span, [arg], build);
  return build();
}

export function notATensor(ctx: Ctx, v: Value, span: Span, what: string): Value {
  if (v.kind !== "error")
    ctx.report(
      "RLP206",
      `${what} needs a tensor value, but this is ${v.kind === "dim" ? `the dim ${v.name}` : `a ${v.kind}`}`,
      span,
    );
  return ERROR;
}

const ARITH: Record<string, BinaryOpName> = { "+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod", "**": "pow" };
const COMPARE: Record<string, BinaryOpName> = { "==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge" };

/**
 * By-name broadcast of operands. Each side having a dim the other lacks builds an outer product: allowed only
 * when those dims pair up as aliases (`x[G as G2] - x`), which says the product is meant.
 */
export function checkBroadcast(ctx: Ctx, a: TensorValue, b: TensorValue, span: Span, what: string): boolean {
  const aExtra = a.type.dims.filter((d) => !b.type.dims.includes(d));
  const bExtra = b.type.dims.filter((d) => !a.type.dims.includes(d));
  if (aExtra.length === 0 || bExtra.length === 0) return true;
  const pairs = (xs: string[], ys: string[]) => xs.every((d) => ys.some((e) => ctx.areAliases(d, e)));
  if (pairs(aExtra, bExtra) || pairs(bExtra, aExtra)) return true;
  const result = ctx.order.union(a.type.dims, b.type.dims);
  ctx.report(
    "RLP201",
    `cannot broadcast ${describeType(a.type)} with ${describeType(b.type)} in ${what}: each has a dim the other lacks (${aExtra.join(",")} vs ${bExtra.join(",")}), which would build an outer product [${result.join(",")}]`,
    span,
    [
      {
        message: `if the outer product is intended, rename one side to an alias dim: 'dims ${bExtra[0]}2 = ${bExtra[0]}' and x[${bExtra[0]} as ${bExtra[0]}2]`,
      },
    ],
  );
  return false;
}

/** The broadcast of several operands (a builtin's tensor arguments): every pair must broadcast. */
export function broadcastAll(ctx: Ctx, values: TensorValue[], span: Span, what: string): string[] | undefined {
  for (let i = 0; i < values.length; i++) {
    for (let j = i + 1; j < values.length; j++) {
      if (!checkBroadcast(ctx, values[i]!, values[j]!, span, what)) return undefined;
    }
  }
  return ctx.order.union(...values.map((v) => v.type.dims));
}

/** Brings a literal to the dtype of the other operand. */
function adaptLiteral(ctx: Ctx, lit: TensorValue, other: TensorValue, span: Span): TensorValue {
  if (!lit.literal || lit.type.dtype === other.type.dtype) return lit;
  if (other.type.dtype === "f32") return constant(ctx, lit.static!, "f32", span, lit.literal);
  if (other.type.dtype === "i32" && lit.literal === "int") return constant(ctx, lit.static!, "i32", span, "int");
  return lit;
}

export function binary(ctx: Ctx, opText: string, left: Value, right: Value, span: Span, opSpan: Span): Value {
  if (left.kind === "error" || right.kind === "error") return ERROR;
  if (left.kind !== "tensor") return notATensor(ctx, left, span, `'${opText}'`);
  if (right.kind !== "tensor") return notATensor(ctx, right, span, `'${opText}'`);
  if (opText === "*" && (left.type.dtype === "bool") !== (right.type.dtype === "bool")) {
    // `x * mask` is a select, not arithmetic: where(mask, x, 0), so a NaN at a masked position never leaks.
    const [mask, x] = left.type.dtype === "bool" ? [left, right] : [right, left];
    if (x.type.dtype === "f32" || x.type.dtype === "i32") {
      const zero = constant(ctx, 0, x.type.dtype, opSpan);
      const r = where(ctx, mask, x, zero, span);
      return r.kind === "tensor" ? { ...r, flags: { ...r.flags, maskApplied: true } } : r;
    }
  }
  let a = adaptLiteral(ctx, left, right, opSpan);
  let b = adaptLiteral(ctx, right, a, opSpan);
  const logical = opText === "and" || opText === "or";
  const fn: BinaryOpName | undefined = logical ? (opText as BinaryOpName) : (ARITH[opText] ?? COMPARE[opText]);
  if (!fn) throw new Error(`unknown operator ${opText}`);
  const isCompare = COMPARE[opText] !== undefined;

  for (const side of [a, b]) {
    if (logical && side.type.dtype !== "bool") {
      ctx.report(
        "RLP202",
        `'${opText}' combines bools, but one side is ${describeType(side.type)}; compare it first (x > 0)`,
        opSpan,
      );
      return ERROR;
    }
    if (!logical && side.type.dtype === "bool" && !(isCompare && a.type.dtype === "bool" && b.type.dtype === "bool")) {
      ctx.report(
        "RLP202",
        `a bool is used as a number in '${opText}'; bools never silently become numbers: write f32(...) to use it as 0/1, or x * mask (a select) to mask`,
        opSpan,
      );
      return ERROR;
    }
    if (side.type.dtype === "id" && !(opText === "==" || opText === "!=")) {
      ctx.report("RLP210", `'${opText}' on an id: ids support only == and != and use as keys`, opSpan);
      return ERROR;
    }
  }
  if (!logical && a.type.dtype !== b.type.dtype) {
    ctx.report(
      "RLP203",
      `'${opText}' mixes ${describeType(a.type)} and ${describeType(b.type)}; there is no implicit conversion: write f32(...) on the ${a.type.dtype === "i32" ? "left" : "right"} side`,
      opSpan,
    );
    return ERROR;
  }
  if (!checkBroadcast(ctx, a, b, span, `'${opText}'`)) return ERROR;

  if (fn === "div" && a.type.dtype === "i32") {
    // `/` always yields f32 (integer division is idiv): convert both sides.
    a = cast(ctx, a, "f32", span) as TensorValue;
    b = cast(ctx, b, "f32", span) as TensorValue;
  }
  const dtype: DType = isCompare || logical ? "bool" : a.type.dtype;
  const flags: Flags = mergeFlags(a.flags, b.flags);
  delete flags.countLike;
  delete flags.stdLike;
  if (fn === "mul" && (a.flags.maskApplied || b.flags.maskApplied || a.flags.fromMask || b.flags.fromMask))
    flags.maskApplied = true;
  const [x, y] = [a, b];
  const build = () => emit(ctx, { op: "binary", fn }, [x, y], span, { flags });
  if (a.static !== undefined && b.static !== undefined) {
    const v = folded(ctx, BINARY[fn](a.static, b.static), dtype, span, [a, b], build);
    if (a.literal && b.literal) v.literal = a.literal === "float" || b.literal === "float" ? "float" : "int";
    return v;
  }
  if (fn === "div") runLints("division", { ctx, denominator: b, opSpan });
  return build();
}

export function mergeFlags(...fs: Flags[]): Flags {
  const out: Flags = {};
  for (const f of fs) {
    if (f.k1 && !out.k1) out.k1 = f.k1;
    if (f.lengthBiased && !out.lengthBiased) out.lengthBiased = f.lengthBiased;
    if (f.countLike && !out.countLike) out.countLike = f.countLike;
    if (f.stdLike && !out.stdLike) out.stdLike = f.stdLike;
  }
  return out;
}

export function cast(ctx: Ctx, x: Value, to: DType, span: Span, indexOf?: string): Value {
  if (x.kind !== "tensor") return notATensor(ctx, x, span, `${to}()`);
  if (x.type.dtype === "id" && to !== "id") {
    ctx.report("RLP210", `cannot convert an id to ${to}: ids support only == and != and use as keys`, span);
    return ERROR;
  }
  if (to === "id" && x.type.dtype !== "i32") {
    ctx.report("RLP203", `id(...) takes i32 values, but this is ${describeType(x.type)}`, span);
    return ERROR;
  }
  if (x.type.dtype === to && !indexOf && !x.type.indexOf) return x;
  const flags = x.type.dtype === "bool" ? { ...mergeFlags(x.flags), fromMask: true } : mergeFlags(x.flags);
  const build = () => emit(ctx, { op: "cast", to, ...(indexOf ? { indexOf } : {}) }, [x], span, { flags });
  if (x.static !== undefined) {
    return folded(ctx, castScalar(to, x.static), to, span, [x], build);
  }
  return build();
}

export function where(ctx: Ctx, c: Value, a: Value, b: Value, span: Span): Value {
  if (c.kind === "error" || a.kind === "error" || b.kind === "error") return ERROR;
  if (c.kind !== "tensor") return notATensor(ctx, c, span, "where()");
  if (a.kind !== "tensor") return notATensor(ctx, a, span, "where()");
  if (b.kind !== "tensor") return notATensor(ctx, b, span, "where()");
  if (c.type.dtype !== "bool") {
    ctx.report(
      "RLP202",
      `the condition of where() must be bool, but it is ${describeType(c.type)}; compare it (x > 0) or use bool(...)`,
      span,
    );
    return ERROR;
  }
  let x = adaptLiteral(ctx, a, b, span);
  const y = adaptLiteral(ctx, b, x, span);
  x = adaptLiteral(ctx, x, y, span);
  if (x.type.dtype !== y.type.dtype) {
    ctx.report("RLP203", `where() branches differ in dtype: ${describeType(x.type)} and ${describeType(y.type)}`, span);
    return ERROR;
  }
  if (!checkBroadcast(ctx, x, y, span, "where()")) return ERROR;
  if (c.static !== undefined && !c.fromParam) return c.static ? x : y;
  return emit(ctx, { op: "where" }, [c, x, y], span, { flags: { ...mergeFlags(x.flags, y.flags), maskApplied: true } });
}
