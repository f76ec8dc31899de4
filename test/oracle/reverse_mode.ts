// A second, independent reverse mode: plain float64 gradients over an evaluated program, kept as a test oracle for
// the symbolic autodiff (compiler/autodiff), which is what every command and backend uses. Not production code.
//
// Gradient table (g = cotangent; every product g·d is "strong zero": 0 when g is exactly 0, even if d is inf/NaN):
//   where(c,a,b)      a: where(c,g,0)   b: where(c,0,g)   (a true select, never g*m)      c: none
//   safe_div(a,b,ok,f) a: where(ok,g/b,0)  b: where(ok,-g·a/b²,0)  f: where(ok,0,g)
//   clamp(x,lo,hi)    x: g strictly inside (lo,hi); lo: where x <= lo; hi: where max(x,lo) >= hi (the bound wins ties)
//   maximum/minimum   a select: the operand that gives the value gets g, ties (and a NaN in a) go to the FIRST operand
//   abs'(0) = 0       sqrt'(0) = inf   softplus' = sigmoid
//   pow(a,b)          a: b·a^(b-1) (0 when b = 0)   b: a^b·log a (0 when a = 0)      lgamma' = digamma
//   div / mod / idiv  1/b, -a/b² / 1, -floor(a/b) / none      sign floor ceil round: 0
//   reduce            sum: selected only; mean: g/count; max/min: first (canonical) selected arg; logsumexp: softmax
//   scans             cumsum: reverse cumsum; cumprod: E·z (exclusive cumprod · reverse recurrence, no division);
//                     cummax/cummin: the running arg; linrec: reverse linrec with the same a,
//                     a gets λ_t·y_prev, init gets a_first·λ_first; shift: shifted back, fill gets the rest
//   segment           sum/mean: each selected member gets the group's Σg (/count); max/min/first: the arg gets Σg
//   take ↔ put, select ↔ scatter into the slice (embed), stack ↔ its slices, rename ↔ rename back
//   scan_grad         linear in g: g's cotangent at k is the cotangent at the running arg of k (x: none)
//   log_softmax       g − softmax·Σg
//   no gradient       detach, comparisons, logic, casts to bool/i32, index, size, topk_mask, uniform, tables, keys,
//                     masks, take/put indices, and any non-f32 value
import { isDifferentiable, type BinaryOpName, type IRProgram, type UnaryOpName } from "../../compiler/ir/ir.ts";
import { OPS, unreachable } from "../../compiler/ir/ops.ts";
import { digamma, sigmoid } from "../../compiler/ir/scalar.ts";
import type { EvalResult } from "../../runtime/backends/reference/evaluate.ts";
import { broadcastData, filled, sumInto, tensor, type Tensor } from "../../runtime/library/tensor.ts";
import { EvalError, shapeFor } from "../../runtime/library/ops/common.ts";
import { backStructural, type BackCtx } from "./reverse_ops.ts";

/** g·d with 0·inf = 0·NaN = 0. */
export function sz(g: number, d: number): number {
  return g === 0 ? 0 : g * d;
}

/** Reverse-mode gradient of sum(values[lossNode]) w.r.t. every marked (differentiable) input, by input name. */
export function gradients(program: IRProgram, ev: EvalResult, lossNode: number): Record<string, Tensor> {
  const marked = new Set(program.inputs.filter((i) => isDifferentiable(program, i)).map((i) => i.node));
  const needs: boolean[] = [];
  for (const node of program.nodes) {
    needs[node.id] =
      node.type.dtype === "f32" &&
      (node.op.op === "input"
        ? marked.has(node.id)
        : OPS[node.op.op].carriesGradient && node.args.some((a) => needs[a] === true));
  }
  const cot: (Float64Array | undefined)[] = [];
  const loss = ev.values[lossNode];
  if (loss === undefined) throw new EvalError("bad-node", `loss node %${lossNode} was not evaluated`);
  cot[lossNode] = new Float64Array(loss.data.length).fill(1);

  for (let k = program.nodes.length - 1; k >= 0; k--) {
    const node = program.nodes[k]!;
    const g = cot[node.id];
    if (g === undefined || !needs[node.id] || node.op.op === "input") continue;
    const args = node.args.map((a) => ev.values[a]!);
    const buf = (i: number): Float64Array | undefined => {
      const id = node.args[i]!;
      if (!needs[id]) return undefined;
      return (cot[id] ??= new Float64Array(ev.values[id]!.data.length));
    };
    const ctx: BackCtx = {
      program,
      node,
      args,
      dimSizes: ev.dimSizes,
      dims: node.type.dims,
      shape: shapeFor(node.type.dims, ev.dimSizes),
      out: ev.values[node.id]!,
      g,
      buf,
      add: (i, data, dims, shape) => {
        const b = buf(i);
        if (b !== undefined) sumInto(b, args[i]!.dims, args[i]!.shape, data, dims, shape);
      },
    };
    if (!backElementwise(ctx)) backStructural(ctx);
  }

  const grads: Record<string, Tensor> = {};
  for (const inp of program.inputs) {
    if (!isDifferentiable(program, inp)) continue;
    const v = ev.values[inp.node]!;
    const c = cot[inp.node];
    grads[inp.name] = c ? tensor("f32", v.dims, v.shape, c) : filled("f32", v.dims, v.shape, 0);
  }
  return grads;
}

