// Lays a GraphModel out with ELK (elkjs: the Eclipse Layout Kernel's layered algorithm, pure JS): boxes in layers
// top to bottom, clusters as compound nodes, orthogonal edges with their labels placed. The result is in absolute
// coordinates, ready to draw (svg.ts). Text is measured for a monospace font (every character 0.6 em wide), which
// the SVG then uses, so boxes fit their labels without a browser.
import ELKModule from "elkjs/lib/elk.bundled.js";
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api.js";
import { edgeText, type GraphModel } from "./model.ts";

export const FONT = {
  family: "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace",
  title: 13,
  detail: 11,
  edge: 11,
  cluster: 13,
  /** Width of one character, in em (monospace). */
  charEm: 0.6,
} as const;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidOutNode extends Box {
  id: string;
}

export interface LaidOutCluster extends Box {
  id: string;
}

export interface LaidOutEdge {
  id: string;
  /** Start, bends, end: an orthogonal polyline. */
  points: { x: number; y: number }[];
  /** Where the label's box goes (top-left), if it has one. */
  label?: Box;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: Map<string, LaidOutNode>;
  clusters: Map<string, LaidOutCluster>;
  edges: Map<string, LaidOutEdge>;
}

const PAD = 10; // inside a box, left and right
const NODE_H = 42; // two lines of text
const CLUSTER_TOP = 30; // room for the cluster's title
const EDGE_LABEL_H = 16;

export function textWidth(text: string, size: number): number {
  return [...text].length * size * FONT.charEm;
}

export function nodeSize(title: string, detail: string): { width: number; height: number } {
  const w = Math.max(textWidth(title, FONT.title), textWidth(detail, FONT.detail)) + 2 * PAD;
  return { width: Math.ceil(Math.max(w, 70)), height: NODE_H };
}

export function clusterTitle(c: GraphModel["clusters"][number]): string {
  return c.detail ? `${c.title} · ${c.detail}` : c.title;
}

/** Runs ELK on the model. Never touches the model. */
export async function layoutGraph(model: GraphModel): Promise<GraphLayout> {
  const inCluster = new Map<string, string>();
  for (const c of model.clusters) for (const n of c.nodes) inCluster.set(n, c.id);
  const elkNode = (id: string): ElkNode => {
    const n = model.nodes.find((x) => x.id === id)!;
    return { id, ...nodeSize(n.title, n.detail) };
  };
  const children: ElkNode[] = model.nodes.filter((n) => !inCluster.has(n.id)).map((n) => elkNode(n.id));
  for (const c of model.clusters) {
    const minWidth = Math.ceil(textWidth(clusterTitle(c), FONT.cluster) + 2 * PAD);
    children.push({
      id: c.id,
      layoutOptions: {
        "elk.padding": `[top=${CLUSTER_TOP},left=14,bottom=14,right=14]`,
        "elk.nodeSize.constraints": "MINIMUM_SIZE",
        "elk.nodeSize.minimum": `(${minWidth}, 40)`,
      },
      children: c.nodes.map(elkNode),
    });
  }
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  const edges: ElkExtendedEdge[] = model.edges.map((e) => {
    const text = edgeText(e, byId.get(e.from));
    return {
      id: e.id,
      sources: [e.from],
      targets: [e.to],
      labels: [
        {
          id: `${e.id}_label`,
          text,
          width: Math.ceil(textWidth(text, FONT.edge) + 8),
          height: EDGE_LABEL_H,
          layoutOptions: { "elk.edgeLabels.placement": "CENTER" },
        },
      ],
    };
  });
  const graph: ElkNode = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "DOWN",
      "elk.hierarchyHandling": "INCLUDE_CHILDREN",
      "elk.edgeRouting": "ORTHOGONAL",
      "elk.layered.spacing.nodeNodeBetweenLayers": "36",
      "elk.layered.spacing.edgeNodeBetweenLayers": "18",
      "elk.layered.spacing.edgeEdgeBetweenLayers": "12",
      "elk.spacing.nodeNode": "28",
      "elk.spacing.edgeNode": "16",
      "elk.spacing.edgeEdge": "12",
      "elk.spacing.edgeLabel": "3",
      "elk.spacing.componentComponent": "40",
      "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
      "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
      "elk.padding": "[top=16,left=16,bottom=16,right=16]",
    },
    children,
    edges,
  };
  const ElkCtor = ELKModule.default;
  const laid = await new ElkCtor().layout(graph);

  const nodes = new Map<string, LaidOutNode>();
  const clusters = new Map<string, LaidOutCluster>();
  const origin = new Map<string, { x: number; y: number }>([["root", { x: laid.x ?? 0, y: laid.y ?? 0 }]]);
  const clusterIds = new Set(model.clusters.map((c) => c.id));
  const visit = (n: ElkNode, ox: number, oy: number) => {
    for (const c of n.children ?? []) {
      const x = ox + (c.x ?? 0);
      const y = oy + (c.y ?? 0);
      origin.set(c.id, { x, y });
      const box = { id: c.id, x, y, width: c.width ?? 0, height: c.height ?? 0 };
      if (clusterIds.has(c.id)) clusters.set(c.id, box);
      else nodes.set(c.id, box);
      visit(c, x, y);
    }
  };
  visit(laid, 0, 0);

  const out = new Map<string, LaidOutEdge>();
  const collect = (n: ElkNode) => {
    for (const e of n.edges ?? []) {
      // Edge coordinates are relative to the edge's container (ELK's JSON format).
      const container = (e as ElkExtendedEdge & { container?: string }).container ?? n.id;
      const o = origin.get(container) ?? { x: 0, y: 0 };
      const points: { x: number; y: number }[] = [];
      for (const s of e.sections ?? []) {
        points.push({ x: o.x + s.startPoint.x, y: o.y + s.startPoint.y });
        for (const b of s.bendPoints ?? []) points.push({ x: o.x + b.x, y: o.y + b.y });
        points.push({ x: o.x + s.endPoint.x, y: o.y + s.endPoint.y });
      }
      const le: LaidOutEdge = { id: e.id, points };
      const l = e.labels?.[0];
      if (l && l.x !== undefined && l.y !== undefined)
        le.label = { x: o.x + l.x, y: o.y + l.y, width: l.width ?? 0, height: l.height ?? 0 };
      out.set(e.id, le);
    }
    for (const c of n.children ?? []) collect(c);
  };
  collect(laid);
  return { width: Math.ceil(laid.width ?? 0), height: Math.ceil(laid.height ?? 0), nodes, clusters, edges: out };
}
