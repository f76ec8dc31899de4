// The text of the graph's boxes, edges and clusters: type labels, kernel titles, and what a group of IR nodes is
// called (input, param, state, node call, expression).
import type { Span } from "../../../grammar/ast.ts";
import type { IRNode, IRProgram, IRType, ResultKind } from "../../../compiler/ir/ir.ts";
import { exprTitle, snippet, spanKey, statementText, type SourceInfo } from "./source_text.ts";
import type { GraphEdge, GraphNode, GraphNodeKind, KernelLike } from "./types.ts";
import { binaryInfo, unreachable } from "../../../compiler/ir/ops.ts";

/** The id, title and detail line of a kernel's cluster. */
export function kernelInfo(k: KernelLike, position: number): { id: string; title: string; detail: string } {
  const raw = k.name ?? (k.id !== undefined ? String(k.id) : String(k.index ?? position));
  const id = (/^k/.test(raw) ? raw : `k${raw}`).replace(/[^A-Za-z0-9_]/g, "_");
  const dims = k.nest ?? (Array.isArray(k.space) ? (k.space as unknown[]).map(String) : undefined);
  const space = dims ? `[${dims.join(",")}]` : typeof k.space === "string" ? k.space : undefined;
  return { id, title: `kernel ${raw}`, detail: space && space !== "[]" ? `${k.kind} over ${space}` : k.kind };
}

/** `f32[P,G,T] ∇policy`: dtype, dims (scalars `f32[]`), the index dim of `i32<V>`, and the grad marks. */
export function typeLabel(type: IRType, grad: readonly string[] = []): string {
  const index = type.indexOf ? `<${type.indexOf}>` : "";
  const marks = grad.length > 0 ? ` ∇${grad.join(",")}` : "";
  return `${type.dtype}${index}[${type.dims.join(",")}]${marks}`;
}

/** The text drawn on an edge: the type, after the value's name when the box it leaves does not already say it. */
export function edgeText(e: GraphEdge, from: GraphNode | undefined): string {
  const named = e.name !== undefined && !(from && (from.kind === "input" || from.kind === "param") && from.title === e.name);
  return named ? `${e.name}: ${e.label}` : e.label;
}

export function isSource(kind: GraphNodeKind): boolean {
  return kind === "input" || kind === "param" || kind === "state";
}

export function resultDetail(kind: ResultKind): string {
  switch (kind) {
    case "loss":
      return "scalar loss";
    case "update":
      return "state update";
    default:
      return `${kind} result`;
  }
}

export interface GroupDescription {
  kind: GraphNodeKind;
  title: string;
  detail: string;
  idBase: string;
  span?: Span;
}

/** The box of a group of IR nodes: its kind, title, detail line and id. */
export function describeGroup(
  ir: IRNode[],
  first: IRNode,
  last: IRNode,
  program: IRProgram,
  src: SourceInfo | undefined,
  inputs: Map<number, IRProgram["inputs"][number]>,
): GroupDescription {
  if (first.op.op === "input") {
    const inp = inputs.get(first.id);
    const mark = inp?.mark ? ` @${inp.mark}` : "";
    const d: GroupDescription = {
      kind: "input",
      title: first.op.name,
      detail: `${typeLabel(first.type)}${mark}`,
      idBase: `input_${first.op.name}`,
    };
    if (inp?.span ?? first.span) d.span = (inp?.span ?? first.span)!;
    return d;
  }
  if (first.op.op === "param") {
    const name = first.op.name;
    const info = program.params.find((p) => p.name === name);
    const d: GroupDescription = {
      kind: "param",
      title: name,
      detail: `${typeLabel(first.type)} = ${String(info?.value ?? first.op.value)}`,
      idBase: `param_${name}`,
    };
    if (first.span) d.span = first.span;
    return d;
  }
  if (first.op.op === "table_read") {
    const name = first.op.table;
    const st = program.states.find((x) => x.name === name);
    const d: GroupDescription = {
      kind: "state",
      title: name,
      detail: `state ${typeLabel(first.type)}${st ? ` = ${st.init}` : ""}`,
      idBase: `state_${name}`,
    };
    if (first.span) d.span = first.span;
    return d;
  }
  if (first.site) {
    const site = first.site;
    const stmt = src?.values.get(spanKey(site.span));
    const detail = stmt ? statementText(stmt) : snippet(src, site.span);
    return { kind: "call", title: site.node, detail, idBase: `call_${site.node}`, span: site.span };
  }
  const span = first.span;
  const hit = span && src && span.file === src.file ? src.exprs.get(spanKey(span)) : undefined;
  const title = hit ? exprTitle(hit.expr) : opTitle(last);
  const stmt = span && src ? src.values.get(spanKey(span)) : undefined;
  const detail = stmt ? statementText(stmt) : span ? snippet(src, span) : `${ir.length} primitive${ir.length === 1 ? "" : "s"}`;
  const d: GroupDescription = { kind: "expr", title, detail, idBase: `expr_${last.op.op}` };
  if (span) d.span = span;
  return d;
}

function opTitle(n: IRNode): string {
  const op = n.op;
  switch (op.op) {
    case "binary":
      return binaryInfo(op.fn).symbol ?? op.fn;
    case "unary":
      return op.fn === "neg" ? "-" : op.fn;
    case "reduce":
    case "scan":
      return op.fn;
    case "cast":
      return op.to;
    case "table_get":
    case "table_read":
      return op.table;
    case "const":
      return String(op.value);
    case "input":
    case "param":
    case "index":
    case "size":
    case "where":
    case "clamp":
    case "safe_div":
    case "detach":
    case "linrec":
    case "shift":
    case "segment":
    case "topk_mask":
    case "uniform":
    case "take":
    case "put":
    case "log_softmax":
    case "select":
    case "stack":
    case "rename":
    case "argfirst":
    case "scan_grad":
    case "embed":
    case "custom":
    case "custom_vjp":
      return op.op;
    default:
      return unreachable(op, "graph: op");
  }
}
