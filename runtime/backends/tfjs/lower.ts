// The tfjs backend: evaluates an IRProgram op by op with tfjs ops, float32 on the device (i32/id as int32, bool as
// bool). Semantics are the reference evaluator's (runtime/backends/reference): every value has its node's canonical dims,
// operands broadcast BY NAME, masks are true selects, empty reductions give 0 / `empty`.
//
// Host-side steps (exact, the reference's own code where possible): topk_mask, uniform (the 32-bit hash), segment
// grouping, argfirst with a key, scan_grad, tables, custom TypeScript nodes (custom.ts: loadPlugins first). Known
// forward differences from the float64 reference, besides float32 rounding: i32 arithmetic wraps at 2^31; on wasm,
// maximum/minimum may drop a NaN operand and log1p/sigmoid lose relative precision for tiny results (absolute error
// < 1e-9).
//
// Differentiation: non-differentiable values (non-f32 results, detach, index, size, uniform, topk_mask, tables,
// consts, params) and the masks built inside lowerings are made off tfjs' gradient tape (`untaped`), so tf.grads
// sees them as constants — that is how `detach` stops gradients (tfjs has no stop_gradient), and why comparisons,
// which have no registered gradient, never end up on a differentiated path.
import type { IRNode, IRProgram } from "../../../compiler/ir/ir.ts";
import { EvalError } from "../../library/ops/common.ts";
import type { StateValue } from "../../library/ops/state.ts";
import { applyUpdates } from "../../library/ops/state.ts";
import type { Tensor } from "../../library/tensor.ts";
import { customGradArgs, lowerCustom, lowerCustomVjp } from "./custom.ts";
import {
  lowerBinary,
  lowerCast,
  lowerClamp,
  lowerConst,
  lowerDetach,
  lowerIndex,
  lowerSafeDiv,
  lowerSize,
  lowerUnary,
  lowerWhere,
} from "./elementwise.ts";
import { disposeFeeds, readBack, uploadInputs, type TfFeeds } from "./feeds.ts";
import { shapeOf, tfDtype } from "./layout.ts";
import { lowerArgfirst, lowerReduce, lowerSegment, lowerTopkMask } from "./reduce.ts";
import { lowerLinrec, lowerScan, lowerScanGrad, lowerShift } from "./scan.ts";
import {
  lowerEmbed,
  lowerLogSoftmax,
  lowerPut,
  lowerRename,
  lowerSelect,
  lowerStack,
  lowerTableGet,
  lowerTableRead,
  lowerTake,
  lowerUniform,
} from "./select.ts";
import type { LowerCtx, TF, TfTensor, Val } from "./types.ts";
import { OPS } from "../../../compiler/ir/ops.ts";

export { uploadInputs, disposeFeeds, type TfFeeds } from "./feeds.ts";

export interface RunTfjsOptions {
  /** Storage and compute precision on the device (only float32). */
  dtype?: "float32";
  /** State before this step (as for the reference evaluator). */
  state?: Record<string, StateValue>;
  /** Check data-dependent `require` conditions (default true). */
  checkRequires?: boolean;
}

export interface TfjsRunResult {
  /** Every result, read back to float64 host tensors. */
  results: Record<string, Tensor>;
  dimSizes: Record<string, number>;
  /** The state after the step's writes (see runtime/library/ops/state.ts). */
  stateUpdates: Record<string, StateValue>;
}

/** The arg positions through which gradient reaches a node's value ([] for a node that carries none). */
export function gradArgPositions(node: IRNode): number[] {
  if (node.type.dtype !== "f32" || !OPS[node.op.op].carriesGradient) return [];
  return node.op.op === "custom" ? customGradArgs(node.op.call) : node.args.map((_, i) => i);
}

export interface EvalTfjsOptions {
  state?: Record<string, StateValue>;
  /** Device tensors used instead of the feeds for these inputs (the differentiated ones). */
  override?: Record<string, TfTensor>;
  /** Evaluate only what these nodes need (default: every node). */
  targets?: number[];
}

