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
import type { DType, IRNode, IRProgram, IRType, Op, ReduceOpName } from "../ir/ir.ts";
import { OPS, unreachable } from "../ir/ops.ts";

/** The key of a pure node for sharing (non-finite numbers and -0 spelled apart). */
function keyOf(op: Op, args: readonly number[], type: IRType): string {
  return JSON.stringify([op, args, type], (_k, v: unknown) =>
    typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0)) ? `#${Object.is(v, -0) ? "-0" : v}` : v);
}

class Lowerer {
  readonly nodes: IRNode[] = [];
  private readonly memo = new Map<string, number>();
  /** old id -> new id */
  readonly map = new Map<number, number>();
  private span: IRNode["span"];
  private site: IRNode["site"];
  private grad: string[] = [];

  constructor(readonly program: IRProgram) {}

  /** Appends (or reuses) a node; span and marks come from the node being lowered. */
  emit(op: Op, args: number[], dtype: DType, dims: string[]): number {
    const type: IRType = { dtype, dims };
    const key = keyOf(op, args, type);
    const hit = OPS[op.op].shared ? this.memo.get(key) : undefined;
    if (hit !== undefined) return hit;
    const id = this.nodes.length;
    const node: IRNode = { id, op, args, type, grad: [...this.grad] };
    if (this.span) node.span = this.span;
    if (this.site) node.site = this.site;
    this.nodes.push(node);
    if (OPS[op.op].shared) this.memo.set(key, id);
    return id;
  }

  /** Re-emits an original node (args already mapped), keeping its type (indexOf included). */
  copy(node: IRNode, args: number[]): number {
    const key = keyOf(node.op, args, node.type);
    const hit = OPS[node.op.op].shared ? this.memo.get(key) : undefined;
    if (hit !== undefined) return hit;
    const id = this.nodes.length;
    this.nodes.push({ ...node, id, args, type: { ...node.type, dims: [...node.type.dims] }, grad: [...node.grad] });
    if (OPS[node.op.op].shared) this.memo.set(key, id);
    return id;
  }

  dims(id: number): string[] {
    return this.nodes[id]!.type.dims;
  }

  canon(...lists: string[][]): string[] {
    const set = new Set(lists.flat());
    return this.program.dims.map((d) => d.name).filter((d) => set.has(d));
  }

  c(value: number, dtype: DType = "f32"): number {
    return this.emit({ op: "const", value }, [], dtype, []);
  }
  bin(fn: Extract<Op, { op: "binary" }>["fn"], a: number, b: number): number {
    const bool = ["eq", "ne", "lt", "le", "gt", "ge", "and", "or"].includes(fn);
    return this.emit({ op: "binary", fn }, [a, b], bool ? "bool" : "f32", this.canon(this.dims(a), this.dims(b)));
  }
  un(fn: "exp" | "log", a: number): number {
    return this.emit({ op: "unary", fn }, [a], "f32", this.dims(a));
  }
  where(c: number, a: number, b: number): number {
    const dt = this.nodes[a]!.type.dtype;
    return this.emit({ op: "where" }, [c, a, b], dt, this.canon(this.dims(c), this.dims(a), this.dims(b)));
  }
  reduce(fn: ReduceOpName, args: number[], over: string[], dtype: DType, dims: string[]): number {
    const empty = fn === "max" ? -Infinity : fn === "min" ? Infinity : 0;
    if (over.length === 0) return this.elementwiseReduce(fn, args, dtype, empty);
    if (fn === "count" && args.length === 1 && this.nodes[args[0]!]!.type.dtype !== "bool") return this.countAll(over, dims);
    return this.emit({ op: "reduce", fn, over, hasWhere: args.length > 1, empty }, args, dtype, dims);
  }
  /** count of an unmasked number: the product of the sizes of `over` (no accumulation, no barrier), broadcast to dims. */
  private countAll(over: string[], dims: string[]): number {
    let n = this.emit({ op: "size", dim: over[0]! }, [], "i32", []);
    for (const d of over.slice(1)) n = this.emit({ op: "binary", fn: "mul" }, [n, this.emit({ op: "size", dim: d }, [], "i32", [])], "i32", []);
    const c = this.emit({ op: "cast", to: "f32" }, [n], "f32", []);
    return dims.length === 0 ? c : this.emit({ op: "binary", fn: "mul" }, [this.emit({ op: "const", value: 1 }, [], "f32", dims), c], "f32", dims);
  }
  /** A reduction over no dims: each element on its own (selected or not). */
  private elementwiseReduce(fn: ReduceOpName, args: number[], dtype: DType, empty: number): number {
    const [x, w] = args as [number, number | undefined];
    if (fn === "count") {
      let cond = this.nodes[x]!.type.dtype === "bool" ? x : this.c(1, "bool");
      if (w !== undefined) cond = this.bin("and", cond, w);
      return this.where(cond, this.c(1), this.c(0));
    }
    return w === undefined ? x : this.where(w, x, this.c(empty, dtype));
  }

  lowerNode(node: IRNode): number {
    const args = node.args.map((a) => this.map.get(a)!);
    this.span = node.span;
    this.site = node.site;
    this.grad = node.grad;
    const op = node.op;
    const dims = node.type.dims;
    // detach only stops gradients, which autodiff has already taken: its value is its operand's (and CSE may share)
    if (op.op === "detach") return args[0]!;
    if (op.op === "reduce" && (op.fn === "sum" || op.fn === "count")) return this.reduce(op.fn, args, op.over, node.type.dtype, dims);
    if (op.op === "reduce" && op.fn !== "sum" && op.fn !== "count") {
      const count = (): number => this.reduce("count", args, op.over, "f32", dims);
      const nonEmpty = (): number => this.bin("gt", count(), this.c(0));
      if (op.fn === "mean") {
        const s = this.reduce("sum", args, op.over, "f32", dims);
        const c = count();
        return this.emit({ op: "safe_div" }, [s, c, this.bin("gt", c, this.c(0)), this.c(0)], "f32", dims);
      }
      const identity = op.fn === "min" ? Infinity : -Infinity;
      const needCount = op.hasWhere || op.empty !== identity;
      if (op.fn === "max" || op.fn === "min") {
        const raw = this.reduce(op.fn, args, op.over, node.type.dtype, dims);
        return needCount ? this.where(nonEmpty(), raw, this.c(op.empty, node.type.dtype)) : raw;
      }
      if (op.fn !== "logsumexp") return unreachable(op.fn, "lower: reduce function");
      // logsumexp: two passes (the max, then the shifted sum)
      const x = args[0]!;
      const m = this.reduce("max", args, op.over, "f32", dims);
      const fin = this.bin("eq", this.bin("sub", m, m), this.c(0));
      const shifted = this.where(fin, this.un("exp", this.bin("sub", x, m)), this.c(0));
      const s = this.reduce("sum", op.hasWhere ? [shifted, args[1]!] : [shifted], op.over, "f32", dims);
      const lse = this.where(fin, this.bin("add", m, this.un("log", s)), m);
      return op.hasWhere || op.empty !== -Infinity ? this.where(nonEmpty(), lse, this.c(op.empty)) : lse;
    }
    if (op.op === "log_softmax") {
      const x = args[0]!;
      const rdims = dims.filter((d) => d !== op.over);
      const m = this.reduce("max", [x], [op.over], "f32", rdims);
      const s = this.reduce("sum", [this.un("exp", this.bin("sub", x, m))], [op.over], "f32", rdims);
      return this.bin("sub", x, this.bin("add", m, this.un("log", s)));
    }
    return this.copy(node, args);
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
