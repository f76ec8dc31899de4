// Diagnostics are plain data shared by every stage (the grammar is the lowest one, so the type lives here).
// Rendering them for a terminal or as JSON is the CLI's job (cli/render.ts).
import type { Span } from "./ast.ts";

export type Severity = "error" | "warning" | "info";

export interface DiagnosticNote {
  message: string;
  span?: Span;
}

export interface Diagnostic {
  /** Stable code, e.g. `RLP201`. Listed with an example and the fix in docs/diagnostics.md. */
  code: string;
  severity: Severity;
  message: string;
  span: Span;
  notes: DiagnosticNote[];
}

export function diag(code: string, message: string, span: Span, notes: DiagnosticNote[] = [], severity: Severity = "error"): Diagnostic {
  return { code, severity, message, span, notes };
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === "error");
}

/** A span for things with no better place (a whole file, a command-line value). */
export function fileSpan(file: string): Span {
  return { file, start: 0, end: 0, line: 1, col: 1 };
}