/** The nodes `targets` depend on (all nodes when targets is undefined). */
export function neededNodes(program: IRProgram, targets?: number[]): boolean[] {
  const need = program.nodes.map(() => targets === undefined);
  if (targets === undefined) return need;
  for (const t of targets) need[t] = true;
  for (let k = program.nodes.length - 1; k >= 0; k--) if (need[k]) for (const a of program.nodes[k]!.args) need[a] = true;
  return need;
}

/**
 * Runs `fn` so that tfjs records none of its ops on the gradient tape (a no-op when no tape is active). tfjs has no
 * public switch for this; it does what tfjs does inside a kernel: raise the engine's kernelDepth (engine().state,
 * a typed public field), which makes isTapeOn() false.
 */
export function untapedIn(tf: TF): <T>(fn: () => T) => T {
  const state = tf.engine().state;
  return <T>(fn: () => T): T => {
    if (state.gradientDepth === 0) return fn();
    state.kernelDepth++;
    try {
      return fn();
    } finally {
      state.kernelDepth--;
    }
  };
}

/** Evaluates the program on device feeds; returns each evaluated node's tensor by node id (call inside tf.tidy). */
export function evalTfjs(tf: TF, program: IRProgram, feeds: TfFeeds, options: EvalTfjsOptions = {}): (TfTensor | undefined)[] {
  const need = neededNodes(program, options.targets);
  const untaped = untapedIn(tf);
  const values: (TfTensor | undefined)[] = [];
  for (const node of program.nodes) {
    if (!need[node.id]) continue;
    const args: Val[] = node.args.map((a) => {
      const t = values[a];
      if (t === undefined)
        throw new EvalError("bad-node", `node %${node.id} (${node.op.op}): argument %${a} is not evaluated before it`);
      return { t, dims: program.nodes[a]!.type.dims };
    });
    const dims = node.type.dims;
    const ctx: LowerCtx = {
      tf,
      program,
      node,
      args,
      dimSizes: feeds.dimSizes,
      dims,
      shape: [],
      untaped,
      state: options.state ?? {},
      ids: feeds.ids,
    };
    ctx.shape = shapeOf(ctx, dims);
    const noGrad =
      node.type.dtype !== "f32" ||
      !OPS[node.op.op].carriesGradient ||
      (node.op.op === "custom" && customGradArgs(node.op.call).length === 0);
    const t = noGrad ? untaped(() => lowerNode(ctx, feeds, options.override)) : lowerNode(ctx, feeds, options.override);
    if (t.dtype !== tfDtype(node.type.dtype) || t.rank !== ctx.shape.length || t.shape.some((s, i) => s !== ctx.shape[i])) {
      throw new EvalError(
        "bad-node",
        `tfjs: node %${node.id} (${node.op.op}) made ${t.dtype}[${t.shape.join(", ")}], expected ${tfDtype(node.type.dtype)}[${ctx.shape.join(", ")}] for [${dims.join(", ")}]`,
      );
    }
    values[node.id] = t;
  }
  return values;
}

function lowerInput(ctx: LowerCtx, name: string, feeds: TfFeeds, override?: Record<string, TfTensor>): TfTensor {
  const t = override?.[name] ?? feeds.tensors[name];
  if (t !== undefined) return t;
  const decl = ctx.program.inputs.find((i) => i.name === name);
  if (decl?.default === undefined) throw new EvalError("missing-input", `input ${name} was not supplied and has no default`);
  return lowerConst(ctx, { op: "const", value: decl.default });
}

