// Statements shared by pipelines and node bodies: `let` (one or several results) and `require`.
import type { Expr, Ident, Span, Stmt } from "../../grammar/ast.ts";
import { elaborateCall } from "./call.ts";
import type { Ctx, Frame } from "./context.ts";
import { elaborateExpr } from "./expr.ts";
import { describeValue, ERROR, type Value } from "./values.ts";

/** Elaborates the right side of `let a, b = e`, checking that it yields as many results as names. */
export function elaborateMulti(ctx: Ctx, frame: Frame, value: Expr, names: Ident[], span: Span): Value[] {
  const results = value.kind === "call" ? elaborateCall(ctx, frame, value, names.length) : [elaborateExpr(ctx, frame, value)];
  if (results.length === 1 && results[0]!.kind === "error") return names.map(() => ERROR);
  if (results.length !== names.length) {
    const what = value.kind === "call" && value.callee.kind === "name" ? `${value.callee.name}(...)` : "this expression";
    const hint =
      results.length > names.length
        ? ` (write 'let ${Array.from({ length: results.length }, (_, i) => names[i]?.name ?? `r${i + 1}`).join(", ")} = ...' to name them all)`
        : "";
    ctx.report(
      "RLP206",
      `${what} gives ${results.length} result${results.length === 1 ? "" : "s"}, but ${names.length} name${names.length === 1 ? " is" : "s are"} bound${hint}`,
      span,
    );
    return names.map(() => ERROR);
  }
  return results;
}

export function defineNames(ctx: Ctx, frame: Frame, names: Ident[], values: Value[], what: string): void {
  names.forEach((n, i) => {
    if (n.name === "_") return; // `let l, _ = ppo_clip(...)`: a result deliberately left unnamed
    const prev = frame.lookup(n.name);
    if (prev && prev.what !== "std") {
      ctx.report("RLP103", `'${n.name}' is already defined (as a ${prev.what})`, n.span, [
        { message: "first defined here", span: prev.span },
      ]);
    }
    frame.define(n.name, { value: values[i] ?? ERROR, span: n.span, what });
  });
}

/** `require cond, "message"`: a compile-time check when cond is static, otherwise a run-time one. */
export function elaborateRequire(
  ctx: Ctx,
  frame: Frame,
  s: Extract<Stmt, { kind: "require" }>,
  runtime: (cond: number) => void,
): void {
  const c = elaborateExpr(ctx, frame, s.cond);
  if (c.kind === "error") return;
  if (c.kind !== "tensor" || c.type.dtype !== "bool") {
    ctx.report("RLP202", `require needs a bool condition, but this is ${describeValue(c)}`, s.cond.span);
    return;
  }
  if (c.static !== undefined) {
    if (c.static === 0) ctx.report("RLP310", `requirement failed: ${s.message}`, s.cond.span);
    return;
  }
  if (c.type.dims.length > 0) {
    ctx.report(
      "RLP206",
      `require needs one bool, but this condition has dims [${c.type.dims.join(",")}]; reduce it with all(...) or any(...)`,
      s.cond.span,
    );
    return;
  }
  runtime(c.node);
}
