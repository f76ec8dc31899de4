// RLP_VERIFY: after a stage, the IR verifier on its program (or checkPlan on its plan); a violation throws an error
// that names the stage, so the pass that broke an invariant is the one reported.
import type { GeneratedJs } from "../codegen/js/module.ts";
import type { KernelPlan } from "../fuse/types.ts";
import type { IRProgram } from "../ir/ir.ts";
import { verifyProgram } from "../ir/verify.ts";
import { checkPlan } from "./check_plan.ts";

/** What a stage yields (compiler/pipeline StageOutput). */
export type VerifiedOutput =
  { kind: "ir"; program: IRProgram } | { kind: "plan"; plan: KernelPlan } | { kind: "js"; js: GeneratedJs };

export class PipelineVerifyError extends Error {
  constructor(
    readonly stage: string,
    readonly problems: readonly string[],
    pipeline: string,
  ) {
    const shown = problems.slice(0, 10).map((p) => `  ${p}`);
    const more = problems.length > 10 ? [`  ... and ${problems.length - 10} more`] : [];
    super(
      [
        `RLP_VERIFY: the program of pipeline '${pipeline}' is malformed after stage '${stage}' (${problems.length} problem${problems.length === 1 ? "" : "s"}):`,
        ...shown,
        ...more,
      ].join("\n"),
    );
  }
}

/** Throws PipelineVerifyError when the output of `stage` breaks an invariant; generated code has no check. */
export function verifyAfter(stage: string, output: VerifiedOutput, pipeline: string): void {
  // lowering's nodes get the marks of the mark rule too (compiler/ir/builder.ts): every stage's IR is checked in full
  const problems = output.kind === "ir" ? verifyProgram(output.program) : output.kind === "plan" ? checkPlan(output.plan) : [];
  if (problems.length > 0) throw new PipelineVerifyError(stage, problems, pipeline);
}
