// The API for custom nodes written in TypeScript (`import "./my_nodes.ts"` in a .rlp file), exported as
// `rlpc/plugin`. A plugin module exports node definitions made with `defineNode`. The compiler reads each node's
// signature straight from the TypeScript types of its `forward` function (with ts-morph, without running the module):
//
//   export const softclip = defineNode({
//     doc: "limit · tanh(x / limit), elementwise",
//     params: { limit: { type: "number", default: 5, exclusiveMinimum: 0 } },   // JSON Schema, validated with ajv
//     forward(x: Tensor<"f32", ["..."]>, limit: number): Result<"f32", ["..."]> {
//       return x.data.map((v) => limit * Math.tanh(v / limit));
//     },
//     gradient(dy: Tensor<"f32", ["..."]>, x: Tensor<"f32", ["..."]>, limit: number) {
//       return { x: x.data.map((v, i) => dy.data[i]! * (1 - Math.tanh(v / limit) ** 2)) };
//     },
//   });
//
// Signature rules (docs/custom-nodes.md): each forward parameter is a tensor (`Tensor<dtype, dims>`), a dim
// (`Dim`), or a static scalar (`number`, `boolean`, or a union of string literals: an enum); the result is one
// `Result<dtype, dims>` or a tuple of them. Dims are string literals: `"..."` (the leading "row" dims, any number,
// shared by every argument and result that writes it), a `Dim` parameter's name, or a top-level dim of the program.
// A tensor written `Tensor<"f32", dims, "const">` never receives a gradient.

export type DTypeName = "f32" | "i32" | "bool" | "id";

/**
 * A tensor as a node's forward and gradient see it. `dims` are the actual dim names: the row dims (what `"..."`
 * stands for, in the program's canonical order) first, then the declared dims in declared order; `data` is row-major
 * float64 in that order (bool as 0/1, i32 and id as integers). An argument that lacks some of the row dims is
 * broadcast over them, so every `"..."` argument has the same `rows`.
 */
export interface Tensor<
  D extends DTypeName = DTypeName,
  Dims extends readonly string[] = readonly string[],
  G extends "grad" | "const" = "grad",
> {
  readonly dtype: D;
  readonly dims: readonly string[];
  readonly shape: readonly number[];
  /** The product of the row dims' sizes (1 when the type has no `"..."`). */
  readonly rows: number;
  /** The product of the declared (non-row) dims' sizes (1 for a scalar). */
  readonly inner: number;
  readonly data: Float64Array;
  /** Type-level only: the declared dims and gradient kind (read by the compiler). */
  readonly __declared?: [Dims, G];
}

/** A dim parameter (`over: Dim`): the dim's name in the caller's program and its size in this call. */
export interface Dim {
  readonly name: string;
  readonly size: number;
}

/**
 * What forward returns for one result: `rows × inner` values in the layout of `Tensor` (row dims first, then the
 * declared dims in declared order). Any array-like of numbers; it is checked for length and copied.
 */
export type Result<D extends DTypeName = DTypeName, Dims extends readonly string[] = readonly string[]> = ArrayLike<number> & {
  readonly __result?: [D, Dims];
};

/** A JSON Schema for one static parameter (`{ type: "number", default: 1, minimum: 0 }`); a literal in the source. */
export type ParamSchema = { readonly [key: string]: unknown };

type Forward = (...args: never[]) => Result | readonly Result[];

export interface NodeDefinition<F extends Forward = Forward> {
  /** One line shown by `rlp explain` and in diagnostics. */
  readonly doc?: string;
  /** The static parameters' schemas, by parameter name: defaults and constraints (validated with ajv at compile time). */
  readonly params?: { readonly [name: string]: ParamSchema };
  /** Computes the results from the arguments (tensors, dims, static params), in the signature's order. */
  readonly forward: F;
  /**
   * The vector-Jacobian product: receives the gradient of the loss with respect to the result (one `Tensor`, or an
   * array with one per result for a multi-result node), then forward's arguments; returns, for each differentiable
   * tensor argument (f32, not "const") by name, the gradient with respect to it in the argument's layout.
   */
  readonly gradient?: (grad: never, ...args: Parameters<F>) => { readonly [param: string]: ArrayLike<number> };
  /** `false`: the node has no gradient; its results are const (like a comparison). Required when there is no gradient. */
  readonly differentiable?: false;
  /** `true`: the node replaces the std node of the same name on purpose (like `override node` in .rlp). */
  readonly override?: true;
}

/** The brand the runtime checks on an export before calling it. */
export const NODE_BRAND = "rlp.node.v1";

export type DefinedNode<F extends Forward = Forward> = NodeDefinition<F> & { readonly brand: typeof NODE_BRAND };

/** Marks a node definition for the compiler and the runtime. Export the result under the node's name. */
export function defineNode<F extends Forward>(def: NodeDefinition<F>): DefinedNode<F> {
  return { ...def, brand: NODE_BRAND };
}
