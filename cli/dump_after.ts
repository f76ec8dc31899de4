// `rlp compile FILE --dump-after STAGE`: runs compiler/pipeline up to STAGE and prints what that stage made (the IR,
// the kernel plan, or the JS module). A simplify pass is shown after its first round (later rounds are the fixed
// point's); an unknown stage is RLP601, a stage of the gradient with --no-grad a usage error.
import type { IRProgram } from "../compiler/ir/ir.ts";
import { closest } from "../compiler/ir/suggest.ts";
import {
  formatStageOutput,
  GRADIENT_STAGES,
  runPipeline,
  STAGES,
  type StageName,
  type StageOutput,
  type StopStage,
} from "../compiler/pipeline/index.ts";
import type { DiagnosticCode } from "../grammar/diagnostic_codes.ts";

/** The code of an unknown stage name (grammar/diagnostic_codes.ts, docs/diagnostics.md RLP6xx). */
export const UNKNOWN_STAGE = "RLP601" satisfies DiagnosticCode;

/** The stage named `name`, or the one-line error to print. */
export function parseStage(name: string, noGrad: boolean): { stage: StageName } | { error: string } {
  const stage = STAGES.find((s) => s === name);
  if (stage === undefined) {
    const near = closest(name, STAGES);
    return {
      error: `error[${UNKNOWN_STAGE}]: --dump-after: unknown stage '${name}'${near ? ` (did you mean '${near}'?)` : ""}; the stages are ${STAGES.join(", ")}`,
    };
  }
  if (noGrad && GRADIENT_STAGES.includes(stage))
    return { error: `--dump-after ${stage}: with --no-grad the program is neither differentiated nor simplified` };
  return { stage };
}

/** The stage that contains `stage` (a simplify pass runs inside simplify), where the run may stop. */
function stopAt(stage: Exclude<StageName, "elaborate">): StopStage {
  return stage === "differentiate" || stage === "simplify" || stage === "lower" || stage === "plan" || stage === "generate"
    ? stage
    : "simplify";
}

/** The dump of `program` (already elaborated) after `stage`. */
export function dumpAfter(
  program: IRProgram,
  stage: StageName,
  options: { grad: boolean; sources?: Map<string, string> },
): string {
  if (stage === "elaborate") return formatStageOutput({ kind: "ir", program }, options.sources);
  let shown: StageOutput | undefined;
  runPipeline(program, {
    grad: options.grad,
    until: stopAt(stage),
    after: (s, output, round) => {
      if (s === stage && round === 1) shown ??= output;
    },
  });
  if (!shown) throw new Error(`--dump-after ${stage}: the stage did not run`);
  return formatStageOutput(shown, options.sources);
}
