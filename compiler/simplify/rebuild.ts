// Rebuilding a program node by node: the frame every simplify pass runs in. Each node (its args already mapped to
// the new ids) is either replaced by what a rewrite returns (an earlier node, or nodes it emits) or copied. New ids
// are dense and in topological order; grad marks are recomputed from the args (a rewrite may remove a dependence);
// inputs, results and requires follow their nodes. With `share`, equal pure nodes are emitted once (CSE).
import type { IRNode, IRProgram, IRType, Op } from "../ir/ir.ts";
import { nodeKey } from "../ir/key.ts";
import { expectedMarks } from "../ir/rules.ts";
import { BINARY_FNS, OPS } from "../ir/ops.ts";

/** Binary ops whose operands can be swapped without changing a bit of the result. */

export interface RebuildCtx {
  readonly program: IRProgram;
  /** The new nodes so far. */
  readonly nodes: IRNode[];
  node(id: number): IRNode;
  /** Appends op(args) with the given type (or reuses an equal node when sharing); `like` lends span and site. */
  emit(op: Op, args: number[], type: IRType, like?: IRNode): number;
  /** A const of the given type (a fill of `value` over its dims). */
  constant(value: number, type: IRType): number;
}

/**
 * Returns the new id the node becomes, or undefined to copy it. `node` is a copy whose args are new ids; its id is
 * still the old one.
 */
export type Rewrite = (ctx: RebuildCtx, node: IRNode) => number | undefined;

export function rebuild(program: IRProgram, rewrite?: Rewrite, share = false): IRProgram {
  const nodes: IRNode[] = [];
  const memo = new Map<string, number>();
  const ctx: RebuildCtx = {
    program,
    nodes,
    node: (id) => nodes[id]!,
    emit(op, args, type, like) {
      let ordered = args;
      if (op.op === "binary" && BINARY_FNS[op.fn].commutative && args[0]! > args[1]!) ordered = [args[1]!, args[0]!];
      const key = share && OPS[op.op].shared ? nodeKey(op, ordered, type) : undefined;
      const hit = key === undefined ? undefined : memo.get(key);
      if (hit !== undefined) return hit;
      const node: IRNode = { id: nodes.length, op, args: ordered, type: copyType(type), grad: [] };
      if (like?.span) node.span = like.span;
      if (like?.site) node.site = like.site;
      node.grad = expectedMarks(program, node, ordered.map((a) => nodes[a]!));
      nodes.push(node);
      if (key !== undefined) memo.set(key, node.id);
      return node.id;
    },
    constant: (value, type) => ctx.emit({ op: "const", value }, [], { dtype: type.dtype, dims: [...type.dims] }),
  };
  const map: number[] = [];
  for (const old of program.nodes) {
    const node: IRNode = { ...old, args: old.args.map((a) => map[a]!), type: copyType(old.type) };
    map[old.id] = rewrite?.(ctx, node) ?? ctx.emit(node.op, node.args, node.type, old);
  }
  return remapProgram(program, nodes, (id) => map[id]!);
}

function copyType(t: IRType): IRType {
  return t.indexOf === undefined ? { dtype: t.dtype, dims: [...t.dims] } : { dtype: t.dtype, dims: [...t.dims], indexOf: t.indexOf };
}

/** The program with new nodes, and its inputs, results and requires pointing at the new ids. */
export function remapProgram(program: IRProgram, nodes: IRNode[], map: (id: number) => number): IRProgram {
  return {
    ...program,
    nodes,
    inputs: program.inputs.map((i) => ({ ...i, node: map(i.node), type: copyType(i.type) })),
    results: program.results.map((r) => ({ ...r, node: map(r.node), ...(r.key === undefined ? {} : { key: map(r.key) }) })),
    requires: program.requires.map((r) => ({ ...r, cond: map(r.cond) })),
    params: program.params.map((p) => ({ ...p })),
    dims: program.dims.map((d) => ({ ...d })),
    states: program.states.map((s) => ({ ...s })),
    marks: [...program.marks],
  };
}
