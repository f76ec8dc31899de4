// bench/kernels: loss + gradient of GRPO, PPO (GAE + value clipping) and DPO at P=64, G=8, T=1024 (512 sequences
// for PPO and DPO), all in one process on the same data (bench/data.ts), DESIGN.md §5:
//   * fused JS kernels (runArrays: float32 typed arrays in and out, no conversion) on 1 thread and on all cores;
//   * the same, through evaluateWithGrad (float64 Tensors in and out, every result: the API's conversions);
//   * tfjs-cpu and tfjs-wasm op-by-op autograd (tfjsLossAndGrads on inputs already uploaded: no host transfer);
//   * the float64 reference evaluator with the symbolic gradients (the gradient program, evaluated; fewer runs: slow);
//   * a plain copy (Uint8Array.set) of as many bytes as the fused pass must move.
// The workload is each loss and the gradient of each loss with respect to each differentiable input it reaches
// (PPO: dL/dlogp and dL_v/dvalues). Bytes moved = every input read once + those gradients written once.
// Medians of 21 runs for the fused variants (1 thread and all cores in alternation), 7 for other fast ones, 3 for
// those slower than 0.5 s a run, 1 above 20 s a run; warmups excluded. acceptanceRounds repeats the measurements
// behind issue 3's GRPO acceptance ratios, whose all-cores figure depends on the other cores being free.
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { elaborate, gradientProgram } from "../compiler/pipeline/index.ts";
import type { IRProgram } from "../compiler/ir/ir.ts";
import { compileKernels, type TypedArray } from "../runtime/backends/js/index.ts";
import { evaluate, symbolicGradients } from "../runtime/backends/reference/index.ts";
import {
  disposeFeeds,
  reachingInputs,
  selectBackend,
  tfjsLossAndGrads,
  uploadInputs,
  type TF,
} from "../runtime/backends/tfjs/index.ts";
import { benchData, BYTES, type BenchData } from "./data.ts";
import { gc, time, timeInterleaved, type Timing } from "./util.ts";

/** Runs of each fused variant (fast: many runs, 1 thread and all cores in alternation). */
const FUSED_RUNS = 21;

export interface PipelineSpec {
  name: string;
  file: string;
  sizes: Record<string, number>;
  shape: string;
}

export const PIPELINES: PipelineSpec[] = [
  {
    name: "GRPO",
    file: "examples/grpo.rlp",
    sizes: { P: 64, G: 8, T: 1024 },
    shape: "P=64 prompts × G=8 responses × T=1024 tokens (512 sequences)",
  },
  {
    name: "PPO (GAE + value clipping)",
    file: "examples/ppo.rlp",
    sizes: { P: 64, G: 8, T: 1024 },
    shape: "P=64 × G=8 = 512 sequences × T=1024 tokens",
  },
  {
    name: "DPO",
    file: "examples/dpo.rlp",
    sizes: { P: 256, T: 1024 },
    shape: "P=256 pairs × Y=2 (chosen, rejected) = 512 sequences × T=1024 tokens",
  },
];

export type VariantId = "fused1" | "fusedN" | "fusedApi" | "tfjsCpu" | "tfjsWasm" | "reference" | "copy";

export interface Row {
  id: VariantId;
  label: string;
  timing: Timing;
  /** Largest |value − reference| / max |reference| over the loss and each gradient (one untimed run). */
  deviation?: number;
  /**
   * Bytes a run allocates, where it can be counted exactly: the fused kernels' non-input buffers (outputs and
   * values crossing kernels), tfjs' peak of allocated bytes (tf.profile), the reference's values of every node and
   * the gradients (all held at the end of a run).
   */
  allocated?: number;
  /** tfjs rows: the kernels that took the most time in one profiled run (tf.profile), as "Slice 81%". */
  topKernels?: string[];
}

export interface PipelineResult {
  spec: PipelineSpec;
  /** 1-minute load average when the pipeline's measurements started. */
  load: number;
  tokens: number;
  bytes: number;
  inputBytes: number;
  outputBytes: number;
  outputs: string[];
  rows: Row[];
}

export interface Environment {
  date: string;
  cpu: string;
  cores: number;
  threads: number;
  memGiB: number;
  node: string;
  tfjs: string;
  wasm: string;
  loadBefore: number[];
  loadAfter?: number[];
}

