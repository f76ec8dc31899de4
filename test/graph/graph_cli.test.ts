// `rlp graph`: the SVG of examples/grpo.rlp parses as XML and shows every user-level node and every typed edge;
// the DOT output has the same nodes and edges; errors are one line with the usual exit codes.
import { parse as parseDot, type DotASTNode } from "@ts-graphviz/ast";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { graphCommand } from "../../cli/graph.ts";
import { childText, classOf, elements, num, parseXml } from "./xml.ts";
import { captured, type CliRun } from "../run_cli.ts";

async function graph(...argv: string[]): Promise<CliRun> {
  return captured(graphCommand, argv);
}

const dir = mkdtempSync(join(tmpdir(), "rlp-graph-test-"));

// The user's view of examples/grpo.rlp: box title -> kind.
const GRPO_NODES: Record<string, string> = {
  logp: "input",
  old_logp: "input",
  ref_logp: "input",
  mask: "input",
  reward: "input",
  beta: "param",
  clip_eps: "param", // folded into ppo_clip at compile time: a static edge
  group_norm: "call", // advantage A = group_norm(reward, over=G, eps=1e-6)
  ppo_clip: "call", // let pg, clipped = ppo_clip(logp, old_logp, A, eps=clip_eps)
  kl_k3: "call", // loss L = seq_mean_token_mean(pg + beta * kl_k3(logp, ref_logp), mask)
  "*": "expr",
  "+": "expr",
  seq_mean_token_mean: "call",
  f32: "expr", // metric clip_frac = token_mean(f32(clipped), mask)
  token_mean: "call",
  "advantage A": "result",
  "loss L": "result",
  "metric clip_frac": "result",
};

// Every edge: "from -> to" (box titles) and the label drawn on it.
const GRPO_EDGES: [string, string, string][] = [
  ["reward", "group_norm", "f32[P,G]"],
  ["group_norm", "advantage A", "A: f32[P,G]"],
  ["logp", "ppo_clip", "f32[P,G,T] ∇policy"],
  ["old_logp", "ppo_clip", "f32[P,G,T]"],
  ["group_norm", "ppo_clip", "A: f32[P,G]"],
  ["clip_eps", "ppo_clip", "f32[]"],
  ["logp", "kl_k3", "f32[P,G,T] ∇policy"],
  ["ref_logp", "kl_k3", "f32[P,G,T]"],
  ["beta", "*", "f32[]"],
  ["kl_k3", "*", "f32[P,G,T] ∇policy"],
  ["ppo_clip", "+", "pg: f32[P,G,T] ∇policy"],
  ["*", "+", "f32[P,G,T] ∇policy"],
  ["+", "seq_mean_token_mean", "f32[P,G,T] ∇policy"],
  ["mask", "seq_mean_token_mean", "bool[P,G,T]"],
  ["seq_mean_token_mean", "loss L", "L: f32[] ∇policy"],
  ["ppo_clip", "f32", "clipped: bool[P,G,T]"],
  ["f32", "token_mean", "f32[P,G,T]"],
  ["mask", "token_mean", "bool[P,G,T]"],
  ["token_mean", "metric clip_frac", "clip_frac: f32[]"],
];

const STAGE_OF: Record<string, string> = {
  group_norm: "advantage",
  "advantage A": "advantage",
  ppo_clip: "loss",
  kl_k3: "loss",
  "*": "loss",
  "+": "loss",
  seq_mean_token_mean: "loss",
  "loss L": "loss",
  f32: "metric",
  token_mean: "metric",
  "metric clip_frac": "metric",
};

const edgeKey = (e: [string, string, string]) => `${e[0]} -> ${e[1]} : ${e[2]}`;

