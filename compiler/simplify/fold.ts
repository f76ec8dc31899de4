// Constant folding: an elementwise op whose args are all consts becomes a const of its type (a const is one value
// filled over its dims), computed with the scalar functions of compiler/ir/scalar.ts that the reference evaluator
// also uses, so a folded value is bit-for-bit what evaluation would give. Also: size(D) of a static dim; reductions
// whose value does not depend on the data (sum/mean of 0, max/min of a const over non-empty static dims, count over static dims).
import type { IRNode, IRProgram } from "../ir/ir.ts";
import { BINARY, cast, clamp, UNARY } from "../ir/scalar.ts";
import { rebuild, type RebuildCtx, type Rewrite } from "./rebuild.ts";

/** The value of a const node, else undefined. */
export function constValue(ctx: RebuildCtx, id: number): number | undefined {
  const op = ctx.node(id).op;
  return op.op === "const" ? op.value : undefined;
}

function foldElementwise(node: IRNode, v: number[]): number | undefined {
  const op = node.op;
  switch (op.op) {
    case "unary":
      return UNARY[op.fn](v[0]!);
    case "binary":
      return BINARY[op.fn](v[0]!, v[1]!);
    case "cast":
      return cast(op.to, v[0]!);
    case "where":
      return v[0] !== 0 ? v[1]! : v[2]!;
    case "clamp":
      return clamp(v[0]!, v[1]!, v[2]!);
    case "safe_div":
      return v[2] !== 0 ? v[0]! / v[1]! : v[3]!;
    case "detach":
      return v[0]!;
    default:
      return undefined;
  }
}

function staticSize(program: IRProgram, dim: string): number | undefined {
  const info = program.dims.find((d) => d.name === dim);
  return info?.size ?? info?.labels?.length;
}

/** The number of positions the dims span, when all are static. */
function staticCount(program: IRProgram, dims: readonly string[]): number | undefined {
  let n = 1;
  for (const d of dims) {
    const s = staticSize(program, d);
    if (s === undefined) return undefined;
    n *= s;
  }
  return n;
}

function foldReduce(ctx: RebuildCtx, node: IRNode): number | undefined {
  const op = node.op;
  if (op.op !== "reduce") return undefined;
  const x = constValue(ctx, node.args[0]!);
  if ((op.fn === "sum" || op.fn === "mean") && x === 0 && !Object.is(x, -0)) return 0; // selected or not, all zeros
  if (op.hasWhere) return undefined;
  const n = staticCount(ctx.program, op.over);
  if (n === undefined) return undefined;
  if (op.fn === "count") {
    const isBool = ctx.node(node.args[0]!).type.dtype === "bool";
    if (!isBool) return n;
    return x === undefined ? undefined : x !== 0 ? n : 0;
  }
  if ((op.fn === "max" || op.fn === "min") && x !== undefined && n > 0) return x;
  return undefined;
}

export const foldRewrite: Rewrite = (ctx, node) => {
  if (node.op.op === "const") return undefined;
  if (node.op.op === "size") {
    const s = staticSize(ctx.program, node.op.dim);
    return s === undefined ? undefined : ctx.constant(s, node.type);
  }
  const reduced = foldReduce(ctx, node);
  if (reduced !== undefined) return ctx.constant(reduced, node.type);
  if (node.args.length === 0) return undefined;
  const values = node.args.map((a) => constValue(ctx, a));
  if (values.some((v) => v === undefined)) return undefined;
  const v = foldElementwise(node, values as number[]);
  if (v === undefined) return undefined;
  // a const of a bool or i32 type holds 0/1 or an integer already (the scalar functions give those)
  return ctx.constant(v, node.type);
};

/** The constant-folding pass. */
export function foldConstants(program: IRProgram): IRProgram {
  return rebuild(program, foldRewrite);
}
