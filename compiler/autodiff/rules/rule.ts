// The shape of a gradient rule: (builder, forward node, its cotangent) -> one contribution per arg.
import type { IRNode, Op } from "../../ir/ir.ts";
import type { GradBuilder } from "../builder.ts";

/** A cotangent contribution for each arg, by position; undefined: none (no gradient, or the arg does not want one). */
export type Contributions = (number | undefined)[];

/**
 * The reverse-mode rule of one primitive. `g` is the node's cotangent: its dims are a subset of the node's (missing
 * dims broadcast). A contribution may have more dims than its arg: the sweep sums them away (`sumTo`). For
 * elementwise ops the sweep first expands a contribution to the node's dims; every other rule must return
 * contributions that carry each dim their arg is to be summed over (expand g first where in doubt).
 */
export type GradRule = (b: GradBuilder, node: IRNode, g: number) => Contributions;

/** The op of a node, narrowed by its tag (the rules table dispatches on it, so the cast is safe). */
export function opOf<K extends Op["op"]>(node: IRNode, _tag: K): Extract<Op, { op: K }> {
  return node.op as Extract<Op, { op: K }>;
}

/** Builds only the contributions whose args want a gradient (each builder runs at most once). */
export function forArgs(b: GradBuilder, node: IRNode, build: ((() => number | undefined) | undefined)[]): Contributions {
  return build.map((f, i) => (f !== undefined && i < node.args.length && b.wants(node, i) ? f() : undefined));
}
