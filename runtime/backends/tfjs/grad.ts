// Gradients on tfjs, two ways, both named `dL/dx` (L a loss result, x a differentiable input) like `rlp eval --grad`:
//  a. tfjsAutogradGradients: tfjs' own reverse mode (tf.grads) through the lowered forward ops — the op-by-op
//     baseline. It follows tfjs' gradient conventions where they differ from the reference (test/oracle/reverse_mode.ts),
//     which only matters at kinks, ties and singular points:
//       max/min reductions   every tied extreme gets the full g (reference: only the first in canonical order)
//       clamp, const bounds  tf.clipByValue passes g at x == lo and x == hi (reference: 0 at the bounds)
//       abs'(0)              -1 (reference 0)
//       maximum/minimum      a NaN first operand: g goes to the second (reference: to the NaN)
//       strong zeros         the reference's g·d is 0 whenever g = 0; in tfjs 0·inf = NaN, so a singular local
//                            derivative that receives no gradient gives NaN: where(m, log(x), 0) at x = 0 where m is
//                            false, sqrt(v) at v = 0 (the std of a zero-variance group of a differentiable value),
//                            pow(a, 0) at a = 0, a logsumexp slice whose selected values are all -inf
//     `where` and every mask are true selects (a custom op: tfjs' own Select gradient is g·mask, which turns a NaN
//     cotangent of the unselected branch into NaN), so a NaN never crosses a select from the unused branch.
//     Segment max/min/first gather x at the reference's chosen member, and cummax/cummin combine the earlier window
//     first, so those follow the reference's first-extreme rule exactly.
//  b. tfjsCustomGrad: a compiled loss that plugs into tfjs autograd. The forward evaluates the symbolic gradient
//     program (the output of compiler/autodiff's differentiate: the program plus gradient nodes and results of kind
//     "grad" with `of`/`wrt`); under a gradient tape it also evaluates the gradient nodes and saves them, and the
//     tf.customGrad gradient returns dy·dL/dx.
import { isDifferentiable, type IRProgram, type IRResult } from "../../../compiler/ir/ir.ts";
import { EvalError } from "../../library/ops/common.ts";
import type { StateValue } from "../../library/ops/state.ts";
import type { Tensor } from "../../library/tensor.ts";
import { disposeFeeds, readBack, uploadInputs, type TfFeeds } from "./feeds.ts";
import { full } from "./layout.ts";
import { evalTfjs, gradArgPositions } from "./lower.ts";
import type { TF, TfTensor } from "./types.ts";

export interface TfjsGradOptions {
  state?: Record<string, StateValue>;
  /** Only these loss results (default: every loss). */
  losses?: string[];
}

function lossResults(program: IRProgram, names?: string[]): IRResult[] {
  const losses = program.results.filter((r) => r.kind === "loss");
  if (names === undefined) return losses;
  return names.map((n) => {
    const r = losses.find((l) => l.name === n);
    if (r === undefined)
      throw new EvalError("bad-node", `no loss named ${n} (losses: ${losses.map((l) => l.name).join(", ") || "none"})`);
    return r;
  });
}

/** The differentiable inputs whose value reaches `node` through differentiable ops (as the reference decides). */
export function reachingInputs(program: IRProgram, node: number): string[] {
  const out: string[] = [];
  for (const inp of program.inputs) {
    if (!isDifferentiable(program, inp)) continue;
    const reach: boolean[] = [];
    for (const n of program.nodes) {
      reach[n.id] = n.id === inp.node || (n.op.op !== "input" && gradArgPositions(n).some((i) => reach[n.args[i]!] === true));
    }
    if (reach[node]) out.push(inp.name);
  }
  return out;
}

/**
 * The loss and its gradients on the device (op-by-op tfjs autograd), for one loss; the caller owns the returned
 * tensors (use inside tf.tidy or dispose them). `grads` has an entry for every input reaching the loss.
 */
export function tfjsLossAndGrads(
  tf: TF,
  program: IRProgram,
  feeds: TfFeeds,
  loss: string,
  state: Record<string, StateValue> = {},
): { loss: TfTensor; grads: Record<string, TfTensor> } {
  const r = lossResults(program, [loss])[0]!;
  const wrt = reachingInputs(program, r.node);
  const f = (...xs: TfTensor[]): TfTensor => {
    const override: Record<string, TfTensor> = {};
    wrt.forEach((name, i) => (override[name] = xs[i]!));
    return evalTfjs(tf, program, feeds, { state, override, targets: [r.node] })[r.node]!;
  };
  const xs = wrt.map((name) => {
    const t = feeds.tensors[name];
    if (t === undefined) throw new EvalError("missing-input", `input ${name} (differentiated) was not supplied`);
    return t;
  });
  if (wrt.length === 0) return { loss: f(), grads: {} };
  const { value, grads } = tf.valueAndGrads(f)(xs);
  const out: Record<string, TfTensor> = {};
  wrt.forEach((name, i) => (out[name] = grads[i]!));
  return { loss: value, grads: out };
}

