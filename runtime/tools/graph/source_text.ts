// The pipeline's source text as the graph uses it: its statements and expressions by span, the names they bind, the
// params they refer to, and short titles and snippets of them for labels.
import type { Expr, PipelineDecl, Span, Stmt } from "../../../grammar/ast.ts";
import { parse } from "../../../grammar/index.ts";
import type { IRProgram } from "../../../compiler/ir/ir.ts";

export interface SourceInfo {
  /** Expressions of the pipeline body by `start:end` (the outermost one for a span shared by several). */
  exprs: Map<string, { expr: Expr; stmt: Stmt }>;
  /** Statement values by `start:end`. */
  values: Map<string, Stmt>;
  /** Names bound by `let` and stage statements -> the span key of the statement's value. */
  bindings: Map<string, string>;
  /** Result names -> the stage or update statement that makes them. */
  statementOf: Map<string, Stmt>;
  /**
   * Param names referenced inside an expression, not counting those inside a nested expression with a box of its own
   * (`boxes`: their span keys).
   */
  paramRefs: (spanKey: string, boxes: ReadonlySet<string>) => string[];
  text: string;
  file: string;
}

/** A span's key in SourceInfo's maps: `start:end`. */
export const spanKey = (s: Span): string => `${s.start}:${s.end}`;

/** The file holding the pipeline body: where its results (else its inputs) were written. */
export function pipelineFile(program: IRProgram): string | undefined {
  return program.results.find((r) => r.span)?.span?.file ?? program.inputs.find((i) => i.span)?.span?.file;
}

/** A box's title from the expression it stands for: the operator, the callee, the name, ... */
export function exprTitle(e: Expr): string {
  switch (e.kind) {
    case "binary":
      return e.op;
    case "unary":
      return e.op;
    case "call":
      return e.callee.kind === "name" ? e.callee.name : "call";
    case "name":
      return e.name;
    case "number":
      return e.text;
    case "bool":
      return String(e.value);
    case "select":
      return `[${e.dim.name}=…]`;
    case "rename":
      return `[${e.from.name} as ${e.to.name}]`;
    case "index":
      return e.target.kind === "name" ? `${e.target.name}[…]` : "lookup";
    case "labelled":
      return `${e.dim.name}{…}`;
    case "if":
      return "if";
    case "match":
      return "match";
    case "field":
      return `.${e.field.name}`;
    default:
      return e.kind;
  }
}

/** A statement in short: `let pg, clipped`, `advantage A`, `update baseline`. */
export function statementText(s: Stmt): string {
  switch (s.kind) {
    case "let":
      return `let ${s.names.map((n) => n.name).join(", ")}`;
    case "stage":
      return `${s.stage} ${s.names.map((n) => n.name).join(", ")}`;
    case "update":
      return `update ${s.target.name}`;
    default:
      return s.kind;
  }
}

/** The source text of a span on one line, cut to `max` characters (`line N` when there is none). */
export function snippet(src: SourceInfo | undefined, span: Span, max = 36): string {
  const text = src && span.file === src.file ? src.text.slice(span.start, span.end) : "";
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat === "") return `line ${span.line}`;
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** What the graph reads from the pipeline's source (undefined without the text or the pipeline in it). */
export function sourceInfo(
  program: IRProgram,
  file: string,
  sources: ReadonlyMap<string, string> | undefined,
): SourceInfo | undefined {
  const text = sources?.get(file);
  if (text === undefined) return undefined;
  const { ast } = parse(text, file);
  const decl = ast.decls.find((d): d is PipelineDecl => d.kind === "pipeline" && d.name.name === program.pipeline);
  if (!decl) return undefined;
  const exprs = new Map<string, { expr: Expr; stmt: Stmt }>();
  const values = new Map<string, Stmt>();
  const stmts: Stmt[] = [];
  for (const item of decl.items) {
    if (item.kind === "let" || item.kind === "stage" || item.kind === "update" || item.kind === "require") stmts.push(item);
  }
  const bindings = new Map<string, string>();
  const statementOf = new Map<string, Stmt>();
  for (const s of stmts) {
    if (s.kind === "let" || s.kind === "stage" || s.kind === "update") values.set(spanKey(s.value.span), s);
    if (s.kind === "let" || s.kind === "stage") for (const n of s.names) bindings.set(n.name, spanKey(s.value.span));
    if (s.kind === "stage") for (const n of s.names) statementOf.set(n.name, s);
    if (s.kind === "update") statementOf.set(s.target.name, s);
    for (const root of statementExprs(s))
      walk(root, (e) => {
        const k = spanKey(e.span);
        if (!exprs.has(k)) exprs.set(k, { expr: e, stmt: s });
      });
  }
  const params = new Set(program.params.map((p) => p.name));
  const paramRefs = (key: string, boxes: ReadonlySet<string>): string[] => {
    const hit = exprs.get(key);
    if (!hit) return [];
    const found = new Set<string>();
    // A nested expression with a box of its own keeps its references.
    const visit = (e: Expr, top: boolean) => {
      if (!top && boxes.has(spanKey(e.span))) return;
      if (e.kind === "name" && params.has(e.name)) found.add(e.name);
      for (const c of children(e)) visit(c, false);
    };
    visit(hit.expr, true);
    return [...found];
  };
  return { exprs, values, bindings, statementOf, paramRefs, text, file };
}

/** The expressions a statement holds at its top. */
function statementExprs(s: Stmt): Expr[] {
  switch (s.kind) {
    case "let":
    case "stage":
      return [s.value];
    case "update":
      return s.key ? [s.key, s.value] : [s.value];
    case "require":
      return [s.cond];
    default:
      return [];
  }
}

function walk(e: Expr, f: (e: Expr) => void): void {
  f(e);
  for (const c of children(e)) walk(c, f);
}

/** The direct subexpressions of an expression. */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case "list":
      return e.items;
    case "binary":
      return [e.left, e.right];
    case "unary":
      return [e.operand];
    case "call":
      return [e.callee, ...e.args.map((a) => a.value)];
    case "field":
      return [e.target];
    case "index":
      return [e.target, e.index];
    case "select":
      return [e.target, e.label];
    case "rename":
      return [e.target];
    case "labelled":
      return e.entries.map((x) => x.value);
    case "if":
      return [e.cond, e.then, e.else];
    case "match":
      return [e.scrutinee, ...e.arms.map((a) => a.value)];
    default:
      return [];
  }
}
