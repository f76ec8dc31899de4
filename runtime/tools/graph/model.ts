// The user's view of a compiled pipeline as a graph (for `rlp graph`): not one box per IR primitive, but one per
// thing the user wrote. Inputs and params are sources; each node call in the pipeline body (std or user node) is one
// box named after the node, however many primitives its inlined body made; every other expression of the body is one
// box (a builtin call such as `mean(...)`, an operator such as `+`); results (reward, advantage, loss, metric,
// output, update) are sinks. Boxes are grouped into stage clusters (the earliest stage whose result depends on
// them), or, with a kernel plan, into the fused kernels that compute them. Edges carry the type of the value that
// flows (`f32[P,G,T] ∇policy`). Pure data: layout and rendering live next door (layout.ts, svg.ts, dot.ts).
//
//   boxes.ts        which IR nodes are shown, the box each belongs to, its stage
//   edges.ts        the values flowing between boxes, static param references, merged parallel edges
//   labels.ts       the text of boxes, edges and kernel clusters
//   source_text.ts  what the pipeline's source says (statements, names, param references)
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import { buildBoxes, STAGE_RANK, type Boxes } from "./boxes.ts";
import { addStaticParamEdges, EdgeBuilder, mergeEdges, valueNames } from "./edges.ts";
import { kernelInfo, resultDetail } from "./labels.ts";
import { pipelineFile, sourceInfo, type SourceInfo } from "./source_text.ts";
import {
  STAGES,
  type GraphCluster,
  type GraphModel,
  type GraphModelOptions,
  type GraphNode,
  type KernelPlanLike,
  type StageName,
} from "./types.ts";

export { edgeText, kernelInfo, typeLabel } from "./labels.ts";
export { STAGES } from "./types.ts";
export type {
  GraphCluster,
  GraphEdge,
  GraphModel,
  GraphModelOptions,
  GraphNode,
  GraphNodeKind,
  KernelLike,
  KernelPlanLike,
  StageName,
} from "./types.ts";

/** Builds the user-level graph of a checked program (the output of compileFile, before autodiff/fusion). */
export function buildGraphModel(checked: IRProgram, options: GraphModelOptions = {}): GraphModel {
  const program = options.kernels?.program ?? checked;
  const file = pipelineFile(program);
  const src = file !== undefined ? sourceInfo(program, file, options.sources) : undefined;

  const boxes = buildBoxes(program, options.kernels, src);
  const edges = new EdgeBuilder(program, boxes, src, valueNames(program, boxes.out, src));
  edges.connectOperands();
  if (src) addStaticParamEdges(program, src, boxes, edges);
  addResultSinks(program, src, boxes, edges);
  const merged = mergeEdges(edges.edges, boxes.baseOfBox);

  // ---- params that nothing uses (the IR has a node for every numeric param) are left out
  const out = boxes.out;
  const used = new Set(merged.map((e) => e.from));
  for (let i = out.length - 1; i >= 0; i--) if (out[i]!.kind === "param" && !used.has(out[i]!.id)) out.splice(i, 1);

  const model: GraphModel = {
    pipeline: program.pipeline,
    nodes: out,
    edges: merged,
    clusters: clustersOf(out, options.kernels),
    kernels: options.kernels !== undefined,
  };
  if (file !== undefined) model.file = file;
  return model;
}

/** A sink box per result (reward, advantage, loss, metric, output, update), with the edges into it. */
function addResultSinks(
  program: IRProgram,
  src: SourceInfo | undefined,
  { out, boxOf, freshId }: Boxes,
  edges: EdgeBuilder,
): void {
  for (const r of program.results) {
    if (!STAGE_RANK.has(r.kind)) continue;
    const stage = r.kind as StageName;
    const title = r.kind === "update" ? `update ${r.name}` : `${r.kind} ${r.name}`;
    const sink: GraphNode = {
      id: freshId(`result_${r.name}`),
      kind: "result",
      title,
      detail: r.forModel ? `for ${r.forModel}` : resultDetail(r.kind),
      stage,
      irNodes: [r.node],
    };
    if (r.span) sink.span = r.span;
    out.push(sink);
    const stmt = src?.statementOf.get(r.name);
    const written = stmt
      ? edges.writtenBoxes(stmt.kind === "update" ? [stmt.value] : stmt.kind === "stage" ? [stmt.value] : [])
      : undefined;
    const from = boxOf(r.node);
    if (from) edges.connect(from, sink, r.node, written, r.name);
    if (r.key !== undefined) {
      const keyBox = boxOf(r.key);
      const keyWritten = stmt?.kind === "update" && stmt.key ? edges.writtenBoxes([stmt.key]) : undefined;
      if (keyBox) edges.connect(keyBox, sink, r.key, keyWritten, `${r.name} key`);
    }
  }
}

/** The clusters: the fused kernels of a kernel plan, else the stages. */
function clustersOf(out: readonly GraphNode[], kernels: KernelPlanLike | undefined): GraphCluster[] {
  const clusters: GraphCluster[] = [];
  if (kernels) {
    kernels.kernels.forEach((k, i) => {
      const info = kernelInfo(k, i);
      const members = out.filter((b) => b.kernel === info.id).map((b) => b.id);
      if (members.length > 0)
        clusters.push({ id: `cluster_${info.id}`, kind: "kernel", title: info.title, detail: info.detail, nodes: members });
    });
  } else {
    for (const stage of STAGES) {
      const members = out.filter((b) => b.stage === stage).map((b) => b.id);
      if (members.length > 0) clusters.push({ id: `cluster_${stage}`, kind: "stage", title: stage, stage, nodes: members });
    }
  }
  return clusters;
}
