// The driver of a module emitted by `rlp compile -o`: validates a call's params and inputs, binds them to typed
// arrays, runs the module's kernels (runtime/backends/js: library kernels, optional worker threads), and returns the
// results (scalars as numbers), the gradients and the state after the step.
import { EvalError } from "../ops/common.ts";
import { applyUpdates, type StateValue } from "../ops/state.ts";
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import type { Tensor } from "../tensor.ts";
import { allocateArray, bindInputs } from "../kernels/bind.ts";
import { runKernels, type Loaded } from "../kernels/execute.ts";
import type { TypedArray } from "../kernels/load.ts";
import { KernelPool } from "../kernels/pool.ts";
import { attachPlugins } from "./plugins.ts";
import { createStateOf, loadStateOf, normalizeState, saveStateOf } from "./state.ts";
import type { PipelineSpec } from "../../../compiler/ir/module_spec.ts";
import type { PlanMeta } from "../../../compiler/ir/kernel_meta.ts";
import type { EvaluateOptions, KernelCode, KernelProgram, StateRecord } from "./types.ts";
import { validateInputs, validateParams } from "./validate.ts";

export type Pass = "forward" | "gradient";

/** Options of one call: EvaluateOptions and, for a pipeline with state, the state before the step. */
export interface CallOptions extends EvaluateOptions {
  state?: object;
}

export interface PipelineRuntime {
  readonly spec: PipelineSpec;
  /**
   * Runs a pass: `O` is the emitted module's result type (its outputs; with "gradient" also the gradients; with
   * state, `state`: the state after the step).
   */
  run<O>(pass: Pass, inputs: unknown, params: unknown, options?: CallOptions): Promise<O>;
  /** A fresh state: empty tables, unkeyed states at their initial values. */
  createState<S>(): S;
  /** The state as JSON text (format `rlp-state`, version 1). */
  saveState(state: object): string;
  /** Parses `saveState` text (throws EvalError code "state" on a malformed or foreign file). */
  loadState<S>(text: string): S;
  /** Stops the worker threads (started by a call with `threads` > 1). */
  close(): Promise<void>;
}

let runtimeCounter = 0;

function workerBody(code: KernelCode, program: KernelProgram): string {
  const constants = Object.entries(code.constants ?? {}).map(([k, v]) => `const ${k} = ${JSON.stringify(v)};`);
  const table = program.kernels.map((k) =>
    k === null ? "null" : `{ name: ${JSON.stringify(k.name)}, body: ${k.body.name}, end: ${k.end.name} }`,
  );
  return [
    '"use strict";',
    ...constants,
    ...code.functions.map((f) => String(f)),
    `return { kernels: [${table.join(", ")}] };`,
  ].join("\n");
}

/** The passes with their custom calls pointed at the registered plugins (the same object for a shared pass). */
function withPlugins(
  passes: Record<Pass, KernelProgram>,
  plugins: Readonly<Record<string, object>>,
  moduleUrl: string | undefined,
): Record<Pass, KernelProgram> {
  if (moduleUrl === undefined)
    throw new Error("createPipeline: code.plugins needs code.moduleUrl (the module's import.meta.url)");
  const [forward, gradient] = attachPlugins([passes.forward.plan, passes.gradient.plan], plugins, moduleUrl) as [
    PlanMeta,
    PlanMeta,
  ];
  const f = { ...passes.forward, plan: forward };
  return { forward: f, gradient: passes.gradient === passes.forward ? f : { ...passes.gradient, plan: gradient } };
}

