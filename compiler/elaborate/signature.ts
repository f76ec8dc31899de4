// Node signatures: what kind of value each parameter takes, and matching tensor arguments against
// declared types with named dims, dim params (`f32[..., over]`), row variables (`...`, `...R`) and dim lists.
import type { NodeParam, Span, TypeExpr } from "../../grammar/ast.ts";
import type { DType } from "../ir/ir.ts";
import { didYouMean } from "../ir/suggest.ts";
import type { Ctx, Frame } from "./context.ts";
import type { Hint } from "./expr.ts";
import { describeType, type TensorValue } from "./values.ts";

export type ParamKind =
  | { kind: "dim" }
  | { kind: "dims" }
  | { kind: "enum"; name: string; labels: string[] }
  | { kind: "tensor"; type: Extract<TypeExpr, { kind: "tensor" }> }
  | { kind: "invalid" };

export function paramKind(ctx: Ctx, t: TypeExpr, owner: string): ParamKind {
  switch (t.kind) {
    case "dim":
      return { kind: "dim" };
    case "dims":
      return { kind: "dims" };
    case "tensor":
      return { kind: "tensor", type: t };
    case "enum": {
      const labels = t.labels.map((l) => l.name);
      ctx.inlineEnums.set(owner, labels);
      return { kind: "enum", name: owner, labels };
    }
    case "named": {
      const e = ctx.scope.enums.get(t.name.name);
      if (e) return { kind: "enum", name: t.name.name, labels: e.labels };
      ctx.report(
        "RLP113",
        `unknown type '${t.name.name}'${didYouMean(t.name.name, [...ctx.scope.enums.keys(), "f32", "i32", "bool", "id"]) || "; types are f32, i32, bool, id (with dims in [...]), an enum name, dim or dims"}`,
        t.span,
      );
      return { kind: "invalid" };
    }
    case "table":
      ctx.report("RLP113", "a table type is only allowed in a pipeline's 'state' declaration", t.span);
      return { kind: "invalid" };
  }
}

export function hintFor(k: ParamKind): Hint {
  if (k.kind === "dim" || k.kind === "dims") return { kind: "dim" };
  if (k.kind === "enum") return { kind: "enum", name: k.name, labels: k.labels };
  return undefined;
}

/** The dims a tensor type names, resolved in the node's frame: fixed dims, and the row variable (if any). */
export interface ResolvedDims {
  fixed: string[];
  rows: string[];
}

export function resolveTypeDims(
  ctx: Ctx,
  frame: Frame,
  t: Extract<TypeExpr, { kind: "tensor" }>,
  nodeName: string,
): ResolvedDims | undefined {
  const fixed: string[] = [];
  const rows: string[] = [];
  for (const entry of t.dims ?? []) {
    if (entry.kind === "row") {
      rows.push(entry.name ? `...${entry.name.name}` : "...");
      continue;
    }
    const b = frame.lookup(entry.name.name);
    if (entry.kind === "splice") {
      if (b?.value.kind === "dims" && b.value.names !== "all") fixed.push(...b.value.names);
      else if (b?.value.kind === "dim") fixed.push(b.value.name);
      else {
        ctx.report(
          "RLP102",
          `*${entry.name.name} splices a 'dims' parameter, but ${nodeName} has no such parameter`,
          entry.name.span,
        );
        return undefined;
      }
      continue;
    }
    if (b?.value.kind === "dim") fixed.push(b.value.name);
    else if (ctx.scope.dims.has(entry.name.name)) fixed.push(entry.name.name);
    else {
      ctx.report(
        "RLP102",
        `unknown dim '${entry.name.name}' in the signature of ${nodeName}: a node's types may name only its dim parameters (over: dim) and top-level dims, never a pipeline's dims${didYouMean(
          entry.name.name,
          frame.names().filter((n) => ["dim", "dims"].includes(frame.lookup(n)!.value.kind)),
        )}`,
        entry.name.span,
      );
      return undefined;
    }
  }
  return { fixed, rows };
}

function dtypeOf(t: Extract<TypeExpr, { kind: "tensor" }>): DType {
  return t.dtype;
}

/** Checks one tensor argument against its parameter type; binds row variables. */
export function matchTensorParam(
  ctx: Ctx,
  frame: Frame,
  param: NodeParam,
  t: Extract<TypeExpr, { kind: "tensor" }>,
  resolved: ResolvedDims,
  arg: TensorValue,
  rows: Map<string, Set<string>>,
  callee: string,
  span: Span,
): boolean {
  const want = dtypeOf(t);
  const got = arg.type.dtype;
  const dtypeOk = got === want || (want === "f32" && arg.literal !== undefined) || (want === "i32" && arg.literal === "int");
  if (!dtypeOk) {
    const fix =
      got === "bool" && want === "f32"
        ? "; write f32(...) to use a bool as 0/1"
        : got === "i32" && want === "f32"
          ? "; convert it with f32(...)"
          : "";
    ctx.report(
      got === "bool" || want === "bool" ? "RLP202" : "RLP203",
      `the argument '${param.name.name}' of ${callee} must be ${want}, but it is ${describeType(arg.type)}${fix}`,
      span,
      [{ message: `the parameter is declared here as ${want}`, span: param.type.span }],
    );
    return false;
  }
  if (t.index && !arg.literal) {
    const b = frame.lookup(t.index.name);
    const want = b?.value.kind === "dim" ? b.value.name : t.index.name;
    if (arg.type.indexOf !== want) {
      const has = arg.type.indexOf ? `it indexes ${arg.type.indexOf}` : `it is a plain ${describeType(arg.type)}`;
      ctx.report(
        "RLP211",
        `the argument '${param.name.name}' of ${callee} must hold positions along ${want} (i32<${want}>), but ${has}; convert with as_index(x, ${want})`,
        span,
      );
      return false;
    }
  }
  const missing = resolved.fixed.filter((d) => !arg.type.dims.includes(d));
  if (missing.length > 0 && t.dims !== null) {
    ctx.report(
      "RLP209",
      `the argument '${param.name.name}' of ${callee} must have the dim${missing.length > 1 ? "s" : ""} ${missing.join(", ")}, but it is ${describeType(arg.type)}`,
      span,
      [{ message: `the parameter type is declared here`, span: param.type.span }],
    );
    return false;
  }
  const rest = arg.type.dims.filter((d) => !resolved.fixed.includes(d));
  if (rest.length === 0) return true;
  const row = resolved.rows[0];
  if (!row) {
    const declared = t.dims === null ? "a scalar" : `[${resolved.fixed.join(",")}]`;
    ctx.report(
      "RLP209",
      `the argument '${param.name.name}' of ${callee} is ${describeType(arg.type)}, but the parameter takes ${declared}: it has no room for ${rest.join(", ")}`,
      span,
      [{ message: "the parameter type is declared here", span: param.type.span }],
    );
    return false;
  }
  const set = rows.get(row) ?? new Set<string>();
  for (const d of rest) set.add(d);
  rows.set(row, set);
  return true;
}

/** The dims a result may have: its fixed dims plus whatever its row variables were bound to. */
export function expectedResultDims(resolved: ResolvedDims, rows: Map<string, Set<string>>): Set<string> {
  const s = new Set(resolved.fixed);
  for (const r of resolved.rows) for (const d of rows.get(r) ?? []) s.add(d);
  return s;
}
