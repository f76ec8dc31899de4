// Renders diagnostics for people (a terminal: location, source line, caret underline, notes) and for tools (JSON).
// Pure functions of the diagnostics and the source texts; the caller decides where the text goes.
import { isAbsolute, relative } from "node:path";
import type { Span } from "../grammar/ast.ts";
import type { Diagnostic, Severity } from "../grammar/diagnostic.ts";

export interface RenderOptions {
  /** ANSI colors (see `shouldColor`). Default false. */
  color?: boolean;
  /** Show absolute paths under this directory relative to it (text only; JSON keeps paths as given). */
  cwd?: string;
}

/** A stream-like thing: only `isTTY` is looked at. */
export interface TtyLike {
  isTTY?: boolean;
}

/** Colors only on a terminal, and never when NO_COLOR is set. */
export function shouldColor(stream: TtyLike, env: Record<string, string | undefined> = process.env): boolean {
  return stream.isTTY === true && env.NO_COLOR === undefined;
}

// ---------------------------------------------------------------- positions

/** 1-based line and column of a 0-based offset into `text` (columns count UTF-16 units, like Span.col). */
export function positionOf(text: string, offset: number): { line: number; col: number } {
  const o = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < o; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: o - lineStart + 1 };
}

/** The text of 1-based line `line` (without its newline), or undefined past the end. */
function lineText(text: string, line: number): string | undefined {
  const lines = text.split("\n");
  const t = lines[line - 1];
  return t === undefined ? undefined : t.replace(/\r$/, "");
}

/** End position of a span: exact when the source is known, else assumed on the start line. */
function endOf(span: Span, source: string | undefined): { line: number; col: number } {
  if (source !== undefined && span.end <= source.length && span.end >= span.start) return positionOf(source, span.end);
  return { line: span.line, col: span.col + Math.max(0, span.end - span.start) };
}

// ---------------------------------------------------------------- colors

const ANSI = {
  reset: "\x1b[0m",
  bold: "\x1b[1m",
  red: "\x1b[31m",
  yellow: "\x1b[33m",
  blue: "\x1b[34m",
  cyan: "\x1b[36m",
  green: "\x1b[32m",
};

type Paint = (s: string, ...styles: (keyof typeof ANSI)[]) => string;

function painter(color: boolean): Paint {
  if (!color) return (s) => s;
  return (s, ...styles) => (s === "" ? s : styles.map((k) => ANSI[k]).join("") + s + ANSI.reset);
}

function severityColor(sev: Severity | "note"): keyof typeof ANSI {
  return sev === "error" ? "red" : sev === "warning" ? "yellow" : sev === "note" ? "green" : "cyan";
}

// ---------------------------------------------------------------- text

/**
 * The source excerpt for a span: a gutter with the line number, the line, and a caret underline `^~~~` under the
 * span (clipped to the first line when the span covers several). Empty when the line is not available.
 */
export function renderExcerpt(
  span: Span,
  source: string | undefined,
  options: RenderOptions & { severity?: Severity | "note" } = {},
): string[] {
  if (source === undefined) return [];
  const text = lineText(source, span.line);
  if (text === undefined) return [];
  const paint = painter(options.color === true);
  const end = endOf(span, source);
  const startCol = Math.max(1, Math.min(span.col, text.length + 1));
  const endCol = end.line === span.line ? Math.min(end.col, text.length + 1) : text.length + 1;
  const width = Math.max(1, endCol - startCol);
  // Keep tabs in the padding so the caret lines up however the terminal expands them.
  const pad = text.slice(0, startCol - 1).replace(/[^\t]/g, " ");
  const num = String(span.line);
  const gutter = " ".repeat(num.length);
  const bar = paint("|", "blue", "bold");
  const caret = paint("^" + "~".repeat(width - 1), severityColor(options.severity ?? "error"), "bold");
  return [`  ${paint(num, "blue", "bold")} ${bar} ${text}`, `  ${gutter} ${bar} ${pad}${caret}`];
}

function location(span: Span, cwd: string | undefined): string {
  let file = span.file;
  if (cwd !== undefined && isAbsolute(file)) {
    const rel = relative(cwd, file);
    if (rel !== "" && !rel.startsWith("..") && !isAbsolute(rel)) file = rel;
  }
  return `${file}:${span.line}:${span.col}`;
}

/** One diagnostic: `file:line:col: error[CODE]: message`, the excerpt, then its notes. No trailing newline. */
export function renderDiagnostic(
  d: Diagnostic,
  sources: ReadonlyMap<string, string> = new Map(),
  options: RenderOptions = {},
): string {
  const paint = painter(options.color === true);
  const out: string[] = [];
  const head = `${paint(location(d.span, options.cwd) + ":", "bold")} ${paint(`${d.severity}[${d.code}]`, severityColor(d.severity), "bold")}${paint(":", "bold")} ${paint(d.message, "bold")}`;
  out.push(head);
  out.push(...renderExcerpt(d.span, sources.get(d.span.file), { ...options, severity: d.severity }));
  for (const n of d.notes) {
    if (n.span) {
      out.push(`${paint(location(n.span, options.cwd) + ":", "bold")} ${paint("note", "green", "bold")}: ${n.message}`);
      out.push(...renderExcerpt(n.span, sources.get(n.span.file), { ...options, severity: "note" }));
    } else {
      out.push(`  ${paint("note", "green", "bold")}: ${n.message}`);
    }
  }
  return out.join("\n");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `N errors, M warnings`. */
export function renderSummary(diags: readonly Diagnostic[]): string {
  const errors = diags.filter((d) => d.severity === "error").length;
  const warnings = diags.filter((d) => d.severity === "warning").length;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}

/** Every diagnostic (blank line between them) and the summary line. Ends with a newline. */
export function renderDiagnostics(
  diags: readonly Diagnostic[],
  sources: ReadonlyMap<string, string> = new Map(),
  options: RenderOptions = {},
): string {
  const parts = diags.map((d) => renderDiagnostic(d, sources, options));
  parts.push(renderSummary(diags));
  return parts.join("\n\n") + "\n";
}

// ---------------------------------------------------------------- JSON

export interface JsonDiagnosticNote {
  message: string;
  file?: string;
  line?: number;
  col?: number;
}

/** `endLine`/`endCol` are the position just past the span (1-based, exclusive), like an editor range. */
export interface JsonDiagnostic {
  code: string;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  notes: JsonDiagnosticNote[];
}

export function toJsonDiagnostics(
  diags: readonly Diagnostic[],
  sources: ReadonlyMap<string, string> = new Map(),
): JsonDiagnostic[] {
  return diags.map((d) => {
    const end = endOf(d.span, sources.get(d.span.file));
    return {
      code: d.code,
      severity: d.severity,
      message: d.message,
      file: d.span.file,
      line: d.span.line,
      col: d.span.col,
      endLine: end.line,
      endCol: end.col,
      notes: d.notes.map((n) =>
        n.span ? { message: n.message, file: n.span.file, line: n.span.line, col: n.span.col } : { message: n.message },
      ),
    };
  });
}

/** `--format json`: the array of `toJsonDiagnostics`, pretty-printed, with a trailing newline. */
export function renderJson(diags: readonly Diagnostic[], sources: ReadonlyMap<string, string> = new Map()): string {
  return JSON.stringify(toJsonDiagnostics(diags, sources), null, 2) + "\n";
}
