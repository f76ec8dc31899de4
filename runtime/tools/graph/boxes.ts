// The boxes of the graph: which IR nodes are shown, which box each belongs to (one per thing the user wrote, split
// per kernel with a kernel plan), and the stage each box belongs to.
import type { IRNode, IRProgram } from "../../../compiler/ir/ir.ts";
import { describeGroup, isSource, kernelInfo } from "./labels.ts";
import { spanKey, type SourceInfo } from "./source_text.ts";
import { STAGES, type GraphNode, type KernelPlanLike } from "./types.ts";
import { OPS } from "../../../compiler/ir/ops.ts";

export const STAGE_RANK = new Map<string, number>(STAGES.map((s, i) => [s, i]));

export interface Boxes {
  /** The boxes, in the order of their first IR node. */
  out: GraphNode[];
  /** Whether an IR node is left out of the picture (a const no result returns). */
  hidden: (n: IRNode) => boolean;
  /** The box an IR node belongs to (undefined for a hidden one). */
  boxOf: (id: number) => GraphNode | undefined;
  /** A box's key without its kernel: the parts of a box split over kernels share it. */
  baseOfBox: Map<string, string>;
  /** A new box id from `base` (made unique and safe as an XML id and a DOT identifier). */
  freshId: (base: string) => string;
}

/** Groups the program's IR nodes into boxes. */
export function buildBoxes(program: IRProgram, kernels: KernelPlanLike | undefined, src: SourceInfo | undefined): Boxes {
  const nodes = program.nodes;
  const resultNodes = new Set(program.results.map((r) => r.node));
  const inputByNode = new Map(program.inputs.map((i) => [i.node, i]));

  // ---- which IR nodes are shown, and the box each one belongs to
  const kernelOf = new Map<number, string>();
  if (kernels) {
    // Inputs, params and state are buffers a kernel reads, not something it computes.
    kernels.kernels.forEach((k, i) => {
      const id = kernelInfo(k, i).id;
      for (const n of k.nodes)
        if (!kernelOf.has(n) && !(nodes[n] !== undefined && OPS[nodes[n].op.op].source)) kernelOf.set(n, id);
    });
  }
  const hidden = (n: IRNode) => n.op.op === "const" && !resultNodes.has(n.id);
  const baseKey = (n: IRNode): string => {
    if (n.op.op === "input") return `input:${n.op.name}`;
    if (n.op.op === "param") return `param:${n.op.name}`;
    if (n.op.op === "table_read") return `state:${n.op.table}`;
    if (n.site) return `site:${n.site.span.file}:${spanKey(n.site.span)}`;
    if (n.span) return `span:${n.span.file}:${spanKey(n.span)}`;
    return `node:${n.id}`;
  };
  // With kernels, a box whose primitives land in several kernels is split, one part per kernel.
  const kernelsOfKey = new Map<string, Set<string>>();
  for (const n of nodes) {
    if (hidden(n)) continue;
    const k = baseKey(n);
    const set = kernelsOfKey.get(k) ?? new Set<string>();
    set.add(kernelOf.get(n.id) ?? "");
    kernelsOfKey.set(k, set);
  }
  const keyOf = (n: IRNode): string => {
    const k = baseKey(n);
    return (kernelsOfKey.get(k)?.size ?? 0) > 1 ? `${k}#${kernelOf.get(n.id) ?? ""}` : k;
  };

  const groups = new Map<string, { key: string; ir: IRNode[] }>();
  for (const n of nodes) {
    if (hidden(n)) continue;
    const key = keyOf(n);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, ir: [] }));
    g.ir.push(n);
  }
  const rank = stageRanks(program);

  // ---- boxes
  const out: GraphNode[] = [];
  const boxOfKey = new Map<string, GraphNode>();
  const usedIds = new Set<string>();
  const freshId = (base: string) => {
    const clean = base.replace(/[^A-Za-z0-9_]/g, "_");
    let id = clean;
    for (let i = 2; usedIds.has(id); i++) id = `${clean}_${i}`;
    usedIds.add(id);
    return id;
  };
  const splitParts = new Map<string, number>();
  for (const g of groups.values()) {
    const base = g.key.replace(/#.*$/, "");
    splitParts.set(base, (splitParts.get(base) ?? 0) + 1);
  }
  const partIndex = new Map<string, number>();
  const baseOfBox = new Map<string, string>();
  const groupList = [...groups.values()].sort((a, b) => a.ir[0]!.id - b.ir[0]!.id);
  for (const g of groupList) {
    const first = g.ir[0]!;
    const last = g.ir[g.ir.length - 1]!;
    const box = describeGroup(g.ir, first, last, program, src, inputByNode);
    const stageRank = Math.min(...g.ir.map((n) => rank[n.id]!));
    const node: GraphNode = {
      id: freshId(box.idBase),
      kind: box.kind,
      title: box.title,
      detail: box.detail,
      irNodes: g.ir.map((n) => n.id),
    };
    if (!isSource(box.kind) && Number.isFinite(stageRank)) node.stage = STAGES[stageRank]!;
    if (box.span) node.span = box.span;
    const kernel = kernelOf.get(first.id);
    if (kernel !== undefined) node.kernel = kernel;
    const base = g.key.replace(/#.*$/, "");
    const parts = splitParts.get(base) ?? 1;
    if (parts > 1) {
      const i = (partIndex.get(base) ?? 0) + 1;
      partIndex.set(base, i);
      node.detail = `${node.detail} (part ${i}/${parts}${kernel !== undefined ? `, ${kernel}` : ""})`;
    }
    out.push(node);
    boxOfKey.set(g.key, node);
    baseOfBox.set(node.id, base);
  }
  const boxOf = (id: number): GraphNode | undefined => {
    const n = nodes[id];
    return n && !hidden(n) ? boxOfKey.get(keyOf(n)) : undefined;
  };
  return { out, hidden, boxOf, baseOfBox, freshId };
}

/** Per IR node: the earliest stage (its rank in STAGES) among the results that depend on it; Infinity for none. */
function stageRanks(program: IRProgram): number[] {
  const nodes = program.nodes;
  const rank = new Array<number>(nodes.length).fill(Infinity);
  for (const r of program.results) {
    const rk = STAGE_RANK.get(r.kind);
    if (rk === undefined) continue;
    const stack = [r.node];
    const seen = new Set<number>();
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      if (rk < rank[id]!) rank[id] = rk;
      if (r.key !== undefined && id === r.node) stack.push(r.key);
      for (const a of nodes[id]?.args ?? []) stack.push(a);
    }
  }
  return rank;
}