describe("rlp graph examples/grpo.rlp -o g.svg", () => {
  let svgText = "";
  beforeAll(async () => {
    const r = await graph("examples/grpo.rlp", "-o", join(dir, "g.svg"));
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    svgText = readFileSync(join(dir, "g.svg"), "utf8");
  });

  it("writes an SVG document that a strict XML parser accepts", () => {
    const doc = parseXml(svgText, "image/svg+xml");
    const svg = doc.documentElement!;
    expect(svg.tagName).toBe("svg");
    expect(svg.getAttribute("xmlns")).toBe("http://www.w3.org/2000/svg");
    expect(num(svg, "width")).toBeGreaterThan(100);
    expect(svg.getAttribute("viewBox")).toMatch(/^0 0 \d+ \d+$/);
    // self-contained: no external references
    expect(svgText).not.toMatch(/(href|src)="(https?:|\/\/)/);
  });

  it("has a box for every input, used param, node call, expression and result", () => {
    const doc = parseXml(svgText, "image/svg+xml");
    const boxes = elements(doc, "g").filter((g) => classOf(g).includes("node"));
    const found = Object.fromEntries(boxes.map((g) => [childText(g, "text", "title"), g.getAttribute("data-kind")]));
    expect(found).toEqual(GRPO_NODES);
    for (const g of boxes) {
      const rect = elements(g, "rect")[0]!;
      expect(num(rect, "width")).toBeGreaterThan(0);
      expect(childText(g, "text", "detail")).toBeTruthy();
    }
    // details say which statement a box computes
    const detail = (title: string) =>
      childText(
        boxes.find((g) => childText(g, "text", "title") === title)!,
        "text",
        "detail",
      );
    expect(detail("group_norm")).toBe("advantage A");
    expect(detail("ppo_clip")).toBe("let pg, clipped");
    expect(detail("logp")).toBe("f32[P,G,T] @policy");
  });

  it("labels every edge with its type (dtype, dims, grad marks), with an arrow head", () => {
    const doc = parseXml(svgText, "image/svg+xml");
    const titleOf = new Map<string, string>();
    for (const g of elements(doc, "g").filter((x) => classOf(x).includes("node")))
      titleOf.set(g.getAttribute("id")!.replace(/^node-/, ""), childText(g, "text", "title")!);
    const edges = elements(doc, "g").filter((g) => classOf(g).includes("edge"));
    const drawn = edges.map((g) => {
      const path = elements(g, "path")[0]!;
      expect(path.getAttribute("marker-end")).toMatch(/^url\(#rlp-arrow/);
      expect((path.getAttribute("d") ?? "").match(/[ML]/g)!.length).toBeGreaterThanOrEqual(2);
      const label = childText(g, "text", "edge-label")!;
      expect(label).toMatch(/(f32|bool|i32|id)(<\w+>)?\[[A-Z,]*\]/);
      return edgeKey([titleOf.get(g.getAttribute("data-from")!)!, titleOf.get(g.getAttribute("data-to")!)!, label]);
    });
    expect(drawn.sort()).toEqual(GRPO_EDGES.map(edgeKey).sort());
    // gradient-carrying edges are marked for tools too
    const grad = edges.filter((g) => g.getAttribute("data-grad") === "policy").length;
    expect(grad).toBe(GRPO_EDGES.filter((e) => e[2].includes("∇policy")).length);
  });

  it("groups boxes into stage clusters, each drawn around its boxes, and no two boxes overlap", () => {
    const doc = parseXml(svgText, "image/svg+xml");
    const clusters = elements(doc, "g").filter((g) => classOf(g).includes("cluster"));
    expect(clusters.map((c) => c.getAttribute("data-stage")).sort()).toEqual(["advantage", "loss", "metric"]);
    const rectOf = (g: ReturnType<typeof elements>[number]) => {
      const r = elements(g, "rect")[0]!;
      return { x: num(r, "x"), y: num(r, "y"), w: num(r, "width"), h: num(r, "height") };
    };
    const clusterRect = new Map(clusters.map((c) => [c.getAttribute("data-stage")!, rectOf(c)]));
    const boxes = elements(doc, "g").filter((g) => classOf(g).includes("node"));
    const rects = boxes.map((g) => ({
      title: childText(g, "text", "title")!,
      stage: g.getAttribute("data-stage"),
      ...rectOf(g),
    }));
    for (const b of rects) {
      expect(b.stage ?? undefined).toBe(STAGE_OF[b.title]);
      if (!b.stage) continue;
      const c = clusterRect.get(b.stage)!;
      expect(b.x).toBeGreaterThanOrEqual(c.x);
      expect(b.y).toBeGreaterThanOrEqual(c.y);
      expect(b.x + b.w).toBeLessThanOrEqual(c.x + c.w);
      expect(b.y + b.h).toBeLessThanOrEqual(c.y + c.h);
    }
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i]!;
        const b = rects[j]!;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap, `${a.title} overlaps ${b.title}`).toBe(false);
      }
    }
  });
});

