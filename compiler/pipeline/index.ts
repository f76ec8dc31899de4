// The compiler's passes, in order, in one place. Every command, the emitter, the trainer and the backends run a
// program through here (stopping at the stage they need), so the order is written once:
//
//   elaborate          source files -> checked IR programs (compiler/index.ts compileFile)
//   differentiate      + the gradient nodes and `dL/dx` results (compiler/autodiff)        \  only when gradients
//   foldConstants, applyIdentities, cse, eliminateDeadCode                                  |  are wanted: the
//                      simplify's passes, run in rounds to a fixed point (compiler/simplify) |  forward pass runs
//   simplify           the fixed point                                                     /  as elaborated
//   lower              composite reductions -> plain accumulations, DCE, CSE (compiler/lower)
//   plan               the fused kernel plan (compiler/fuse)
//   generate           the JS kernel module (compiler/codegen/js)
//
// With RLP_VERIFY=1 in the environment the IR verifier (compiler/ir/verify.ts) runs after every stage that yields
// IR (after every run of each simplify pass), and checkPlan after `plan`; a violation throws PipelineVerifyError
// naming the stage. `after` sees each stage's output (`rlp compile --dump-after STAGE`).
import type { GeneratedJs } from "../codegen/js/module.ts";
import { generateJs } from "../codegen/js/module.ts";
import { differentiate, type DifferentiateOptions } from "../autodiff/index.ts";
import { planLowered } from "../fuse/plan.ts";
import type { KernelPlan } from "../fuse/types.ts";
import { compileFile, type CompileOptions, type CompileResult } from "../index.ts";
import type { IRProgram } from "../ir/ir.ts";
import { lowerForFusion } from "../lower/lower.ts";
import { PASSES, simplify, type SimplifyPassName } from "../simplify/index.ts";
import { verifyAfter, type VerifiedOutput } from "./verify_stage.ts";

/** A stage's name (`rlp compile --dump-after NAME`); simplify's passes run in rounds inside `simplify`. */
export type StageName = "elaborate" | "differentiate" | SimplifyPassName | "simplify" | "lower" | "plan" | "generate";

/** Every stage, in the order they run. */
export const STAGES: readonly StageName[] = [
  "elaborate",
  "differentiate",
  ...PASSES.map((p) => p.name),
  "simplify",
  "lower",
  "plan",
  "generate",
];

/** The stages that exist only with gradients (the forward pass is planned as elaborated). */
export const GRADIENT_STAGES: readonly StageName[] = ["differentiate", ...PASSES.map((p) => p.name), "simplify"];

/** Where a run may stop: a stage that is not inside another. */
export type StopStage = "differentiate" | "simplify" | "lower" | "plan" | "generate";

export type StageOutput = VerifiedOutput;

export interface PipelineOptions {
  /** Differentiate (and simplify) before lowering; an object picks the losses. Default: no gradients. */
  grad?: boolean | DifferentiateOptions;
  /** The last stage to run (default "generate"). */
  until?: StopStage;
  /** Sees every stage's output; a simplify pass once per round (`round` counts from 1). */
  after?: (stage: StageName, output: StageOutput, round: number) => void;
  /** Run the verifier after every stage (default: RLP_VERIFY=1 in the environment). */
  verify?: boolean;
}

export interface PipelineResult {
  /** The program the kernels compute: the elaborated one, or its gradient program (differentiated, simplified). */
  program: IRProgram;
  /** After `lower`. */
  lowered?: IRProgram;
  /** After `plan`. */
  plan?: KernelPlan;
  /** After `generate`. */
  js?: GeneratedJs;
}

const ORDER: readonly StopStage[] = ["differentiate", "simplify", "lower", "plan", "generate"];

/** RLP_VERIFY=1 (or true): verify after every stage. */
export function verifyFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env["RLP_VERIFY"] === "1" || env["RLP_VERIFY"] === "true";
}

/** Runs the stages after elaboration on one program, up to `options.until`. */
export function runPipeline(program: IRProgram, options: PipelineOptions = {}): PipelineResult {
  const verify = options.verify ?? verifyFromEnv();
  const last = ORDER.indexOf(options.until ?? "generate");
  const runs = (stage: StopStage): boolean => ORDER.indexOf(stage) <= last;
  const seen = (stage: StageName, output: StageOutput, round = 1): void => {
    if (verify) verifyAfter(stage, output, program.pipeline);
    options.after?.(stage, output, round);
  };
  const result: PipelineResult = { program };
  if (options.grad !== undefined && options.grad !== false) {
    result.program = differentiate(program, options.grad === true ? {} : options.grad);
    seen("differentiate", { kind: "ir", program: result.program });
    if (!runs("simplify")) return result;
    result.program = simplify(result.program, (pass, p, round) => seen(pass, { kind: "ir", program: p }, round));
    seen("simplify", { kind: "ir", program: result.program });
  }
  if (!runs("lower")) return result;
  result.lowered = lowerForFusion(result.program);
  seen("lower", { kind: "ir", program: result.lowered });
  if (!runs("plan")) return result;
  result.plan = planLowered(result.lowered);
  seen("plan", { kind: "plan", plan: result.plan });
  if (!runs("generate")) return result;
  result.js = generateJs(result.plan);
  seen("generate", { kind: "js", js: result.js });
  return result;
}

/** `elaborate`: the checked IR programs of a file (compileFile), each verified under RLP_VERIFY. */
export function elaborate(path: string, options: CompileOptions = {}, after?: PipelineOptions["after"]): CompileResult {
  const compiled = compileFile(path, options);
  for (const program of compiled.programs) {
    if (verifyFromEnv()) verifyAfter("elaborate", { kind: "ir", program }, program.pipeline);
    after?.("elaborate", { kind: "ir", program }, 1);
  }
  return compiled;
}

/** The gradient program: differentiate, then simplify to a fixed point. */
export function gradientProgram(program: IRProgram, options: DifferentiateOptions = {}): IRProgram {
  return runPipeline(program, { grad: options, until: "simplify" }).program;
}

/** The fused kernel plan of `program` as it is (lower, then plan): the forward pass, or a gradient program. */
export function kernelPlan(program: IRProgram): KernelPlan {
  const { plan } = runPipeline(program, { until: "plan" });
  if (!plan) throw new Error("pipeline: no plan after the plan stage");
  return plan;
}

/** The plan and the JS kernel module of `program` as it is. */
export function kernelModule(program: IRProgram): { plan: KernelPlan; js: GeneratedJs } {
  const { plan, js } = runPipeline(program);
  if (!plan || !js) throw new Error("pipeline: no module after the generate stage");
  return { plan, js };
}

export { PipelineVerifyError } from "./verify_stage.ts";
export { formatProgram, formatStageOutput } from "./dump.ts";
