// Draws a laid-out GraphModel as a standalone SVG document: cluster frames, boxes with a title and a detail line,
// orthogonal edges with arrow heads and type labels. No external assets; presentation attributes only (no CSS
// needed), so any SVG viewer shows the same picture. Elements carry ids and data- attributes for tools and tests:
//   <g class="node" id="node-ID" data-kind data-stage>, <g class="edge" id="edge-ID" data-from data-to data-grad>,
//   <g class="cluster" id="cluster-ID" data-kind>.
import { clusterTitle, FONT, textWidth, type GraphLayout } from "./layout.ts";
import { edgeText, type GraphModel, type GraphNode } from "./model.ts";
import { edgeColor, GRAD_COLOR, INK, MUTED, nodeColors, STAGE_COLORS, STATIC_COLOR, EDGE_COLOR } from "./style.ts";

export interface SvgOptions {
  /** A heading drawn above the graph (e.g. `pipeline grpo — examples/grpo.rlp`). */
  heading?: string;
  /** Leave out the `<?xml ...?>` line (for embedding in HTML). */
  embedded?: boolean;
}

const HEADING_H = 30;

export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

const r1 = (v: number) => String(Math.round(v * 10) / 10);

export function renderSvg(model: GraphModel, layout: GraphLayout, options: SvgOptions = {}): string {
  const heading = options.heading ?? `pipeline ${model.pipeline}`;
  const dy = HEADING_H;
  const width = Math.max(layout.width, Math.ceil(textWidth(heading, FONT.title + 2) + 32));
  const height = layout.height + dy;
  const out: string[] = [];
  if (!options.embedded) out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="rlp-graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escapeXml(FONT.family)}" data-pipeline="${escapeXml(model.pipeline)}">`,
  );
  out.push(`<title>${escapeXml(`rlp graph: ${heading}`)}</title>`);
  out.push("<defs>");
  for (const [id, color] of [
    ["rlp-arrow", EDGE_COLOR],
    ["rlp-arrow-grad", GRAD_COLOR],
    ["rlp-arrow-static", STATIC_COLOR],
  ] as const) {
    out.push(
      `<marker id="${id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`,
    );
  }
  out.push("</defs>");
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    `<text class="heading" x="16" y="21" font-size="${FONT.title + 2}" font-weight="bold" fill="${INK}">${escapeXml(heading)}</text>`,
  );

  // Clusters (behind everything).
  out.push(`<g class="clusters" transform="translate(0,${dy})">`);
  for (const c of model.clusters) {
    const b = layout.clusters.get(c.id);
    if (!b) continue;
    const colors = c.stage ? STAGE_COLORS[c.stage] : { fill: "#fafafa", stroke: "#3c4043" };
    const dash = c.kind === "kernel" ? ` stroke-dasharray="6 3"` : "";
    out.push(
      `<g class="cluster" id="cluster-${escapeXml(c.id)}" data-kind="${c.kind}"${c.stage ? ` data-stage="${c.stage}"` : ""}>`,
    );
    out.push(
      `<rect x="${r1(b.x)}" y="${r1(b.y)}" width="${r1(b.width)}" height="${r1(b.height)}" rx="8" fill="${colors.fill}" fill-opacity="${c.kind === "kernel" ? "0.5" : "0.55"}" stroke="${colors.stroke}" stroke-width="1.5"${dash}/>`,
    );
    out.push(
      `<text x="${r1(b.x + 10)}" y="${r1(b.y + 19)}" font-size="${FONT.cluster}" font-weight="bold" fill="${colors.stroke}">${escapeXml(clusterTitle(c))}</text>`,
    );
    out.push("</g>");
  }
  out.push("</g>");

  // Boxes.
  out.push(`<g class="nodes" transform="translate(0,${dy})">`);
  for (const n of model.nodes) {
    const b = layout.nodes.get(n.id);
    if (!b) continue;
    out.push(nodeSvg(n, b));
  }
  out.push("</g>");

  // Edges, with their labels on top.
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  out.push(`<g class="edges" transform="translate(0,${dy})">`);
  for (const e of model.edges) {
    const l = layout.edges.get(e.id);
    if (!l || l.points.length < 2) continue;
    const color = edgeColor(e);
    const marker = e.static ? "rlp-arrow-static" : e.grad.length > 0 ? "rlp-arrow-grad" : "rlp-arrow";
    const text = edgeText(e, byId.get(e.from));
    const d = l.points.map((p, i) => `${i === 0 ? "M" : "L"}${r1(p.x)},${r1(p.y)}`).join(" ");
    const attrs = `class="edge" id="edge-${escapeXml(e.id)}" data-from="${escapeXml(e.from)}" data-to="${escapeXml(e.to)}"${e.grad.length > 0 ? ` data-grad="${escapeXml(e.grad.join(","))}"` : ""}${e.static ? ` data-static="true"` : ""}`;
    out.push(`<g ${attrs}>`);
    out.push(`<title>${escapeXml(`${byId.get(e.from)?.title ?? e.from} → ${byId.get(e.to)?.title ?? e.to}: ${text}`)}</title>`);
    out.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="${e.grad.length > 0 ? "1.8" : "1.3"}"${e.static ? ` stroke-dasharray="4 3"` : ""} marker-end="url(#${marker})"/>`,
    );
    if (l.label) {
      const lb = l.label;
      const tw = textWidth(text, FONT.edge);
      const cx = lb.x + lb.width / 2;
      out.push(
        `<rect x="${r1(cx - tw / 2 - 3)}" y="${r1(lb.y + 1)}" width="${r1(tw + 6)}" height="${r1(lb.height - 2)}" rx="3" fill="#ffffff" fill-opacity="0.9"/>`,
      );
      out.push(
        `<text class="edge-label" x="${r1(cx)}" y="${r1(lb.y + lb.height - 4)}" font-size="${FONT.edge}" text-anchor="middle" fill="${e.grad.length > 0 ? GRAD_COLOR : e.static ? MUTED : INK}">${escapeXml(text)}</text>`,
      );
    }
    out.push("</g>");
  }
  out.push("</g>");
  out.push("</svg>");
  return out.join("\n") + "\n";
}

function nodeSvg(n: GraphNode, b: { x: number; y: number; width: number; height: number }): string {
  const colors = nodeColors(n);
  let fill = "#ffffff";
  let stroke = colors.stroke;
  let titleFill = INK;
  let detailFill = MUTED;
  let rx = 4;
  let strokeWidth = 1.2;
  let dash = "";
  switch (n.kind) {
    case "input":
      rx = b.height / 2;
      stroke = INK;
      break;
    case "param":
      rx = 8;
      fill = "#f4f4f4";
      dash = ` stroke-dasharray="4 2"`;
      break;
    case "state":
      rx = 8;
      fill = "#fff8e1";
      stroke = "#7d5f33";
      strokeWidth = 2;
      break;
    case "call":
      fill = colors.fill;
      strokeWidth = 2;
      break;
    case "expr":
      fill = "#ffffff";
      break;
    case "result":
      rx = 14;
      fill = colors.stroke;
      titleFill = "#ffffff";
      detailFill = "#f1f3f4";
      break;
  }
  const cx = b.x + b.width / 2;
  const attrs = `class="node" id="node-${escapeXml(n.id)}" data-kind="${n.kind}"${n.stage ? ` data-stage="${n.stage}"` : ""}${n.kernel ? ` data-kernel="${escapeXml(n.kernel)}"` : ""}`;
  const where = n.span ? ` (line ${n.span.line})` : "";
  return [
    `<g ${attrs}>`,
    `<title>${escapeXml(`${n.title} — ${n.detail}${where}`)}</title>`,
    `<rect x="${r1(b.x)}" y="${r1(b.y)}" width="${r1(b.width)}" height="${r1(b.height)}" rx="${r1(rx)}" fill="${fill}" stroke="${stroke}" stroke-width="${strokeWidth}"${dash}/>`,
    `<text class="title" x="${r1(cx)}" y="${r1(b.y + 18)}" font-size="${FONT.title}" font-weight="${n.kind === "call" || n.kind === "result" ? "bold" : "normal"}" text-anchor="middle" fill="${titleFill}">${escapeXml(n.title)}</text>`,
    `<text class="detail" x="${r1(cx)}" y="${r1(b.y + 34)}" font-size="${FONT.detail}" text-anchor="middle" fill="${detailFill}">${escapeXml(n.detail)}</text>`,
    "</g>",
  ].join("\n");
}
