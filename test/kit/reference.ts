// Source text -> IR (the elaborator, through compileFile) -> the float64 reference evaluator. Every test that
// compiles .rlp text from memory goes through here.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { compileFile, type CompileOptions, type CompileResult } from "../../compiler/index.ts";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { evaluate, type EvalResult, type EvaluateOptions } from "../../runtime/backends/reference/evaluate.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import { errorsOf, formatDiagnostics } from "./diagnostics.ts";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export function repoPath(rel: string): string {
  return resolve(REPO, rel);
}

let inlineCounter = 0;

/** A fresh path for in-memory sources (never read from disk: compileFile takes the text from `sources`). */
export function inlinePath(name: string): string {
  inlineCounter++;
  return repoPath(`test/stdlib/__inline__/${name.replace(/[^A-Za-z0-9_]/g, "_")}_${inlineCounter}.rlp`);
}

/** Compiles in-memory text (at `path`, default a fresh inline path) and returns everything compileFile does. */
export function compileSource(text: string, options: CompileOptions & { name?: string; path?: string } = {}): CompileResult {
  const { name, path: given, ...rest } = options;
  const path = given ?? inlinePath(name ?? "inline");
  return compileFile(path, { ...rest, sources: new Map([[path, text]]) });
}

/** Compiles a file (or in-memory text under that path) and returns its one program; fails the test on any error. */
export function compileOne(path: string, options: CompileOptions = {}): IRProgram {
  const r = compileFile(path, options);
  return onlyProgram(r, path, options.pipeline);
}

/** Compiles in-memory .rlp text (std nodes are visible without import); fails the test on any error. */
export function compileText(text: string, name = "inline", options: CompileOptions = {}): IRProgram {
  const path = inlinePath(name);
  return compileOne(path, { ...options, sources: new Map([[path, text]]) });
}

/** The program a compile produced (the named pipeline, or the first); fails the test on any error. */
function onlyProgram(r: CompileResult, what: string, pipeline?: string): IRProgram {
  const errs = errorsOf(r.diagnostics);
  expect(errs, `compile errors in ${what}:\n${formatDiagnostics(errs)}`).toEqual([]);
  const program = pipeline ? r.programs.find((p) => p.pipeline === pipeline) : r.programs[0];
  expect(program, `no program compiled from ${what}`).toBeDefined();
  return program!;
}

/** Compiles `source` (or takes a compiled program) and evaluates it with the float64 reference evaluator. */
export function runReference(
  source: string | IRProgram,
  inputs: Record<string, Tensor>,
  options: EvaluateOptions = {},
): EvalResult & { program: IRProgram } {
  const program = typeof source === "string" ? compileText(source) : source;
  return { ...evaluate(program, inputs, options), program };
}
