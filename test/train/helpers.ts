// Shared by the training tests: pipelines compiled from a string, their errors, and metrics.jsonl without the
// wall-clock fields (the only ones a resumed run may differ in).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CompileResult } from "../../compiler/index.ts";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { compileSource, errorLines, errorsOf as errorsOfDiags } from "../kit/index.ts";

/** Compiles `source` as the file /virtual/NAME.rlp. */
export function compileVirtual(name: string, source: string): CompileResult {
  return compileSource(source, { path: `/virtual/${name}.rlp` });
}

/** The errors of `source`, as `CODE line:col message`. */
export function errorsOf(name: string, source: string): string[] {
  return errorLines(source, `/virtual/${name}.rlp`);
}

/** The first pipeline of `source`; throws with the messages when it does not compile. */
export function compiledProgram(name: string, source: string): IRProgram {
  const r = compileVirtual(name, source);
  const errs = errorsOfDiags(r.diagnostics);
  if (errs.length > 0) throw new Error(errs.map((d) => d.message).join("\n"));
  return r.programs[0]!;
}

/** DIR/metrics.jsonl without the wall-clock fields. */
export function metricsOf(out: string): Record<string, unknown>[] {
  return readFileSync(join(out, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => {
      const m = JSON.parse(l) as Record<string, unknown>;
      for (const k of ["elapsed_s", "tokens_per_s", "time_s"]) delete m[k];
      return m;
    });
}
