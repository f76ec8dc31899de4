// Algebraic identities that are EXACT: the replacement has the same value at every position for every input,
// NaN and inf included (values compared with ==, so +0 and −0 count as equal). A node is only replaced by one of
// exactly its type. Nothing that holds only for finite values is used unless the operand is finite by construction
// (finite.ts): x·0 = 0 and the strong-zero guard where(g == 0, 0, g·d) = g·d need a finite x (d).
import type { IRNode, IRProgram } from "../ir/ir.ts";
import { sameType } from "../ir/verify.ts";
import { finiteByConstruction } from "./finite.ts";
import { constValue } from "./fold.ts";
import { rebuild, type RebuildCtx, type Rewrite } from "./rebuild.ts";

interface Helpers {
  ctx: RebuildCtx;
  node: IRNode;
  finite: (id: number) => boolean;
  /** x if it has exactly the node's type (so it can stand for it), else undefined. */
  same(x: number): number | undefined;
  is(id: number, value: number): boolean;
}

/** h is g times factors finite by construction (h = g, −h', h'·d): where g == 0, h == 0 too. */
function scaledFrom(h: Helpers, x: number, g: number): boolean {
  if (x === g) return true;
  const n = h.ctx.node(x);
  if (n.op.op === "unary" && n.op.fn === "neg") return scaledFrom(h, n.args[0]!, g);
  if (n.op.op === "binary" && n.op.fn === "mul") {
    const [a, b] = n.args as [number, number];
    return (scaledFrom(h, a, g) && h.finite(b)) || (scaledFrom(h, b, g) && h.finite(a));
  }
  return false;
}

function binaryIdentity(h: Helpers, fn: string, a: number, b: number): number | undefined {
  const { ctx, node } = h;
  switch (fn) {
    case "add":
      return h.is(b, 0) ? h.same(a) : h.is(a, 0) ? h.same(b) : undefined;
    case "sub":
      return h.is(b, 0) ? h.same(a) : undefined;
    case "mul": {
      if (h.is(b, 1)) return h.same(a);
      if (h.is(a, 1)) return h.same(b);
      const [other, c] = constValue(ctx, b) !== undefined ? [a, b] : [b, a];
      if (h.is(c, -1) && sameType(ctx.node(other).type, node.type)) return ctx.emit({ op: "unary", fn: "neg" }, [other], node);
      if (h.is(c, 0) && h.finite(other)) return ctx.constant(0, node.type);
      return undefined;
    }
    case "div":
      return h.is(b, 1) ? h.same(a) : undefined;
    case "and":
      return h.is(b, 1) ? h.same(a) : h.is(a, 1) ? h.same(b) : undefined;
    case "or":
      return h.is(b, 0) ? h.same(a) : h.is(a, 0) ? h.same(b) : undefined;
    default:
      return undefined;
  }
}

function whereIdentity(h: Helpers, c: number, a: number, b: number): number | undefined {
  const { ctx, node } = h;
  const cv = constValue(ctx, c);
  if (cv !== undefined) return h.same(cv !== 0 ? a : b);
  if (a === b) return h.same(a);
  const av = constValue(ctx, a);
  if (av !== undefined && av === constValue(ctx, b)) return ctx.constant(av, node.type);
  // the strong-zero guard where(g == 0, 0, g·d) is g·d when d is finite: there g == 0 gives g·d == 0
  const cn = ctx.node(c);
  if (av === 0 && cn.op.op === "binary" && cn.op.fn === "eq") {
    const [l, r] = cn.args as [number, number];
    const g = h.is(r, 0) ? l : h.is(l, 0) ? r : undefined;
    if (g !== undefined && scaledFrom(h, b, g)) return h.same(b);
  }
  return undefined;
}

export function identityRewriteWith(finite: (ctx: RebuildCtx) => (id: number) => boolean): Rewrite {
  return (ctx, node) => {
    const h: Helpers = {
      ctx,
      node,
      finite: finite(ctx),
      same: (x) => (sameType(ctx.node(x).type, node.type) ? x : undefined),
      is: (id, value) => constValue(ctx, id) === value,
    };
    const op = node.op;
    const [a, b, c] = node.args as [number, number, number];
    switch (op.op) {
      case "binary":
        return binaryIdentity(h, op.fn, a, b);
      case "where":
        return whereIdentity(h, a, b, c);
      case "unary": {
        const x = ctx.node(a);
        return op.fn === "neg" && x.op.op === "unary" && x.op.fn === "neg" ? h.same(x.args[0]!) : undefined;
      }
      case "cast":
        return h.same(a); // a cast to the type it already has
      case "detach":
        return ctx.node(a).grad.length === 0 ? h.same(a) : undefined;
      case "reduce":
        // over no dims, without a mask: each result is its one element (sum 0 + x, mean x / 1, max, min)
        return op.over.length === 0 && !op.hasWhere && op.fn !== "count" && op.fn !== "logsumexp" ? h.same(a) : undefined;
      case "select": {
        const x = ctx.node(a);
        if (x.op.op === "stack" && x.op.dim === op.dim) return h.same(x.args[op.position]!);
        if (x.op.op === "embed" && x.op.dim === op.dim && x.op.position === op.position) return h.same(x.args[0]!);
        return undefined;
      }
      case "rename": {
        const x = ctx.node(a);
        return x.op.op === "rename" && x.op.from === op.to && x.op.to === op.from ? h.same(x.args[0]!) : undefined;
      }
      default:
        return undefined;
    }
  };
}

/** The identities pass. */
export function applyIdentities(program: IRProgram): IRProgram {
  let cache: { nodes: IRNode[]; finite: (id: number) => boolean } | undefined;
  const finite = (ctx: RebuildCtx) => {
    if (cache?.nodes !== ctx.nodes) cache = { nodes: ctx.nodes, finite: finiteByConstruction(ctx.nodes) };
    return cache.finite;
  };
  return rebuild(program, identityRewriteWith(finite));
}
