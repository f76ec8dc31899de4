// Compile time of a pipeline (not a test), the whole way to loss + gradient kernels, stage by stage: the first
// compile in a process (which also parses and checks the std library) and the median of later ones.
import { elaborate, runPipeline, type StageName } from "../compiler/pipeline/index.ts";
import { loadGenerated } from "../runtime/backends/js/index.ts";
import { median } from "./util.ts";

export interface CompileStages {
  file: string;
  /** Milliseconds of the first compile in the process (std library parsed and checked then), all stages. */
  firstMs: number;
  /** Median milliseconds of later compiles, per stage, and their sum. */
  stages: { name: string; ms: number }[];
  totalMs: number;
  /** Kernels in the plan of the forward + gradient program. */
  kernels: number;
}

/**
 * The whole compile of a pipeline to loss + gradient kernels, stage by stage: parse + check + lower to IR
 * (elaborate), symbolic autodiff + simplify, fusion (lowering for fusion, then the plan: schedule, placement,
 * linearization), JS codegen (compiler/pipeline's stages, timed as they end) and loading the module (new Function).
 */
export function measureCompileStages(file: string, repeats = 15): CompileStages {
  const names = [
    "parse + check + lower to IR",
    "autodiff + simplify",
    "fuse (plan kernels)",
    "codegen (JS source)",
    "load (new Function)",
  ];
  const once = (): { ms: number[]; kernels: number } => {
    const t: number[] = [performance.now()];
    const program = elaborate(file).programs[0]!;
    t.push(performance.now());
    const ends: readonly StageName[] = ["simplify", "plan", "generate"];
    const { plan, js } = runPipeline(program, {
      grad: true,
      after: (stage) => void (ends.includes(stage) && t.push(performance.now())),
    });
    loadGenerated(js!.source);
    t.push(performance.now());
    return { ms: names.map((_, i) => t[i + 1]! - t[i]!), kernels: plan!.kernels.length };
  };
  const first = once();
  const runs = Array.from({ length: repeats }, once);
  const stages = names.map((name, i) => ({ name, ms: median(runs.map((r) => r.ms[i]!)) }));
  return {
    file,
    firstMs: first.ms.reduce((a, b) => a + b, 0),
    stages,
    totalMs: median(runs.map((r) => r.ms.reduce((a, b) => a + b, 0))),
    kernels: first.kernels,
  };
}
