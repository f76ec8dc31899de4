// Compiling a diagnostics case in memory, and finding the diagnostics it expects (shared by the test and the docs).
import { posix } from "node:path";
import { compileFile, type CompileResult } from "../../compiler/index.ts";
import type { Diagnostic } from "../../grammar/diagnostic.ts";
import type { DiagnosticCase, ExpectedDiagnostic } from "./cases.ts";

/** The folder each case's files live in: `/virtual/case_N/`, with the program itself as `main.rlp`. */
export function caseDir(index: number): string {
  return `/virtual/case_${index}`;
}

export function mainPath(index: number): string {
  return posix.join(caseDir(index), "main.rlp");
}

/**
 * Compiles the case's program (or `text` instead, e.g. its fixed version) with the case's other files (or `files`)
 * and options.
 */
export function compileCase(
  c: DiagnosticCase,
  index: number,
  text: string = c.source,
  files: Record<string, string> = c.files ?? {},
): CompileResult {
  const sources = new Map<string, string>([[mainPath(index), text]]);
  for (const [name, body] of Object.entries(files)) sources.set(posix.join(caseDir(index), name), body);
  const options: Parameters<typeof compileFile>[1] = { sources };
  if (c.set) options.set = c.set;
  if (c.pipeline !== undefined) options.pipeline = c.pipeline;
  return compileFile(mainPath(index), options);
}

export function messageMatches(message: string, want: string | RegExp): boolean {
  return typeof want === "string" ? message.includes(want) : want.test(message);
}

/** The diagnostic with the expected code, at exactly the expected file:line:col, whose message matches. */
export function findExpected(diags: readonly Diagnostic[], want: ExpectedDiagnostic, index: number): Diagnostic | undefined {
  const file = posix.join(caseDir(index), want.file ?? "main.rlp");
  return diags.find(
    (d) =>
      d.code === want.code &&
      d.span.file === file &&
      d.span.line === want.line &&
      d.span.col === want.col &&
      messageMatches(d.message, want.message),
  );
}

/** One line per diagnostic, for failure messages. */
export function listDiagnostics(diags: readonly Diagnostic[]): string {
  if (diags.length === 0) return "  (no diagnostics)";
  return diags.map((d) => `  ${d.severity}[${d.code}] ${d.span.file}:${d.span.line}:${d.span.col}: ${d.message}`).join("\n");
}
