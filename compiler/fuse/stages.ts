// Stage 1 of fusion: which nodes are kernel work ("stages") and which are inline (computed in locals wherever used).
// Each op kind's stage is its `stage` trait in the op registry (compiler/ir/ops.ts):
//   inline   elementwise ops, consts, params, index/size, uniform, embed, stack
//   env      inline, but the index-substituting ops shift / select / rename / take: they read their operand at
//            another position, so their operand's stage values must come from a buffer written by an earlier kernel
//   reduce   sum / count / max / min (after compiler/lower): accumulate over their space = result dims ∪ over
//   scan     every scan function (cumsum, cumprod, cummax, cummin) and linrec: sequential along a dim (the innermost loop)
//   library  segment, topk_mask, put, argfirst, scan_grad, tables, custom TS nodes (custom, custom_vjp): a kernel of
//            their own over buffers
//   store    (not an op trait) an inline value that must be written to a buffer: a result, a `require` condition,
//            a library operand
import type { IRNode, IRProgram } from "../ir/ir.ts";
import { OPS } from "../ir/ops.ts";

export type StageKind = "reduce" | "scan" | "library" | "store";

export interface Dep {
  stage: number;
  /** Read through shift/select/rename/take (at another position): needs a buffer. */
  env: boolean;
}

export interface Stage {
  id: number;
  node: number;
  kind: StageKind;
  /** The iteration space in nest order (canonical; a scan's `along` last). [] for library stages. */
  space: string[];
  /** The node's dims. */
  result: string[];
  /** reduce: the result dims are a prefix of the space (it completes inside the loop nest). */
  prefix: boolean;
  deps: Dep[];
  along?: string;
  reverse?: boolean;
}

export function isLibraryOp(node: IRNode): boolean {
  return OPS[node.op.op].stage === "library";
}

/** A node whose value a stage produces (everything else but inputs is inline). */
export function stageKindOf(node: IRNode): StageKind | undefined {
  const stage = OPS[node.op.op].stage;
  return stage === "reduce" || stage === "scan" || stage === "library" ? stage : undefined;
}

/** The args of an env op whose values are read at a substituted position (the others are read at the node's own). */
export function envArgs(node: IRNode): number[] {
  return OPS[node.op.op].stage === "env" ? [0] : [];
}

export interface StageGraph {
  program: IRProgram;
  order: string[];
  stages: Stage[];
  /** node id -> stage id, for nodes with a stage (reduce/scan/library/store) */
  stageOf: Map<number, number>;
  /** stage id -> the stages that read it */
  consumers: number[][];
}

function canon(order: readonly string[], dims: Iterable<string>): string[] {
  const set = new Set(dims);
  return order.filter((d) => set.has(d));
}

