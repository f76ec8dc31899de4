// Graphviz DOT text of a GraphModel (no layout here: `dot -Tsvg` lays it out). Clusters become `subgraph cluster_*`,
// boxes keep the ids of the model, edges carry the same labels as in the SVG.
import { clusterTitle } from "./layout.ts";
import { edgeText, type GraphModel, type GraphNode } from "./model.ts";
import { edgeColor, INK, nodeColors, STAGE_COLORS } from "./style.ts";

export interface DotOptions {
  heading?: string;
}

/** A DOT double-quoted string: backslashes and quotes escaped, newlines as `\n`. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

function nodeLine(n: GraphNode): string {
  const colors = nodeColors(n);
  const attrs: string[] = [`label=${dotString(`${n.title}\n${n.detail}`)}`];
  switch (n.kind) {
    case "input":
      attrs.push(`shape=box`, `style="rounded"`, `color=${dotString(INK)}`);
      break;
    case "param":
      attrs.push(`shape=box`, `style="rounded,dashed,filled"`, `fillcolor="#f4f4f4"`);
      break;
    case "state":
      attrs.push(`shape=box`, `style="rounded,bold,filled"`, `fillcolor="#fff8e1"`, `color="#7d5f33"`);
      break;
    case "call":
      attrs.push(`shape=box`, `style="bold,filled"`, `fillcolor=${dotString(colors.fill)}`, `color=${dotString(colors.stroke)}`);
      break;
    case "expr":
      attrs.push(`shape=box`, `style="filled"`, `fillcolor="#ffffff"`, `color=${dotString(colors.stroke)}`);
      break;
    case "result":
      attrs.push(
        `shape=box`,
        `style="rounded,filled"`,
        `fillcolor=${dotString(colors.stroke)}`,
        `fontcolor="#ffffff"`,
        `color=${dotString(colors.stroke)}`,
      );
      break;
  }
  attrs.push(`kind=${dotString(n.kind)}`);
  if (n.stage) attrs.push(`stage=${dotString(n.stage)}`);
  return `${dotString(n.id)} [${attrs.join(", ")}];`;
}

export function renderDot(model: GraphModel, options: DotOptions = {}): string {
  const heading = options.heading ?? `pipeline ${model.pipeline}`;
  const lines: string[] = [];
  lines.push(`digraph ${dotString(model.pipeline)} {`);
  lines.push(
    `  graph [rankdir=TB, label=${dotString(heading)}, labelloc=t, labeljust=l, fontname="monospace", fontsize=14, newrank=true];`,
  );
  lines.push(`  node [fontname="monospace", fontsize=11, margin="0.15,0.06"];`);
  lines.push(`  edge [fontname="monospace", fontsize=10, arrowsize=0.7];`);
  const clustered = new Set(model.clusters.flatMap((c) => c.nodes));
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  for (const n of model.nodes) if (!clustered.has(n.id)) lines.push(`  ${nodeLine(n)}`);
  for (const c of model.clusters) {
    const colors = c.stage ? STAGE_COLORS[c.stage] : { fill: "#fafafa", stroke: "#3c4043" };
    lines.push(`  subgraph ${dotString(c.id)} {`);
    lines.push(
      `    label=${dotString(clusterTitle(c))}; style=${c.kind === "kernel" ? '"dashed,rounded,filled"' : '"rounded,filled"'}; fillcolor=${dotString(colors.fill)}; color=${dotString(colors.stroke)}; fontcolor=${dotString(colors.stroke)};`,
    );
    for (const id of c.nodes) {
      const n = byId.get(id);
      if (n) lines.push(`    ${nodeLine(n)}`);
    }
    lines.push("  }");
  }
  for (const e of model.edges) {
    const attrs = [
      `label=${dotString(edgeText(e, byId.get(e.from)))}`,
      `color=${dotString(edgeColor(e))}`,
      `fontcolor=${dotString(edgeColor(e))}`,
    ];
    if (e.static) attrs.push(`style=dashed`);
    if (e.grad.length > 0) attrs.push(`penwidth=1.6`);
    lines.push(`  ${dotString(e.from)} -> ${dotString(e.to)} [${attrs.join(", ")}];`);
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}
