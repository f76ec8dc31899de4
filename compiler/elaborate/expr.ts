// Elaborates one expression: resolves names, checks types and appends IR nodes.
import type { Expr, Span } from "../../grammar/ast.ts";
import { didYouMean } from "../ir/suggest.ts";
import { elaborateCall } from "./call.ts";
import { rolloutField } from "./rollout.ts";
import type { Ctx, Frame } from "./context.ts";
import { binary, broadcastAll, constant, emit, notATensor, unary } from "./ops.ts";
import { describeType, describeValue, ERROR, type TensorValue, type Value } from "./values.ts";

/** What the surrounding position expects, so a bare name can mean a dim or an enum label there. */
export type Hint = { kind: "dim" } | { kind: "enum"; name: string; labels: string[] } | undefined;

export function elaborateExpr(ctx: Ctx, frame: Frame, e: Expr, hint?: Hint): Value {
  switch (e.kind) {
    case "number":
      return constant(ctx, e.value, e.isInt ? "i32" : "f32", e.span, e.isInt ? "int" : "float");
    case "string":
      return { kind: "string", value: e.value };
    case "bool":
      return constant(ctx, e.value ? 1 : 0, "bool", e.span);
    case "name":
      return resolveName(ctx, frame, e.name, e.span, hint);
    case "ellipsis":
      return { kind: "dims", names: "all" };
    case "list":
      return dimList(ctx, frame, e.items, e.span);
    case "binary":
      return binary(ctx, e.op, elaborateExpr(ctx, frame, e.left), elaborateExpr(ctx, frame, e.right), e.span, e.opSpan);
    case "unary": {
      const v = elaborateExpr(ctx, frame, e.operand);
      return unary(ctx, e.op === "-" ? "neg" : "not", v, e.span);
    }
    case "call":
      return elaborateCall(ctx, frame, e, 1)[0] ?? ERROR;
    case "field": {
      const f = rolloutField(ctx, frame, e);
      if (f) return f;
      ctx.report(
        "RLP112",
        `'.${e.field.name}': record fields (rollouts, models) are evaluated by 'rlp train'; in 'rlp eval' supply the value as an input`,
        e.span,
      );
      return ERROR;
    }
    case "index":
      return tableLookup(ctx, frame, e.target, e.index, e.span);
    case "select":
      return selectLabel(ctx, frame, e);
    case "rename":
      return renameDim(ctx, frame, e);
    case "labelled":
      return labelledLiteral(ctx, frame, e);
    case "if":
      return ifExpr(ctx, frame, e);
    case "match":
      return matchExpr(ctx, frame, e);
  }
}

export function resolveName(ctx: Ctx, frame: Frame, name: string, span: Span, hint?: Hint): Value {
  if (hint?.kind === "enum" && hint.labels.includes(name)) return { kind: "label", name, enumName: hint.name };
  const b = frame.lookup(name);
  if (hint?.kind === "dim" && (!b || b.value.kind !== "dim") && ctx.dims.has(name)) return { kind: "dim", name };
  if (b) return b.value;
  if (ctx.dims.has(name)) return { kind: "dim", name };
  if (ctx.pipe?.marks.has(name) || ctx.pipe?.frozen.has(name)) return { kind: "model", name };
  const candidates = [...frame.names(), ...ctx.dims.keys()];
  if (hint?.kind === "enum") {
    ctx.report(
      "RLP110",
      `'${name}' is not a label of ${hint.name} (its labels are ${hint.labels.join(", ")})${didYouMean(name, hint.labels)}`,
      span,
    );
    return ERROR;
  }
  if (ctx.scope.nodes.has(name)) {
    ctx.report("RLP100", `'${name}' is a node; call it: ${name}(...)`, span);
    return ERROR;
  }
  ctx.report("RLP100", `unknown name '${name}'${didYouMean(name, candidates)}`, span);
  return ERROR;
}

function dimList(ctx: Ctx, frame: Frame, items: Expr[], span: Span): Value {
  const names: string[] = [];
  for (const item of items) {
    const v = elaborateExpr(ctx, frame, item, { kind: "dim" });
    if (v.kind === "error") return ERROR;
    if (v.kind === "dim") names.push(v.name);
    else if (v.kind === "dims" && v.names !== "all") names.push(...v.names);
    else {
      ctx.report("RLP206", `a list [...] holds dims here, but this item is ${describeValue(v)}`, item.span);
      return ERROR;
    }
  }
  void span;
  return { kind: "dims", names };
}

function tableLookup(ctx: Ctx, frame: Frame, target: Expr, index: Expr, span: Span): Value {
  const t = elaborateExpr(ctx, frame, target);
  if (t.kind === "error") return ERROR;
  if (t.kind !== "table" || !t.keyed) {
    ctx.report(
      "RLP206",
      `x[key] looks up a keyed state table, but this is ${describeValue(t)}; to pick a label write x[Y=w]`,
      span,
    );
    return ERROR;
  }
  const key = elaborateExpr(ctx, frame, index);
  if (key.kind !== "tensor") return notATensor(ctx, key, index.span, `the key of '${t.name}'`);
  if (key.type.dtype !== "id") {
    ctx.report("RLP211", `state tables are keyed by id values, but this key is ${describeType(key.type)}`, index.span);
    return ERROR;
  }
  return emit(ctx, { op: "table_get", table: t.name, default: t.default }, [key], span);
}

