// Small helpers shared by the `rlp graph` and `rlp test` commands: option parsing with one-line usage errors,
// compiling a file that may not exist, picking a pipeline, and one-line reasons for file-system errors.
import { statSync } from "node:fs";
import { parseArgs } from "node:util";
import type { CompileOptions, CompileResult } from "../compiler/index.ts";
import { elaborate } from "../compiler/pipeline/index.ts";
import type { IRProgram } from "../compiler/ir/ir.ts";
import { diag, fileSpan } from "../grammar/diagnostic.ts";
import { ALL_CODES, isDiagnosticCode, isLintCode, type LintCode } from "../grammar/diagnostic_codes.ts";
import type { CliIO } from "./main.ts";

/** Exit codes, as in cli/main.ts. */
export const EXIT_CODES = { ok: 0, compile: 1, input: 2, usage: 64, internal: 70, ioError: 74 } as const;

export class CommandUsageError extends Error {}

export type OptionSpec = Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;

/** util.parseArgs (strict, positionals allowed) with its errors as CommandUsageError. */
export function parseCommandArgs<T extends OptionSpec>(args: string[], options: T) {
  try {
    return parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      const msg = firstLine(e).split(". ")[0]!;
      throw new CommandUsageError(msg.charAt(0).toLowerCase() + msg.slice(1));
    }
    throw e;
  }
}

/** Prints `rlp COMMAND: message` and the usage line; returns the usage exit code. */
export function usageError(io: CliIO, command: string, message: string, help: string): number {
  io.stderr.write(`rlp ${command}: ${message}\n${help.split("\n")[0]}\n`);
  return EXIT_CODES.usage;
}

export function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0] ?? "";
}

/** The codes of `--allow CODE` flags (`rlp check`, `rlp compile`), or a one-line usage error: only lints can be allowed. */
export function parseAllowFlags(flags: readonly string[] | undefined): { allow: LintCode[] } | { error: string } {
  const allow: LintCode[] = [];
  for (const flag of flags ?? []) {
    const code = flag.trim().toUpperCase();
    if (isLintCode(code)) {
      allow.push(code);
      continue;
    }
    const lints = ALL_CODES.filter(isLintCode).join(", ");
    const why = isDiagnosticCode(code) ? `${code} is an error, and errors cannot be allowed` : "not a diagnostic code";
    return { error: `--allow ${flag}: ${why}; the lints are ${lints}` };
  }
  return { allow };
}

/**
 * The `elaborate` stage (compiler/pipeline), with an unreadable FILE reported as a diagnostic (RLP104) rather than left
 * to the compiler.
 */
export function compileChecked(
  path: string,
  options: { set?: Record<string, string>; pipeline?: string; allow?: readonly LintCode[] } = {},
): CompileResult {
  let reason: string | undefined;
  try {
    if (!statSync(path).isFile()) reason = "not a file";
  } catch (e) {
    reason = (e as { code?: unknown }).code === "ENOENT" ? "no such file" : firstLine(e);
  }
  if (reason !== undefined) {
    return {
      programs: [],
      diagnostics: [diag("RLP104", `cannot read '${path}': ${reason}`, fileSpan(path))],
      sources: new Map(),
    };
  }
  const opts: CompileOptions = { set: options.set ?? {} };
  if (options.pipeline !== undefined) opts.pipeline = options.pipeline;
  if (options.allow !== undefined) opts.allow = options.allow;
  return elaborate(path, opts);
}

/** The program to use: the one named, or the only one. Otherwise a one-line reason. */
export function pickPipeline(
  file: string,
  programs: readonly IRProgram[],
  name: string | undefined,
): { program: IRProgram } | { error: string } {
  const names = programs.map((p) => p.pipeline).join(", ");
  if (name !== undefined) {
    const p = programs.find((q) => q.pipeline === name);
    return p ? { program: p } : { error: `${file} has no pipeline '${name}'${names ? ` (it declares ${names})` : ""}` };
  }
  if (programs.length === 1) return { program: programs[0]! };
  return {
    error:
      programs.length === 0
        ? `${file} declares no pipeline`
        : `${file} declares several pipelines (${names}); pick one with --pipeline NAME`,
  };
}

/** Why a file could not be written or read, in a few words (no temp-file names, no stack). */
export function fsReason(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  switch (code) {
    case "ENOENT":
      return "no such file or directory";
    case "ENOTDIR":
      return "a parent is not a directory";
    case "EISDIR":
      return "it is a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "read-only file system";
    case "ENOSPC":
      return "no space left on device";
    default:
      return firstLine(e);
  }
}
