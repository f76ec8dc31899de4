// Stage 2 of fusion: which stages share a kernel.
// A barrier edge (compiler/fuse/stages.ts isBarrier) needs a kernel boundary. Every stage gets a level = the number of
// barriers before it; stages are scheduled AS LATE AS POSSIBLE (ALAP), so forward work joins the backward work that
// reads the same inputs (GRPO's per-token forward and dL/dlogp share one loop). Within a level, stages whose loop
// nests are compatible (one space a prefix of the other) share a kernel; library stages get a kernel each.
import { isBarrier, nestCompatible, type Stage, type StageGraph } from "./stages.ts";

export interface KernelGroup {
  level: number;
  library: boolean;
  /** Stage ids in topological order. */
  members: number[];
  /** The loop nest: the longest member space. */
  nest: string[];
}

export interface Schedule {
  groups: KernelGroup[];
  /** stage id -> group index */
  groupOf: number[];
  level: number[];
}

function levels(g: StageGraph): { asap: number[]; alap: number[] } {
  const n = g.stages.length;
  const asap = new Array<number>(n).fill(0);
  for (const s of g.stages) {
    for (const d of s.deps)
      asap[s.id] = Math.max(asap[s.id]!, asap[d.stage]! + (isBarrier(g.stages[d.stage]!, s, d.env) ? 1 : 0));
  }
  const top = Math.max(0, ...asap);
  const alap = new Array<number>(n).fill(top);
  for (let i = n - 1; i >= 0; i--) {
    const d = g.stages[i]!;
    for (const c of g.consumers[i]!) {
      const s = g.stages[c]!;
      const env = s.deps.find((x) => x.stage === i)!.env;
      alap[i] = Math.min(alap[i]!, alap[c]! - (isBarrier(d, s, env) ? 1 : 0));
    }
  }
  return { asap, alap };
}

function joins(group: KernelGroup, s: Stage): boolean {
  if (group.library || s.kind === "library") return false;
  if (!nestCompatible(group.nest, s.space)) return false;
  // at most one scan direction per innermost dim is checked at placement; a scan needs its along innermost
  return true;
}

export function schedule(g: StageGraph): Schedule {
  const { alap } = levels(g);
  const groups: KernelGroup[] = [];
  const groupOf = new Array<number>(g.stages.length).fill(-1);
  for (const s of g.stages) {
    const level = alap[s.id]!;
    // a kernel of this level created after every same-level kernel s reads from
    let after = -1;
    const own = new Map<number, number>();
    for (const d of s.deps) {
      const k = groupOf[d.stage]!;
      if (groups[k]!.level !== level) continue;
      if (isBarrier(g.stages[d.stage]!, s, d.env)) after = Math.max(after, k);
      else own.set(k, (own.get(k) ?? 0) + 1);
    }
    let best = -1;
    for (let k = groups.length - 1; k > after; k--) {
      const grp = groups[k]!;
      if (grp.level !== level || !joins(grp, s)) continue;
      // every dep read inside must be in this kernel or an earlier one
      if ([...own.keys()].some((o) => o > k)) continue;
      if (best < 0 || (own.get(k) ?? 0) > (own.get(best) ?? 0) || ((own.get(k) ?? 0) === (own.get(best) ?? 0) && k < best))
        best = k;
    }
    if (best < 0) {
      best = groups.length;
      groups.push({ level, library: s.kind === "library", members: [], nest: [] });
    }
    const grp = groups[best]!;
    grp.members.push(s.id);
    if (s.space.length > grp.nest.length) grp.nest = [...s.space];
    groupOf[s.id] = best;
  }
  // run order: by level, then creation order
  const order = groups.map((_, i) => i).sort((a, b) => groups[a]!.level - groups[b]!.level || a - b);
  const remap = new Map(order.map((old, i) => [old, i]));
  return {
    groups: order.map((i) => groups[i]!),
    groupOf: groupOf.map((k) => remap.get(k)!),
    level: alap,
  };
}
