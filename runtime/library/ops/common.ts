// Shared pieces of the reference evaluator: the run-time error type and what every op implementation receives.
import type { IRNode, IRProgram, Op } from "../../../compiler/ir/ir.ts";
import type { DiagnosticCode } from "../../../grammar/diagnostic_codes.ts";
import { broadcastStrides, shapeSize, Walker, type Tensor } from "../tensor.ts";

/**
 * The evaluator's own failure kinds:
 *   dim-conflict   two inputs (or an input and the declaration) give one dim different sizes
 *   missing-input  an input without `default` was not supplied
 *   input-dims     a supplied tensor's dims are not (a permutation of) the declared ones, or its data has the wrong length
 *   unbound-dim    a dim used by the program has no size (no static size, no input binds it)
 *   bad-node       a malformed node (an argument not yet evaluated, an unknown op, inconsistent attributes)
 *   state          a state value of the wrong kind or an update that cannot be applied
 *   require        a `require` condition was false at run time
 */
export type EvalErrorKind = "dim-conflict" | "missing-input" | "input-dims" | "unbound-dim" | "bad-node" | "state" | "require";

/** Stable: an EvalErrorKind, or a registered code (grammar/diagnostic_codes.ts) when a custom node fails (RLP520-RLP524). */
export type EvalErrorCode = EvalErrorKind | DiagnosticCode;

/** A run-time error of the reference evaluator (and of the other backends, which share it). */
export class EvalError extends Error {
  readonly code: EvalErrorCode;
  constructor(code: EvalErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = "EvalError";
  }
}

/** Narrows the op union by its tag. */
export type OpOf<K extends Op["op"]> = Extract<Op, { op: K }>;

/** What an op implementation receives: its node, the evaluated arguments and the sizes to produce. */
export interface NodeCtx {
  program: IRProgram;
  node: IRNode;
  args: Tensor[];
  dimSizes: Record<string, number>;
  /** node.type.dims */
  dims: string[];
  /** Sizes of node.type.dims. */
  shape: number[];
}

export function nodeError(node: IRNode, message: string): EvalError {
  return new EvalError("bad-node", `node %${node.id} (${node.op.op}): ${message}`);
}

/** A result tensor of the node's type. */
export function result(ctx: NodeCtx, data: Float64Array): Tensor {
  return { dtype: ctx.node.type.dtype, dims: [...ctx.dims], shape: [...ctx.shape], data };
}

/** Sizes of `dims` from the bound sizes. */
export function shapeFor(dims: readonly string[], dimSizes: Record<string, number>): number[] {
  return dims.map((d) => {
    const s = dimSizes[d];
    if (s === undefined) throw new EvalError("unbound-dim", `dim ${d} has no size (no input binds it and it has no static size)`);
    return s;
  });
}

/**
 * Elementwise over k operands broadcast by name to (dims, shape): out[i] = fn(values at i).
 * `fn` receives a reusable array of operand values (do not keep it).
 */
export function mapN(
  dims: readonly string[],
  shape: readonly number[],
  args: readonly Tensor[],
  fn: (v: Float64Array) => number,
): Float64Array {
  const n = shapeSize(shape);
  const out = new Float64Array(n);
  const w = new Walker(
    shape,
    args.map((a) => broadcastStrides(dims, a.dims, a.shape)),
  );
  const v = new Float64Array(args.length);
  const k = args.length;
  for (let i = 0; i < n; i++, w.next()) {
    for (let j = 0; j < k; j++) v[j] = args[j]!.data[w.off[j]!]!;
    out[i] = fn(v);
  }
  return out;
}

/** The position of `dim` in `dims` (throws a bad-node error when absent). */
export function axisOf(node: IRNode, dims: readonly string[], dim: string): number {
  const ax = dims.indexOf(dim);
  if (ax < 0) throw nodeError(node, `dim ${dim} is not among [${dims.join(", ")}]`);
  return ax;
}
