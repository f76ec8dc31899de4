// planLowered: a program lowered for fusion (compiler/lower, its own stage in compiler/pipeline) -> KernelPlan.
// The steps, tinygrad-style:
//   stages                  which nodes are kernel work, which are inline
//   schedule                which stages share a kernel (barriers, ALAP levels, compatible loop nests)
//   place                   where each stage runs inside its kernel's loop tree
//   tree + linearize        the statements: loops, lets, accumulations, scan steps, stores
// Buffers exist for inputs, results, and values crossing a kernel boundary (never for inline values).
import type { IRProgram } from "../ir/ir.ts";
import { linearize } from "./linearize.ts";
import { placeKernel, type Placement } from "./place.ts";
import { schedule } from "./schedule.ts";
import { buildStages, type StageGraph } from "./stages.ts";
import { buildTree } from "./tree.ts";
import type { AccSlot, BufferInfo, Kernel, KernelPlan, ScratchInfo } from "./types.ts";

/** The plan of a program already lowered for fusion (compiler/pipeline: kernelPlan lowers, then plans). */
export function planLowered(program: IRProgram): KernelPlan {
  const g = buildStages(program);
  const sched = schedule(g);
  const placements: (Placement | undefined)[] = sched.groups.map((grp) =>
    grp.library ? undefined : placeKernel(g, grp.members, grp.nest.length),
  );
  const spilled = new Set<number>();
  for (const p of placements) for (const pair of p?.spill ?? []) spilled.add(Number(pair.split(">")[0]));

  // ---- buffers ----
  const buffers: BufferInfo[] = [];
  const names = new Set<string>();
  const addBuffer = (b: Omit<BufferInfo, "id" | "name">, want: string): number => {
    let name = want.replace(/[^A-Za-z0-9_]/g, "_");
    if (names.has(name)) name = `${name}_${buffers.length}`;
    names.add(name);
    buffers.push({ id: buffers.length, name, ...b });
    return buffers.length - 1;
  };
  const inputs: Record<string, number> = {};
  const bufOfNode = new Map<number, number>();
  for (const inp of program.inputs) {
    const id = addBuffer(
      { dtype: inp.type.dtype, dims: inp.type.dims, role: "input", node: inp.node, input: inp.name },
      inp.name,
    );
    inputs[inp.name] = id;
    bufOfNode.set(inp.node, id);
  }
  const resultNames = new Map<number, string[]>();
  for (const r of program.results) resultNames.set(r.node, [...(resultNames.get(r.node) ?? []), r.name]);
  const required = new Set<number>([
    ...program.requires.map((q) => q.cond),
    ...program.results.flatMap((r) => (r.key === undefined ? [] : [r.key])),
  ]);
  for (const s of g.stages) {
    const crosses = g.consumers[s.id]!.some((c) => sched.groupOf[c] !== sched.groupOf[s.id]);
    const nonPrefix = s.kind === "reduce" && !s.prefix;
    const rn = resultNames.get(s.node);
    if (!(s.kind === "store" || s.kind === "library" || rn || required.has(s.node) || crosses || nonPrefix || spilled.has(s.id)))
      continue;
    const n = program.nodes[s.node]!;
    const id = addBuffer(
      { dtype: n.type.dtype, dims: n.type.dims, role: rn ? "output" : "temp", node: s.node, ...(rn ? { results: rn } : {}) },
      rn ? rn[0]! : `t${s.node}`,
    );
    bufOfNode.set(s.node, id);
  }
  const results: Record<string, number> = {};
  for (const r of program.results) {
    const b = bufOfNode.get(r.node);
    if (b === undefined) throw new Error(`fuse: result ${r.name} has no buffer`);
    results[r.name] = b;
    const buf = buffers[b]!;
    if (buf.role === "input") buf.results = [...(buf.results ?? []), r.name];
  }

  // ---- kernels ----
  const kernels: Kernel[] = [];
  let scratchId = 0;
  sched.groups.forEach((grp, gi) => {
    const members = new Set(grp.members);
    const notes = kernelNotes(g, grp.members, sched.groupOf, gi);
    if (grp.library) {
      const s = g.stages[grp.members[0]!]!;
      const n = program.nodes[s.node]!;
      const args = n.args.map((a) => bufOfNode.get(a)!);
      const out = bufOfNode.get(s.node)!;
      kernels.push({
        kind: "library",
        name: `k${gi}_${n.op.op}`,
        index: gi,
        node: s.node,
        args,
        out,
        reads: [...new Set(args)],
        writes: [out],
        nodes: [s.node],
        notes,
      });
      return;
    }
    const placement = placements[gi]!;
    const nest = grp.nest;
    // one outermost loop, not a scan's: its iterations are independent and may go to different threads
    const scanOuter = grp.members.some((m) => g.stages[m]!.kind === "scan" && g.stages[m]!.space.length === 1);
    const oneOuter = grp.members.every((m) => g.stages[m]!.space.length === 0 || placement.site.get(m)![0] === 0);
    const splittable = nest.length > 0 && !scanOuter && oneOuter;
    const slots: AccSlot[] = [];
    const scratch: ScratchInfo[] = [];
    for (const m of grp.members) {
      const s = g.stages[m]!;
      const op = program.nodes[s.node]!.op;
      if (op.op !== "reduce") continue;
      const fn = op.fn as AccSlot["fn"];
      if (s.prefix && s.result.length === 0) slots.push({ node: s.node, fn, offset: slots.length });
      else if (!s.prefix)
        scratch.push({
          id: scratchId++,
          node: s.node,
          fn,
          dims: s.result,
          shared: nest.length > 0 && s.result.includes(nest[0]!),
        });
    }
    const spillOf = (stage: number): boolean => [...placement.spill].some((p) => Number(p.split(">")[0]) === stage);
    const tree = buildTree(g.stages, grp.members, nest, placement);
    const lin = linearize(
      {
        program,
        stages: g.stages,
        stageOf: g.stageOf,
        nest,
        members,
        slots,
        scratch,
        bufferOf: (node) => {
          const s = g.stageOf.get(node);
          if (s !== undefined && members.has(s) && g.stages[s]!.kind !== "store" && !spillOf(s)) return undefined;
          return bufOfNode.get(node);
        },
        storeTo: (stage) => bufOfNode.get(g.stages[stage]!.node),
      },
      tree,
    );
    const kind = grp.members.some((m) => g.stages[m]!.kind === "scan") ? "scan" : "loop";
    kernels.push({
      kind,
      name: `k${gi}_${kind}`,
      index: gi,
      nest,
      splittable,
      body: lin.body,
      epilogue: lin.epilogue,
      slots,
      scratch,
      reads: [...lin.reads].sort((a, b) => a - b),
      writes: [...lin.writes].sort((a, b) => a - b),
      nodes: lin.nodes,
      notes,
    });
  });
  const requires = program.requires.map((q) => ({ buffer: bufOfNode.get(q.cond)!, message: q.message }));
  return { program, buffers, kernels, results, inputs, requires };
}

/** Why a kernel could not be merged into the one before: the barriers into it. */
function kernelNotes(g: StageGraph, members: number[], groupOf: number[], gi: number): string[] {
  const out = new Set<string>();
  for (const m of members) {
    const s = g.stages[m]!;
    for (const d of s.deps) {
      const k = groupOf[d.stage]!;
      if (k === gi) continue;
      const ds = g.stages[d.stage]!;
      const what =
        ds.kind === "reduce"
          ? ds.prefix
            ? ds.result.length === 0
              ? "a total over the whole loop nest"
              : "a reduction over another loop nest"
            : "a reduction into a buffer"
          : ds.kind === "scan"
            ? "a scan (needs all positions)"
            : ds.kind === "library"
              ? "a library kernel's output"
              : "a stored value";
      // a library kernel reads every operand from a buffer: "shifted" would only be noise there
      out.add(`needs ${what} from k${k}${d.env && s.kind !== "library" ? " at shifted/selected positions" : ""}`);
    }
  }
  return [...out].sort();
}
