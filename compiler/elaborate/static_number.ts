// A keyword argument that must be a number known at compile time (a literal, a param, a fold of those): the options of
// sample(...), ema(...)/snapshot(...) and an optimizer. RLP207 otherwise.
import type { Arg } from "../../grammar/ast.ts";
import type { Ctx, Frame } from "./context.ts";
import { elaborateExpr } from "./expr.ts";
import { describeValue } from "./values.ts";

/** The static value of `arg` (named `name`, an option of `owner`, e.g. `sample(...)`); undefined after an error. */
export function staticNumber(ctx: Ctx, frame: Frame, arg: Arg, name: string, owner: string): number | undefined {
  const x = elaborateExpr(ctx, frame, arg.value);
  if (x.kind === "error") return undefined;
  if (x.kind !== "tensor" || x.static === undefined || x.type.dims.length > 0 || x.type.dtype === "bool") {
    ctx.report(
      "RLP207",
      `${name}= of ${owner} must be a number known when the pipeline is compiled (a literal or a param), but this is ${x.kind === "tensor" ? "computed at run time" : describeValue(x)}`,
      arg.value.span,
    );
    return undefined;
  }
  return x.static;
}