function selectLabel(ctx: Ctx, frame: Frame, e: Extract<Expr, { kind: "select" }>): Value {
  const x = elaborateExpr(ctx, frame, e.target);
  if (x.kind !== "tensor") return notATensor(ctx, x, e.target.span, `x[${e.dim.name}=...]`);
  const dimV = resolveName(ctx, frame, e.dim.name, e.dim.span, { kind: "dim" });
  if (dimV.kind !== "dim") return dimV.kind === "error" ? ERROR : notADim(ctx, dimV, e.dim.span);
  const dim = dimV.name;
  if (!x.type.dims.includes(dim)) {
    ctx.report("RLP204", `cannot select along ${dim}: the value ${describeType(x.type)} has no dim ${dim}`, e.dim.span);
    return ERROR;
  }
  const info = ctx.dimInfo(dim);
  let position: number;
  if (e.label.kind === "name" && info?.labels) {
    position = info.labels.indexOf(e.label.name);
    if (position < 0) {
      ctx.report(
        "RLP205",
        `'${e.label.name}' is not a label of ${dim} (its labels are ${info.labels.join(", ")})${didYouMean(e.label.name, info.labels)}`,
        e.label.span,
      );
      return ERROR;
    }
  } else {
    const p = elaborateExpr(ctx, frame, e.label);
    if (p.kind !== "tensor" || p.static === undefined || !Number.isInteger(p.static)) {
      const what = info?.labels ? `a label of ${dim} (${info.labels.join(", ")})` : "a static integer position";
      ctx.report("RLP205", `x[${dim}=...] needs ${what}`, e.label.span);
      return ERROR;
    }
    position = p.static;
    const size = info?.size ?? (info?.labels ? info.labels.length : undefined);
    if (position < 0 || (size !== undefined && position >= size)) {
      ctx.report("RLP205", `position ${position} is outside ${dim} (size ${size ?? "unknown"})`, e.label.span);
      return ERROR;
    }
  }
  return emit(ctx, { op: "select", dim, position }, [x], e.span, { flags: x.flags });
}

function notADim(ctx: Ctx, v: Value, span: Span): Value {
  ctx.report("RLP102", `expected a dim here, but this is ${describeValue(v)}`, span);
  return ERROR;
}

function renameDim(ctx: Ctx, frame: Frame, e: Extract<Expr, { kind: "rename" }>): Value {
  const x = elaborateExpr(ctx, frame, e.target);
  if (x.kind !== "tensor") return notATensor(ctx, x, e.target.span, "a rename");
  const from = resolveName(ctx, frame, e.from.name, e.from.span, { kind: "dim" });
  const to = resolveName(ctx, frame, e.to.name, e.to.span, { kind: "dim" });
  if (from.kind !== "dim") return from.kind === "error" ? ERROR : notADim(ctx, from, e.from.span);
  if (to.kind !== "dim") return to.kind === "error" ? ERROR : notADim(ctx, to, e.to.span);
  if (!x.type.dims.includes(from.name)) {
    ctx.report("RLP212", `cannot rename ${from.name}: the value ${describeType(x.type)} has no dim ${from.name}`, e.from.span);
    return ERROR;
  }
  if (x.type.dims.includes(to.name)) {
    ctx.report("RLP212", `cannot rename ${from.name} to ${to.name}: the value already has ${to.name}`, e.to.span);
    return ERROR;
  }
  const fi = ctx.dimInfo(from.name);
  const ti = ctx.dimInfo(to.name);
  const sameStatic = fi?.size !== undefined && fi.size === ti?.size;
  if (!ctx.areAliases(from.name, to.name) && !sameStatic) {
    ctx.report(
      "RLP212",
      `cannot rename ${from.name} to ${to.name}: ${to.name} is not an alias of ${from.name}; declare it with 'dims ${to.name} = ${from.name}'`,
      e.to.span,
    );
    return ERROR;
  }
  return emit(ctx, { op: "rename", from: from.name, to: to.name }, [x], e.span, { flags: x.flags });
}

