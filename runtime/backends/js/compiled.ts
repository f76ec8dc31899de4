// compileKernels: an IR program -> fused JS kernels (compiler/fuse + compiler/codegen/js), loaded in-process and run
// over float32 buffers, optionally on several threads.
//
// Threads (runtime/library/kernels/execute.ts): a loop kernel whose outermost loop may be split (every write contains that
// dim, or goes to a per-thread partial) and whose iteration count reaches `minParallelWork` runs in `threads` chunks
// of its outermost dim: the calling thread runs the first, a persistent pool of `threads - 1` workers the others.
// Partials are combined in chunk order, so a given thread count always gives the same bits; different thread counts
// can differ in the last bits of float64 totals (reduction order), which float32 storage nearly always rounds away.
//
// Custom TypeScript nodes are library kernels: the first evaluate/runArrays imports their plugin modules
// (runtime/library/plugin/registry.ts), and they run on the calling thread like every library kernel.
import { availableParallelism } from "node:os";
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import { gradientProgram, kernelModule } from "../../../compiler/pipeline/index.ts";
import type { KernelPlan } from "../../../compiler/fuse/index.ts";
import type { PlanMeta } from "../../../compiler/ir/kernel_meta.ts";
import { loadPlugins, pluginPaths } from "../../library/plugin/registry.ts";
import { EvalError } from "../../library/ops/common.ts";
import { applyUpdates, type StateValue } from "../../library/ops/state.ts";
import type { Tensor } from "../../library/tensor.ts";
import { allocateArray, bindInputs } from "../../library/kernels/bind.ts";
import { runKernels, type ExecOptions } from "../../library/kernels/execute.ts";
import { loadGenerated, moduleBody, type GeneratedModule, type TypedArray } from "../../library/kernels/load.ts";
import { KernelPool } from "../../library/kernels/pool.ts";

export interface KernelOptions {
  /** Threads per kernel (default: os.availableParallelism()); 1 runs everything on the calling thread. */
  threads?: number;
  /** Iterations (product of the loop sizes) below which a kernel stays on one thread (default 65536). */
  minParallelWork?: number;
  /** The differentiator for evaluateWithGrad (default: gradientProgram from compiler/pipeline). */
  autodiff?: (program: IRProgram) => IRProgram;
}

export interface RunOptions {
  state?: Record<string, StateValue>;
  /** Check `require` conditions (default true). */
  checkRequires?: boolean;
}

export interface KernelResult {
  /** Every result by name (for a gradient program, also the `dL/dx` grad results), in canonical dim order. */
  results: Record<string, Tensor>;
  dimSizes: Record<string, number>;
  stateUpdates: Record<string, StateValue>;
}

export interface CompiledProgram {
  readonly plan: KernelPlan;
  /** The generated module's text (compiler/codegen/js). */
  readonly source: string;
  readonly threads: number;
  evaluate(inputs: Record<string, Tensor>, params?: Record<string, number>, options?: RunOptions): Promise<KernelResult>;
  /** Evaluates the program and its gradients (the program differentiated once, on first use). */
  evaluateWithGrad(inputs: Record<string, Tensor>, params?: Record<string, number>, options?: RunOptions): Promise<KernelResult>;
  /**
   * The kernels on typed arrays in canonical dim order (no conversion, no checks of the sizes: `sizes` must give
   * every dim): the trainer's path. Returns each result's buffer. `grad` runs the differentiated program.
   */
  runArrays(
    inputs: Record<string, TypedArray>,
    sizes: Record<string, number>,
    params?: Record<string, number>,
    options?: RunOptions & { grad?: boolean },
  ): Promise<Record<string, TypedArray>>;
  /** The plan and module of the differentiated program. */
  gradPlan(): Promise<{ plan: KernelPlan; source: string }>;
  /** Stops the worker pool. */
  close(): Promise<void>;
}

let moduleCounter = 0;

class Executable {
  readonly plan: KernelPlan;
  readonly source: string;
  readonly body: string;
  readonly mod: GeneratedModule;
  readonly meta: PlanMeta;
  readonly id = `m${moduleCounter++}`;
  private plugins: Promise<void> | undefined;

  constructor(readonly program: IRProgram) {
    const { plan, js } = kernelModule(program);
    this.plan = plan;
    this.source = js.source;
    this.body = moduleBody(this.source);
    this.mod = loadGenerated(this.source);
    this.meta = this.mod.plan;
    if (pluginPaths(program).length === 0) this.plugins = Promise.resolve();
  }

  /** Imports the plugin modules its custom nodes call (once; library kernels run them on this thread). */
  ready(): Promise<void> {
    return (this.plugins ??= loadPlugins(this.program).catch((e: unknown) => {
      this.plugins = undefined; // a later call retries (the file may have been fixed)
      throw e;
    }));
  }
}

