// A self-contained HTML page: a title, a legend (stages present, kinds of boxes, edge conventions) and the SVG
// inline. No scripts, no external assets.
import type { GraphModel } from "./model.ts";
import { escapeXml } from "./svg.ts";
import { EDGE_COLOR, GRAD_COLOR, INK, KIND_DESCRIPTION, STAGE_COLORS, STATIC_COLOR } from "./style.ts";

export interface HtmlOptions {
  heading?: string;
  /** The source file as the user named it. */
  file?: string;
}

export function renderHtml(model: GraphModel, svg: string, options: HtmlOptions = {}): string {
  const heading = options.heading ?? `pipeline ${model.pipeline}`;
  const stages = [...new Set(model.nodes.map((n) => n.stage).filter((s) => s !== undefined))];
  const kinds = [...new Set(model.nodes.map((n) => n.kind))];
  const hasGrad = model.edges.some((e) => e.grad.length > 0);
  const hasStatic = model.edges.some((e) => e.static);
  const swatch = (fill: string, stroke: string, dashed = false) =>
    `<span class="swatch" style="background:${fill};border-color:${stroke};${dashed ? "border-style:dashed;" : ""}"></span>`;
  const line = (color: string, dashed = false) =>
    `<span class="line" style="border-top-color:${color};${dashed ? "border-top-style:dashed;" : ""}"></span>`;
  const legend: string[] = [];
  legend.push(`<section class="legend"><h2>Legend</h2><ul>`);
  for (const s of stages) legend.push(`<li>${swatch(STAGE_COLORS[s].fill, STAGE_COLORS[s].stroke)}stage <b>${s}</b></li>`);
  for (const k of kinds) legend.push(`<li>${kindSwatch(k)}${escapeXml(KIND_DESCRIPTION[k])}</li>`);
  legend.push(
    `<li>${line(EDGE_COLOR)}a value, labelled with its type: <code>dtype[dims]</code> (<code>f32[]</code> is a scalar)</li>`,
  );
  if (hasGrad)
    legend.push(
      `<li>${line(GRAD_COLOR)}a value that carries gradient: <code>∇policy</code> names the differentiable marks it depends on</li>`,
    );
  if (hasStatic) legend.push(`<li>${line(STATIC_COLOR, true)}a param folded in at compile time (<code>static</code>)</li>`);
  if (model.kernels)
    legend.push(
      `<li>${swatch("#fafafa", "#3c4043", true)}a fused kernel: the boxes it computes in one loop (a box split over several kernels shows one part in each)</li>`,
    );
  legend.push(`</ul></section>`);
  const body = svg.replace(/^<\?xml[^>]*\?>\s*/, "");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(`rlp graph: ${heading}`)}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: ${INK}; margin: 24px; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  .file { color: #5f6368; margin: 0 0 16px; font-family: monospace; }
  .legend { border: 1px solid #dadce0; border-radius: 8px; padding: 8px 16px; margin-bottom: 16px; display: inline-block; }
  .legend h2 { font-size: 14px; margin: 4px 0; }
  .legend ul { list-style: none; padding: 0; margin: 0; columns: 2; column-gap: 32px; }
  .legend li { margin: 4px 0; font-size: 13px; break-inside: avoid; }
  .swatch { display: inline-block; width: 22px; height: 14px; border: 2px solid; border-radius: 4px; vertical-align: middle; margin-right: 8px; }
  .line { display: inline-block; width: 26px; height: 0; border-top: 2px solid; vertical-align: middle; margin-right: 8px; }
  .graph { overflow: auto; border: 1px solid #dadce0; border-radius: 8px; }
  code { font-size: 12px; }
</style>
</head>
<body>
<h1>${escapeXml(heading)}</h1>
${options.file ? `<p class="file">${escapeXml(options.file)}</p>\n` : ""}${legend.join("\n")}
<div class="graph">
${body}</div>
</body>
</html>
`;
}

function kindSwatch(kind: keyof typeof KIND_DESCRIPTION): string {
  const style: Record<string, string> = {
    input: `background:#fff;border-color:${INK};border-radius:8px;`,
    param: `background:#f4f4f4;border-color:#5f6368;border-style:dashed;`,
    state: `background:#fff8e1;border-color:#7d5f33;`,
    call: `background:${STAGE_COLORS.loss.fill};border-color:${STAGE_COLORS.loss.stroke};`,
    expr: `background:#fff;border-color:${STAGE_COLORS.loss.stroke};border-width:1px;`,
    result: `background:${STAGE_COLORS.loss.stroke};border-color:${STAGE_COLORS.loss.stroke};border-radius:8px;`,
  };
  return `<span class="swatch" style="${style[kind] ?? ""}"></span>`;
}
