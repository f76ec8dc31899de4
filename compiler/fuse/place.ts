// Stage 3 of fusion: where each stage of a kernel runs inside its loop nest.
// A kernel's loops form a tree: the outermost loop is unique (it is the one split over threads); below it a block may
// hold several sibling loops over the same dim, run one after the other (passes). A stage at depth k (the length of
// its space) gets a SITE: k loop-instance indices (which sibling loop at each depth) plus, last, its position among
// the loops of the next depth in its block (a statement after loop j has j+1 there; at the innermost depth it is 0).
// Sites compare lexicographically in program order.
//
// Constraints for a stage s reading, inside the kernel, the value of
//   * a prefix reduction d completing at depth r: s in the same block at depth r (equal first r indices) and after
//     d's loop there (index r >= d's + 1);
//   * a scan d: s in the same innermost loop instance (equal sites);
//   * two scans sharing an innermost loop run in the same direction.
// Sites are found as early as possible, then a dep whose block is not its reader's is moved into it (raised) until
// nothing moves; a dep that still cannot be seen is "spilled" (stored to a buffer, read back in the same kernel).
// Finally every stage sinks to the latest existing loop that still satisfies all constraints, so stages without
// ordering needs share loops (fewer passes over the data).
import type { Stage, StageGraph } from "./stages.ts";

export interface Placement {
  site: Map<number, number[]>;
  /** `${dep}>${reader}` pairs read through a buffer inside the kernel */
  spill: Set<string>;
}

function lexCmp(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function lexMax(a: number[], b: number[]): number[] {
  return lexCmp(a, b) >= 0 ? a : b;
}

export function placeKernel(g: StageGraph, members: number[], nestLength: number): Placement {
  const inKernel = new Set(members);
  const stage = (i: number): Stage => g.stages[i]!;
  const depth = (i: number): number => stage(i).space.length;
  const deps = (i: number): number[] =>
    stage(i)
      .deps.filter((d) => inKernel.has(d.stage))
      .map((d) => d.stage);
  const readers = new Map<number, number[]>(members.map((m) => [m, []]));
  for (const m of members) for (const d of deps(m)) readers.get(d)!.push(m);
  const spill = new Set<string>();
  const site = new Map<number, number[]>();
  const base = (k: number): number[] => (k === 0 ? [1] : new Array<number>(k + 1).fill(0));

  /** The earliest site of s allowed by dep d (sized for s). */
  const lower = (d: number, s: number, vd: number[]): number[] => {
    const k = depth(s);
    if (stage(d).kind === "scan") return [...vd];
    const r = stage(d).result.length;
    const L = new Array<number>(k + 1).fill(0);
    for (let i = 0; i < r; i++) L[i] = vd[i]!;
    L[r] = vd[r]! + 1;
    return L;
  };
  /** Does s at vs see d at vd (same block / same loop)? */
  const sees = (d: number, vd: number[], vs: number[]): boolean => {
    if (stage(d).kind === "scan") return lexCmp(vd, vs) === 0;
    const r = stage(d).result.length;
    for (let i = 0; i < r; i++) if (vd[i] !== vs[i]) return false;
    return true;
  };
  const loopKey = (v: number[], k: number): string => v.slice(0, k).join(",");

  const forward = (floor: Map<number, number[]>): void => {
    site.clear();
    const dir = new Map<string, boolean>();
    for (const s of members) {
      let v = floor.get(s) ?? base(depth(s));
      for (const d of deps(s)) v = lexMax(v, lower(d, s, site.get(d)!));
      const st = stage(s);
      if (st.kind === "scan") {
        const k = depth(s);
        while (dir.has(loopKey(v, k)) && dir.get(loopKey(v, k)) !== st.reverse) {
          v = [...v];
          v[k - 1]!++;
          for (let i = k; i < v.length; i++) v[i] = 0;
        }
        dir.set(loopKey(v, k), st.reverse ?? false);
      }
      site.set(s, v);
    }
  };

  const floor = new Map<number, number[]>();
  for (let iter = 0; ; iter++) {
    forward(floor);
    let moved = false;
    for (const s of members) {
      for (const d of deps(s)) {
        if (spill.has(`${d}>${s}`) || sees(d, site.get(d)!, site.get(s)!)) continue;
        if (iter >= 4 * members.length + 8) {
          spill.add(`${d}>${s}`);
          continue;
        }
        const vs = site.get(s)!;
        const target =
          stage(d).kind === "scan"
            ? [...vs]
            : [...vs.slice(0, stage(d).result.length), ...new Array<number>(depth(d) + 1 - stage(d).result.length).fill(0)];
        floor.set(d, lexMax(floor.get(d) ?? base(depth(d)), target));
        moved = true;
      }
    }
    if (!moved) break;
  }
  sink(members, depth, deps, readers, site, spill, lower, sees, nestLength, stage);
  return { site, spill };
}

/** Moves each stage (last first) to the latest existing site that keeps every constraint. */
function sink(
  members: number[],
  depth: (i: number) => number,
  deps: (i: number) => number[],
  readers: Map<number, number[]>,
  site: Map<number, number[]>,
  spill: Set<string>,
  lower: (d: number, s: number, vd: number[]) => number[],
  sees: (d: number, vd: number[], vs: number[]) => boolean,
  nestLength: number,
  stage: (i: number) => Stage,
): void {
  for (let idx = members.length - 1; idx >= 0; idx--) {
    const s = members[idx]!;
    const k = depth(s);
    if (k === 0) continue;
    const st = stage(s);
    const ok = (v: number[]): boolean => {
      for (const d of deps(s)) {
        const vd = site.get(d)!;
        if (lexCmp(v, lower(d, s, vd)) < 0) return false;
        if (!spill.has(`${d}>${s}`) && !sees(d, vd, v)) return false;
      }
      for (const c of readers.get(s)!) {
        const vc = site.get(c)!;
        if (lexCmp(vc, lower(s, c, v)) < 0) return false;
        if (!spill.has(`${s}>${c}`) && !sees(s, v, vc)) return false;
      }
      if (st.kind === "scan") {
        for (const o of members) {
          const so = stage(o);
          if (o === s || so.kind !== "scan" || depth(o) !== k) continue;
          if (site.get(o)!.slice(0, k).join() === v.slice(0, k).join() && so.reverse !== st.reverse) return false;
        }
      }
      return true;
    };
    let best = site.get(s)!;
    for (const cand of candidates(members, depth, site, k, nestLength)) {
      if (lexCmp(cand, best) > 0 && ok(cand)) best = cand;
    }
    site.set(s, best);
  }
}

/** Every existing site of depth k: an existing loop path, then each position among the next depth's loops. */
function candidates(
  members: number[],
  depth: (i: number) => number,
  site: Map<number, number[]>,
  k: number,
  nestLength: number,
): number[][] {
  const paths = new Map<string, number[]>();
  for (const m of members) {
    if (depth(m) < k) continue;
    const p = site.get(m)!.slice(0, k);
    paths.set(p.join(), p);
  }
  const out: number[][] = [];
  for (const p of paths.values()) {
    if (k === nestLength) {
      out.push([...p, 0]);
      continue;
    }
    let loops = -1;
    for (const m of members) {
      if (depth(m) <= k) continue;
      const v = site.get(m)!;
      if (v.slice(0, k).join() === p.join()) loops = Math.max(loops, v[k]!);
    }
    for (let a = 0; a <= loops + 1; a++) out.push([...p, a]);
  }
  return out;
}
