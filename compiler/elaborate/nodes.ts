// Calling a node inlines it: its body is elaborated with the parameters bound to the call's arguments,
// so every call site is fully typed. Each node is also checked once on its own, with abstract dims, so
// mistakes in a node point at the node and not at every call.
import type { Arg, NodeDecl, Span } from "../../grammar/ast.ts";
import type { Diagnostic } from "../../grammar/diagnostic.ts";
import type { LintCode } from "../../grammar/diagnostic_codes.ts";
import type { GlobalScope } from "../scope.ts";
import { bindArgs } from "./call.ts";
import { Ctx, Frame } from "./context.ts";
import { elaborateExpr } from "./expr.ts";
import { constant, emit } from "./ops.ts";
import { expectedResultDims, hintFor, matchTensorParam, paramKind, resolveTypeDims, type ParamKind } from "./signature.ts";
import { defineNames, elaborateMulti, elaborateRequire } from "./statements.ts";
import { describeType, describeValue, ERROR, type TensorValue, type Value } from "./values.ts";

interface ArgSource {
  /** An expression at the call site, or a value already made (the abstract check). */
  expr?: Arg;
  value?: Value;
  /** Filled in once the call-site expression has been elaborated. */
  evaluated?: Value;
}

export function callNode(
  ctx: Ctx,
  callerFrame: Frame,
  decl: NodeDecl,
  isStd: boolean,
  args: Arg[],
  span: Span,
  expected: number,
): Value[] {
  const fail = () => Array.from({ length: Math.max(expected, decl.results.length) }, () => ERROR);
  if (ctx.callStack.some((c) => c.name === decl.name.name)) {
    ctx.report("RLP115", `node '${decl.name.name}' calls itself; nodes are inlined, so recursion is not supported`, span);
    return fail();
  }
  const bound = bindArgs(
    ctx,
    decl.name.name,
    decl.params.map((p) => ({ name: p.name.name, required: p.default === undefined })),
    args,
    span,
  );
  if (!bound) return fail();
  const sources = new Map<string, ArgSource>();
  for (const [k, a] of bound) sources.set(k, { expr: a });
  const results = instantiate(ctx, callerFrame, decl, isStd, sources, span);
  return results ? results.map((r) => withLintFlags(r, decl, sources, span)) : fail();
}

/** Lint provenance survives inlining: a k1 KL or a length-biased aggregation marks what flows out of the call. */
function withLintFlags(r: Value, decl: NodeDecl, sources: Map<string, ArgSource>, span: Span): Value {
  if (r.kind !== "tensor") return r;
  const flags = { ...r.flags };
  for (const src of sources.values()) {
    const v = src.evaluated;
    if (v?.kind === "tensor" && v.flags.k1 && !flags.k1) flags.k1 = v.flags.k1;
  }
  const name = decl.name.name;
  const mode = sources.get("mode")?.expr?.value;
  if (name === "kl_k1") flags.k1 = span;
  // A const k1 (e.g. a KL penalty folded into the reward) is not a loss term: only a differentiable one is.
  if (r.type.grad.length === 0) delete flags.k1;
  if (name === "seq_mean_token_mean" || (name === "agg" && mode?.kind === "name" && mode.name === "seq_mean_token_mean"))
    flags.lengthBiased = span;
  return { ...r, flags };
}