/** The runtime of one emitted module. */
export function createPipeline(spec: PipelineSpec, passes: Record<Pass, KernelProgram>, code: KernelCode): PipelineRuntime {
  const id = `emitted${runtimeCounter++}_${spec.pipeline}`;
  const programs = code.plugins ? withPlugins(passes, code.plugins, code.moduleUrl) : passes;
  let pool: KernelPool | undefined;
  const loaded = {} as Record<Pass, Loaded>;
  for (const pass of ["forward", "gradient"] as const) {
    const program = programs[pass];
    let body: string | undefined;
    loaded[pass] = {
      id: `${id}_${pass}`,
      get body(): string {
        return (body ??= workerBody(code, program));
      },
      mod: { kernels: program.kernels },
      meta: program.plan,
    };
  }

  const run = async <O>(pass: Pass, inputs: unknown, params: unknown, options: CallOptions = {}): Promise<O> => {
    const program = programs[pass];
    const meta = program.plan;
    const overrides = validateParams(spec, params);
    const state = spec.states.length > 0 ? normalizeState(spec, options.state ?? createStateOf(spec)) : {};
    const tensors = validateInputs(
      spec,
      inputs,
      options.onWarning ?? ((m) => console.warn(`rlp ${spec.pipeline}: warning: ${m}`)),
    );
    const threads = Math.max(1, Math.floor(options.threads ?? 1));
    if (threads > 1 && (pool === undefined || pool.size < threads - 1)) {
      await pool?.close();
      pool = new KernelPool(threads - 1);
    }
    const usePool = threads > 1 ? pool : undefined;
    const shared = usePool !== undefined;
    const { sizes, arrays } = bindInputs(meta, tensors, (dt, n) => allocateArray(dt, n, shared));
    const B: TypedArray[] = meta.buffers.map((b) =>
      b.role === "input"
        ? arrays[b.input!]!
        : allocateArray(
            b.dtype,
            b.dims.reduce((n, d) => n * sizes[d]!, 1),
            shared,
          ),
    );
    await runKernels(loaded[pass], B, sizes, overrides, {
      pool: usePool,
      threads,
      minWork: options.minParallelWork ?? 65536,
      checkRequires: options.checkRequires ?? true,
      ...(spec.states.length > 0 ? { state } : {}),
    });
    const tensorOf = (bufferId: number): Tensor => {
      const b = meta.buffers[bufferId]!;
      return { dtype: b.dtype, dims: [...b.dims], shape: b.dims.map((d) => sizes[d]!), data: Float64Array.from(B[bufferId]!) };
    };
    const out: Record<string, unknown> = {};
    for (const r of spec.results) {
      const bufferId = meta.results[r.name];
      if (bufferId === undefined) throw new Error(`rlp ${spec.pipeline}: the ${pass} kernels have no result ${r.name}`);
      out[r.name] = r.dims.length === 0 ? B[bufferId]![0]! : tensorOf(bufferId);
    }
    if (pass === "gradient") {
      for (const g of spec.gradients) {
        const bufferId = meta.results[g.name];
        if (bufferId === undefined) throw new Error(`rlp ${spec.pipeline}: the gradient kernels have no result ${g.name}`);
        out[g.name] = tensorOf(bufferId);
      }
    }
    if (spec.states.length > 0) out.state = { ...state, ...applyStateUpdates(spec, program, tensorOf, state) };
    return out as O;
  };

  return {
    spec,
    run,
    createState: <S>() => createStateOf(spec) as S,
    saveState: (state) => saveStateOf(spec, normalizeState(spec, state)),
    loadState: <S>(text: string) => loadStateOf(spec, text) as S,
    close: async () => {
      await pool?.close();
      pool = undefined;
    },
  };
}

/** The step's state writes (runtime/library/ops/state.ts applyUpdates, over the update buffers). */
function applyStateUpdates(
  spec: PipelineSpec,
  program: KernelProgram,
  tensorOf: (bufferId: number) => Tensor,
  state: StateRecord,
): Record<string, StateValue> {
  if (program.updates.length === 0) return {};
  const values: Tensor[] = [];
  for (const u of program.updates) {
    values[u.value] = tensorOf(u.value);
    if (u.key !== undefined) values[u.key] = tensorOf(u.key);
  }
  const view: IRProgram = {
    pipeline: spec.pipeline,
    dims: spec.dims,
    inputs: [],
    params: [],
    nodes: [],
    results: program.updates.map((u) => ({
      name: u.state,
      kind: "update" as const,
      node: u.value,
      ...(u.key === undefined ? {} : { key: u.key }),
    })),
    states: spec.states.map((s) => ({ ...s })),
    requires: [],
    marks: [],
  };
  try {
    return applyUpdates(view, values, state);
  } catch (e) {
    if (e instanceof EvalError) throw e;
    throw new EvalError("state", e instanceof Error ? e.message : String(e));
  }
}
