// Stage 4a of fusion: the loop tree of a kernel, from the sites of its stages (compiler/fuse/place.ts).
// Within a block, in order: statements placed before loop j, the inits of the accumulations that loop j completes,
// loop j, then their finals; a scan's line state is set up just before its innermost loop.
import type { Placement } from "./place.ts";
import type { Stage } from "./stages.ts";

export type TItem =
  | { t: "loop"; dim: string; depth: number; reverse: boolean; items: TItem[] }
  | { t: "init" | "final" | "accum" | "scan_init" | "scan_step" | "store"; stage: number };

export interface KernelTree {
  /**
   * The body, per thread: inits of depth-0 accumulations, the outermost loop(s), their finals (partials out). There
   * is one outermost loop unless the kernel cannot be split (scans along its outermost dim in both directions).
   */
  body: TItem[];
  /** Once, after the loops: finals of depth-0 accumulations, then depth-0 statements. */
  epilogue: TItem[];
}

export function buildTree(stages: readonly Stage[], members: number[], nest: string[], placement: Placement): KernelTree {
  const site = (s: number): number[] => placement.site.get(s)!;
  const depth = (s: number): number => stages[s]!.space.length;
  const samePath = (v: number[], path: number[]): boolean => path.every((x, i) => v[i] === x);
  // a prefix reduction's init/final wrap the loop at depth r+1 that holds its accumulation; a scan's line state
  // wraps its innermost loop
  const wrapDepth = (s: number): number | undefined => {
    const st = stages[s]!;
    if (st.kind === "reduce" && st.prefix) return st.result.length;
    if (st.kind === "scan") return depth(s) - 1;
    return undefined;
  };

  const block = (i: number, path: number[]): TItem[] => {
    type Entry = { key: [number, number, number]; item: TItem };
    const entries: Entry[] = [];
    const loops = new Map<number, number[]>();
    for (const s of members) {
      const v = site(s);
      if (depth(s) < i || !samePath(v, path)) continue;
      if (depth(s) === i) {
        entries.push({
          key: [v[i]!, 0, s],
          item: { t: stages[s]!.kind === "reduce" ? "accum" : stages[s]!.kind === "scan" ? "scan_step" : "store", stage: s },
        });
      } else {
        const j = v[i]!;
        if (!loops.has(j)) loops.set(j, []);
        loops.get(j)!.push(s);
      }
      const w = wrapDepth(s);
      if (w === i && depth(s) > i) {
        const kind = stages[s]!.kind === "scan" ? "scan_init" : "init";
        entries.push({ key: [v[i]!, 1, s], item: { t: kind, stage: s } });
        if (kind === "init") entries.push({ key: [v[i]!, 3, s], item: { t: "final", stage: s } });
      }
    }
    for (const [j, ms] of loops) {
      const dim = nest[i]!;
      const reverse = ms.some((s) => stages[s]!.kind === "scan" && depth(s) === i + 1 && stages[s]!.reverse === true);
      entries.push({ key: [j, 2, 0], item: { t: "loop", dim, depth: i + 1, reverse, items: block(i + 1, [...path, j]) } });
    }
    entries.sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2]);
    return entries.map((e) => e.item);
  };

  const tree: KernelTree = { body: [], epilogue: [] };
  for (const item of block(0, [])) {
    if (item.t === "loop" || item.t === "init" || item.t === "final" || item.t === "scan_init" || depth(item.stage) > 0)
      tree.body.push(item);
    if (item.t === "final" || (item.t !== "loop" && item.t !== "init" && item.t !== "scan_init" && depth(item.stage) === 0))
      tree.epilogue.push(item);
  }
  return tree;
}
