// What an expression elaborates to: a typed tensor (with its IR node), or one of the static things a
// program can name (a dim, a list of dims, an enum label, a string, a model, a state table).
import type { Span } from "../../grammar/ast.ts";
import type { DType } from "../ir/ir.ts";

export interface TensorType {
  dtype: DType;
  /** Canonical order (see DimOrder). */
  dims: string[];
  /** `i32<D>`: values address positions of D. */
  indexOf?: string;
  /** Differentiable marks this value depends on; empty means const. */
  grad: string[];
}

/** Provenance flags used by lints; they never change semantics. */
export interface Flags {
  /** Directly the result of count/std/sum of a mask (a raw `/` by it risks 0/0). */
  countLike?: Span;
  /** Directly the result of std(...) (dividing by it without an eps risks inf). */
  stdLike?: Span;
  /** Contains a k1 KL estimate (a poor loss term). */
  k1?: Span;
  /** Aggregated with a length-biased mode (seq_mean_token_mean). */
  lengthBiased?: Span;
  /** Already multiplied by / selected with a mask (a plain reduction of it does not mix in padding). */
  maskApplied?: boolean;
  /** f32(mask): a mask used as 0/1. */
  fromMask?: boolean;
}

export interface TensorValue {
  kind: "tensor";
  type: TensorType;
  node: number;
  /** Known at compile time (params, literals, static sizes, folds of those): scalars only. */
  static?: number;
  /**
   * Computed from params: its `static` value serves compile-time decisions (if/match/require, sizes), but it is
   * emitted as real operations on the param nodes, so a param overridden at run time changes every use alike.
   */
  fromParam?: boolean;
  /** A literal written in the source: adapts its dtype to the other operand. */
  literal?: "int" | "float";
  flags: Flags;
  /** For grad diagnostics: where a differentiable mark entered this value. */
  gradOrigin?: Span;
}

export type Value =
  | TensorValue
  | { kind: "dim"; name: string }
  | { kind: "dims"; names: string[] | "all" }
  | { kind: "label"; name: string; enumName?: string }
  | { kind: "string"; value: string }
  | { kind: "model"; name: string }
  | { kind: "table"; name: string; keyed: boolean; default: number }
  | { kind: "record"; name: string } // a rollout's record (compiler/elaborate/rollout.ts)
  | { kind: "error" };

export const ERROR: Value = { kind: "error" };

export function isTensor(v: Value): v is TensorValue {
  return v.kind === "tensor";
}

export function describeType(t: { dtype: DType; dims: string[]; indexOf?: string }): string {
  const dt = t.indexOf ? `i32<${t.indexOf}>` : t.dtype;
  return `${dt}[${t.dims.join(",")}]`;
}

export function describeValue(v: Value): string {
  switch (v.kind) {
    case "tensor":
      return describeType(v.type);
    case "dim":
      return `the dim ${v.name}`;
    case "dims":
      return v.names === "all" ? "all dims (...)" : `the dims [${v.names.join(", ")}]`;
    case "label":
      return `the label '${v.name}'`;
    case "string":
      return "a string";
    case "model":
      return `the model '${v.name}'`;
    case "table":
      return `the state '${v.name}'`;
    case "record":
      return `the rollout record '${v.name}' (use a field: ${v.name}.logp, ${v.name}.mask, ...)`;
    case "error":
      return "an erroneous value";
  }
}

/** The canonical order of dims: the pipeline's `dims` declaration order; others (node-local) after, by first use. */
export class DimOrder {
  private readonly rank = new Map<string, number>();
  constructor(initial: string[] = []) {
    for (const d of initial) this.add(d);
  }
  add(dim: string): void {
    if (!this.rank.has(dim)) this.rank.set(dim, this.rank.size);
  }
  has(dim: string): boolean {
    return this.rank.has(dim);
  }
  sort(dims: Iterable<string>): string[] {
    const uniq = [...new Set(dims)];
    for (const d of uniq) this.add(d);
    return uniq.sort((a, b) => (this.rank.get(a) ?? 0) - (this.rank.get(b) ?? 0));
  }
  union(...lists: string[][]): string[] {
    return this.sort(lists.flat());
  }
  all(): string[] {
    return [...this.rank.keys()];
  }
}
