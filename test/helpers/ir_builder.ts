// A tiny builder of IRPrograms for tests: appends nodes (inferring dims in canonical order) and returns their ids.
// Also small tensor conveniences for the reference-evaluator tests.
import { expect } from "vitest";
import { tensor, type Tensor } from "../../runtime/library/tensor.ts";
import type {
  BinaryOpName, DimInfo, DType, IRInput, IRNode, IRProgram, IRResult, IRState, Op, ReduceOpName, ResultKind, ScanOpName,
  SegmentOpName, UnaryOpName,
} from "../../compiler/ir/ir.ts";
import { markArgs } from "../../compiler/ir/rules.ts";

const COMPARE = new Set<BinaryOpName>(["eq", "ne", "lt", "le", "gt", "ge", "and", "or"]);

export class IRBuilder {
  readonly dims: DimInfo[];
  readonly nodes: IRNode[] = [];
  readonly inputs: IRInput[] = [];
  readonly results: IRResult[] = [];
  readonly states: IRState[] = [];

  /** dims: names or full DimInfo, in canonical order. */
  constructor(dims: (string | DimInfo)[], readonly pipeline = "test") {
    this.dims = dims.map((d) => (typeof d === "string" ? { name: d } : d));
  }

  /** Sorts dim names into canonical order (deduplicated). */
  canon(...lists: string[][]): string[] {
    const set = new Set(lists.flat());
    return this.dims.map((d) => d.name).filter((d) => set.has(d));
  }

  dimsOf(id: number): string[] {
    return this.nodes[id]!.type.dims;
  }
  dtypeOf(id: number): DType {
    return this.nodes[id]!.type.dtype;
  }

  /** Appends a node; dims are put into canonical order. */
  node(op: Op, args: number[], dtype: DType, dims: string[], extra: { grad?: string[] } = {}): number {
    const id = this.nodes.length;
    const node: IRNode = { id, op, args, type: { dtype, dims: this.canon(dims) }, grad: [] };
    // marks as the elaborator gives them (the union over the args that pass marks; compiler/ir/rules.ts)
    const argNodes = args.map((a) => this.nodes[a]!);
    node.grad = extra.grad ?? [...new Set(markArgs(node, argNodes.map((a) => a.type)).flatMap((i) => argNodes[i]!.grad))].sort();
    this.nodes.push(node);
    return id;
  }

