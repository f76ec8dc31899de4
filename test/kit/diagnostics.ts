// Diagnostics of in-memory sources, and the one assertion "this source reports CODE at LINE:COL".
import { expect } from "vitest";
import { compileFile } from "../../compiler/index.ts";
import type { Diagnostic, DiagnosticCode } from "../../grammar/diagnostic.ts";

export function formatDiagnostics(diags: readonly Diagnostic[]): string {
  return diags.map((d) => `${d.severity} ${d.code} ${d.span.file}:${d.span.line}:${d.span.col} ${d.message}`).join("\n");
}

export function errorsOf(diags: readonly Diagnostic[]): Diagnostic[] {
  return diags.filter((d) => d.severity === "error");
}

/** Every diagnostic of `src` compiled as the file `path` (default /virtual/test.rlp). */
export function diagnosticsOf(src: string, path = "/virtual/test.rlp"): Diagnostic[] {
  return compileFile(path, { sources: new Map([[path, src]]) }).diagnostics;
}

/** The errors of `src` as `CODE line:col message`, in source order. */
export function errorLines(src: string, path?: string): string[] {
  return errorsOf(diagnosticsOf(src, path)).map((d) => `${d.code} ${d.span.line}:${d.span.col} ${d.message}`);
}

/**
 * Expects `src` to report `code` at `line`:`col` (1-based) and returns that diagnostic (for checks of its message
 * or notes). The failure message lists what was reported instead.
 */
export function expectDiagnostic(src: string, code: DiagnosticCode, line: number, col: number, path?: string): Diagnostic {
  const all = diagnosticsOf(src, path);
  const hit = all.find((d) => d.code === code && d.span.line === line && d.span.col === col);
  expect(hit, `expected ${code} at ${line}:${col}; reported:\n${formatDiagnostics(all) || "(nothing)"}`).toBeDefined();
  return hit!;
}
