// `optimize M with adam(...)`: the optimizer statement of training pipelines (docs/training.md).
import { staticNumber } from "./static_number.ts";
import type { Stmt } from "../../grammar/ast.ts";
import type { IROptimizer } from "../ir/ir.ts";
import type { Ctx, Frame } from "./context.ts";

/**
 * `optimize policy with adam(lr=5e-4, clip=1.0)`: the optimizer of the models, for the trainer. Its arguments are
 * keyword arguments with static numeric values (RLP207 otherwise); which optimizers and options exist is the
 * trainer's to say (rlp train knows adam: lr, beta1, beta2, eps, clip).
 */
export function elaborateOptimizer(ctx: Ctx, frame: Frame, s: Extract<Stmt, { kind: "optimize" }>): IROptimizer | undefined {
  const e = s.optimizer;
  if (e.kind !== "call" || e.callee.kind !== "name") {
    ctx.report("RLP206", "'optimize M with ...' takes an optimizer call with keyword arguments, e.g. adam(lr=1e-3)", e.span);
    return undefined;
  }
  const options: Record<string, number> = {};
  for (const a of e.args) {
    if (!a.name) {
      ctx.report("RLP108", `the arguments of ${e.callee.name}(...) are written by name, e.g. ${e.callee.name}(lr=1e-3)`, a.span);
      return undefined;
    }
    if (a.name.name in options) {
      ctx.report("RLP109", `the argument '${a.name.name}' is given twice in the call to ${e.callee.name}`, a.name.span);
      return undefined;
    }
    const n = staticNumber(ctx, frame, a, a.name.name, `${e.callee.name}(...)`);
    if (n === undefined) return undefined;
    options[a.name.name] = n;
  }
  return { models: s.models.map((m) => m.name), name: e.callee.name, options, span: s.span };
}