  input(name: string, dtype: DType, dims: string[], opts: { mark?: string; default?: number } = {}): number {
    const id = this.node({ op: "input", name }, [], dtype, dims, { grad: opts.mark ? [opts.mark] : [] });
    this.inputs.push({ name, node: id, type: { dtype, dims: this.canon(dims) }, ...opts });
    return id;
  }
  param(name: string, value: number): number {
    return this.node({ op: "param", name, value }, [], "f32", []);
  }
  const(value: number, dims: string[] = [], dtype: DType = "f32"): number {
    return this.node({ op: "const", value }, [], dtype, dims);
  }
  index(dim: string): number {
    return this.node({ op: "index", dim }, [], "i32", [dim]);
  }
  size(dim: string): number {
    return this.node({ op: "size", dim }, [], "i32", []);
  }
  unary(fn: UnaryOpName, x: number): number {
    return this.node({ op: "unary", fn }, [x], fn === "not" ? "bool" : this.dtypeOf(x), this.dimsOf(x));
  }
  binary(fn: BinaryOpName, a: number, b: number): number {
    const dt: DType = COMPARE.has(fn) ? "bool" : this.dtypeOf(a) === "f32" || this.dtypeOf(b) === "f32" ? "f32" : this.dtypeOf(a);
    return this.node({ op: "binary", fn }, [a, b], dt, this.canon(this.dimsOf(a), this.dimsOf(b)));
  }
  add(a: number, b: number): number { return this.binary("add", a, b); }
  sub(a: number, b: number): number { return this.binary("sub", a, b); }
  mul(a: number, b: number): number { return this.binary("mul", a, b); }
  div(a: number, b: number): number { return this.binary("div", a, b); }
  cast(to: DType, x: number): number {
    return this.node({ op: "cast", to }, [x], to, this.dimsOf(x));
  }
  where(c: number, a: number, b: number): number {
    return this.node({ op: "where" }, [c, a, b], this.dtypeOf(a), this.canon(this.dimsOf(c), this.dimsOf(a), this.dimsOf(b)));
  }
  clamp(x: number, lo: number, hi: number): number {
    return this.node({ op: "clamp" }, [x, lo, hi], "f32", this.canon(this.dimsOf(x), this.dimsOf(lo), this.dimsOf(hi)));
  }
  safeDiv(a: number, b: number, ok: number, fill: number): number {
    return this.node({ op: "safe_div" }, [a, b, ok, fill], "f32", this.canon(...[a, b, ok, fill].map((i) => this.dimsOf(i))));
  }
  detach(x: number): number {
    return this.node({ op: "detach" }, [x], this.dtypeOf(x), this.dimsOf(x), { grad: [] });
  }
  reduce(fn: ReduceOpName, x: number, over: string[], opts: { where?: number; empty?: number } = {}): number {
    const args = opts.where === undefined ? [x] : [x, opts.where];
    const all = this.canon(...args.map((a) => this.dimsOf(a)));
    const op: Op = { op: "reduce", fn, over, hasWhere: opts.where !== undefined, empty: opts.empty ?? 0 };
    return this.node(op, args, "f32", all.filter((d) => !over.includes(d)));
  }
  scan(fn: ScanOpName, x: number, along: string, reverse = false): number {
    return this.node({ op: "scan", fn, along, reverse }, [x], "f32", this.dimsOf(x));
  }
  linrec(a: number, b: number, along: string, reverse = false, init?: number): number {
    const args = init === undefined ? [a, b] : [a, b, init];
    const dims = this.canon(this.dimsOf(a), this.dimsOf(b), [along]);
    return this.node({ op: "linrec", along, reverse, hasInit: init !== undefined }, args, "f32", dims);
  }
  shift(x: number, fill: number, along: string, by: number): number {
    return this.node({ op: "shift", along, by }, [x, fill], this.dtypeOf(x), this.canon(this.dimsOf(x), this.dimsOf(fill)));
  }
  segment(fn: SegmentOpName, x: number, key: number, over: string[], where?: number): number {
    const args = where === undefined ? [x, key] : [x, key, where];
    return this.node({ op: "segment", fn, over, hasWhere: where !== undefined }, args, "f32", this.canon(...args.map((a) => this.dimsOf(a))));
  }
  topk(x: number, k: number, over: string[], largest = true, where?: number): number {
    const args = where === undefined ? [x, k] : [x, k, where];
    const dims = this.canon(this.dimsOf(x), where === undefined ? [] : this.dimsOf(where));
    return this.node({ op: "topk_mask", over, hasWhere: where !== undefined, largest }, args, "bool", dims, { grad: [] });
  }
  uniform(seed: number, step: number, dims: string[]): number {
    return this.node({ op: "uniform", seed }, [step], "f32", dims, { grad: [] });
  }
  take(x: number, idx: number, fill: number, along: string): number {
    const dims = this.canon(this.dimsOf(x).filter((d) => d !== along), this.dimsOf(idx), this.dimsOf(fill));
    return this.node({ op: "take", along }, [x, idx, fill], this.dtypeOf(x), dims);
  }
  put(x: number, at: number, into: string, over: string): number {
    const dims = this.canon(this.dimsOf(x), this.dimsOf(at)).filter((d) => d !== over);
    return this.node({ op: "put", into, over }, [x, at], "f32", this.canon(dims, [into]));
  }
  logSoftmax(x: number, over: string): number {
    return this.node({ op: "log_softmax", over }, [x], "f32", this.dimsOf(x));
  }
  select(x: number, dim: string, position: number): number {
    return this.node({ op: "select", dim, position }, [x], this.dtypeOf(x), this.dimsOf(x).filter((d) => d !== dim));
  }
  stack(dim: string, parts: number[]): number {
    return this.node({ op: "stack", dim }, parts, this.dtypeOf(parts[0]!), this.canon(...parts.map((p) => this.dimsOf(p)), [dim]));
  }
  rename(x: number, from: string, to: string): number {
    return this.node({ op: "rename", from, to }, [x], this.dtypeOf(x), this.dimsOf(x).map((d) => (d === from ? to : d)));
  }
  tableGet(table: string, key: number, def: number): number {
    return this.node({ op: "table_get", table, default: def }, [key], "f32", this.dimsOf(key), { grad: [] });
  }
  tableRead(table: string, def: number): number {
    return this.node({ op: "table_read", table, default: def }, [], "f32", [], { grad: [] });
  }
  state(name: string, keyed: boolean, init = 0): void {
    this.states.push({ name, keyed, init });
  }
  result(name: string, kind: ResultKind, node: number, key?: number): number {
    this.results.push({ name, kind, node, ...(key === undefined ? {} : { key }) });
    return node;
  }

  build(): IRProgram {
    const marks = [...new Set(this.inputs.flatMap((i) => (i.mark ? [i.mark] : [])))];
    return {
      pipeline: this.pipeline, dims: this.dims, inputs: this.inputs, params: [], nodes: this.nodes, results: this.results,
      states: this.states, requires: [], marks,
    };
  }
}

// ---- tensors for tests ----
export function f32(dims: string[], shape: number[], data: number[]): Tensor {
  return tensor("f32", dims, shape, data);
}
export function bool(dims: string[], shape: number[], data: number[]): Tensor {
  return tensor("bool", dims, shape, data);
}
export function ints(dtype: DType, dims: string[], shape: number[], data: number[]): Tensor {
  return tensor(dtype, dims, shape, data);
}
export function vals(t: Tensor | undefined): number[] {
  if (t === undefined) throw new Error("no tensor");
  return Array.from(t.data);
}
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e)) expect(a).toBeNaN();
    else if (!Number.isFinite(e)) expect(a).toBe(e);
    else expect(Math.abs(a - e), `index ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  }
}

/** Deterministic pseudo-random values in [lo, hi). */
export function rand(n: number, seed: number, lo = -1, hi = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  });
}

/** Appends `loss L = sum(x over all its dims)` and returns its id. */
export function total(b: IRBuilder, x: number): number {
  return b.result("L", "loss", b.reduce("sum", x, b.dimsOf(x)));
}