function dotAttr(node: { children: readonly unknown[] }, key: string): string | undefined {
  for (const c of node.children as { type: string; key?: { value: string }; value?: { value: string } }[]) {
    if (c.type === "Attribute" && c.key?.value === key) return c.value?.value;
  }
  return undefined;
}

/** Nodes (id -> label) and edges (from, to, label) of a DOT document, clusters included. */
function dotContents(ast: DotASTNode): { nodes: Map<string, string>; edges: [string, string, string][]; clusters: string[] } {
  const nodes = new Map<string, string>();
  const edges: [string, string, string][] = [];
  const clusters: string[] = [];
  const visit = (n: {
    type: string;
    children: readonly unknown[];
    id?: { value: string };
    targets?: readonly { id: { value: string } }[];
  }) => {
    if (n.type === "Node") nodes.set(n.id!.value, dotAttr(n, "label")!.replace(/\\n/g, "\n"));
    else if (n.type === "Edge") edges.push([n.targets![0]!.id.value, n.targets![1]!.id.value, dotAttr(n, "label")!]);
    else if (n.type === "Subgraph" && n.id) clusters.push(n.id.value);
    for (const c of n.children as (typeof n)[]) if (c && typeof c === "object" && "type" in c) visit(c);
  };
  visit(ast as unknown as Parameters<typeof visit>[0]);
  return { nodes, edges, clusters };
}

describe("rlp graph -o g.dot", () => {
  it("writes DOT text (parsed with a DOT parser) with the same nodes and typed edges as the SVG", async () => {
    const r = await graph("examples/grpo.rlp", "-o", join(dir, "g.dot"));
    expect(r.code).toBe(0);
    const { nodes, edges, clusters } = dotContents(parseDot(readFileSync(join(dir, "g.dot"), "utf8")));
    const titles = new Map([...nodes].map(([id, label]) => [id, label.split("\n")[0]!]));
    expect([...titles.values()].sort()).toEqual(Object.keys(GRPO_NODES).sort());
    expect(edges.map(([a, b, l]) => edgeKey([titles.get(a)!, titles.get(b)!, l])).sort()).toEqual(GRPO_EDGES.map(edgeKey).sort());
    expect(clusters.sort()).toEqual(["cluster_advantage", "cluster_loss", "cluster_metric"]);
  });
});

describe("rlp graph -o g.html", () => {
  it("writes a self-contained page: title, legend, and the SVG inline", async () => {
    const r = await graph("examples/grpo.rlp", "-o", join(dir, "g.html"));
    expect(r.code).toBe(0);
    const html = readFileSync(join(dir, "g.html"), "utf8");
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toMatch(/<title>rlp graph: pipeline grpo — examples\/grpo\.rlp<\/title>/);
    expect(html).toContain("Legend");
    expect(html).toContain("stage <b>advantage</b>");
    expect(html).toContain("∇policy");
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org)/);
    const svg = /<svg[\s\S]*<\/svg>/.exec(html)![0];
    const doc = parseXml(svg, "image/svg+xml");
    expect(elements(doc, "g").filter((g) => classOf(g).includes("node")).length).toBe(Object.keys(GRPO_NODES).length);
  });
});

