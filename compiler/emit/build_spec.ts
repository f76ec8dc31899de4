// The spec an emitted module embeds (spec.ts): what the pipeline declares, which params may be set at run time, and
// the state updates of a kernel pass.
import { generateJs, planMeta } from "../codegen/js/index.ts";
import { gradientProgram, kernelPlan } from "../pipeline/index.ts";
import type { KernelPlan } from "../fuse/types.ts";
import type { IRProgram, ResultKind } from "../ir/ir.ts";
import type {
  GradientSpec,
  InputSpec,
  ParamSpec,
  PipelineSpec,
  ResultSpec,
  StateSpec,
  StateUpdateSpec,
} from "../ir/module_spec.ts";

/** Compiles the same pipeline with some params set (EmitOptions.recompile). */
export type Recompile = (set: Record<string, string>) => IRProgram | undefined;

const RESULT_KINDS: ReadonlySet<ResultKind> = new Set(["loss", "metric", "output", "advantage"]);

/** The kernels of a plan, except the params' compiled-in values. */
function kernelsSignature(plan: KernelPlan): string {
  const meta = planMeta(plan);
  return (
    JSON.stringify({ ...meta, params: Object.keys(meta.params).sort() }) +
    generateJs(plan)
      .kernels.map((k) => k.source)
      .join("\n")
  );
}

/** Other values to try a param at (an integer stays an integer). */
function perturbations(v: number): number[] {
  return Number.isInteger(v) ? [v + 1, v - 1] : [v * 1.5, v * 0.5];
}

/**
 * The params the kernels read (plan params) that may be overridden at run time: with `recompile`, those whose
 * value, changed, leaves every kernel and the plan unchanged (see EmitOptions.recompile).
 */
export function runtimeParamsOf(program: IRProgram, plans: KernelPlan[], recompile: Recompile | undefined): Set<string> {
  const read = new Set(plans.flatMap((p) => Object.keys(planMeta(p).params)));
  if (!recompile) return read;
  const want = plans.map(kernelsSignature);
  const safe = new Set<string>();
  for (const name of read) {
    const value = program.params.find((p) => p.name === name)?.value;
    if (typeof value !== "number") continue;
    for (const v of perturbations(value)) {
      const other = recompile({ [name]: String(v) });
      if (!other) continue;
      const otherPlans = [kernelPlan(other), ...(plans.length > 1 ? [kernelPlan(gradientProgram(other))] : [])];
      if (otherPlans.every((p, i) => kernelsSignature(p) === want[i])) safe.add(name);
      break;
    }
  }
  return safe;
}

/** What the pipeline declares, as the module embeds it (PIPELINE). */
export function buildSpec(
  program: IRProgram,
  runtimeParams: ReadonlySet<string>,
  gradProgram: IRProgram | undefined,
  source: string,
): PipelineSpec {
  const inputs: InputSpec[] = program.inputs.map((i) => ({
    name: i.name,
    dtype: i.type.dtype,
    dims: [...i.type.dims],
    ...(i.type.indexOf === undefined ? {} : { indexOf: i.type.indexOf }),
    ...(i.mark === undefined ? {} : { mark: i.mark }),
    ...(i.default === undefined ? {} : { default: i.default }),
    line: i.span?.line ?? 0,
    col: i.span?.col ?? 0,
  }));
  const params: ParamSpec[] = program.params.map((p) => ({ name: p.name, value: p.value, runtime: runtimeParams.has(p.name) }));
  const states: StateSpec[] = program.states.map((s) => ({ name: s.name, keyed: s.keyed, init: s.init }));
  const results: ResultSpec[] = program.results
    .filter((r) => RESULT_KINDS.has(r.kind))
    .map((r) => {
      const t = program.nodes[r.node]!.type;
      return { name: r.name, kind: r.kind as ResultSpec["kind"], dtype: t.dtype, dims: [...t.dims] };
    });
  const gradients: GradientSpec[] = (gradProgram?.results ?? [])
    .filter((r) => r.kind === "grad")
    .map((r) => ({
      name: r.name,
      loss: r.of!,
      input: r.wrt!,
      dims: [...program.inputs.find((i) => i.name === r.wrt)!.type.dims],
    }));
  return {
    pipeline: program.pipeline,
    source,
    dims: program.dims.map((d) => ({ ...d })),
    inputs,
    params,
    states,
    results,
    gradients,
  };
}

/** The state updates of a kernel pass: the buffers they read. */
export function updatesOf(plan: KernelPlan): StateUpdateSpec[] {
  const keyed = new Map(plan.program.states.map((s) => [s.name, s.keyed]));
  return plan.program.results
    .filter((r) => r.kind === "update")
    .map((r) => {
      const value = plan.results[r.name];
      if (value === undefined) throw new Error(`emit: update ${r.name} has no buffer`);
      const key = r.key === undefined ? undefined : plan.buffers.find((b) => b.node === r.key)?.id;
      if (r.key !== undefined && key === undefined) throw new Error(`emit: the key of update ${r.name} has no buffer`);
      return { state: r.name, keyed: keyed.get(r.name) ?? r.key !== undefined, value, ...(key === undefined ? {} : { key }) };
    });
}