function unaryDeriv(fn: UnaryOpName): ((x: number, y: number) => number) | undefined {
  switch (fn) {
    case "neg":
      return () => -1;
    case "exp":
      return (_x, y) => y;
    case "log":
      return (x) => 1 / x;
    case "log1p":
      return (x) => 1 / (1 + x);
    case "expm1":
      return (_x, y) => y + 1;
    case "sqrt":
      return (_x, y) => 1 / (2 * y); // inf at 0
    case "abs":
      return (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN); // abs'(0) = 0
    case "tanh":
      return (_x, y) => 1 - y * y;
    case "sigmoid":
      return (_x, y) => y * (1 - y);
    case "softplus":
      return (x) => sigmoid(x);
    case "sin":
      return (x) => Math.cos(x);
    case "cos":
      return (x) => -Math.sin(x);
    case "lgamma":
      return (x) => digamma(x);
    case "sign":
    case "floor":
    case "ceil":
    case "round":
    case "not":
      return undefined; // zero
    default:
      return unreachable(fn, "reference gradient: unary function");
  }
}

/** Local derivatives (d/da, d/db) of a binary op; undefined for ops without gradient. */
function binaryDeriv(fn: BinaryOpName): ((a: number, b: number, y: number) => [number, number]) | undefined {
  switch (fn) {
    case "add":
      return () => [1, 1];
    case "sub":
      return () => [1, -1];
    case "mul":
      return (a, b) => [b, a];
    case "div":
      return (a, b) => [1 / b, -a / (b * b)];
    case "mod":
      return (a, b) => [1, -Math.floor(a / b)];
    case "pow":
      return (a, b, y) => [b === 0 ? 0 : b * Math.pow(a, b - 1), a === 0 ? 0 : y * Math.log(a)];
    case "maximum":
    case "minimum":
      return undefined; // a select (backElementwise)
    case "idiv":
    case "eq":
    case "ne":
    case "lt":
    case "le":
    case "gt":
    case "ge":
    case "and":
    case "or":
      return undefined; // no gradient
    default:
      return unreachable(fn, "reference gradient: binary function");
  }
}

/** Elementwise rules; false when the op is not elementwise. Contributions are built in the node's layout. */
function backElementwise(c: BackCtx): boolean {
  const { node, dims, shape, g } = c;
  const n = g.length;
  const op = node.op;
  const bd = (i: number): Float64Array => broadcastData(c.args[i]!, dims, shape);
  switch (op.op) {
    case "detach":
      return true;
    case "cast": // only to f32 reaches here (other casts are not f32): the identity
      c.add(0, g, dims, shape);
      return true;
    case "unary": {
      const d = unaryDeriv(op.fn);
      if (!d) return true;
      const x = bd(0);
      const y = c.out.data;
      const gx = new Float64Array(n);
      for (let i = 0; i < n; i++) gx[i] = sz(g[i]!, d(x[i]!, y[i]!));
      c.add(0, gx, dims, shape);
      return true;
    }
    case "binary": {
      if (op.fn === "maximum" || op.fn === "minimum") {
        // a true select of the operand that gives the value (ties and a NaN in a: the first operand)
        const [a, b] = [bd(0), bd(1)];
        const [ga, gb] = [new Float64Array(n), new Float64Array(n)];
        for (let i = 0; i < n; i++) {
          const first = op.fn === "maximum" ? a[i]! >= b[i]! : a[i]! <= b[i]!;
          (first || Number.isNaN(a[i]!) ? ga : gb)[i] = g[i]!;
        }
        c.add(0, ga, dims, shape);
        c.add(1, gb, dims, shape);
        return true;
      }
      const d = binaryDeriv(op.fn);
      if (!d) return true;
      const a = bd(0);
      const b = bd(1);
      const y = c.out.data;
      const ga = new Float64Array(n);
      const gb = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        if (g[i] === 0) continue;
        const [da, db] = d(a[i]!, b[i]!, y[i]!);
        ga[i] = sz(g[i]!, da);
        gb[i] = sz(g[i]!, db);
      }
      c.add(0, ga, dims, shape);
      c.add(1, gb, dims, shape);
      return true;
    }
    case "where": {
      const cond = bd(0);
      const ga = new Float64Array(n);
      const gb = new Float64Array(n);
      for (let i = 0; i < n; i++) (cond[i] !== 0 ? ga : gb)[i] = g[i]!;
      c.add(1, ga, dims, shape);
      c.add(2, gb, dims, shape);
      return true;
    }
    case "clamp": {
      const [x, lo, hi] = [bd(0), bd(1), bd(2)];
      const [gx, gl, gh] = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
      for (let i = 0; i < n; i++) {
        if (Math.max(x[i]!, lo[i]!) >= hi[i]!)
          gh[i] = g[i]!; // the result is hi (x == hi: hi)
        else if (x[i]! > lo[i]!)
          gx[i] = g[i]!; // strictly inside
        else gl[i] = g[i]!; // the result is lo (x == lo: lo)
      }
      c.add(0, gx, dims, shape);
      c.add(1, gl, dims, shape);
      c.add(2, gh, dims, shape);
      return true;
    }
    case "safe_div": {
      const [a, b, ok] = [bd(0), bd(1), bd(2)];
      const [ga, gb, gf] = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
      for (let i = 0; i < n; i++) {
        if (ok[i] === 0) {
          gf[i] = g[i]!;
          continue;
        }
        ga[i] = sz(g[i]!, 1 / b[i]!);
        gb[i] = sz(g[i]!, -a[i]! / (b[i]! * b[i]!));
      }
      c.add(0, ga, dims, shape);
      c.add(1, gb, dims, shape);
      c.add(3, gf, dims, shape);
      return true;
    }
    default:
      return false;
  }
}