function labelledLiteral(ctx: Ctx, frame: Frame, e: Extract<Expr, { kind: "labelled" }>): Value {
  const dimV = resolveName(ctx, frame, e.dim.name, e.dim.span, { kind: "dim" });
  if (dimV.kind !== "dim") return dimV.kind === "error" ? ERROR : notADim(ctx, dimV, e.dim.span);
  const labels = ctx.dimInfo(dimV.name)?.labels;
  if (!labels) {
    ctx.report(
      "RLP205",
      `${dimV.name}{...} builds a value along a labelled dim, but ${dimV.name} has no labels; declare it as 'dim ${dimV.name} = {a, b}'`,
      e.dim.span,
    );
    return ERROR;
  }
  const byLabel = new Map<string, TensorValue>();
  let failed = false;
  for (const entry of e.entries) {
    if (!labels.includes(entry.label.name)) {
      ctx.report(
        "RLP205",
        `'${entry.label.name}' is not a label of ${dimV.name} (its labels are ${labels.join(", ")})${didYouMean(entry.label.name, labels)}`,
        entry.label.span,
      );
      failed = true;
      continue;
    }
    if (byLabel.has(entry.label.name)) {
      ctx.report("RLP205", `label '${entry.label.name}' is given twice`, entry.label.span);
      failed = true;
      continue;
    }
    const v = elaborateExpr(ctx, frame, entry.value);
    if (v.kind !== "tensor") {
      if (v.kind !== "error") notATensor(ctx, v, entry.value.span, `${dimV.name}{...}`);
      failed = true;
      continue;
    }
    byLabel.set(entry.label.name, v);
  }
  const missing = labels.filter((l) => !byLabel.has(l));
  if (!failed && missing.length > 0) {
    ctx.report("RLP205", `${dimV.name}{...} must give every label once; missing: ${missing.join(", ")}`, e.span);
    return ERROR;
  }
  if (failed) return ERROR;
  let parts = labels.map((l) => byLabel.get(l)!);
  const dtype = parts.find((p) => !p.literal)?.type.dtype ?? parts[0]!.type.dtype;
  parts = parts.map((p) => (p.literal && p.type.dtype !== dtype ? constant(ctx, p.static!, dtype, e.span) : p));
  if (parts.some((p) => p.type.dtype !== dtype)) {
    ctx.report(
      "RLP203",
      `the entries of ${dimV.name}{...} must share one dtype, but they are ${parts.map((p) => describeType(p.type)).join(", ")}`,
      e.span,
    );
    return ERROR;
  }
  const joint = broadcastAll(ctx, parts, e.span, `${dimV.name}{...}`);
  if (!joint) return ERROR;
  return emit(ctx, { op: "stack", dim: dimV.name }, parts, e.span);
}

function staticCondition(ctx: Ctx, frame: Frame, cond: Expr, what: string): boolean | undefined {
  const c = elaborateExpr(ctx, frame, cond);
  if (c.kind === "error") return undefined;
  if (c.kind !== "tensor" || c.type.dtype !== "bool") {
    ctx.report("RLP202", `the condition of ${what} must be a bool, but it is ${describeValue(c)}`, cond.span);
    return undefined;
  }
  if (c.static === undefined) {
    ctx.report(
      "RLP207",
      `the condition of ${what} is computed from data at run time, but ${what} is decided when the pipeline is compiled; use where(cond, a, b) to choose per element`,
      cond.span,
    );
    return undefined;
  }
  return c.static !== 0;
}

function ifExpr(ctx: Ctx, frame: Frame, e: Extract<Expr, { kind: "if" }>): Value {
  const c = staticCondition(ctx, frame, e.cond, "'if'");
  if (c === undefined) return ERROR;
  return elaborateExpr(ctx, frame, c ? e.then : e.else);
}

function matchExpr(ctx: Ctx, frame: Frame, e: Extract<Expr, { kind: "match" }>): Value {
  const s = elaborateExpr(ctx, frame, e.scrutinee);
  if (s.kind === "error") return ERROR;
  if (s.kind !== "label") {
    const runtime = s.kind === "tensor" && s.static === undefined;
    ctx.report(
      runtime ? "RLP207" : "RLP206",
      runtime
        ? "'match' chooses an arm when the pipeline is compiled, but this value is computed from data at run time; use where(cond, a, b) to choose per element"
        : `'match' works on an enum param, but this is ${describeValue(s)}`,
      e.scrutinee.span,
    );
    return ERROR;
  }
  const labels = s.enumName ? ctx.enumLabels(s.enumName) : undefined;
  let chosen: Expr | undefined;
  const seen = new Set<string>();
  for (const arm of e.arms) {
    if (labels && !labels.includes(arm.label.name)) {
      ctx.report(
        "RLP110",
        `'${arm.label.name}' is not a label of ${s.enumName} (its labels are ${labels.join(", ")})${didYouMean(arm.label.name, labels)}`,
        arm.label.span,
      );
    }
    if (seen.has(arm.label.name)) ctx.report("RLP208", `the arm '${arm.label.name}' appears twice`, arm.label.span);
    seen.add(arm.label.name);
    if (arm.label.name === s.name) chosen = arm.value;
  }
  const missing = (labels ?? []).filter((l) => !seen.has(l));
  if (missing.length > 0) {
    ctx.report("RLP208", `this match does not cover every label of ${s.enumName}: missing ${missing.join(", ")}`, e.span);
    return ERROR;
  }
  if (!chosen) return ERROR;
  return elaborateExpr(ctx, frame, chosen);
}
