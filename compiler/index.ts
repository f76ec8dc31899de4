// The compiler's entry points: source files in, a checked IR program (or diagnostics) out.
// STUB: the real implementation is being written; the signature is the contract the CLI codes against.
import type { Diagnostic } from "../grammar/diagnostic.ts";
import type { IRProgram } from "./ir.ts";

export interface CompileOptions {
  /** `--set name=value` overrides of params (values as written on the command line). */
  set?: Record<string, string>;
  /** Pick one pipeline when a file declares several. */
  pipeline?: string;
  /** In-memory sources by path (tests, editors); files not listed are read from disk. */
  sources?: Map<string, string>;
}

export interface CompileResult {
  /** Present when there were no errors (warnings may exist). One per pipeline in the file. */
  programs: IRProgram[];
  diagnostics: Diagnostic[];
  /** The text of every file read, by path, so diagnostics can be rendered with source lines. */
  sources: Map<string, string>;
}

export function compileFile(path: string, options: CompileOptions = {}): CompileResult {
  void path;
  void options;
  throw new Error("compileFile: not implemented yet");
}