/** Builds the stages of a lowered program (in node order, so stage ids are topological). */
export function buildStages(program: IRProgram): StageGraph {
  const order = program.dims.map((d) => d.name);
  const stages: Stage[] = [];
  const stageOf = new Map<number, number>();
  const nodes = program.nodes;

  // nodes that must be stored: results, require conds, update keys, and inline operands of library ops
  const mustStore = new Set<number>();
  for (const r of program.results) {
    mustStore.add(r.node);
    if (r.key !== undefined) mustStore.add(r.key);
  }
  for (const q of program.requires) mustStore.add(q.cond);
  for (const n of nodes) if (isLibraryOp(n)) for (const a of n.args) mustStore.add(a);

  const depsOf = (roots: number[]): Dep[] => {
    const found = new Map<number, boolean>();
    const seen = new Set<string>();
    const walk = (id: number, env: boolean): void => {
      const key = `${id}:${env}`;
      if (seen.has(key)) return;
      seen.add(key);
      const s = stageOf.get(id);
      const n = nodes[id]!;
      if (s !== undefined && stages[s]!.kind !== "store") {
        found.set(s, (found.get(s) ?? false) || env);
        return;
      }
      if (n.op.op === "input") return;
      const viaEnv = envArgs(n);
      n.args.forEach((a, i) => walk(a, env || viaEnv.includes(i)));
    };
    for (const r of roots) walk(r, false);
    return [...found].sort((a, b) => a[0] - b[0]).map(([stage, e]) => ({ stage, env: e }));
  };

  const add = (node: IRNode, kind: StageKind): void => {
    const id = stages.length;
    const op = node.op;
    let space = node.type.dims;
    let along: string | undefined;
    let reverse: boolean | undefined;
    let prefix = false;
    if (op.op === "reduce") {
      space = canon(order, [...node.type.dims, ...op.over]);
      prefix = node.type.dims.every((d, i) => space[i] === d);
    } else if (op.op === "scan" || op.op === "linrec") {
      along = op.along;
      reverse = op.reverse;
      space = [...node.type.dims.filter((d) => d !== op.along), op.along];
    } else if (kind === "library") space = [];
    let roots = node.args;
    if (kind === "store") roots = [node.id];
    const stage: Stage = { id, node: node.id, kind, space, result: node.type.dims, prefix, deps: [] };
    if (along !== undefined) stage.along = along;
    if (reverse !== undefined) stage.reverse = reverse;
    if (kind === "library") {
      // library operands are buffers: inputs, stages, or stores (made just before)
      stage.deps = node.args.flatMap((a) => {
        const s = stageOf.get(a);
        return s === undefined ? [] : [{ stage: s, env: true }];
      });
    } else stage.deps = depsOf(roots);
    stages.push(stage);
    stageOf.set(node.id, id);
  };

  for (const node of nodes) {
    const kind = stageKindOf(node);
    if (kind !== undefined) {
      if (kind === "library") for (const a of node.args) ensureStore(a);
      add(node, kind);
    } else if (mustStore.has(node.id) && node.op.op !== "input" && !libraryOperandOnly(node.id)) {
      // stores of results/requires are made at the node; library operands just before the library op
      add(node, "store");
    }
  }

  function libraryOperandOnly(id: number): boolean {
    const r = program.results.some((x) => x.node === id || x.key === id) || program.requires.some((q) => q.cond === id);
    return !r;
  }
  function ensureStore(id: number): void {
    const n = nodes[id]!;
    if (stageOf.has(id) || n.op.op === "input") return;
    add(n, "store");
  }

  const consumers: number[][] = stages.map(() => []);
  for (const s of stages) for (const d of s.deps) consumers[d.stage]!.push(s.id);
  return { program, order, stages, stageOf, consumers };
}

/** Is `a` a prefix of `b`? */
export function isPrefix(a: readonly string[], b: readonly string[]): boolean {
  return a.length <= b.length && a.every((d, i) => b[i] === d);
}

/** Two spaces can share a loop nest when one is a prefix of the other. */
export function nestCompatible(a: readonly string[], b: readonly string[]): boolean {
  return isPrefix(a, b) || isPrefix(b, a);
}

/**
 * Must `s` read `d`'s value from a buffer written by an earlier kernel (a global barrier between them)?
 * No barrier when d's value is a local that s can see inside one loop nest: a prefix reduction completing at depth
 * r >= 1 (s in the same block, after its loop), a depth-0 completion read by a depth-0 store, or a scan read in the
 * same innermost loop.
 */
export function isBarrier(d: Stage, s: Stage, env: boolean): boolean {
  if (env || d.kind === "library" || s.kind === "library" || d.kind === "store") return true;
  if (d.kind === "reduce") {
    if (!d.prefix) return true;
    if (d.result.length === 0) return !(s.kind === "store" && s.space.length === 0);
    return !nestCompatible(d.space, s.space);
  }
  // scan: the same innermost loop (same space), and a scan reading it runs in the same direction
  if (s.space.join() !== d.space.join()) return true;
  return s.kind === "scan" && s.reverse !== d.reverse;
}
