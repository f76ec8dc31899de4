// Gradient rules of the addressing and layout primitives: take ↔ put, select ↔ embed, stack, rename, log_softmax.
import { forArgs, opOf, type GradRule } from "./rule.ts";

/**
 * take(x, idx, fill, along=S): x gets the scatter-add of g into the taken positions (a `put` into S); fill gets g
 * where the index is invalid (-1, out of range), found by taking from an all-true [S] with a false fill.
 */
export const takeRule: GradRule = (b, node, g) => {
  const op = opOf(node, "take");
  const [x, idx] = node.args as [number, number, number];
  const gFull = b.expand(g, b.dims(node.id)); // every position of the result is summed into x or the fill
  return forArgs(b, node, [
    () => {
      // put sums over its `over` dim; the other dims the cotangent has beyond x (and idx does not vary along) are
      // summed first, so at most one dim is left to the put (two would need a put over several dims)
      const kept = b.dims(x).filter((d) => d !== op.along);
      const summable = b.dims(gFull).filter((d) => !kept.includes(d) && !b.dims(idx).includes(d));
      const gx = b.sumTo(
        gFull,
        b.dims(gFull).filter((d) => !summable.includes(d)),
      );
      const rest = b.canon(b.dims(gx), b.dims(idx)).filter((d) => !kept.includes(d) && d !== op.along);
      if (rest.length > 1)
        throw new Error(
          `autodiff: take along ${op.along} with an index over several extra dims (${rest.join(", ")}) is not supported`,
        );
      const over = rest[0] ?? op.along;
      return b.emit({ op: "put", into: op.along, over }, [gx, idx]);
    },
    undefined,
    () => {
      const valid = b.emit({ op: "take", along: op.along }, [b.constant(1, "bool", [op.along]), idx, b.constant(0, "bool")]);
      return b.drop(valid, gFull);
    },
  ]);
};

/** put(x, at, into=T, over=S): x[..., s] gets g[..., at[..., s]] (a take along T; a dropped position gets 0). */
export const putRule: GradRule = (b, node, g) => {
  const op = opOf(node, "put");
  const at = node.args[1]!;
  return forArgs(b, node, [() => b.emit({ op: "take", along: op.into }, [b.expand(g, [op.into]), at, b.constant(0)])]);
};

/** select(x, dim, position): g goes into that slice (embed); 0 elsewhere along the dim. */
export const selectRule: GradRule = (b, node, g) => {
  const op = opOf(node, "select");
  return forArgs(b, node, [() => b.emit({ op: "embed", dim: op.dim, position: op.position }, [g])]);
};

/** embed(g, dim, position): the adjoint of select is select. */
export const embedRule: GradRule = (b, node, g) => {
  const op = opOf(node, "embed");
  return forArgs(b, node, [
    () => (b.dims(g).includes(op.dim) ? b.emit({ op: "select", dim: op.dim, position: op.position }, [g]) : g),
  ]);
};

/** stack(dim): the part at position j gets g's slice j (summed over the dims the part lacks). */
export const stackRule: GradRule = (b, node, g) => {
  const op = opOf(node, "stack");
  const gFull = b.expand(g, b.dims(node.id)); // a part lacking a dim of the result is summed along it
  const slice = (j: number) => () => b.emit({ op: "select", dim: op.dim, position: j }, [gFull]);
  return forArgs(
    b,
    node,
    node.args.map((_, j) => slice(j)),
  );
};

/** rename(from, to): rename the cotangent back. */
export const renameRule: GradRule = (b, node, g) => {
  const op = opOf(node, "rename");
  return forArgs(b, node, [() => (b.dims(g).includes(op.to) ? b.emit({ op: "rename", from: op.to, to: op.from }, [g]) : g)]);
};

/** log_softmax(x, over=V), y its value: g − exp(y)·Σ_V g (the product strong zero, as in the reference). */
export const logSoftmaxRule: GradRule = (b, node, g) => {
  const op = opOf(node, "log_softmax");
  return forArgs(b, node, [
    () => {
      const gFull = b.expand(g, [op.over]);
      return b.sub(gFull, b.sz(b.reduce("sum", gFull, [op.over]), b.unary("exp", node.id)));
    },
  ]);
};
