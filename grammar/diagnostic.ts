// Diagnostics are plain data shared by every stage (the grammar is the lowest one, so the type lives here).
// Rendering them for a terminal or as JSON is the CLI's job (cli/render.ts).
import type { Span } from "./ast.ts";
import { severityOf, type DiagnosticCode, type Severity } from "./diagnostic_codes.ts";

export type { DiagnosticCode, LintCode, Severity } from "./diagnostic_codes.ts";

export interface DiagnosticNote {
  message: string;
  span?: Span;
}

export interface Diagnostic {
  /** Stable code, e.g. `RLP201`: a key of DIAGNOSTIC_CODES (grammar/diagnostic_codes.ts), documented in docs/diagnostics.md. */
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  span: Span;
  notes: DiagnosticNote[];
}

/** A diagnostic with its code's registered severity unless `severity` overrides it. */
export function diag(
  code: DiagnosticCode,
  message: string,
  span: Span,
  notes: DiagnosticNote[] = [],
  severity: Severity = severityOf(code),
): Diagnostic {
  return { code, severity, message, span, notes };
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === "error");
}

/** A span for things with no better place (a whole file, a command-line value). */
export function fileSpan(file: string): Span {
  return { file, start: 0, end: 0, line: 1, col: 1 };
}
