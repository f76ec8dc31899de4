// A small program under test: an IRBuilder plus seeded input data, and a loss that weights every term with a
// random const tensor (a uniform cotangent would hide position mistakes in scans, shifts and gathers).
import type { DType } from "../../compiler/ir/ir.ts";
import { tensor, type Tensor } from "../../runtime/library/tensor.ts";
import { IRBuilder, rand } from "../helpers/ir_builder.ts";
import { checkGradients, type GradCheck, type GradCheckOptions } from "./harness.ts";

export class Case {
  readonly b: IRBuilder;
  readonly data: Record<string, Tensor> = {};
  private seed = 1;
  private weights = 0;

  constructor(
    readonly sizes: Record<string, number>,
    dims = Object.keys(sizes),
  ) {
    this.b = new IRBuilder(dims);
  }

  shape(dims: string[]): number[] {
    return this.b.canon(dims).map((d) => this.sizes[d]!);
  }

  /** An input with given values (canonical order) or seeded uniform values in [lo, hi). */
  input(
    name: string,
    dtype: DType,
    dims: string[],
    opts: { mark?: string; values?: number[]; lo?: number; hi?: number } = {},
  ): number {
    const id = this.b.input(name, dtype, dims, opts.mark ? { mark: opts.mark } : {});
    const shape = this.shape(dims);
    const n = shape.reduce((a, s) => a * s, 1);
    const values = opts.values ?? rand(n, this.seed++ * 7919, opts.lo ?? -1, opts.hi ?? 1);
    this.data[name] = tensor(dtype, this.b.canon(dims), shape, values);
    return id;
  }

  /** A differentiable (policy-marked) f32 input. */
  x(name: string, dims: string[], lo = -1, hi = 1): number {
    return this.input(name, "f32", dims, { mark: "policy", lo, hi });
  }

  /** A bool mask with seeded values (true with probability `p`), or given values. */
  mask(name: string, dims: string[], p = 0.7, values?: number[]): number {
    const n = this.shape(dims).reduce((a, s) => a * s, 1);
    return this.input(name, "bool", dims, { values: values ?? rand(n, this.seed++ * 104729, 0, 1).map((v) => (v < p ? 1 : 0)) });
  }

  /** Σ over all dims of term·w for a fresh random const w of the term's dims. */
  weighted(term: number): number {
    const dims = this.b.dimsOf(term);
    const w = this.input(`w${this.weights++}`, "f32", dims, { lo: 0.5, hi: 1.5 });
    return this.b.reduce("sum", this.b.mul(term, w), dims);
  }

  /** Declares `loss L` = the sum of the weighted terms. */
  loss(...terms: number[]): number {
    const parts = terms.map((t) => this.weighted(t));
    return this.b.result(
      "L",
      "loss",
      parts.reduce((a, p) => this.b.add(a, p)),
    );
  }

  check(what: string, options: GradCheckOptions = {}): GradCheck {
    return checkGradients(this.b.build(), this.data, what, options);
  }
}