function lowerNode(ctx: LowerCtx, feeds: TfFeeds, override?: Record<string, TfTensor>): TfTensor {
  const op = ctx.node.op;
  switch (op.op) {
    case "input":
      return lowerInput(ctx, op.name, feeds, override);
    case "param":
      return lowerConst(ctx, op);
    case "const":
      return lowerConst(ctx, op);
    case "index":
      return lowerIndex(ctx, op);
    case "size":
      return lowerSize(ctx, op);
    case "unary":
      return lowerUnary(ctx, op);
    case "binary":
      return lowerBinary(ctx, op);
    case "cast":
      return lowerCast(ctx, op);
    case "where":
      return lowerWhere(ctx);
    case "clamp":
      return lowerClamp(ctx);
    case "safe_div":
      return lowerSafeDiv(ctx);
    case "detach":
      return lowerDetach(ctx);
    case "reduce":
      return lowerReduce(ctx, op);
    case "scan":
      return lowerScan(ctx, op);
    case "linrec":
      return lowerLinrec(ctx, op);
    case "shift":
      return lowerShift(ctx, op);
    case "segment":
      return lowerSegment(ctx, op);
    case "topk_mask":
      return lowerTopkMask(ctx, op);
    case "uniform":
      return lowerUniform(ctx, op);
    case "take":
      return lowerTake(ctx, op);
    case "put":
      return lowerPut(ctx, op);
    case "log_softmax":
      return lowerLogSoftmax(ctx, op);
    case "select":
      return lowerSelect(ctx, op);
    case "stack":
      return lowerStack(ctx, op);
    case "rename":
      return lowerRename(ctx, op);
    case "argfirst":
      return lowerArgfirst(ctx, op);
    case "scan_grad":
      return lowerScanGrad(ctx, op);
    case "embed":
      return lowerEmbed(ctx, op);
    case "table_get":
      return lowerTableGet(ctx, op);
    case "table_read":
      return lowerTableRead(ctx, op);
    case "custom":
      return lowerCustom(ctx, op);
    case "custom_vjp":
      return lowerCustomVjp(ctx, op);
    default: {
      const never: never = op;
      throw new EvalError("bad-node", `tfjs: node %${ctx.node.id}: unknown op ${(never as { op: string }).op}`);
    }
  }
}

/** The nodes runTfjs must evaluate: results, update keys and (when checked) require conditions. */
function resultTargets(program: IRProgram, checkRequires: boolean): number[] {
  const t = program.results.flatMap((r) => (r.key === undefined ? [r.node] : [r.node, r.key]));
  if (checkRequires) t.push(...program.requires.map((r) => r.cond));
  return t;
}

/** Evaluates `program` on tfjs (the active backend of `tf`) and reads every result back as a float64 Tensor. */
export function runTfjs(tf: TF, program: IRProgram, inputs: Record<string, Tensor>, options: RunTfjsOptions = {}): TfjsRunResult {
  if (options.dtype !== undefined && options.dtype !== "float32")
    throw new Error(`runTfjs: dtype ${String(options.dtype)} is not supported (float32 only)`);
  const checkRequires = options.checkRequires ?? true;
  const state = options.state ?? {};
  const feeds = uploadInputs(tf, program, inputs);
  try {
    const host: Tensor[] = [];
    tf.tidy(() => {
      const values = evalTfjs(tf, program, feeds, { state, targets: resultTargets(program, checkRequires) });
      const read = (id: number): Tensor => {
        const node = program.nodes[id]!;
        return (host[id] ??= readBack(values[id]!, node.type.dtype, node.type.dims, feeds.ids));
      };
      if (checkRequires) {
        for (const req of program.requires) {
          if (read(req.cond).data.some((v) => v === 0)) throw new EvalError("require", `require failed: ${req.message}`);
        }
      }
      for (const r of program.results) {
        read(r.node);
        if (r.key !== undefined) read(r.key);
      }
    });
    const results: Record<string, Tensor> = {};
    for (const r of program.results) results[r.name] = host[r.node]!;
    return { results, dimSizes: { ...feeds.dimSizes }, stateUpdates: applyUpdates(program, host, state) };
  } finally {
    disposeFeeds(feeds);
  }
}
