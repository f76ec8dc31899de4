// The compiler's entry points: source files in, checked IR programs (or diagnostics) out.
// Stages: load (read + parse, follow imports) -> scope (global names) -> check each node once
// -> elaborate each pipeline (resolve, type-check, inline nodes, lower to IR).
import { resolve } from "node:path";
import type { Span } from "../grammar/ast.ts";
import type { Diagnostic } from "../grammar/diagnostic.ts";
import { diag, hasErrors } from "../grammar/diagnostic.ts";
import type { LintCode } from "../grammar/diagnostic_codes.ts";
import { validator, where as describeCustomNode } from "./elaborate/custom_call.ts";
import { checkNodeDefinition } from "./elaborate/nodes.ts";
import { elaboratePipeline } from "./elaborate/pipeline.ts";
import type { IRProgram } from "./ir/ir.ts";
import { loadProgram } from "./load.ts";
import { buildGlobalScope } from "./scope.ts";

/** For the std library's docs (stdlib/docs.ts): where std nodes live and the builtins' signatures. */
export { STD_DIR } from "./load.ts";
export { BUILTINS } from "./elaborate/builtins/index.ts";

export interface CompileOptions {
  /** `--set name=value` overrides of params (values as written on the command line). */
  set?: Record<string, string>;
  /** Pick one pipeline when a file declares several. */
  pipeline?: string;
  /** In-memory sources by path (tests, editors); files not listed are read from disk. */
  sources?: Map<string, string>;
  /** `--allow CODE`: lints switched off everywhere (compiler/elaborate/lints). */
  allow?: readonly LintCode[];
}

export interface CompileResult {
  /** Present when there were no errors (warnings may exist). One per pipeline in the file. */
  programs: IRProgram[];
  diagnostics: Diagnostic[];
  /** The text of every file read, by path, so diagnostics can be rendered with source lines. */
  sources: Map<string, string>;
}

/** Std node definitions are checked once per process (they do not change while it runs). */
let stdChecked: Diagnostic[] | undefined;

export function compileFile(path: string, options: CompileOptions = {}): CompileResult {
  const load = loadProgram(path, options.sources);
  const diagnostics: Diagnostic[] = [...load.diagnostics];
  const { scope, diagnostics: scopeDiags } = buildGlobalScope(load);
  diagnostics.push(...scopeDiags);
  const suppressions = new Map<string, Map<number, string[]>>();
  for (const f of load.files.values()) suppressions.set(f.path, f.ast.suppressions);
  const allowed = new Set(options.allow ?? []);

  const stdDiags: Diagnostic[] = [];
  // User nodes whose own check found errors: what their inlined bodies report again at each call is left out.
  const broken: Span[] = [];
  for (const [, { decl, isStd }] of scope.nodes) {
    if (isStd && stdChecked) continue;
    const ds = checkNodeDefinition(scope, decl, isStd, { suppressions, allowed });
    (isStd ? stdDiags : diagnostics).push(...ds);
    if (!isStd && hasErrors(ds)) broken.push(decl.span);
  }
  stdChecked ??= stdDiags;
  // A custom node's params schema is checked even when no pipeline calls the node.
  for (const node of scope.customNodes.values()) {
    const v = validator(node);
    if (typeof v === "string")
      diagnostics.push(
        diag("RLP121", `the params schema of ${describeCustomNode(node)} is not a valid JSON Schema: ${v}`, node.span),
      );
  }
  diagnostics.push(...stdChecked);

  const root = resolve(path);
  const rootFile = load.files.get(root);
  let pipelines = scope.pipelines;
  if (options.pipeline !== undefined) {
    pipelines = pipelines.filter((p) => p.name.name === options.pipeline);
    if (pipelines.length === 0 && rootFile) {
      const names = scope.pipelines.map((p) => p.name.name).join(", ") || "none";
      diagnostics.push({
        code: "RLP119",
        severity: "error",
        message: `no pipeline named '${options.pipeline}' in this file (its pipelines: ${names})`,
        span: { file: root, start: 0, end: 0, line: 1, col: 1 },
        notes: [],
      });
    }
  }
  const programs: IRProgram[] = [];
  for (const p of pipelines) {
    const r = elaboratePipeline(scope, p, { set: options.set ?? {}, suppressions, allowed });
    diagnostics.push(...r.diagnostics.filter((d) => !broken.some((s) => within(d.span, s))));
    programs.push(r.program);
  }
  const unique = withoutRepeats(diagnostics);
  unique.sort((a, b) => (a.span.file === b.span.file ? a.span.start - b.span.start : a.span.file < b.span.file ? -1 : 1));
  return { programs: hasErrors(unique) ? [] : programs, diagnostics: unique, sources: load.sources };
}

/** A node is checked on its own and again inlined at each call (and by each pipeline): report each problem once. */
function withoutRepeats(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const key = `${d.code}|${d.span.file}|${d.span.start}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function within(inner: Span, outer: Span): boolean {
  return inner.file === outer.file && inner.start >= outer.start && inner.end <= outer.end;
}
