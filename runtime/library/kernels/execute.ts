// Running a loaded module's kernels over bound buffers, in order: library kernels on the calling thread; a loop
// kernel in `t` chunks of its outermost dim when it may be split, a pool is given and its iteration count reaches
// `minWork` (chunk 0 on the calling thread, the others on pool workers), then its per-thread partials combined in
// chunk order (so a given thread count always gives the same bits) and its epilogue run once.
import type { AccFnName, PlanMeta } from "../../../compiler/ir/kernel_meta.ts";
import { EvalError } from "../ops/common.ts";
import type { StateValue } from "../ops/state.ts";
import { allocateArray } from "./bind.ts";
import { library } from "./library.ts";
import type { GeneratedModule, KernelContext, TypedArray } from "./load.ts";
import type { Chunk, KernelPool } from "./pool.ts";

export interface Loaded {
  id: string;
  /** The module text as a function body returning `{ kernels }` (what workers evaluate; read only when a pool runs). */
  body: string;
  mod: Pick<GeneratedModule, "kernels">;
  meta: PlanMeta;
}

export interface ExecOptions {
  pool: KernelPool | undefined;
  threads: number;
  minWork: number;
  state?: Record<string, StateValue>;
  checkRequires: boolean;
}

const IDENTITY: Record<AccFnName, number> = { sum: 0, count: 0, max: -Infinity, min: Infinity };

function combine(fn: AccFnName, a: number, b: number): number {
  if (fn === "sum" || fn === "count") return a + b;
  if (a !== a || b !== b) return NaN;
  return fn === "max" ? (b > a ? b : a) : b < a ? b : a;
}

/** Runs every kernel over the buffers B (inputs bound, the others allocated; SharedArrayBuffer-backed when a pool is used). */
export async function runKernels(
  exe: Loaded,
  B: TypedArray[],
  sizes: Record<string, number>,
  params: Record<string, number>,
  o: ExecOptions,
): Promise<void> {
  const meta = exe.meta;
  const count = (dims: readonly string[]): number => dims.reduce((n, d) => n * sizes[d]!, 1);
  const Z: KernelContext = { n: sizes, p: { ...meta.params, ...params } };
  const f64 = (n: number, fill: number, sh: boolean): Float64Array => (allocateArray("id", n, sh) as Float64Array).fill(fill);
  for (let ki = 0; ki < meta.kernels.length; ki++) {
    const k = meta.kernels[ki]!;
    if (k.kind === "library") {
      library.run(k, B, { ...Z, ...(o.state ? { state: o.state } : {}) }, meta);
      continue;
    }
    const fns = exe.mod.kernels[ki]!;
    const n0 = k.nest.length > 0 ? sizes[k.nest[0]!]! : 0;
    const t = o.pool && k.splittable && count(k.nest) >= o.minWork ? Math.max(1, Math.min(o.threads, n0)) : 1;
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
    else await o.pool!.run(exe.id, exe.body, ki, B, Z, rest, () => fns.body(B, Z, first.lo, first.hi, first.total, first.S));
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
  if (o.checkRequires) {
    for (const q of meta.requires)
      if (B[q.buffer]!.some((v) => v === 0)) throw new EvalError("require", `require failed: ${q.message}`);
  }
}
