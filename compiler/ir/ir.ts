// The IR: an SSA graph of a small set of primitives over tensors with named dims.
// The elaborator (compiler/elaborate) produces it from checked source; the reference evaluator runs it
// (runtime/backends/reference); later stages (autodiff, fusion, backends) transform it. Pure data.
import type { Span } from "../../grammar/ast.ts";

export type DType = "f32" | "i32" | "bool" | "id";

export interface IRType {
  dtype: DType;
  /** Dims in canonical order (the order of the program's dim table). `[]` is a scalar. */
  dims: string[];
  /** For `i32<D>` index tensors: the dim whose positions the values address. */
  indexOf?: string;
}

// The function names of each family are the keys of its table in the op registry (compiler/ir/functions.ts).
import type { BinaryOpName, ReduceOpName, ScanOpName, SegmentOpName, SelectScanName, UnaryOpName } from "./functions.ts";
export type { BinaryOpName, ReduceOpName, ScanOpName, SegmentOpName, SelectScanName, UnaryOpName } from "./functions.ts";

/** One primitive application. `args` are ids of earlier nodes; attributes are static. */
export type Op =
  | { op: "input"; name: string }
  | { op: "param"; name: string; value: number } // a scalar hyper-parameter (static value recorded; backends may pass it at run time)
  | { op: "const"; value: number } // a literal broadcast to `type.dims` (usually a scalar)
  | { op: "index"; dim: string } // 0..|dim|-1 along dim
  | { op: "size"; dim: string } // |dim| as a scalar
  | { op: "unary"; fn: UnaryOpName }
  | { op: "binary"; fn: BinaryOpName }
  | { op: "cast"; to: DType; indexOf?: string } // f32(b), i32(x) (truncates toward zero), bool(x) (x != 0); as_index(x, D): i32<D>
  | { op: "where" } // args: cond, a, b — a true select, forward and backward
  | { op: "clamp" } // args: x, lo, hi — derivative 1 strictly inside (lo, hi), 0 at and beyond the bounds
  | { op: "safe_div" } // args: a, b, ok, fill — a/b where ok, fill elsewhere; the unselected quotient is never formed
  | { op: "detach" }
  | { op: "reduce"; fn: ReduceOpName; over: string[]; hasWhere: boolean; empty: number } // args: x [, where]
  | { op: "scan"; fn: ScanOpName; along: string; reverse: boolean } // args: x
  | { op: "linrec"; along: string; reverse: boolean; hasInit: boolean } // args: a, b [, init]; y_t = b_t + a_t * y_(t-1) (t+1 if reverse)
  | { op: "shift"; along: string; by: number } // args: x, fill; y_t = x_(t-by), fill outside
  | { op: "segment"; fn: SegmentOpName; over: string[]; hasWhere: boolean } // args: x, key [, where]; statistic broadcast back
  | { op: "topk_mask"; over: string[]; hasWhere: boolean; largest: boolean } // args: x, k [, where]; ties broken by canonical index
  | { op: "uniform"; seed: number } // args: step; counter-based hash of (seed, step, canonical element index)
  | { op: "take"; along: string } // args: x, idx, fill; idx: i32<along>; -1 or out of range gives fill
  | { op: "put"; into: string; over: string } // args: x, at (i32<into>, with x's dims); sums x over `over` into positions of `into`
  | { op: "log_softmax"; over: string } // args: x
  | { op: "select"; dim: string; position: number } // x[Y=w] or x[T=0]: drops dim
  | { op: "stack"; dim: string } // Y{w: a, l: b}: args in label order
  | { op: "rename"; from: string; to: string } // x[G as G2]
  // Gradient-side primitives (produced by compiler/autodiff; ordinary primitives otherwise):
  | { op: "argfirst"; over: string[]; hasKey: boolean; hasWhere: boolean } // args: x, y [, key] [, where]: true at the first selected position (canonical order) of each slice of the non-`over` dims (and key segment) where x == y
  | { op: "scan_grad"; fn: SelectScanName; along: string; reverse: boolean } // args: x, g: the gradient of cummax/cummin w.r.t. x (each g_s goes to the position whose value y_s is)
  | { op: "embed"; dim: string; position: number } // args: g: g at `position` along `dim` (added), 0 elsewhere; the adjoint of select
  | { op: "custom"; call: CustomCall; output: number } // args: the call's tensor arguments; result `output` of a TS node
  | { op: "custom_vjp"; call: CustomCall; output: number; wrt: number } // args: the tensor arguments, then g (the cotangent of result `output`); the gradient w.r.t. tensor argument `wrt`
  | { op: "table_get"; table: string; default: number } // args: key
  | { op: "table_read"; table: string; default: number }; // an unkeyed state scalar

