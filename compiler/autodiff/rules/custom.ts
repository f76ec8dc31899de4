// Custom TypeScript nodes: the gradient is the node's own vector-Jacobian product (its `gradient` function), one
// custom_vjp per differentiable argument; the plugin host sums what it returns back to the argument's dims.
import type { GradRule } from "./rule.ts";
import { forArgs, opOf } from "./rule.ts";

export const customRule: GradRule = (b, node, g) => {
  const op = opOf(node, "custom");
  if (!op.call.differentiable) return [];
  return forArgs(
    b,
    node,
    node.args.map((_, i) => {
      const t = op.call.argv.find((a) => a.kind === "tensor" && a.index === i);
      if (t?.kind !== "tensor" || !t.grad) return undefined;
      return () => b.emit({ op: "custom_vjp", call: op.call, output: op.output, wrt: i }, [...node.args, g]);
    }),
  );
};
