// compileKernels: an IR program -> fused JS kernels (compiler/fuse + compiler/codegen/js), loaded in-process and run
// over float32 buffers, optionally on several threads.
//
// Threads: a loop kernel whose outermost loop may be split (every write contains that dim, or goes to a per-thread
// partial) and whose iteration count reaches `minParallelWork` runs in `threads` chunks of its outermost dim: the
// calling thread runs the first, pool workers the others. Partials are then combined in chunk order, so a given
// thread count always gives the same bits; different thread counts can differ in the last bits of float64 totals
// (reduction order), which float32 storage nearly always rounds away.
import { availableParallelism } from "node:os";
import type { IRProgram } from "../../compiler/ir.ts";
import { differentiateAndSimplify } from "../../compiler/autodiff/index.ts";
import { planKernels } from "../../compiler/fuse/plan.ts";
import type { KernelPlan } from "../../compiler/fuse/types.ts";
import { generateJs } from "../../compiler/codegen/js/module.ts";
import type { AccFnName, PlanMeta } from "../../compiler/codegen/js/meta.ts";
import { EvalError } from "../reference/common.ts";
import { applyUpdates, type StateValue } from "../reference/state.ts";
import type { Tensor } from "../tensor.ts";
import { allocateArray, bindInputs } from "./bind.ts";
import { library } from "./library.ts";
import { loadGenerated, moduleBody, type GeneratedModule, type KernelContext, type TypedArray } from "./load.ts";
import { KernelPool, type Chunk } from "./pool.ts";

export interface KernelOptions {
  /** Threads per kernel (default: os.availableParallelism()); 1 runs everything on the calling thread. */
  threads?: number;
  /** Iterations (product of the loop sizes) below which a kernel stays on one thread (default 65536). */
  minParallelWork?: number;
  /** The differentiator for evaluateWithGrad (default: differentiateAndSimplify from compiler/autodiff). */
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
  /** The plan and module of the differentiated program. */
  gradPlan(): Promise<{ plan: KernelPlan; source: string }>;
  /** Stops the worker pool. */
  close(): Promise<void>;
}

const IDENTITY: Record<AccFnName, number> = { sum: 0, count: 0, max: -Infinity, min: Infinity };

function combine(fn: AccFnName, a: number, b: number): number {
  if (fn === "sum" || fn === "count") return a + b;
  if (a !== a || b !== b) return NaN;
  return fn === "max" ? (b > a ? b : a) : b < a ? b : a;
}

let moduleCounter = 0;

class Executable {
  readonly plan: KernelPlan;
  readonly source: string;
  readonly body: string;
  readonly mod: GeneratedModule;
  readonly meta: PlanMeta;
  readonly id = `m${moduleCounter++}`;

  constructor(readonly program: IRProgram) {
    this.plan = planKernels(program);
    this.source = generateJs(this.plan).source;
    this.body = moduleBody(this.source);
    this.mod = loadGenerated(this.source);
    this.meta = this.mod.plan;
  }
}

export function compileKernels(program: IRProgram, options: KernelOptions = {}): CompiledProgram {
  const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
  const minWork = options.minParallelWork ?? 65536;
  const forward = new Executable(program);
  let pool: KernelPool | undefined;
  let grad: Promise<Executable> | undefined;

  const getPool = (): KernelPool | undefined => (threads > 1 ? (pool ??= new KernelPool(threads - 1)) : undefined);

  const execute = async (exe: Executable, inputs: Record<string, Tensor>, params: Record<string, number>, opts: RunOptions): Promise<KernelResult> => {
    const meta = exe.meta;
    const p = getPool();
    const shared = p !== undefined;
    const alloc = (dt: Parameters<typeof allocateArray>[0], n: number): TypedArray => allocateArray(dt, n, shared);
    const { sizes, arrays } = bindInputs(meta, inputs, alloc);
    const count = (dims: readonly string[]): number => dims.reduce((n, d) => n * sizes[d]!, 1);
    const B = meta.buffers.map((b) => (b.role === "input" ? arrays[b.input!]! : alloc(b.dtype, count(b.dims))));
    const Z: KernelContext = { n: sizes, p: { ...meta.params, ...params } };
    const f64 = (n: number, fill: number, sh: boolean): Float64Array => (allocateArray("id", n, sh) as Float64Array).fill(fill);
    for (let ki = 0; ki < meta.kernels.length; ki++) {
      const k = meta.kernels[ki]!;
      if (k.kind === "library") {
        library.run(k, B, { ...Z, ...(opts.state ? { state: opts.state } : {}) }, meta);
        continue;
      }
      const fns = exe.mod.kernels[ki]!;
      const n0 = k.nest.length > 0 ? sizes[k.nest[0]!]! : 0;
      const t = p && k.splittable && count(k.nest) >= minWork ? Math.min(threads, n0) : 1;
      const sh = t > 1;
      const sharedS = k.scratch.map((s) => (s.shared ? f64(count(s.dims), IDENTITY[s.fn], sh) : undefined));
      const chunks: Chunk[] = [];
      for (let c = 0; c < t; c++) {
        const total = f64(k.slots.length, 0, sh);
        for (const s of k.slots) total[s.offset] = IDENTITY[s.fn];
        const S = k.scratch.map((s, i) => sharedS[i] ?? f64(count(s.dims), IDENTITY[s.fn], sh));
        chunks.push({ lo: Math.floor((n0 * c) / t), hi: Math.floor((n0 * (c + 1)) / t), total, S });
      }
      const [first, ...rest] = chunks as [Chunk, ...Chunk[]];
      if (t === 1) fns.body(B, Z, first.lo, first.hi, first.total, first.S);
      else await p!.run(exe.id, exe.body, ki, B, Z, rest, () => fns.body(B, Z, first.lo, first.hi, first.total, first.S));
      for (const c of rest) {
        for (const s of k.slots) first.total[s.offset] = combine(s.fn, first.total[s.offset]!, c.total[s.offset]!);
        k.scratch.forEach((s, i) => {
          if (s.shared) return;
          const a = first.S[i]!;
          const b = c.S[i]!;
          for (let j = 0; j < a.length; j++) a[j] = combine(s.fn, a[j]!, b[j]!);
        });
      }
      fns.end(B, Z, first.total, first.S);
    }
    if (opts.checkRequires ?? true) {
      for (const q of meta.requires) if (B[q.buffer]!.some((v) => v === 0)) throw new EvalError("require", `require failed: ${q.message}`);
    }
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

  const gradExecutable = (): Promise<Executable> => {
    grad ??= (async () => {
      if (program.results.some((r) => r.kind === "grad")) return forward;
      return new Executable((options.autodiff ?? differentiateAndSimplify)(program));
    })();
    return grad;
  };

  return {
    plan: forward.plan,
    source: forward.source,
    threads,
    evaluate: (inputs, params = {}, opts = {}) => execute(forward, inputs, params, opts),
    evaluateWithGrad: async (inputs, params = {}, opts = {}) => execute(await gradExecutable(), inputs, params, opts),
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
