// Pre-fusion lowering: rewrites composite reductions into plain accumulations, so that loop kernels only ever
// accumulate sum / count / max / min (compiler/fuse). Also drops dead nodes and shares equal pure nodes (CSE).
//
//   mean(x, w)            -> safe_div(sum(x, w), c, c > 0, 0)              c = count(x, w)
//   max/min(x, w, empty)  -> where(c > 0, max(x, w), empty)                 (max of nothing = -inf, min = +inf)
//   logsumexp(x, w, e)    -> m = max(x, w); fin = (m - m == 0)              (two passes: the max, then the sum)
//                            s = sum(where(fin, exp(x - m), 0), w)
//                            where(c > 0, where(fin, m + log(s), m), e)
//   log_softmax(x, V)     -> x - (m + log(sum(exp(x - m), V))),  m = max(x, V)   (the reference's formula)
//   count(x) of numbers   -> f32(size(D1) * ...)   (no mask: the number of elements; no accumulation)
//   detach(x)             -> x                      (gradients are already taken)
// After lowering, a `max`/`min` reduce is "pure": the max over the selected elements, -inf/+inf when there are none,
// NaN once a NaN is seen (its `empty` attribute is set to that identity). The count is left out where it cannot
// matter (no mask and `empty` already equals the identity). Values are exactly the reference evaluator's.
import type { DType, IRNode, IRProgram, Op, ReduceOpName } from "../ir/ir.ts";
import { NodeBuilder, type Origin } from "../ir/builder.ts";
import { unreachable } from "../ir/ops.ts";

class Lowerer {
  /** Where the node being lowered was written: what its replacement nodes record. */
  private origin: Origin = {};
  /** Nodes are made by the IR builder (types from the type rules, equal pure nodes shared). */
  readonly b: NodeBuilder;
  /** old id -> new id */
  readonly map = new Map<number, number>();

  constructor(readonly program: IRProgram) {
    this.b = new NodeBuilder(program, { origin: () => this.origin });
  }

  get nodes(): IRNode[] {
    return this.b.nodes;
  }

  /** Appends (or reuses) a node; span and site come from the node being lowered. */
  emit(op: Op, args: number[], declared?: { dtype: DType; dims: string[] }): number {
    return this.b.emit(op, args, declared ? { declared } : {});
  }

  dims(id: number): string[] {
    return this.b.dims(id);
  }

  c(value: number, dtype: DType = "f32", dims: string[] = []): number {
    return this.emit({ op: "const", value }, [], { dtype, dims });
  }
  bin(fn: Extract<Op, { op: "binary" }>["fn"], a: number, b: number): number {
    return this.emit({ op: "binary", fn }, [a, b]);
  }
  un(fn: "exp" | "log", a: number): number {
    return this.emit({ op: "unary", fn }, [a]);
  }
  where(c: number, a: number, b: number): number {
    return this.emit({ op: "where" }, [c, a, b]);
  }
  reduce(fn: ReduceOpName, args: number[], over: string[]): number {
    const empty = fn === "max" ? -Infinity : fn === "min" ? Infinity : 0;
    if (over.length === 0) return this.elementwiseReduce(fn, args, empty);
    const x = args[0]!;
    const numbers = args.length === 1 && this.b.type(x).dtype !== "bool";
    if (fn === "count" && numbers)
      return this.countAll(
        over,
        this.dims(x).filter((d) => !over.includes(d)),
      );
    return this.emit({ op: "reduce", fn, over, hasWhere: args.length > 1, empty }, args);
  }
  /** count of an unmasked number: the product of the sizes of `over` (no accumulation, no barrier), broadcast to dims. */
  private countAll(over: string[], dims: string[]): number {
    let n = this.emit({ op: "size", dim: over[0]! }, []);
    for (const d of over.slice(1)) n = this.bin("mul", n, this.emit({ op: "size", dim: d }, []));
    const c = this.emit({ op: "cast", to: "f32" }, [n]);
    return dims.length === 0 ? c : this.bin("mul", this.c(1, "f32", dims), c);
  }
  /** A reduction over no dims: each element on its own (selected or not). */
  private elementwiseReduce(fn: ReduceOpName, args: number[], empty: number): number {
    const [x, w] = args as [number, number | undefined];
    if (fn === "count") {
      let cond = this.b.type(x).dtype === "bool" ? x : this.c(1, "bool");
      if (w !== undefined) cond = this.bin("and", cond, w);
      return this.where(cond, this.c(1), this.c(0));
    }
    return w === undefined ? x : this.where(w, x, this.c(empty, this.b.type(x).dtype));
  }