describe("rlp graph errors", () => {
  it("a missing file: one line, exit 1", async () => {
    const r = await graph(join(dir, "nope.rlp"), "-o", join(dir, "x.svg"));
    expect(r.code).toBe(1);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/cannot read '.*nope\.rlp': no such file/);
    expect(existsSync(join(dir, "x.svg"))).toBe(false);
  });

  it("a file with compile errors: the diagnostics, exit 1, nothing written", async () => {
    const bad = join(dir, "bad.rlp");
    writeFileSync(bad, "pipeline p {\n  dims B\n  input x: f32[B]\n  loss L = mean(y, over=B)\n}\n");
    const r = await graph(bad, "-o", join(dir, "bad.svg"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error\[RLP\d+\]/);
    expect(existsSync(join(dir, "bad.svg"))).toBe(false);
  });

  it("an output that cannot be written: one line, exit 74", async () => {
    const r = await graph("examples/grpo.rlp", "-o", join(dir, "no-such-dir", "g.svg"));
    expect(r.code).toBe(74);
    expect(r.err).toMatch(/^rlp graph: cannot write '.*g\.svg': no such file or directory\n$/);
  });

  it("bad arguments: a usage error, exit 64", async () => {
    const a = await graph("examples/grpo.rlp");
    expect(a.code).toBe(64);
    expect(a.err).toMatch(/^rlp graph: -o FILE is required/);
    const b = await graph("examples/grpo.rlp", "-o", join(dir, "g.png"));
    expect(b.code).toBe(64);
    expect(b.err).toMatch(/cannot tell the format/);
    const c = await graph("examples/grpo.rlp", "-o", "-", "--format", "pdf");
    expect(c.code).toBe(64);
  });

  it("-o - writes to stdout", async () => {
    const r = await graph("examples/grpo.rlp", "-o", "-", "--format", "dot");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^digraph "grpo" \{/);
  });
});

describe("rlp graph --kernels", () => {
  it("draws compiler/fuse's kernels as clusters around the boxes they compute (sources stay outside)", async () => {
    const r = await graph("examples/grpo.rlp", "-o", join(dir, "k.svg"), "--kernels");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const doc = parseXml(readFileSync(join(dir, "k.svg"), "utf8"), "image/svg+xml");
    const clusters = elements(doc, "g").filter((g) => classOf(g).includes("cluster"));
    expect(clusters.length).toBeGreaterThanOrEqual(1);
    for (const c of clusters) expect(c.getAttribute("data-kind")).toBe("kernel");
    const rect = (g: (typeof clusters)[number]) => {
      const x = elements(g, "rect")[0]!;
      return { x: num(x, "x"), y: num(x, "y"), w: num(x, "width"), h: num(x, "height") };
    };
    const kernelRect = new Map(clusters.map((c) => [c.getAttribute("id")!.replace(/^cluster-cluster_/, ""), rect(c)]));
    const boxes = elements(doc, "g").filter((g) => classOf(g).includes("node"));
    for (const b of boxes) {
      const kind = b.getAttribute("data-kind");
      const k = b.getAttribute("data-kernel");
      if (kind === "input" || kind === "param" || kind === "result") {
        expect(k).toBeNull();
        continue;
      }
      expect(k, `${childText(b, "text", "title")} is in no kernel`).toBeTruthy();
      const c = kernelRect.get(k!)!;
      const r2 = rect(b);
      expect(r2.x >= c.x && r2.y >= c.y && r2.x + r2.w <= c.x + c.w && r2.y + r2.h <= c.y + c.h).toBe(true);
    }
    // the user-level boxes are still all there
    const titles = new Set(boxes.map((b) => childText(b, "text", "title")));
    for (const t of Object.keys(GRPO_NODES)) expect(titles.has(t), t).toBe(true);
  });
});
