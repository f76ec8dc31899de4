// Shared pieces of the benchmarks: timing (warmups excluded, medians and spread), memory sampling, formatting.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** A full garbage collection (the flag is set at run time, so `tsx bench/...` needs no --expose-gc). */
export const gc: () => void = (() => {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

export interface Timing {
  /** Milliseconds of each measured run, in run order. */
  runs: number[];
  median: number;
  min: number;
  max: number;
  /** Peak growth over the value before the first measured run (after a gc), sampled after each run, in bytes. */
  rssGrowth: number;
  arrayBuffersGrowth: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Times `f` (sync or async): `warmup` runs first (not measured), then `reps` measured runs. Memory: a gc before the
 * measured runs, then process.memoryUsage() after every run (warmups included in the peak, since a warmup is
 * where a run's buffers are first allocated); growth is the largest sample minus the value before the first warmup.
 */
export async function time(f: () => unknown, reps: number, warmup = 2): Promise<Timing> {
  gc();
  const before = process.memoryUsage();
  let rss = before.rss;
  let ab = before.arrayBuffers;
  const sample = (): void => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    ab = Math.max(ab, m.arrayBuffers);
  };
  for (let i = 0; i < warmup; i++) {
    await f();
    sample();
  }
  const runs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    runs.push(performance.now() - t0);
    sample();
  }
  return {
    runs,
    median: median(runs),
    min: Math.min(...runs),
    max: Math.max(...runs),
    rssGrowth: rss - before.rss,
    arrayBuffersGrowth: ab - before.arrayBuffers,
  };
}

/**
 * Times several functions in alternation (a run of each, `reps` times, after `warmup` rounds), so that load from
 * other processes on a shared machine falls on all of them alike: for ratios between close variants.
 */
export async function timeInterleaved(fs: (() => unknown)[], reps: number, warmup = 2): Promise<Timing[]> {
  gc();
  const before = process.memoryUsage();
  const rss = fs.map(() => before.rss);
  const ab = fs.map(() => before.arrayBuffers);
  const runs: number[][] = fs.map(() => []);
  for (let round = 0; round < warmup + reps; round++) {
    for (let k = 0; k < fs.length; k++) {
      const t0 = performance.now();
      await fs[k]!();
      if (round >= warmup) runs[k]!.push(performance.now() - t0);
      const m = process.memoryUsage();
      rss[k] = Math.max(rss[k]!, m.rss);
      ab[k] = Math.max(ab[k]!, m.arrayBuffers);
    }
  }
  return runs.map((r, k) => ({
    runs: r,
    median: median(r),
    min: Math.min(...r),
    max: Math.max(...r),
    rssGrowth: rss[k]! - before.rss,
    arrayBuffersGrowth: ab[k]! - before.arrayBuffers,
  }));
}

/** Deterministic generator (LCG), values in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 8) / 2 ** 24;
  };
}

export const MiB = 2 ** 20;

export function fmtMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

export function fmtMiB(bytes: number): string {
  return (bytes / MiB).toFixed(1);
}
