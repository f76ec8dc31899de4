// THE way nodes are appended to an IR program: the elaborator, autodiff, the simplifier's rebuild and pre-fusion
// lowering all build through it. A node's type comes from its op's type rule (compiler/ir/rules.ts) and its grad
// marks from the mark rule, so whatever is built passes the verifier; equal pure nodes (same op, attributes, args and
// type: compiler/ir/key.ts) are emitted once; new nodes inherit the source position (span, call site) of what they
// are built for. What stays with each user: its own rewrites, constant folding, and which nodes it shares.
import type { Span } from "../../grammar/ast.ts";
import type { CallSite, IRNode, IRType, Op } from "./ir.ts";
import { nodeKey } from "./key.ts";
import { OPS } from "./ops.ts";
import { expectedMarks, inferType, type RuleEnv } from "./rules.ts";

/** Where a node comes from in the source (the fields of IRNode that say so). */
export interface Origin {
  span?: Span;
  site?: CallSite;
}

export interface NodeBuilderOptions {
  /** The nodes the program starts with (copied, ids kept); the shareable ones are reused by equal new nodes. */
  from?: readonly IRNode[];
  /** Emit equal pure nodes once (default true). Ops the registry marks unshared (inputs) never are: each is its own value. */
  share?: boolean;
  /** Ops this user keeps apart besides inputs (the elaborator: each uniform() draw). */
  unshared?: (op: Op) => boolean;
  /** The origin of a new node where `emit` is given none (or lacks a field): the value being built or lowered. */
  origin?: () => Origin | undefined;
}

export interface EmitOptions {
  /**
   * The node's own type, for what the type rule takes from the node: the type of a source (const, index, uniform,
   * param, table_read, an input the program does not list yet).
   */
  declared?: IRType;
  /** Overrides the builder's default origin, field by field. */
  origin?: Origin;
  /** The marks of an input the program does not list yet (the elaborator declares it after making its node). */
  marks?: readonly string[];
}

/** A type rule's refusal: a builder user asked for a node no rule allows (a bug in that user, not in the program). */
export class BuildError extends Error {}

export class NodeBuilder {
  readonly nodes: IRNode[];
  private readonly memo = new Map<string, number>();
  private readonly share: boolean;
  private readonly unshared: (op: Op) => boolean;
  private readonly origin: () => Origin | undefined;

  constructor(
    readonly env: RuleEnv,
    options: NodeBuilderOptions = {},
  ) {
    this.share = options.share ?? true;
    this.unshared = options.unshared ?? (() => false);
    this.origin = options.origin ?? (() => undefined);
    this.nodes = (options.from ?? []).map(copyNode);
    for (const n of this.nodes) if (this.shares(n.op)) this.memo.set(nodeKey(n.op, n.args, n.type), n.id);
  }

  node(id: number): IRNode {
    return this.nodes[id]!;
  }
  type(id: number): IRType {
    return this.nodes[id]!.type;
  }
  dims(id: number): string[] {
    return this.nodes[id]!.type.dims;
  }

  /** Appends op(args) with the type its rule gives; returns the id of an equal node instead where there is one. */
  emit(op: Op, args: readonly number[], options: EmitOptions = {}): number {
    const type = inferType(
      this.env,
      op,
      args.map((a) => this.type(a)),
      options.declared,
    );
    if (typeof type === "string") throw new BuildError(`cannot build ${op.op}: ${type}`);
    return this.append(op, [...args], type, options.origin, options.marks);
  }

  /**
   * Re-emits an existing node with new args (ids in this builder) that stand for its old ones: its type and origin
   * are kept, its marks recomputed (the new args may no longer depend on a mark), and it is shared like any node.
   */
  copy(node: IRNode, args: readonly number[]): number {
    return this.append(node.op, [...args], copyType(node.type), node);
  }

  private shares(op: Op): boolean {
    return this.share && OPS[op.op].shared && !this.unshared(op);
  }

  private append(op: Op, args: number[], type: IRType, origin: Origin | undefined, marks?: readonly string[]): number {
    const key = this.shares(op) ? nodeKey(op, args, type) : undefined;
    const hit = key === undefined ? undefined : this.memo.get(key);
    if (hit !== undefined) return hit;
    const node: IRNode = { id: this.nodes.length, op, args, type, grad: [] };
    const fallback = this.origin();
    const span = origin?.span ?? fallback?.span;
    const site = origin?.site ?? fallback?.site;
    if (span) node.span = span;
    if (site) node.site = site;
    node.grad = marks
      ? [...marks]
      : expectedMarks(
          this.env,
          node,
          args.map((a) => this.nodes[a]!),
        );
    this.nodes.push(node);
    if (key !== undefined) this.memo.set(key, node.id);
    return node.id;
  }
}

export function copyType(t: IRType): IRType {
  const dims = [...t.dims];
  return t.indexOf === undefined ? { dtype: t.dtype, dims } : { dtype: t.dtype, dims, indexOf: t.indexOf };
}

function copyNode(n: IRNode): IRNode {
  return { ...n, args: [...n.args], type: { ...n.type, dims: [...n.type.dims] }, grad: [...n.grad] };
}