function instantiate(
  ctx: Ctx,
  callerFrame: Frame,
  decl: NodeDecl,
  isStd: boolean,
  sources: Map<string, ArgSource>,
  span: Span,
): Value[] | undefined {
  const name = decl.name.name;
  const frame = new Frame();
  const kinds = new Map<string, ParamKind>();
  const rows = new Map<string, Set<string>>();
  let ok = true;

  // Dim, dims and enum params first: tensor param types refer to them (`x: f32[..., over], over: dim`).
  const ordered = [...decl.params].sort((a, b) => Number(a.type.kind === "tensor") - Number(b.type.kind === "tensor"));
  for (const param of ordered) {
    const kind = paramKind(ctx, param.type, `${name}.${param.name.name}`);
    kinds.set(param.name.name, kind);
    const src = sources.get(param.name.name);
    let value: Value;
    let argSpan = span;
    if (src?.value) value = src.value;
    else if (src?.expr) {
      value = elaborateExpr(ctx, callerFrame, src.expr.value, hintFor(kind));
      argSpan = src.expr.value.span;
      src.evaluated = value;
    } else if (param.default) {
      ctx.callStack.push({ name, span, isStd });
      value = elaborateExpr(ctx, frame, param.default, hintFor(kind));
      ctx.callStack.pop();
    } else value = ERROR;
    if (value.kind === "error") ok = false;
    else if (!checkKind(ctx, name, param.name.name, kind, value, argSpan)) ok = false;
    else if (kind.kind === "tensor") {
      const resolved = resolveTypeDims(ctx, frame, kind.type, name);
      if (!resolved) ok = false;
      else if (!matchTensorParam(ctx, frame, param, kind.type, resolved, value as TensorValue, rows, name, argSpan)) ok = false;
      else if ((value as TensorValue).literal && kind.type.dtype !== (value as TensorValue).type.dtype) {
        value = constant(ctx, (value as TensorValue).static!, kind.type.dtype, argSpan);
      }
    }
    frame.define(param.name.name, { value, span: param.name.span, what: "parameter" });
  }
  if (!ok) return undefined;

  ctx.callStack.push({ name, span, isStd });
  try {
    let results: Value[] | undefined;
    for (const s of decl.body) {
      switch (s.kind) {
        case "let":
          defineNames(ctx, frame, s.names, elaborateMulti(ctx, frame, s.value, s.names, s.span), "local");
          break;
        case "require":
          elaborateRequire(ctx, frame, s, (cond) => ctx.requires.push({ cond, message: s.message, span: s.span }));
          break;
        case "return":
          if (results) ctx.report("RLP116", "a node returns once, at the end of its body", s.span);
          results =
            s.values.length === 1 && decl.results.length > 1 && s.values[0]!.kind === "call"
              ? elaborateMulti(
                  ctx,
                  frame,
                  s.values[0]!,
                  decl.results.map(() => decl.name),
                  s.span,
                )
              : s.values.map((v) => elaborateExpr(ctx, frame, v));
          break;
        default:
          ctx.report("RLP116", `'${s.kind}' statements belong in a pipeline, not in a node body`, s.span);
      }
    }
    if (!results) {
      ctx.report("RLP116", `node '${name}' has no return statement`, decl.name.span);
      return undefined;
    }
    return checkResults(ctx, decl, frame, rows, results);
  } finally {
    ctx.callStack.pop();
  }
}

function checkKind(ctx: Ctx, node: string, param: string, kind: ParamKind, v: Value, span: Span): boolean {
  const okKind =
    (kind.kind === "dim" && v.kind === "dim") ||
    (kind.kind === "dims" && (v.kind === "dims" || v.kind === "dim")) ||
    (kind.kind === "enum" && v.kind === "label") ||
    (kind.kind === "tensor" && v.kind === "tensor");
  if (okKind) return true;
  if (kind.kind === "invalid") return false;
  const want =
    kind.kind === "enum"
      ? `a label of ${kind.name.replace(/^.*\./, "")} (${kind.labels.join(", ")})`
      : kind.kind === "tensor"
        ? "a tensor"
        : `a ${kind.kind}`;
  ctx.report("RLP206", `the argument '${param}' of ${node} must be ${want}, but it is ${describeValue(v)}`, span);
  return false;
}