  lowerNode(node: IRNode): number {
    const args = node.args.map((a) => this.map.get(a)!);
    this.origin = node;
    const op = node.op;
    // detach only stops gradients, which autodiff has already taken: its value is its operand's (and CSE may share)
    if (op.op === "detach") return args[0]!;
    if (op.op === "reduce" && (op.fn === "sum" || op.fn === "count")) return this.reduce(op.fn, args, op.over);
    if (op.op === "reduce" && op.fn !== "sum" && op.fn !== "count") {
      const count = (): number => this.reduce("count", args, op.over);
      const nonEmpty = (): number => this.bin("gt", count(), this.c(0));
      if (op.fn === "mean") {
        const s = this.reduce("sum", args, op.over);
        const c = count();
        return this.emit({ op: "safe_div" }, [s, c, this.bin("gt", c, this.c(0)), this.c(0)]);
      }
      const identity = op.fn === "min" ? Infinity : -Infinity;
      const needCount = op.hasWhere || op.empty !== identity;
      if (op.fn === "max" || op.fn === "min") {
        const raw = this.reduce(op.fn, args, op.over);
        return needCount ? this.where(nonEmpty(), raw, this.c(op.empty, node.type.dtype)) : raw;
      }
      if (op.fn !== "logsumexp") return unreachable(op.fn, "lower: reduce function");
      // logsumexp: two passes (the max, then the shifted sum)
      const x = args[0]!;
      const m = this.reduce("max", args, op.over);
      const fin = this.bin("eq", this.bin("sub", m, m), this.c(0));
      const shifted = this.where(fin, this.un("exp", this.bin("sub", x, m)), this.c(0));
      const s = this.reduce("sum", op.hasWhere ? [shifted, args[1]!] : [shifted], op.over);
      const lse = this.where(fin, this.bin("add", m, this.un("log", s)), m);
      return op.hasWhere || op.empty !== -Infinity ? this.where(nonEmpty(), lse, this.c(op.empty)) : lse;
    }
    if (op.op === "log_softmax") {
      const x = args[0]!;
      const m = this.reduce("max", [x], [op.over]);
      const s = this.reduce("sum", [this.un("exp", this.bin("sub", x, m))], [op.over]);
      return this.bin("sub", x, this.bin("add", m, this.un("log", s)));
    }
    return this.b.copy(node, args);
  }
}

/** The ids of the nodes that results, result keys and requires need (inputs always stay). */
export function liveNodes(program: IRProgram): Set<number> {
  const live = new Set<number>();
  const stack: number[] = [];
  for (const r of program.results) {
    stack.push(r.node);
    if (r.key !== undefined) stack.push(r.key);
  }
  for (const q of program.requires) stack.push(q.cond);
  for (const i of program.inputs) stack.push(i.node);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (live.has(id)) continue;
    live.add(id);
    const n = program.nodes[id];
    if (n) stack.push(...n.args);
  }
  return live;
}

/** Lowers a program for fusion (see the header). The result is a new program; the input is not modified. */
export function lowerForFusion(program: IRProgram): IRProgram {
  const live = liveNodes(program);
  const L = new Lowerer(program);
  for (const node of program.nodes) {
    if (!live.has(node.id)) continue;
    L.map.set(node.id, L.lowerNode(node));
  }
  const m = (id: number): number => L.map.get(id)!;
  return {
    ...program,
    nodes: L.nodes,
    inputs: program.inputs.map((i) => ({ ...i, node: m(i.node) })),
    results: program.results.map((r) => ({ ...r, node: m(r.node), ...(r.key === undefined ? {} : { key: m(r.key) }) })),
    requires: program.requires.map((q) => ({ ...q, cond: m(q.cond) })),
  };
}
