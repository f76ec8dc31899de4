// `rlp graph` without the command line: a checked program in, SVG / DOT / HTML text out.
//   buildGraphModel (model.ts): the user's view of the IR -> layoutGraph (layout.ts, ELK) -> renderSvg (svg.ts);
//   renderDot (dot.ts) needs no layout; renderHtml (html.ts) wraps the SVG with a title and a legend.
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import { renderDot } from "./dot.ts";
import { renderHtml } from "./html.ts";
import { layoutGraph } from "./layout.ts";
import { buildGraphModel, type KernelPlanLike } from "./model.ts";
import { renderSvg } from "./svg.ts";

export { buildGraphModel, edgeText, typeLabel, STAGES } from "./model.ts";
export { kernelInfo } from "./model.ts";
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
} from "./model.ts";
export { layoutGraph, type GraphLayout } from "./layout.ts";
export { renderSvg } from "./svg.ts";
export { renderDot } from "./dot.ts";
export { renderHtml } from "./html.ts";
export { KernelPlanUnavailable, isKernelPlan, loadKernelPlan } from "./kernels.ts";

export type GraphFormat = "svg" | "dot" | "html";

/** The format an output path asks for, by extension (`.svg`, `.dot`/`.gv`, `.html`/`.htm`). */
export function formatOfPath(path: string): GraphFormat | undefined {
  const m = /\.([A-Za-z]+)$/.exec(path);
  const ext = m?.[1]?.toLowerCase();
  if (ext === "svg") return "svg";
  if (ext === "dot" || ext === "gv") return "dot";
  if (ext === "html" || ext === "htm") return "html";
  return undefined;
}

export interface RenderGraphOptions {
  format: GraphFormat;
  /** Source texts by path (CompileResult.sources), for labels. */
  sources?: ReadonlyMap<string, string>;
  /** The pipeline's file as the user named it (shown in the heading). */
  file?: string;
  /** Draw these fused kernels around the boxes they compute. */
  kernels?: KernelPlanLike;
}

export async function renderGraph(program: IRProgram, options: RenderGraphOptions): Promise<string> {
  const model = buildGraphModel(program, {
    ...(options.sources ? { sources: options.sources } : {}),
    ...(options.kernels ? { kernels: options.kernels } : {}),
  });
  const heading = `pipeline ${program.pipeline}${options.file ? ` — ${options.file}` : ""}${options.kernels ? " (fused kernels)" : ""}`;
  if (options.format === "dot") return renderDot(model, { heading });
  const svg = renderSvg(model, await layoutGraph(model), { heading, embedded: options.format === "html" });
  if (options.format === "svg") return svg;
  return renderHtml(model, svg, { heading, ...(options.file ? { file: options.file } : {}) });
}
