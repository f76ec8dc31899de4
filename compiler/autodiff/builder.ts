// Appends typed nodes to a copy of a program: the gradient rules build the backward graph through it. Nodes are
// made by the one IR builder (compiler/ir/builder.ts): types come from the op type rules, dims are named and kept in
// canonical order, grad marks are the union of the mark-passing args' marks, and a rule that asks twice for the same
// value gets one node. Gradient nodes carry no source position.
//
// Cotangents may lack some dims of the value they belong to: a missing dim means "the same along that dim"
// (by-name broadcasting). Rules that address positions along a dim expand the cotangent first (`expand`), and a
// contribution is summed over the dims its arg lacks (`sumTo`) before it is accumulated.
import type { BinaryOpName, DType, IRNode, IRProgram, UnaryOpName } from "../ir/ir.ts";
import { NodeBuilder } from "../ir/builder.ts";
import { canonical, dimOrder } from "../ir/rules.ts";

export class GradBuilder extends NodeBuilder {
  readonly order: string[];

  constructor(readonly program: IRProgram) {
    super(program, { from: program.nodes });
    this.order = dimOrder(program);
  }

  canon(...lists: readonly (readonly string[])[]): string[] {
    return canonical(this.order, ...lists);
  }

  /** Does arg i of `node` take a gradient? Only f32 values that depend on a trained mark do. */
  wants(node: IRNode, i: number): boolean {
    const a = this.nodes[node.args[i]!]!;
    return a.type.dtype === "f32" && a.grad.length > 0;
  }

  constant(value: number, dtype: DType = "f32", dims: readonly string[] = []): number {
    return this.emit({ op: "const", value }, [], { declared: { dtype, dims: this.canon(dims) } });
  }
  unary(fn: UnaryOpName, x: number): number {
    return this.emit({ op: "unary", fn }, [x]);
  }
  binary(fn: BinaryOpName, a: number, b: number): number {
    return this.emit({ op: "binary", fn }, [a, b]);
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
  neg(x: number): number {
    return this.unary("neg", x);
  }
  not(x: number): number {
    return this.unary("not", x);
  }
  where(c: number, a: number, b: number): number {
    return this.emit({ op: "where" }, [c, a, b]);
  }
  /** where(c, g, 0): g at the selected positions, an exact 0 elsewhere. */
  keep(c: number, g: number): number {
    return this.where(c, g, this.constant(0));
  }
  /** where(c, 0, g). */
  drop(c: number, g: number): number {
    return this.where(c, this.constant(0), g);
  }
  reduce(fn: "sum" | "count", x: number, over: readonly string[], where?: number): number {
    const args = where === undefined ? [x] : [x, where];
    return this.emit({ op: "reduce", fn, over: this.canon(over), hasWhere: where !== undefined, empty: 0 }, args);
  }

  /**
   * THE strong-zero product of a cotangent g and a local derivative d: `where(g == 0, 0, g * d)`, so an exact 0
   * cotangent gives 0 even where d is inf or NaN (0 · inf = 0). Always this one three-node pattern (a fused kernel can
   * match it); the simplifier reduces it to `g * d` where d is finite by construction.
   */
  sz(g: number, d: number): number {
    return this.where(this.binary("eq", g, this.constant(0)), this.constant(0), this.mul(g, d));
  }

  /** x broadcast to also have `dims` (x + a const 0 over the missing dims); x itself when nothing is missing. */
  expand(x: number, dims: readonly string[]): number {
    const missing = dims.filter((d) => !this.dims(x).includes(d));
    if (missing.length === 0) return x;
    const t = this.nodes[x]!.type;
    return this.add(x, this.constant(0, t.dtype, missing));
  }

  /** The adjoint of broadcasting: c summed over the dims it has beyond `dims`. */
  sumTo(c: number, dims: readonly string[]): number {
    const extra = this.dims(c).filter((d) => !dims.includes(d));
    return extra.length === 0 ? c : this.reduce("sum", c, extra);
  }

  /** A bool mask over [along] ∪ fillDims: true exactly at the positions a `shift(.., by)` fills (shift of false, fill true). */
  shiftFillMask(along: string, by: number): number {
    const none = this.constant(0, "bool", [along]);
    return this.emit({ op: "shift", along, by }, [none, this.constant(1, "bool")]);
  }
}
