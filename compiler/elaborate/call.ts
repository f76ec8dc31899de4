// Calls: binds positional and keyword arguments to a builtin's or a node's parameters, then applies it.
import type { Arg, Expr, Span } from "../../grammar/ast.ts";
import { didYouMean } from "../ir/suggest.ts";
import { BUILTINS, type BuiltinCall } from "./builtins/index.ts";
import type { Ctx, Frame } from "./context.ts";
import { elaborateExpr, type Hint } from "./expr.ts";
import { callCustomNode } from "./custom_call.ts";
import { callNode } from "./nodes.ts";
import { isRolloutSource, misplacedSource, taskMethod } from "./rollout.ts";
import { elaborateLogprob } from "./models.ts";
import { ERROR, type Value } from "./values.ts";

export interface ParamSpec {
  name: string;
  required: boolean;
}

/** Matches arguments to parameters; reports unknown, duplicate, missing and surplus arguments. */
export function bindArgs(ctx: Ctx, callee: string, params: ParamSpec[], args: Arg[], span: Span): Map<string, Arg> | undefined {
  const bound = new Map<string, Arg>();
  let ok = true;
  let positional = 0;
  const names = params.map((p) => p.name);
  for (const arg of args) {
    if (!arg.name) {
      if (bound.size > positional) {
        ctx.report("RLP108", `a positional argument cannot follow a keyword argument in the call to ${callee}`, arg.span);
        ok = false;
        continue;
      }
      const p = params[positional];
      if (!p) {
        ctx.report(
          "RLP108",
          `${callee} takes at most ${params.length} argument${params.length === 1 ? "" : "s"} (${names.join(", ")}), but this call passes more`,
          arg.span,
        );
        ok = false;
        continue;
      }
      bound.set(p.name, arg);
      positional++;
      continue;
    }
    const name = arg.name.name;
    if (!names.includes(name)) {
      ctx.report(
        "RLP107",
        `${callee} has no parameter '${name}'${didYouMean(name, names)} (its parameters are ${names.join(", ")})`,
        arg.name.span,
      );
      ok = false;
      continue;
    }
    if (bound.has(name)) {
      ctx.report("RLP109", `the argument '${name}' is given twice in the call to ${callee}`, arg.name.span);
      ok = false;
      continue;
    }
    bound.set(name, arg);
  }
  for (const p of params) {
    if (p.required && !bound.has(p.name)) {
      ctx.report("RLP108", `${callee} needs the argument '${p.name}' (its parameters are ${names.join(", ")})`, span);
      ok = false;
    }
  }
  return ok ? bound : undefined;
}

export function elaborateCall(ctx: Ctx, frame: Frame, e: Extract<Expr, { kind: "call" }>, expected: number): Value[] {
  if (e.callee.kind === "field") {
    const m = taskMethod(ctx, frame, e);
    if (m) return [m];
  }
  if (e.callee.kind !== "name") {
    ctx.report("RLP101", "only named nodes can be called here (no method calls in 'rlp eval' pipelines)", e.callee.span);
    return [ERROR];
  }
  const name = e.callee.name;
  const local = frame.lookup(name);
  if (local) {
    ctx.report("RLP101", `'${name}' is a ${local.what}, not a node; it cannot be called`, e.callee.span, [
      { message: "declared here", span: local.span },
    ]);
    return [ERROR];
  }
  if (isRolloutSource(name) && !ctx.scope.nodes.has(name)) return [misplacedSource(ctx, name, e.span)];
  if (name === "logprob" && !ctx.scope.nodes.has(name)) return [elaborateLogprob(ctx, frame, e)];
  const builtin = BUILTINS.get(name);
  if (builtin) {
    const bound = bindArgs(ctx, name, builtin.params, e.args, e.span);
    if (!bound) return [ERROR];
    const cache = new Map<string, Value>();
    const call: BuiltinCall = {
      ctx,
      frame,
      span: e.span,
      name,
      has: (p) => bound.has(p),
      arg: (p, hint?: Hint) => {
        const a = bound.get(p);
        if (!a) return undefined;
        let v = cache.get(p);
        if (!v) {
          v = elaborateExpr(ctx, frame, a.value, hint);
          cache.set(p, v);
        }
        return v;
      },
      argSpan: (p) => bound.get(p)?.value.span ?? e.span,
    };
    const out = builtin.apply(call);
    return Array.isArray(out) ? out : [out];
  }
  const node = ctx.scope.nodes.get(name);
  if (node) return callNode(ctx, frame, node.decl, node.isStd, e.args, e.span, expected);
  const custom = ctx.scope.customNodes.get(name);
  if (custom) return callCustomNode(ctx, frame, custom, e.args, e.span, expected);
  // A custom node whose definition is broken was reported in its plugin: no "unknown node" here as well.
  if (ctx.scope.unreadableNodes.has(name)) return [ERROR];
  const candidates = [...BUILTINS.keys(), ...ctx.scope.nodes.keys(), ...ctx.scope.customNodes.keys()];
  ctx.report("RLP101", `unknown node '${name}'${didYouMean(name, candidates)}`, e.callee.span);
  return [ERROR];
}
