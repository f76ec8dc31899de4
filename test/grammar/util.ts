// Helpers for the grammar tests: parse with no diagnostics, pull out one expression, print expressions compactly.
import { expect } from "vitest";
import type { Expr, FileAst, PipelineDecl, PipelineItem } from "../../grammar/ast.ts";
import { parse } from "../../grammar/index.ts";

/** Parse and require a clean result. */
export function parseOk(text: string, file = "test.rlp"): FileAst {
  const { ast, diagnostics } = parse(text, file);
  expect(diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.code} ${d.message}`)).toEqual([]);
  return ast;
}

/** The items of the only pipeline in `text`. */
export function items(text: string): PipelineItem[] {
  const ast = parseOk(text);
  const p = ast.decls.find((d): d is PipelineDecl => d.kind === "pipeline");
  if (!p) throw new Error("no pipeline");
  return p.items;
}

/** The expression `src`, parsed as the value of a let statement. */
export function expr(src: string): Expr {
  const [it] = items(`pipeline p {\n  let v = ${src}\n}`);
  if (!it || it.kind !== "let") throw new Error("no let");
  return it.value;
}

/** A compact, fully parenthesised rendering: `(+ a (* b c))`, `f(x, over=G)`, `x[Y=w]`. */
export function show(e: Expr): string {
  switch (e.kind) {
    case "number":
      return e.text;
    case "string":
      return JSON.stringify(e.value);
    case "bool":
      return String(e.value);
    case "name":
      return e.name;
    case "ellipsis":
      return "...";
    case "list":
      return `[${e.items.map(show).join(", ")}]`;
    case "binary":
      return `(${e.op} ${show(e.left)} ${show(e.right)})`;
    case "unary":
      return `(${e.op} ${show(e.operand)})`;
    case "call":
      return `${show(e.callee)}(${e.args.map((a) => (a.name ? `${a.name.name}=` : "") + show(a.value)).join(", ")})`;
    case "field":
      return `${show(e.target)}.${e.field.name}`;
    case "index":
      return `${show(e.target)}[${show(e.index)}]`;
    case "select":
      return `${show(e.target)}[${e.dim.name}=${show(e.label)}]`;
    case "rename":
      return `${show(e.target)}[${e.from.name} as ${e.to.name}]`;
    case "labelled":
      return `${e.dim.name}{${e.entries.map((x) => `${x.label.name}: ${show(x.value)}`).join(", ")}}`;
    case "if":
      return `(if ${show(e.cond)} ${show(e.then)} ${show(e.else)})`;
    case "match":
      return `(match ${show(e.scrutinee)} ${e.arms.map((a) => `${a.label.name}=>${show(a.value)}`).join(" ")})`;
  }
}

/** `line:col` of a span. */
export function at(s: { span: { line: number; col: number } }): string {
  return `${s.span.line}:${s.span.col}`;
}
