// A tiny builder of IRPrograms for tests: the compiler's IR builder (compiler/ir/builder.ts: types from the type rules,
// marks from the mark rule) without sharing, so that every call appends a node and returns its id. Also small tensor
// conveniences for the reference-evaluator tests.
import { expect } from "vitest";
import { tensor, type Tensor } from "../../runtime/library/tensor.ts";
import type {
  BinaryOpName,
  DimInfo,
  DType,
  IRInput,
  IRNode,
  IRProgram,
  IRResult,
  IRState,
  IRType,
  Op,
  ReduceOpName,
  ResultKind,
  ScanOpName,
  SegmentOpName,
  UnaryOpName,
} from "../../compiler/ir/ir.ts";
import { NodeBuilder } from "../../compiler/ir/builder.ts";
import { canonical } from "../../compiler/ir/rules.ts";

export class IRBuilder {
  readonly dims: DimInfo[];
  readonly inputs: IRInput[] = [];
  readonly results: IRResult[] = [];
  readonly states: IRState[] = [];
  private readonly b: NodeBuilder;

  /** dims: names or full DimInfo, in canonical order. */
  constructor(
    dims: (string | DimInfo)[],
    readonly pipeline = "test",
  ) {
    this.dims = dims.map((d) => (typeof d === "string" ? { name: d } : d));
    this.b = new NodeBuilder({ dims: this.dims, inputs: this.inputs, marks: [] }, { share: false });
  }

  get nodes(): IRNode[] {
    return this.b.nodes;
  }

  /** Sorts dim names into canonical order (deduplicated). */
  canon(...lists: string[][]): string[] {
    return canonical(
      this.dims.map((d) => d.name),
      ...lists,
    );
  }

  dimsOf(id: number): string[] {
    return this.b.dims(id);
  }
  dtypeOf(id: number): DType {
    return this.b.type(id).dtype;
  }

  /**
   * Appends op(args) with the type its rule gives. `dtype` and `dims` (in any order): a source's type, or for any
   * other op the type the test expects the rule to give (a mismatch throws).
   */
  node(op: Op, args: number[], dtype?: DType, dims: string[] = []): number {
    const declared = dtype === undefined ? undefined : { dtype, dims: this.canon(dims) };
    const id = this.b.emit(op, args, declared ? { declared } : {});
    const t = this.b.type(id);
    if (declared && (t.dtype !== declared.dtype || t.dims.join() !== declared.dims.join())) {
      const show = (x: IRType): string => `${x.dtype}[${x.dims.join(", ")}]`;
      throw new Error(`test program: ${op.op} is ${show(t)} by its type rule, not ${show(declared)}`);
    }
    return id;
  }

  /** Appends a node the type rules reject as it is (no marks): for tests of how a backend refuses such a program. */
  unchecked(op: Op, args: number[], dtype: DType, dims: string[]): number {
    const id = this.nodes.length;
    this.nodes.push({ id, op, args, type: { dtype, dims: this.canon(dims) }, grad: [] });
    return id;
  }

  input(name: string, dtype: DType, dims: string[], opts: { mark?: string; default?: number } = {}): number {
    const type: IRType = { dtype, dims: this.canon(dims) };
    const id = this.b.emit({ op: "input", name }, [], { declared: type, marks: opts.mark ? [opts.mark] : [] });
    this.inputs.push({ name, node: id, type, ...opts });
    return id;
  }
  param(name: string, value: number): number {
    return this.node({ op: "param", name, value }, [], "f32");
  }
  const(value: number, dims: string[] = [], dtype: DType = "f32"): number {
    return this.node({ op: "const", value }, [], dtype, dims);
  }
  index(dim: string): number {
    return this.node({ op: "index", dim }, [], "i32", [dim]);
  }
  size(dim: string): number {
    return this.node({ op: "size", dim }, []);
  }
  unary(fn: UnaryOpName, x: number): number {
    return this.node({ op: "unary", fn }, [x]);
  }
  binary(fn: BinaryOpName, a: number, b: number): number {
    return this.node({ op: "binary", fn }, [a, b]);
  }
  add(a: number, b: number): number {
    return this.binary("add", a, b);
  }
  sub(a: number, b: number): number {
    return this.binary("sub", a, b);
  }
  mul(a: number, b: number): number {
    return this.binary("mul", a, b);
  }
  div(a: number, b: number): number {
    return this.binary("div", a, b);
  }
  cast(to: DType, x: number): number {
    return this.node({ op: "cast", to }, [x]);
  }
  where(c: number, a: number, b: number): number {
    return this.node({ op: "where" }, [c, a, b]);
  }
  clamp(x: number, lo: number, hi: number): number {
    return this.node({ op: "clamp" }, [x, lo, hi]);
  }
  safeDiv(a: number, b: number, ok: number, fill: number): number {
    return this.node({ op: "safe_div" }, [a, b, ok, fill]);
  }
  detach(x: number): number {
    return this.node({ op: "detach" }, [x]);
  }
  reduce(fn: ReduceOpName, x: number, over: string[], opts: { where?: number; empty?: number } = {}): number {
    const args = opts.where === undefined ? [x] : [x, opts.where];
    return this.node({ op: "reduce", fn, over, hasWhere: opts.where !== undefined, empty: opts.empty ?? 0 }, args);
  }
  scan(fn: ScanOpName, x: number, along: string, reverse = false): number {
    return this.node({ op: "scan", fn, along, reverse }, [x]);
  }
  linrec(a: number, b: number, along: string, reverse = false, init?: number): number {
    const args = init === undefined ? [a, b] : [a, b, init];
    return this.node({ op: "linrec", along, reverse, hasInit: init !== undefined }, args);
  }
  shift(x: number, fill: number, along: string, by: number): number {
    return this.node({ op: "shift", along, by }, [x, fill]);
  }
  segment(fn: SegmentOpName, x: number, key: number, over: string[], where?: number): number {
    const args = where === undefined ? [x, key] : [x, key, where];
    return this.node({ op: "segment", fn, over, hasWhere: where !== undefined }, args);
  }
  topk(x: number, k: number, over: string[], largest = true, where?: number): number {
    const args = where === undefined ? [x, k] : [x, k, where];
    return this.node({ op: "topk_mask", over, hasWhere: where !== undefined, largest }, args);
  }
  uniform(seed: number, step: number, dims: string[]): number {
    return this.node({ op: "uniform", seed }, [step], "f32", dims);
  }
  take(x: number, idx: number, fill: number, along: string): number {
    return this.node({ op: "take", along }, [x, idx, fill]);
  }
  put(x: number, at: number, into: string, over: string): number {
    return this.node({ op: "put", into, over }, [x, at]);
  }
  logSoftmax(x: number, over: string): number {
    return this.node({ op: "log_softmax", over }, [x]);
  }
  select(x: number, dim: string, position: number): number {
    return this.node({ op: "select", dim, position }, [x]);
  }
  stack(dim: string, parts: number[]): number {
    return this.node({ op: "stack", dim }, parts);
  }
  rename(x: number, from: string, to: string): number {
    return this.node({ op: "rename", from, to }, [x]);
  }
  tableGet(table: string, key: number, def: number): number {
    return this.node({ op: "table_get", table, default: def }, [key]);
  }
  tableRead(table: string, def: number): number {
    return this.node({ op: "table_read", table, default: def }, [], "f32");
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
      pipeline: this.pipeline,
      dims: this.dims,
      inputs: this.inputs,
      params: [],
      nodes: this.nodes,
      results: this.results,
      states: this.states,
      requires: [],
      marks,
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