export type OpName = Op["op"];

/**
 * A call of a custom node written in TypeScript (runtime/library/plugin/api.ts): everything the host needs to present the
 * arguments to the plugin's forward/gradient in its declared layout and to read its results back. Pure data.
 */
export interface CustomCall {
  /** The plugin module (an absolute path) and the export that defines the node. */
  plugin: string;
  node: string;
  /** Forward's parameters in order: what each receives. */
  argv: CustomArg[];
  /** The dims `"..."` stands for at this call, in canonical order (the union of the row dims of the arguments). */
  rows: string[];
  /** Each result's layout. */
  results: CustomLayout[];
  /** False for a node declared `differentiable: false` (its results are const). */
  differentiable: boolean;
}

/** How one tensor is laid out for the plugin: the row dims first (when `rows`), then `dims` in declared order. */
export interface CustomLayout {
  dtype: DType;
  rows: boolean;
  dims: string[];
}

export type CustomArg =
  /** `index`: position among the node's IR args; `grad`: a differentiable parameter (f32 and not "const"). */
  | { kind: "tensor"; name: string; index: number; layout: CustomLayout; grad: boolean }
  | { kind: "dim"; name: string; dim: string }
  | { kind: "static"; name: string; value: number | boolean | string };

export interface IRNode {
  id: number;
  op: Op;
  args: number[];
  type: IRType;
  /** Where in the source the value was written (for run-time errors and dumps). */
  span?: Span;
  /**
   * For a value made while inlining a node call: the outermost call in the pipeline body that made it (the called
   * node's name and the call expression's span). `span` then points inside the node's body. Absent for values the
   * pipeline body computes itself. Used to show the user's view of the graph (`rlp graph`).
   */
  site?: CallSite;
  /** The differentiable marks (`policy`, `critic`, declared models) this value depends on. Empty: const. */
  grad: string[];
}

/** A call of a node (std or user) written in a pipeline body. */
export interface CallSite {
  node: string;
  span: Span;
}

export interface DimInfo {
  name: string;
  /** Static size for labelled or sized dims; otherwise bound from inputs at run time. */
  size?: number;
  labels?: string[];
  /** `dims G2 = G`: the same size as G, a distinct dim. */
  aliasOf?: string;
}

export interface IRInput {
  name: string;
  node: number;
  type: IRType;
  mark?: string;
  /** A default value broadcast to the declared dims when the input is not supplied. */
  default?: number;
  span?: Span;
}

export type ResultKind =
  "rollout" | "reward" | "advantage" | "loss" | "metric" | "output" | "update" | "grad" | "filter" | "once";

export interface IRResult {
  name: string;
  kind: ResultKind;
  node: number;
  /** For `loss L for M`. */
  forModel?: string;
  /** For updates of keyed state: the key node. */
  key?: number;
  /** For kind "grad" (named `dL/dx`): the loss result and the input it differentiates. */
  of?: string;
  wrt?: string;
  span?: Span;
}

export interface IRState {
  name: string;
  keyed: boolean;
  init: number;
}