/**
 * Time with the run count by speed, after a first (warmup) run: 7 runs after one more warmup; 3 runs when a run
 * takes 0.5 s or more; when it takes 20 s or more (tfjs-cpu on PPO: a minute or more), that first run is the only
 * one (its one-time costs are well under 1% of it), to keep the whole bench to a few minutes.
 */
async function measure(f: () => unknown, done?: { ms: number; before: NodeJS.MemoryUsage }): Promise<Timing> {
  let first = done?.ms ?? 0;
  let before = done?.before;
  if (done === undefined) {
    gc();
    before = process.memoryUsage();
    const t0 = performance.now();
    await f();
    first = performance.now() - t0;
  }
  if (first < 500) return time(f, 7, 1);
  if (first < 20_000) return time(f, 3, 0);
  const after = process.memoryUsage();
  return {
    runs: [first],
    median: first,
    min: first,
    max: first,
    rssGrowth: after.rss - before!.rss,
    arrayBuffersGrowth: after.arrayBuffers - before!.arrayBuffers,
  };
}

/** The workload's results: each loss, and dL/dx for each differentiable x it reaches. */
function workload(program: IRProgram): { loss: string; node: number; wrt: string[] }[] {
  return program.results
    .filter((r) => r.kind === "loss")
    .map((r) => ({ loss: r.name, node: r.node, wrt: reachingInputs(program, r.node) }));
}

/** Results of one run as name -> values (canonical order): `L`, `dL/dx`. */
type Values = Record<string, ArrayLike<number>>;

function deviation(got: Values, want: Values): number {
  let worst = 0;
  for (const [name, w] of Object.entries(want)) {
    const g = got[name];
    if (g === undefined || g.length !== w.length) return Infinity;
    let scale = 0;
    let err = 0;
    for (let i = 0; i < w.length; i++) {
      scale = Math.max(scale, Math.abs(w[i]!));
      err = Math.max(err, Math.abs(g[i]! - w[i]!));
    }
    if (Number.isNaN(err)) return NaN;
    worst = Math.max(worst, err / Math.max(scale, 1e-30));
  }
  return worst;
}

function referenceValues(program: IRProgram, data: BenchData): { run: () => void; values: Values; held: number } {
  const work = workload(program);
  let held = 0;
  const run = (): Values => {
    const ev = evaluate(program, data.tensors);
    held = ev.values.reduce((s, t) => s + (t?.data.byteLength ?? 0), 0);
    const out: Values = {};
    const g = symbolicGradients(program, data.tensors);
    held += Object.values(g).reduce((s, t) => s + t.data.byteLength, 0);
    for (const w of work) {
      out[w.loss] = ev.results[w.loss]!.data;
      for (const x of w.wrt) out[`d${w.loss}/d${x}`] = g[`d${w.loss}/d${x}`]!.data;
    }
    return out;
  };
  const values = run();
  return { run, values, held };
}

async function tfjsRow(tf: TF, id: VariantId, label: string, program: IRProgram, data: BenchData, want?: Values): Promise<Row> {
  const feeds = uploadInputs(tf, program, data.tensors);
  const work = workload(program);
  try {
    const once = (): void => {
      tf.tidy(() => {
        for (const w of work) tfjsLossAndGrads(tf, program, feeds, w.loss).loss.dataSync();
      });
    };
    // the first run: profiled, and its values read back for the comparison with the reference
    const got: Values = {};
    gc();
    const before = process.memoryUsage();
    const t0 = performance.now();
    const prof = await tf.profile(() => {
      tf.tidy(() => {
        for (const w of work) {
          const r = tfjsLossAndGrads(tf, program, feeds, w.loss);
          got[w.loss] = r.loss.dataSync();
          for (const x of w.wrt) got[`d${w.loss}/d${x}`] = r.grads[x]!.dataSync();
        }
      });
    });
    const firstMs = performance.now() - t0;
    const byKernel = new Map<string, number>();
    for (const k of prof.kernels) {
      const ms = await k.kernelTimeMs;
      if (typeof ms === "number") byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + ms);
    }
    const total = [...byKernel.values()].reduce((a, b) => a + b, 0);
    const topKernels = [...byKernel.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([k, ms]) => `${k} ${((100 * ms) / total).toFixed(0)}%`);
    const timing = await measure(once, { ms: firstMs, before });
    return { id, label, timing, deviation: want && deviation(got, want), allocated: prof.peakBytes, topKernels };
  } finally {
    disposeFeeds(feeds);
  }
}