/** `dL/dx` for every loss L and differentiable input x, by tfjs autograd (zeros where x does not reach L). */
export function tfjsAutogradGradients(
  tf: TF,
  program: IRProgram,
  inputs: Record<string, Tensor>,
  options: TfjsGradOptions = {},
): Record<string, Tensor> {
  const feeds = uploadInputs(tf, program, inputs);
  const marked = program.inputs.filter((i) => isDifferentiable(program, i));
  const out: Record<string, Tensor> = {};
  try {
    for (const loss of lossResults(program, options.losses)) {
      tf.tidy(() => {
        const { grads } = tfjsLossAndGrads(tf, program, feeds, loss.name, options.state ?? {});
        for (const x of marked) {
          const shape = x.type.dims.map((d) => feeds.dimSizes[d]!);
          const g = grads[x.name] ?? tf.zeros(shape, "float32");
          out[`d${loss.name}/d${x.name}`] = readBack(g, "f32", x.type.dims, feeds.ids);
        }
      });
    }
  } finally {
    disposeFeeds(feeds);
  }
  return out;
}

export interface CustomGradOptions {
  /** The loss result (default: the first loss of the gradient program that has grad results). */
  loss?: string;
  state?: Record<string, StateValue>;
}

/** A compiled loss: differentiable inputs as device tensors (canonical dims), the rest as host or device tensors. */
export interface TfjsCompiledLoss {
  (differentiable: Record<string, TfTensor>, others: Record<string, Tensor | TfTensor>): TfTensor;
  loss: string;
  /** The differentiable inputs, in the order of the gradient results. */
  wrt: string[];
}

function isHost(t: Tensor | TfTensor): t is Tensor {
  return (t as Tensor).data instanceof Float64Array;
}

/**
 * Wraps the loss of `gradProgram` (= differentiate(program)) in tf.customGrad: the returned function gives the loss
 * as a tf scalar whose gradient w.r.t. each differentiable tensor is dy·dL/dx from the symbolic gradient program.
 */
export function tfjsCustomGrad(
  tf: TF,
  program: IRProgram,
  gradProgram: IRProgram,
  options: CustomGradOptions = {},
): TfjsCompiledLoss {
  const gradResults = gradProgram.results.filter((r) => r.kind === "grad");
  const lossName = options.loss ?? gradResults[0]?.of ?? program.results.find((r) => r.kind === "loss")?.name;
  const loss = gradProgram.results.find((r) => r.kind === "loss" && r.name === lossName);
  if (loss === undefined || lossName === undefined)
    throw new EvalError("bad-node", `tfjsCustomGrad: the gradient program has no loss ${lossName ?? "(none)"}`);
  if (!program.results.some((r) => r.kind === "loss" && r.name === lossName))
    throw new EvalError("bad-node", `tfjsCustomGrad: the program has no loss ${lossName}`);
  if (gradProgram.nodes[loss.node]!.type.dims.length !== 0)
    throw new EvalError("bad-node", `tfjsCustomGrad: loss ${lossName} is not a scalar`);
  const grads = gradResults.filter((r) => r.of === lossName);
  const wrt = grads.map((r) => r.wrt ?? r.name.slice(r.name.indexOf("/d") + 2));
  const state = options.state ?? {};

  const call = (differentiable: Record<string, TfTensor>, others: Record<string, Tensor | TfTensor>): TfTensor => {
    for (const name of wrt)
      if (differentiable[name] === undefined)
        throw new EvalError("missing-input", `tfjsCustomGrad: differentiable input ${name} was not given`);
    const host: Record<string, Tensor> = {};
    const device: Record<string, TfTensor> = {};
    for (const [k, v] of Object.entries(others)) {
      if (isHost(v)) host[k] = v;
      else device[k] = v;
    }
    const f = tf.customGrad((...args: unknown[]) => {
      const save = args.pop() as (ts: TfTensor[]) => void;
      const xs = args as TfTensor[];
      const dev = { ...device };
      wrt.forEach((name, i) => (dev[name] = xs[i]!));
      // made inside the custom op's forward (a tidy): everything but the value and the saved tensors is freed
      const feeds = uploadInputs(tf, gradProgram, host, dev);
      const taping = tf.engine().state.gradientDepth > 0;
      const targets = taping ? [loss.node, ...grads.map((g) => g.node)] : [loss.node];
      const values = evalTfjs(tf, gradProgram, feeds, { state, targets });
      if (taping) {
        save(
          grads.map((g, i) => {
            const xDims = gradProgram.inputs.find((inp) => inp.name === wrt[i])!.type.dims;
            const xShape = xDims.map((d) => feeds.dimSizes[d]!);
            return full(tf, { t: values[g.node]!, dims: gradProgram.nodes[g.node]!.type.dims }, xDims, xShape);
          }),
        );
      }
      return { value: values[loss.node]!, gradFunc: (dy: TfTensor, saved: TfTensor[]) => saved.map((g) => tf.mul(dy, g)) };
    });
    return f(...wrt.map((name) => differentiable[name]!));
  };
  return Object.assign(call, { loss: lossName, wrt });
}