export interface IRRequire {
  cond: number;
  message: string;
  span?: Span;
}

export interface IRProgram {
  pipeline: string;
  /** The canonical dim order of every value in the program. */
  dims: DimInfo[];
  inputs: IRInput[];
  params: { name: string; value: number | string | boolean; static: boolean }[];
  nodes: IRNode[];
  results: IRResult[];
  states: IRState[];
  /** Run-time checks from `require` whose condition depends on data. */
  requires: IRRequire[];
  /** Differentiable marks declared by the pipeline (`policy`, `critic`, models). */
  marks: string[];
  /** Rollout stages (`rollout r = sample(...)`): data made on the host by the trainer (compiler/elaborate/rollout.ts). */
  rollouts?: IRRollout[];
  /** `filter P by keep`: the prompts a training step keeps (compiler/elaborate/filter.ts). */
  filter?: IRFilter;
  /** `optimize M with adam(lr=1e-3, ...)`: the optimizer the trainer uses for each model (static options). */
  optimizers?: IROptimizer[];
  /** Derived models (`model avg = ema(policy, decay=0.99)`): kept by the trainer (compiler/elaborate/models.ts). */
  models?: IRModel[];
}

/**
 * A derived model: not trained, kept by the trainer from a trained model's weights. `frozen`: the starting weights;
 * `ema`: an exponential moving average (options.decay), updated after every optimizer step; `snapshot`: a copy taken
 * every options.every steps (and at step 0). `average` and `external` are declared but not made by rlp train yet.
 */
export interface IRModel {
  name: string;
  kind: "frozen" | "ema" | "snapshot" | "average" | "external";
  /** The model it derives from (`policy`), when it derives from one. */
  base?: string;
  /** Static options: `decay` (ema), `every` (snapshot). */
  options: Record<string, number>;
  span?: Span;
}

/** DAPO's dynamic sampling: the trainer refills the rollout with prompts whose `keep` (a bool[dim] result) holds. */
export interface IRFilter {
  /** The prompts dim of the rollout. */
  dim: string;
  /** The result (kind "filter") that holds keep. */
  result: string;
  /** The most batches sampled for one step. */
  maxRounds: number;
  rollout: string;
  span?: Span;
}

export interface IROptimizer {
  models: string[];
  /** The optimizer's name as written (`adam`). */
  name: string;
  /** Its keyword arguments, all static numbers. */
  options: Record<string, number>;
  span?: Span;
}

/**
 * A rollout stage: a record the trainer makes on the host (sampling, scoring). Each field the pipeline reads is an
 * input of the program named `NAME.FIELD` (`r.logp`), so the compiled part takes the rollout's tensors as inputs.
 */
export interface IRRollout {
  name: string;
  /** `sample(...)`: responses sampled from the model; `demonstrations(...)`: the task's reference answers. */
  source: "sample" | "demonstrations";
  /** The model sampled from (and whose log-probs `logp`/`logits` are differentiable). */
  model: string;
  /** Role -> dim name: `prompts`, `group`, `tokens`, `vocab` (sample); `batch`, `tokens`, `vocab` (demonstrations). */
  dims: Record<string, string>;
  /** Static options: `group`, `max_tokens`, `temperature` (sample); `batch`, `max_tokens` (demonstrations). */
  options: Record<string, number>;
  /** Field -> the input that carries it, for the fields the pipeline reads (`logp` -> `r.logp`; `score` for task.score(r)). */
  fields: Record<string, string>;
  /** A second rollout (`prompts=r`): the rollout whose prompts it samples on (compiler/elaborate/second_rollout.ts). */
  prompts?: string;
  span?: Span;
}

/** An input gradients are taken for: marked with a trained model (a frozen model's outputs are const). */
export function isDifferentiable(program: IRProgram, input: IRInput): boolean {
  return input.mark !== undefined && input.type.dtype === "f32" && program.marks.includes(input.mark);
}