/**
 * Fused JS on 1 thread and on all cores, timed in alternation (their ratio is the point, on a machine other
 * processes share): the program restricted to its losses, differentiated w.r.t. the inputs each loss reaches.
 */
async function fusedRows(program: IRProgram, data: BenchData, want?: Values): Promise<Row[]> {
  const work = workload(program);
  const lossOnly: IRProgram = { ...program, results: program.results.filter((r) => r.kind === "loss") };
  const autodiff = (p: IRProgram): IRProgram => {
    const g = gradientProgram(p);
    return {
      ...g,
      results: g.results.filter((r) => r.kind !== "grad" || work.some((w) => w.loss === r.of && w.wrt.includes(r.wrt!))),
    };
  };
  const cores = availableParallelism();
  const fused = [1, cores].map((threads) => compileKernels(lossOnly, { threads, autodiff }));
  try {
    const runs = fused.map(
      (ck) => (): Promise<Record<string, TypedArray>> => ck.runArrays(data.arrays, data.sizes, {}, { grad: true }),
    );
    const dev = await Promise.all(runs.map(async (run) => (want ? deviation(await run(), want) : undefined)));
    const { plan } = await fused[0]!.gradPlan();
    const scratch = plan.buffers
      .filter((b) => b.role !== "input")
      .reduce((s, b) => s + BYTES[b.dtype]! * b.dims.reduce((n, d) => n * data.sizes[d]!, 1), 0);
    const timings = await timeInterleaved(runs, FUSED_RUNS);
    return [
      { id: "fused1", label: "fused JS, 1 thread", timing: timings[0]!, deviation: dev[0], allocated: scratch },
      {
        id: "fusedN",
        label: `fused JS, ${cores} threads (all cores)`,
        timing: timings[1]!,
        deviation: dev[1],
        allocated: scratch,
      },
    ];
  } finally {
    for (const ck of fused) await ck.close();
  }
}

export async function benchPipeline(spec: PipelineSpec, log: (line: string) => void = () => {}): Promise<PipelineResult> {
  const load = loadavg()[0]!;
  const program = elaborate(spec.file).programs[0]!;
  const data = benchData(program, spec.sizes);
  const work = workload(program);
  const elems = (name: string): number => data.tensors[name]!.data.length;
  const outputs = work.flatMap((w) => [w.loss, ...w.wrt.map((x) => `d${w.loss}/d${x}`)]);
  const outputBytes = work.reduce((s, w) => s + 4 + w.wrt.reduce((a, x) => a + 4 * elems(x), 0), 0);
  const bytes = data.inputBytes + outputBytes;
  const tokens = Object.values(data.tensors).reduce((m, t) => Math.max(m, t.data.length), 0);
  const rows: Row[] = [];
  const add = (r: Row): void => {
    rows.push(r);
    log(
      `  ${r.label}: median ${r.timing.median.toFixed(1)} ms (${r.timing.runs.length} runs, ${r.timing.min.toFixed(1)}–${r.timing.max.toFixed(1)})`,
    );
  };

  const ref = referenceValues(program, data);
  const want = ref.values;

  const cores = availableParallelism();
  for (const row of await fusedRows(program, data, want)) add(row);
  {
    const ck = compileKernels(program, { threads: cores });
    try {
      const run = () => ck.evaluateWithGrad(data.tensors);
      const got = (await run()).results;
      const timing = await measure(run);
      const vals: Values = {};
      for (const name of Object.keys(want)) if (got[name]) vals[name] = got[name]!.data;
      add({
        id: "fusedApi",
        label: `fused JS, ${cores} threads, evaluateWithGrad (f64 Tensors in/out, every result)`,
        timing,
        deviation: deviation(vals, want),
      });
    } finally {
      await ck.close();
    }
  }
  for (const [id, backend] of [
    ["tfjsCpu", "cpu"],
    ["tfjsWasm", "wasm"],
  ] as const) {
    const { tf } = await selectBackend(backend);
    add(await tfjsRow(tf, id, `tfjs-${backend}, op-by-op autograd`, program, data, want));
  }
  add({
    id: "reference",
    label: "reference evaluator + symbolic gradients (float64)",
    timing: await measure(ref.run),
    deviation: 0,
    allocated: ref.held,
  });
  const src = new Uint8Array(bytes).fill(1);
  const dst = new Uint8Array(bytes);
  add({ id: "copy", label: `plain copy of the same bytes (Uint8Array.set)`, timing: await measure(() => dst.set(src)) });
  return { spec, load, tokens, bytes, inputBytes: data.inputBytes, outputBytes, outputs, rows };
}

