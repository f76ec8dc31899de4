// Colours and shapes shared by the SVG, DOT and HTML renderings of a pipeline graph.
import type { GraphEdge, GraphNode, GraphNodeKind, StageName } from "./model.ts";

export interface StageColors {
  /** Cluster background and computing-box fill. */
  fill: string;
  /** Borders, result sinks, cluster titles. */
  stroke: string;
}

export const STAGE_COLORS: Record<StageName, StageColors> = {
  rollout: { fill: "#e8f1fb", stroke: "#3f6fa8" },
  reward: { fill: "#fff3dc", stroke: "#b7791f" },
  advantage: { fill: "#e6f4ea", stroke: "#2f7d46" },
  loss: { fill: "#fbe9e7", stroke: "#b23b2e" },
  metric: { fill: "#efe9f8", stroke: "#6b4fa3" },
  output: { fill: "#e9f0f3", stroke: "#4d6b7a" },
  update: { fill: "#f5eee3", stroke: "#7d5f33" },
};

export const NEUTRAL = { fill: "#f7f7f7", stroke: "#5f6368" };
export const INK = "#202124";
export const MUTED = "#5f6368";
export const EDGE_COLOR = "#5f6368";
/** Edges that carry a gradient mark (∇policy, ...). */
export const GRAD_COLOR = "#c0392b";
export const STATIC_COLOR = "#9aa0a6";

export const KIND_DESCRIPTION: Record<GraphNodeKind, string> = {
  input: "input (a tensor the caller supplies)",
  param: "param (a scalar hyper-parameter)",
  state: "state (persists across steps)",
  call: "node call (std or user node, all its primitives)",
  expr: "expression (an operator or builtin in the pipeline body)",
  result: "result (reward, advantage, loss, metric, output, update)",
};

export function nodeColors(n: GraphNode): StageColors {
  if (n.stage) return STAGE_COLORS[n.stage];
  return NEUTRAL;
}

export function edgeColor(e: GraphEdge): string {
  if (e.static) return STATIC_COLOR;
  return e.grad.length > 0 ? GRAD_COLOR : EDGE_COLOR;
}