export function compileKernels(program: IRProgram, options: KernelOptions = {}): CompiledProgram {
  const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
  const minWork = options.minParallelWork ?? 65536;
  const forward = new Executable(program);
  let pool: KernelPool | undefined;
  let grad: Promise<Executable> | undefined;

  const getPool = (): KernelPool | undefined => (threads > 1 ? (pool ??= new KernelPool(threads - 1)) : undefined);

  const execOptions = (opts: RunOptions): ExecOptions => {
    const o: ExecOptions = { pool: getPool(), threads, minWork, checkRequires: opts.checkRequires ?? true };
    if (opts.state) o.state = opts.state;
    return o;
  };
  const allocate = (
    meta: PlanMeta,
    sizes: Record<string, number>,
    inputs: (name: string) => TypedArray,
    shared: boolean,
  ): TypedArray[] =>
    meta.buffers.map((b) =>
      b.role === "input"
        ? inputs(b.input!)
        : allocateArray(
            b.dtype,
            b.dims.reduce((n, d) => n * sizes[d]!, 1),
            shared,
          ),
    );

  const execute = async (
    exe: Executable,
    inputs: Record<string, Tensor>,
    params: Record<string, number>,
    opts: RunOptions,
  ): Promise<KernelResult> => {
    const meta = exe.meta;
    const o = execOptions(opts);
    const shared = o.pool !== undefined;
    await exe.ready();
    const { sizes, arrays } = bindInputs(meta, inputs, (dt, n) => allocateArray(dt, n, shared));
    const B = allocate(meta, sizes, (name) => arrays[name]!, shared);
    await runKernels(exe, B, sizes, params, o);
    const tensorOf = (id: number): Tensor => {
      const b = meta.buffers[id]!;
      return { dtype: b.dtype, dims: [...b.dims], shape: b.dims.map((d) => sizes[d]!), data: Float64Array.from(B[id]!) };
    };
    const results: Record<string, Tensor> = {};
    for (const [name, id] of Object.entries(meta.results)) results[name] = tensorOf(id);
    let stateUpdates: Record<string, StateValue> = {};
    const lowered = exe.plan.program;
    if (lowered.results.some((r) => r.kind === "update")) {
      const values: Tensor[] = [];
      for (const b of exe.plan.buffers) values[b.node] = tensorOf(b.id);
      stateUpdates = applyUpdates(lowered, values, opts.state ?? {});
    }
    return { results, dimSizes: sizes, stateUpdates };
  };

  const runArrays = async (
    exe: Executable,
    inputs: Record<string, TypedArray>,
    sizes: Record<string, number>,
    params: Record<string, number>,
    opts: RunOptions,
  ): Promise<Record<string, TypedArray>> => {
    const meta = exe.meta;
    await exe.ready();
    const o = execOptions(opts);
    const shared = o.pool !== undefined;
    const B = allocate(
      meta,
      sizes,
      (name) => {
        const a = inputs[name];
        const decl = meta.inputs.find((i) => i.name === name)!;
        if (a === undefined) {
          if (decl.default === undefined)
            throw new EvalError("missing-input", `input ${name} was not supplied and has no default`);
          return allocateArray(
            decl.dtype,
            decl.dims.reduce((n, d) => n * sizes[d]!, 1),
            shared,
          ).fill(decl.default);
        }
        if (!shared || a.buffer instanceof SharedArrayBuffer) return a;
        const copy = allocateArray(decl.dtype, a.length, true);
        copy.set(a);
        return copy;
      },
      shared,
    );
    await runKernels(exe, B, sizes, params, o);
    const out: Record<string, TypedArray> = {};
    for (const [name, id] of Object.entries(meta.results)) out[name] = B[id]!;
    return out;
  };

  const gradExecutable = (): Promise<Executable> => {
    grad ??= (async () => {
      if (program.results.some((r) => r.kind === "grad")) return forward;
      return new Executable((options.autodiff ?? gradientProgram)(program));
    })();
    return grad;
  };

  return {
    plan: forward.plan,
    source: forward.source,
    threads,
    evaluate: (inputs, params = {}, opts = {}) => execute(forward, inputs, params, opts),
    evaluateWithGrad: async (inputs, params = {}, opts = {}) => execute(await gradExecutable(), inputs, params, opts),
    runArrays: async (inputs, sizes, params = {}, opts = {}) =>
      runArrays(opts.grad ? await gradExecutable() : forward, inputs, sizes, params, opts),
    gradPlan: async () => {
      const g = await gradExecutable();
      return { plan: g.plan, source: g.source };
    },
    close: async () => {
      await pool?.close();
      pool = undefined;
    },
  };
}
