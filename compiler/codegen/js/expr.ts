// JS expressions for the plan's Expr values. Arithmetic is JS (float64); bools are JS booleans (stored as 0/1);
// i32 values are integer-valued numbers. Every operand is a local or a literal, so repeating one is free.
// The semantics are compiler/ir/scalar.ts's (test/reference/scalar_semantics_js.test.ts checks every unary and binary
// function against it on edge values): true-select where and safe_div, IEEE maximum/minimum (Math.max/min: NaN
// propagates, -0 < +0), torch's remainder and floor division, casts that truncate toward zero.
import type { IRNode, IRProgram } from "../../ir/ir.ts";
import { unreachable, type BinaryOpName, type UnaryOpName } from "../../ir/ops.ts";
import type { BufferInfo, Expr } from "../../fuse/types.ts";

/** Parenthesises a negative literal (so `-x` and `a - b` never meet `--`). */
function w(a: string): string {
  return a.startsWith("-") ? `(${a})` : a;
}

export interface ExprContext {
  program: IRProgram;
  buffer: (id: number) => BufferInfo;
  /** Records a helper function the expression calls. */
  use: (helper: string) => void;
}

/** The JS expression of unary `fn` applied to the operand `a` (a local or a literal). */
export function unaryJs(fn: UnaryOpName, a: string, ctx: Pick<ExprContext, "use">): string {
  switch (fn) {
    case "neg":
      return `-${w(a)}`;
    case "not":
      return `!${w(a)}`;
    case "sign":
      return `(${a} > 0 ? 1 : ${a} < 0 ? -1 : ${a} === 0 ? 0 : NaN)`;
    case "sigmoid":
    case "softplus":
    case "lgamma":
      ctx.use(fn);
      return `${fn}(${a})`;
    case "round":
      ctx.use("roundHalfEven");
      return `roundHalfEven(${a})`;
    case "exp":
    case "log":
    case "log1p":
    case "expm1":
    case "sqrt":
    case "abs":
    case "tanh":
    case "sin":
    case "cos":
    case "floor":
    case "ceil":
      return `Math.${fn}(${a})`;
    default:
      return unreachable(fn, "codegen: unary function");
  }
}

const infix =
  (sym: string) =>
  (a: string, b: string): string =>
    `${w(a)} ${sym} ${w(b)}`;

const BINARY: Record<BinaryOpName, (a: string, b: string, ctx: Pick<ExprContext, "use">) => string> = {
  add: infix("+"),
  sub: infix("-"),
  mul: infix("*"),
  div: infix("/"),
  eq: infix("==="),
  ne: infix("!=="),
  lt: infix("<"),
  le: infix("<="),
  gt: infix(">"),
  ge: infix(">="),
  and: infix("&&"),
  or: infix("||"),
  idiv: (a, b) => `Math.floor(${a} / ${w(b)})`,
  mod: (a, b, ctx) => {
    ctx.use("pymod");
    return `pymod(${a}, ${b})`;
  },
  pow: (a, b) => `Math.pow(${a}, ${b})`,
  maximum: (a, b) => `Math.max(${a}, ${b})`,
  minimum: (a, b) => `Math.min(${a}, ${b})`,
};

/** The JS expression of binary `fn` applied to the operands `a`, `b` (locals or literals). */
export function binaryJs(fn: BinaryOpName, a: string, b: string, ctx: Pick<ExprContext, "use">): string {
  return BINARY[fn](a, b, ctx);
}

function opExpr(n: IRNode, args: string[], index: string | undefined, ctx: ExprContext): string {
  const op = n.op;
  const [a, b, c, d] = args as [string, string, string, string];
  switch (op.op) {
    case "param":
      return `Z.p[${JSON.stringify(op.name)}]`;
    case "unary":
      return unaryJs(op.fn, a, ctx);
    case "binary":
      return binaryJs(op.fn, a, b, ctx);
    case "cast": {
      const from = ctx.program.nodes[n.args[0]!]!.type.dtype;
      if (from === "bool") return op.to === "bool" ? a : `(${a} ? 1 : 0)`;
      if (op.to === "bool") return `${w(a)} !== 0`;
      if (op.to === "i32") return from === "i32" ? a : `(Math.trunc(${a}) || 0)`; // NaN -> 0, and an i32 has no -0
      return a;
    }
    case "where":
      return `(${a} ? ${b} : ${c})`;
    case "clamp":
      return `Math.min(Math.max(${a}, ${b}), ${c})`;
    case "safe_div":
      return `(${c} ? ${a} / ${w(b)} : ${d})`;
    case "detach":
      return a;
    case "uniform":
      ctx.use("uniformAt");
      return `uniformAt(${op.seed}, ${a}, ${index})`;
    case "embed":
      return `(${index} === ${op.position} ? ${a} : 0)`;
    case "stack":
      return `(${args
        .slice(0, -1)
        .map((x, i) => `${index} === ${i} ? ${x} : `)
        .join("")}${args[args.length - 1]})`;
    case "input":
    case "const":
    case "index":
    case "size":
    case "reduce":
    case "scan":
    case "linrec":
    case "shift":
    case "segment":
    case "topk_mask":
    case "take":
    case "put":
    case "log_softmax":
    case "select":
    case "rename":
    case "argfirst":
    case "scan_grad":
    case "custom":
    case "custom_vjp":
    case "table_get":
    case "table_read":
      throw new Error(`codegen: node %${n.id} (${op.op}) is not an inline op`);
    default:
      return unreachable(op, "codegen: op");
  }
}

export function exprJs(e: Expr, ctx: ExprContext): string {
  switch (e.e) {
    case "op":
      return opExpr(ctx.program.nodes[e.node]!, e.args, e.index, ctx);
    case "load": {
      const buf = ctx.buffer(e.buffer);
      return buf.dtype === "bool" ? `b_${buf.name}[${e.offset}] !== 0` : `b_${buf.name}[${e.offset}]`;
    }
    case "offset":
      return e.prev === undefined ? e.index : `${e.prev} * n_${e.dim} + ${e.index}`;
    case "sub":
      return e.by < 0 ? `${e.a} + ${-e.by}` : `${e.a} - ${e.by}`;
    case "inrange":
      return `${e.a} >= 0 && ${e.a} < n_${e.dim}`;
    case "pick":
      return `${e.cond} ? ${e.a} : ${e.b}`;
    case "slot":
      return e.round ? `Math.fround(total[${e.offset}])` : `total[${e.offset}]`;
    case "round":
      return `Math.fround(${e.a})`;
  }
}