function checkResults(
  ctx: Ctx,
  decl: NodeDecl,
  frame: Frame,
  rows: Map<string, Set<string>>,
  results: Value[],
): Value[] | undefined {
  if (results.length !== decl.results.length) {
    ctx.report(
      "RLP213",
      `node '${decl.name.name}' declares ${decl.results.length} result${decl.results.length === 1 ? "" : "s"} but returns ${results.length}`,
      decl.name.span,
    );
    return undefined;
  }
  const out: Value[] = [];
  for (let i = 0; i < results.length; i++) {
    let r = results[i]!;
    const t = decl.results[i]!;
    if (r.kind === "error") return undefined;
    if (t.kind !== "tensor" || r.kind !== "tensor") {
      ctx.report("RLP213", `node '${decl.name.name}' must return tensors, but result ${i + 1} is ${describeValue(r)}`, t.span);
      return undefined;
    }
    if (r.literal && r.type.dtype !== t.dtype && t.dtype !== "bool") r = constant(ctx, r.static!, t.dtype, t.span);
    const resolved = resolveTypeDims(ctx, frame, t, decl.name.name);
    if (!resolved) return undefined;
    const allowed = expectedResultDims(resolved, rows);
    const extra = r.type.dims.filter((d) => !allowed.has(d) && !(resolved.rows.length > 0 && d.startsWith("...")));
    const missing = resolved.fixed.filter((d) => !r.type.dims.includes(d));
    if (r.type.dtype !== t.dtype || extra.length > 0 || missing.length > 0) {
      const why =
        r.type.dtype !== t.dtype
          ? `its dtype is ${r.type.dtype}`
          : extra.length > 0
            ? `it has the extra dim${extra.length > 1 ? "s" : ""} ${extra.join(", ")}`
            : `it lacks ${missing.join(", ")}`;
      ctx.report(
        "RLP213",
        `node '${decl.name.name}' returns ${describeType(r.type)}, which does not match its declared result (${why})`,
        t.span,
      );
      return undefined;
    }
    out.push(r);
  }
  return out;
}

/** Checks a node on its own: parameters become abstract values (dims named after the dim params). */
export function checkNodeDefinition(
  scope: GlobalScope,
  decl: NodeDecl,
  isStd: boolean,
  lints: { suppressions: Ctx["suppressions"]; allowed: ReadonlySet<LintCode> },
): Diagnostic[] {
  const ctx = new Ctx(scope);
  for (const [k, v] of lints.suppressions) ctx.suppressions.set(k, v);
  for (const code of lints.allowed) ctx.allowed.add(code);
  for (const [n, d] of scope.dims) ctx.dims.set(n, d.labels ? { name: n, labels: d.labels.map((l) => l.name) } : { name: n });
  const frame = new Frame();
  const sources = new Map<string, ArgSource>();
  for (const param of decl.params) {
    const kind = paramKind(ctx, param.type, `${decl.name.name}.${param.name.name}`);
    let value: Value = ERROR;
    if (kind.kind === "dim") {
      ctx.dims.set(param.name.name, { name: param.name.name });
      value = { kind: "dim", name: param.name.name };
    } else if (kind.kind === "dims") {
      ctx.dims.set(`*${param.name.name}`, { name: `*${param.name.name}` });
      value = { kind: "dims", names: [`*${param.name.name}`] };
    } else if (kind.kind === "enum") {
      const dflt =
        param.default?.kind === "name" && kind.labels.includes(param.default.name) ? param.default.name : kind.labels[0]!;
      value = { kind: "label", name: dflt, enumName: kind.name };
    }
    frame.define(param.name.name, { value, span: param.name.span, what: "parameter" });
    sources.set(param.name.name, { value });
  }
  // Tensor params need the dim params bound first (their types refer to them).
  for (const param of decl.params) {
    const kind = paramKind(ctx, param.type, `${decl.name.name}.${param.name.name}`);
    if (kind.kind !== "tensor") continue;
    const resolved = resolveTypeDims(ctx, frame, kind.type, decl.name.name);
    if (!resolved) continue;
    const dims = [...resolved.rows, ...resolved.fixed];
    for (const d of dims) if (!ctx.dims.has(d)) ctx.dims.set(d, { name: d });
    let v: TensorValue;
    const dflt = param.default && dims.length === 0 ? elaborateExpr(ctx, frame, param.default) : undefined;
    if (dflt?.kind === "tensor" && dflt.static !== undefined) {
      v = constant(ctx, dflt.static, kind.type.dtype, param.default!.span);
    } else {
      const type = kind.type.index
        ? { dtype: kind.type.dtype, dims, indexOf: kind.type.index.name }
        : { dtype: kind.type.dtype, dims };
      v = emit(ctx, { op: "input", name: param.name.name }, [], param.name.span, { declared: type, marks: [] });
    }
    sources.set(param.name.name, { value: v });
    frame.define(param.name.name, { value: v, span: param.name.span, what: "parameter" });
  }
  // Reported at their own spans (not rewritten to a call site), so isStd is false here.
  void isStd;
  instantiate(ctx, frame, decl, false, sources, decl.name.span);
  return ctx.diagnostics;
}