export async function environment(): Promise<Environment> {
  const { tf } = await selectBackend("wasm");
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  const mt = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    threads: availableParallelism(),
    memGiB: totalmem() / 2 ** 30,
    node: process.version,
    tfjs: tf.version.tfjs,
    wasm: `SIMD ${simd ? "on" : "off"}, threads ${mt ? "on" : "off"}`,
    loadBefore: loadavg(),
  };
}

export function rowOf(r: PipelineResult, id: VariantId): Row {
  return r.rows.find((x) => x.id === id)!;
}

export interface Ratio {
  /** Median time of `slow` over median time of `fast`. */
  median: number;
  /** The range over run pairings: slow's fastest over fast's slowest, and slow's slowest over fast's fastest. */
  low: number;
  high: number;
  /** Fastest run over fastest run: the least disturbed by other processes. */
  best: number;
}

/** How many times faster `fast` is than `slow`. */
export function ratio(r: { rows: Row[] }, slow: VariantId, fast: VariantId): Ratio {
  const s = r.rows.find((x) => x.id === slow)!.timing;
  const f = r.rows.find((x) => x.id === fast)!.timing;
  return { median: s.median / f.median, low: s.min / f.max, high: s.max / f.min, best: s.min / f.min };
}

export interface Acceptance {
  what: string;
  need: number;
  got: Ratio;
  pass: boolean;
}

export const ACCEPTANCE: [string, VariantId, VariantId, number][] = [
  ["fused JS (all cores) vs tfjs-cpu op-by-op autograd", "tfjsCpu", "fusedN", 25],
  ["fused JS (all cores) vs tfjs-wasm op-by-op autograd", "tfjsWasm", "fusedN", 5],
  ["fused JS all cores vs 1 thread", "fused1", "fusedN", 1.5],
];

/** The acceptance ratios of issue 3 for GRPO (medians), in one measurement. */
export function acceptance(grpo: { rows: Row[] }): Acceptance[] {
  return ACCEPTANCE.map(([what, slow, fast, need]) => {
    const got = ratio(grpo, slow, fast);
    return { what, need, got, pass: got.median >= need };
  });
}

export interface Round {
  /** 1-minute load average when the round started. */
  load: number;
  rows: Row[];
}

/**
 * Repeats the measurements behind the acceptance ratios (fused 1 thread / all cores in alternation, tfjs-cpu,
 * tfjs-wasm) on the same data: on a shared machine the thread ratio depends on whether the other cores are free,
 * so the spread over rounds is reported.
 */
export async function acceptanceRounds(
  spec: PipelineSpec,
  rounds: number,
  log: (line: string) => void = () => {},
): Promise<Round[]> {
  const program = elaborate(spec.file).programs[0]!;
  const data = benchData(program, spec.sizes);
  const out: Round[] = [];
  for (let i = 0; i < rounds; i++) {
    const load = loadavg()[0]!;
    const rows = await fusedRows(program, data);
    for (const [id, backend] of [
      ["tfjsCpu", "cpu"],
      ["tfjsWasm", "wasm"],
    ] as const) {
      const { tf } = await selectBackend(backend);
      rows.push(await tfjsRow(tf, id, `tfjs-${backend}`, program, data));
    }
    out.push({ load, rows });
    log(
      `  round ${i + 1} (load ${load.toFixed(2)}): ${acceptance({ rows })
        .map((a) => `${a.got.median.toFixed(1)}×`)
        .join(", ")}`,
    );
  }
  return out;
}
