// The --kernels drawing against a hand-made plan in the shape of compiler/fuse's KernelPlan, and other model
// properties of the user-level graph (node calls collapse into one box; shared primitives do not add edges).
import { describe, expect, it } from "vitest";
import { compileFile } from "../../compiler/index.ts";
import { buildGraphModel, renderGraph, type KernelPlanLike } from "../../runtime/tools/graph/index.ts";
import { classOf, elements, num, parseXml } from "./xml.ts";

function grpo() {
  const r = compileFile("examples/grpo.rlp");
  expect(r.programs).toHaveLength(1);
  return { program: r.programs[0]!, sources: r.sources };
}

/** Three kernels over the primitives of grpo: the group statistics, the token loop, the final reductions. */
function plan(nodes: { id: number; op: { op: string }; site?: { node: string } }[]): KernelPlanLike {
  const computing = nodes.filter((n) => !["input", "param", "const"].includes(n.op.op));
  const inGroupNorm = computing.filter((n) => n.site?.node === "group_norm").map((n) => n.id);
  const reductions = computing
    .filter((n) => n.site?.node === "token_mean" || n.site?.node === "seq_mean_token_mean")
    .map((n) => n.id);
  const rest = computing.map((n) => n.id).filter((id) => !inGroupNorm.includes(id) && !reductions.includes(id));
  return {
    kernels: [
      { id: 0, kind: "reduce", space: ["P", "G"], nodes: inGroupNorm },
      { id: 1, kind: "elementwise", space: ["P", "G", "T"], nodes: rest },
      { id: 2, kind: "reduce", space: ["P", "G", "T"], nodes: reductions },
    ],
  };
}

describe("graph model", () => {
  it("collapses each node call into one box holding all its primitives", () => {
    const { program, sources } = grpo();
    const m = buildGraphModel(program, { sources });
    const gn = m.nodes.find((n) => n.title === "group_norm")!;
    expect(gn.kind).toBe("call");
    expect(gn.irNodes.length).toBeGreaterThan(5);
    for (const id of gn.irNodes) expect(program.nodes[id]!.site?.node).toBe("group_norm");
    // every non-constant primitive is in exactly one box
    const boxed = m.nodes.filter((n) => n.kind !== "result").flatMap((n) => n.irNodes);
    expect(new Set(boxed).size).toBe(boxed.length);
    expect(boxed.sort((a, b) => a - b)).toEqual(program.nodes.filter((n) => n.op.op !== "const").map((n) => n.id));
  });

  it("draws no edge between two node calls that only share a primitive (ppo.rlp: the mask count)", () => {
    const r = compileFile("examples/ppo.rlp");
    const m = buildGraphModel(r.programs[0]!, { sources: r.sources });
    const title = new Map(m.nodes.map((n) => [n.id, n.title]));
    const into = (t: string) => m.edges.filter((e) => title.get(e.to) === t).map((e) => title.get(e.from));
    for (const e of m.edges.filter((x) => title.get(x.to) === "token_mean")) expect(title.get(e.from)).not.toBe("masked_whiten");
    expect(into("masked_whiten")).toContain("gae");
  });
});

describe("--kernels drawing (plan of compiler/fuse's shape)", () => {
  it("draws each kernel as a cluster around the boxes it computes; a box split over kernels shows one part in each", async () => {
    const { program, sources } = grpo();
    const kernels = plan(program.nodes);
    const svg = await renderGraph(program, { format: "svg", sources, file: "examples/grpo.rlp", kernels });
    const doc = parseXml(svg, "image/svg+xml");
    const clusters = elements(doc, "g").filter((g) => classOf(g).includes("cluster"));
    expect(clusters.map((c) => c.getAttribute("data-kind"))).toEqual(["kernel", "kernel", "kernel"]);
    const rect = (g: (typeof clusters)[number]) => {
      const r = elements(g, "rect")[0]!;
      return { x: num(r, "x"), y: num(r, "y"), w: num(r, "width"), h: num(r, "height") };
    };
    const kernelRect = new Map(clusters.map((c) => [c.getAttribute("id")!.replace(/^cluster-cluster_/, ""), rect(c)]));
    const boxes = elements(doc, "g").filter((g) => classOf(g).includes("node"));
    let inside = 0;
    for (const b of boxes) {
      const k = b.getAttribute("data-kernel");
      if (!k) continue;
      inside++;
      const c = kernelRect.get(k)!;
      const r = rect(b);
      expect(r.x >= c.x && r.y >= c.y && r.x + r.w <= c.x + c.w && r.y + r.h <= c.y + c.h).toBe(true);
    }
    expect(inside).toBeGreaterThanOrEqual(8);
    // stage is still shown (by colour and data-stage) without stage clusters
    expect(boxes.filter((b) => b.getAttribute("data-stage") === "loss").length).toBeGreaterThan(0);
  });

  it("DOT output has one cluster per kernel", async () => {
    const { program, sources } = grpo();
    const dot = await renderGraph(program, { format: "dot", sources, kernels: plan(program.nodes) });
    expect(dot.match(/subgraph "cluster_k\d+"/g)).toHaveLength(3);
    expect(dot).toContain('label="kernel 1 · elementwise over [P,G,T]"');
  });
});
