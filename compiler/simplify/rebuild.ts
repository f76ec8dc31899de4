// Rebuilding a program node by node: the frame every simplify pass runs in. Each node (its args already mapped to
// the new ids) is either replaced by what a rewrite returns (an earlier node, or nodes it emits) or copied. New ids
// are dense and in topological order; grad marks are recomputed from the args (a rewrite may remove a dependence);
// inputs, results and requires follow their nodes. Nodes are made by the IR builder (compiler/ir/builder.ts); with
// `share`, equal pure nodes are emitted once (CSE).
import type { IRNode, IRProgram, IRType, Op } from "../ir/ir.ts";
import { copyType, NodeBuilder } from "../ir/builder.ts";
import { BINARY_FNS } from "../ir/ops.ts";

export interface RebuildCtx {
  readonly program: IRProgram;
  /** The new nodes so far. */
  readonly nodes: IRNode[];
  node(id: number): IRNode;
  /** Appends op(args) with the type its rule gives (or reuses an equal node when sharing); `like` lends span and site. */
  emit(op: Op, args: number[], like?: IRNode): number;
  /** A const of the given type (a fill of `value` over its dims). */
  constant(value: number, type: IRType): number;
}

/**
 * Returns the new id the node becomes, or undefined to copy it. `node` is a copy whose args are new ids; its id is
 * still the old one.
 */
export type Rewrite = (ctx: RebuildCtx, node: IRNode) => number | undefined;

/** The args of a commutative binary op (the registry says which) in id order: CSE sees a + b and b + a as one node. */
function ordered(op: Op, args: number[]): number[] {
  return op.op === "binary" && BINARY_FNS[op.fn].commutative && args[0]! > args[1]! ? [args[1]!, args[0]!] : args;
}

export function rebuild(program: IRProgram, rewrite?: Rewrite, share = false): IRProgram {
  const b = new NodeBuilder(program, { share });
  const ctx: RebuildCtx = {
    program,
    nodes: b.nodes,
    node: (id) => b.node(id),
    emit: (op, args, like) => b.emit(op, ordered(op, args), like ? { origin: like } : {}),
    constant: (value, type) => b.emit({ op: "const", value }, [], { declared: { dtype: type.dtype, dims: [...type.dims] } }),
  };
  const map: number[] = [];
  for (const old of program.nodes) {
    const node: IRNode = { ...old, args: old.args.map((a) => map[a]!), type: copyType(old.type) };
    map[old.id] = rewrite?.(ctx, node) ?? b.copy(old, ordered(node.op, node.args));
  }
  return remapProgram(program, b.nodes, (id) => map[id]!);
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
