// The user's view of a compiled pipeline as a graph (for `rlp graph`): not one box per IR primitive, but one per
// thing the user wrote. Inputs and params are sources; each node call in the pipeline body (std or user node) is one
// box named after the node, however many primitives its inlined body made; every other expression of the body is one
// box (a builtin call such as `mean(...)`, an operator such as `+`); results (reward, advantage, loss, metric,
// output, update) are sinks. Boxes are grouped into stage clusters (the earliest stage whose result depends on
// them), or, with a kernel plan, into the fused kernels that compute them. Edges carry the type of the value that
// flows (`f32[P,G,T] ∇policy`). Pure data: layout and rendering live next door (layout.ts, svg.ts, dot.ts).
import type { Expr, PipelineDecl, Span, Stmt } from "../../grammar/ast.ts";
import { parse } from "../../grammar/index.ts";
import type { IRNode, IRProgram, IRType, ResultKind } from "../../compiler/ir.ts";

/** The stages a box can belong to, in pipeline order. */
export const STAGES = ["rollout", "reward", "advantage", "loss", "metric", "output", "update"] as const;
export type StageName = (typeof STAGES)[number];

export type GraphNodeKind = "input" | "param" | "state" | "call" | "expr" | "result";

export interface GraphNode {
  /** Unique, usable as an XML id and a DOT identifier. */
  id: string;
  kind: GraphNodeKind;
  /** The box's first line: the input or param name, the node called, the operator or builtin, `loss L`. */
  title: string;
  /** The second line: the type of a source, the statement a box computes (`advantage A`, `let pg, clipped`), or the source text. */
  detail: string;
  /** Computing boxes and sinks: the stage they belong to. Absent for sources and for values no result uses. */
  stage?: StageName;
  /** The IR nodes the box stands for. */
  irNodes: number[];
  /** Where the user wrote it (the call, the expression, the declaration). */
  span?: Span;
  /** With a kernel plan: the kernel cluster holding this box. */
  kernel?: string;
}

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  /** The value's type as text: `f32[P,G,T] ∇policy`, `bool[P,G,T]`, `f32[]`; `... static` for a param folded at compile time. */
  label: string;
  /** The name of the value when it has one (an input, a param, a result, a single-name `let`). */
  name?: string;
  /** The IR node whose value flows (absent for a static param reference). */
  value?: number;
  type?: IRType;
  grad: string[];
  /** A compile-time param reference (drawn dashed): the value was folded into the box. */
  static: boolean;
}

export interface GraphCluster {
  id: string;
  kind: "stage" | "kernel";
  title: string;
  detail?: string;
  stage?: StageName;
  /** Ids of the boxes inside. */
  nodes: string[];
}

export interface GraphModel {
  pipeline: string;
  /** The pipeline's source file. */
  file?: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  clusters: GraphCluster[];
  /** True when the clusters are fused kernels (and stages are shown by colour only). */
  kernels: boolean;
}

/** One kernel of a plan, as much as the picture needs (compiler/fuse's Kernel fits). */
export interface KernelLike {
  /** The kernel's name (`k0`, ...); else `id`, else `index`, else its position in the plan. */
  name?: string;
  id?: string | number;
  index?: number;
  /** `loop`, `scan`, `library`, ... */
  kind: string;
  /** The loop nest's dims (or `space`). */
  nest?: readonly string[];
  space?: unknown;
  /** The IR nodes the kernel computes. */
  nodes: readonly number[];
}

/** The part of compiler/fuse's KernelPlan that the picture needs. */
export interface KernelPlanLike {
  /** The program whose node ids the kernels use (fusion lowers the program first); absent: the program drawn. */
  program?: IRProgram;
  kernels: readonly KernelLike[];
}

/** The id, title and detail line of a kernel's cluster. */
export function kernelInfo(k: KernelLike, position: number): { id: string; title: string; detail: string } {
  const raw = k.name ?? (k.id !== undefined ? String(k.id) : String(k.index ?? position));
  const id = (/^k/.test(raw) ? raw : `k${raw}`).replace(/[^A-Za-z0-9_]/g, "_");
  const dims = k.nest ?? (Array.isArray(k.space) ? (k.space as unknown[]).map(String) : undefined);
  const space = dims ? `[${dims.join(",")}]` : typeof k.space === "string" ? k.space : undefined;
  return { id, title: `kernel ${raw}`, detail: space && space !== "[]" ? `${k.kind} over ${space}` : k.kind };
}

export interface GraphModelOptions {
  /** Source texts by path (CompileResult.sources): labels and let names come from the pipeline's source. */
  sources?: ReadonlyMap<string, string>;
  /**
   * Draw these kernels as clusters around the boxes they compute. Node ids refer to `kernels.program` when the plan
   * has one (then that program is the one drawn), else to `program`.
   */
  kernels?: KernelPlanLike;
}

const STAGE_RANK = new Map<string, number>(STAGES.map((s, i) => [s, i]));

/** `f32[P,G,T] ∇policy`: dtype, dims (scalars `f32[]`), the index dim of `i32<V>`, and the grad marks. */
export function typeLabel(type: IRType, grad: readonly string[] = []): string {
  const index = type.indexOf ? `<${type.indexOf}>` : "";
  const marks = grad.length > 0 ? ` ∇${grad.join(",")}` : "";
  return `${type.dtype}${index}[${type.dims.join(",")}]${marks}`;
}

/** The text drawn on an edge: the type, after the value's name when the box it leaves does not already say it. */
export function edgeText(e: GraphEdge, from: GraphNode | undefined): string {
  const named = e.name !== undefined && !(from && (from.kind === "input" || from.kind === "param") && from.title === e.name);
  return named ? `${e.name}: ${e.label}` : e.label;
}

interface SourceInfo {
  /** Expressions of the pipeline body by `start:end` (the outermost one for a span shared by several). */
  exprs: Map<string, { expr: Expr; stmt: Stmt }>;
  /** Statement values by `start:end`. */
  values: Map<string, Stmt>;
  /** Names bound by `let` and stage statements -> the span key of the statement's value. */
  bindings: Map<string, string>;
  /** Result names -> the stage or update statement that makes them. */
  statementOf: Map<string, Stmt>;
  /** Param names referenced inside an expression, not counting those inside a nested expression with a box of its own (`boxes`: their span keys). */
  paramRefs: (spanKey: string, boxes: ReadonlySet<string>) => string[];
  text: string;
  file: string;
}

const spanKey = (s: Span) => `${s.start}:${s.end}`;

/** Builds the user-level graph of a checked program (the output of compileFile, before autodiff/fusion). */
export function buildGraphModel(checked: IRProgram, options: GraphModelOptions = {}): GraphModel {
  const program = options.kernels?.program ?? checked;
  const nodes = program.nodes;
  const file = pipelineFile(program);
  const src = file !== undefined ? sourceInfo(program, file, options.sources) : undefined;
  const resultNodes = new Set(program.results.map((r) => r.node));
  const inputByNode = new Map(program.inputs.map((i) => [i.node, i]));

  // ---- which IR nodes are shown, and the box each one belongs to
  const kernelOf = new Map<number, string>();
  if (options.kernels) {
    // Inputs, params and state are buffers a kernel reads, not something it computes.
    const sourceOps = new Set(["input", "param", "table_read"]);
    options.kernels.kernels.forEach((k, i) => {
      const id = kernelInfo(k, i).id;
      for (const n of k.nodes) if (!kernelOf.has(n) && !sourceOps.has(nodes[n]?.op.op ?? "")) kernelOf.set(n, id);
    });
  }
  const hidden = (n: IRNode) => n.op.op === "const" && !resultNodes.has(n.id);
  const baseKey = (n: IRNode): string => {
    if (n.op.op === "input") return `input:${n.op.name}`;
    if (n.op.op === "param") return `param:${n.op.name}`;
    if (n.op.op === "table_read") return `state:${n.op.table}`;
    if (n.site) return `site:${n.site.span.file}:${spanKey(n.site.span)}`;
    if (n.span) return `span:${n.span.file}:${spanKey(n.span)}`;
    return `node:${n.id}`;
  };
  // With kernels, a box whose primitives land in several kernels is split, one part per kernel.
  const kernelsOfKey = new Map<string, Set<string>>();
  for (const n of nodes) {
    if (hidden(n)) continue;
    const k = baseKey(n);
    const set = kernelsOfKey.get(k) ?? new Set<string>();
    set.add(kernelOf.get(n.id) ?? "");
    kernelsOfKey.set(k, set);
  }
  const keyOf = (n: IRNode): string => {
    const k = baseKey(n);
    return (kernelsOfKey.get(k)?.size ?? 0) > 1 ? `${k}#${kernelOf.get(n.id) ?? ""}` : k;
  };

  const groups = new Map<string, { key: string; ir: IRNode[] }>();
  for (const n of nodes) {
    if (hidden(n)) continue;
    const key = keyOf(n);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, ir: [] }));
    g.ir.push(n);
  }

  // ---- stages: the earliest stage among the results that depend on a node
  const rank = new Array<number>(nodes.length).fill(Infinity);
  for (const r of program.results) {
    const rk = STAGE_RANK.get(r.kind);
    if (rk === undefined) continue;
    const stack = [r.node];
    const seen = new Set<number>();
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      if (rk < rank[id]!) rank[id] = rk;
      if (r.key !== undefined && id === r.node) stack.push(r.key);
      for (const a of nodes[id]?.args ?? []) stack.push(a);
    }
  }

  // ---- boxes
  const out: GraphNode[] = [];
  const boxOfKey = new Map<string, GraphNode>();
  const usedIds = new Set<string>();
  const freshId = (base: string) => {
    const clean = base.replace(/[^A-Za-z0-9_]/g, "_");
    let id = clean;
    for (let i = 2; usedIds.has(id); i++) id = `${clean}_${i}`;
    usedIds.add(id);
    return id;
  };
  const splitParts = new Map<string, number>();
  for (const g of groups.values()) {
    const base = g.key.replace(/#.*$/, "");
    splitParts.set(base, (splitParts.get(base) ?? 0) + 1);
  }
  const partIndex = new Map<string, number>();
  const baseOfBox = new Map<string, string>();
  const groupList = [...groups.values()].sort((a, b) => a.ir[0]!.id - b.ir[0]!.id);
  for (const g of groupList) {
    const first = g.ir[0]!;
    const last = g.ir[g.ir.length - 1]!;
    const box = describeGroup(g.ir, first, last, program, src, inputByNode);
    const stageRank = Math.min(...g.ir.map((n) => rank[n.id]!));
    const node: GraphNode = { id: freshId(box.idBase), kind: box.kind, title: box.title, detail: box.detail, irNodes: g.ir.map((n) => n.id) };
    if (!isSource(box.kind) && Number.isFinite(stageRank)) node.stage = STAGES[stageRank]!;
    if (box.span) node.span = box.span;
    const kernel = kernelOf.get(first.id);
    if (kernel !== undefined) node.kernel = kernel;
    const base = g.key.replace(/#.*$/, "");
    const parts = splitParts.get(base) ?? 1;
    if (parts > 1) {
      const i = (partIndex.get(base) ?? 0) + 1;
      partIndex.set(base, i);
      node.detail = `${node.detail} (part ${i}/${parts}${kernel !== undefined ? `, ${kernel}` : ""})`;
    }
    out.push(node);
    boxOfKey.set(g.key, node);
    baseOfBox.set(node.id, base);
  }
  const boxOf = (id: number): GraphNode | undefined => {
    const n = nodes[id];
    return n && !hidden(n) ? boxOfKey.get(keyOf(n)) : undefined;
  };

  // ---- names of values (for edge labels)
  const valueName = new Map<number, string>();
  for (const i of program.inputs) valueName.set(i.node, i.name);
  for (const n of nodes) if (n.op.op === "param") valueName.set(n.id, n.op.name);

  // ---- edges between boxes
  const edges: GraphEdge[] = [];
  const edgeKeys = new Set<string>();
  const addEdge = (from: GraphNode, to: GraphNode, value: number | undefined, extra: Partial<GraphEdge> = {}) => {
    const key = `${from.id}|${value ?? "static"}|${to.id}`;
    if (edgeKeys.has(key)) return;
    edgeKeys.add(key);
    const v = value !== undefined ? nodes[value] : undefined;
    const e: GraphEdge = {
      id: `e${edges.length}`,
      from: from.id,
      to: to.id,
      label: v ? typeLabel(v.type, v.grad) : "static",
      grad: v ? [...v.grad] : [],
      static: false,
      ...extra,
    };
    if (v) {
      e.value = v.id;
      e.type = v.type;
    }
    edges.push(e);
  };
  // Outputs of a box bound by a single-name `let`: named after it.
  if (src) {
    for (const box of out) {
      if (box.kind !== "call" && box.kind !== "expr") continue;
      const stmt = box.span ? src.values.get(spanKey(box.span)) : undefined;
      if (!stmt || stmt.kind !== "let" || stmt.names.length !== 1) continue;
      const own = new Set(box.irNodes);
      const outputs = box.irNodes.filter((id) => nodes.some((m) => !own.has(m.id) && m.args.includes(id)) || resultNodes.has(id));
      if (outputs.length === 1 && !valueName.has(outputs[0]!)) valueName.set(outputs[0]!, stmt.names[0]!.name);
    }
  }
  // Operands named in the source: `pg + ...`, `f32(clipped)` (the IR node's args follow the operands).
  if (src) {
    for (const box of out) {
      if (box.kind !== "expr" || !box.span || box.irNodes.length !== 1) continue;
      const e = src.exprs.get(spanKey(box.span))?.expr;
      const args = nodes[box.irNodes[0]!]!.args;
      const operands = e?.kind === "binary" ? [e.left, e.right] : e?.kind === "unary" ? [e.operand] : e?.kind === "call" && e.args.length === 1 && !e.args[0]!.name ? [e.args[0]!.value] : [];
      if (operands.length === 0 || operands.length !== args.length) continue;
      operands.forEach((o, i) => {
        if (o.kind === "name" && !valueName.has(args[i]!)) valueName.set(args[i]!, o.name);
      });
    }
  }
  // Results last: `output forgetting = rho` names the value rho where it is used.
  for (const r of program.results) if (!valueName.has(r.node)) valueName.set(r.node, r.name);
  // A value that a node call made and another box reuses only because the compiler shares identical primitives
  // (e.g. both calls count the mask) is, in the user's view, computed by the second box from the values the first
  // one started from: draw edges from those (the frontier of the value inside its box) instead.
  const sameBox = (a: GraphNode, b: GraphNode) => a === b || (baseOfBox.get(a.id) !== undefined && baseOfBox.get(a.id) === baseOfBox.get(b.id));
  const frontierOf = (v: number, home: GraphNode): number[] => {
    const found: number[] = [];
    const seen = new Set<number>();
    const stack = [v];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const n = nodes[id]!;
      if (hidden(n)) continue;
      const b = boxOf(id);
      if (!b) continue;
      if (sameBox(b, home)) stack.push(...n.args);
      else found.push(id);
    }
    return found.sort((x, y) => x - y);
  };
  // The boxes an expression's values come from, as written: itself or nested expressions with boxes, and the
  // statements whose names it refers to.
  const boxesBySpan = new Map<string, GraphNode[]>();
  for (const b of out) {
    if ((b.kind !== "call" && b.kind !== "expr") || !b.span || b.span.file !== src?.file) continue;
    const k = spanKey(b.span);
    boxesBySpan.set(k, [...(boxesBySpan.get(k) ?? []), b]);
  }
  const writtenBoxes = (roots: readonly Expr[]): Set<GraphNode> => {
    const found = new Set<GraphNode>();
    const visit = (x: Expr, depth: number) => {
      const own = boxesBySpan.get(spanKey(x.span));
      if (own) {
        for (const b of own) found.add(b);
        return;
      }
      if (x.kind === "name" && depth < 8 && src) {
        const bound = src.bindings.get(x.name);
        const target = bound !== undefined ? src.exprs.get(bound)?.expr : undefined;
        if (target) visit(target, depth + 1);
      }
      for (const c of children(x)) visit(c, depth);
    };
    for (const r of roots) visit(r, 0);
    return found;
  };
  const writtenOperands = (box: GraphNode): Set<GraphNode> | undefined => {
    const e = box.span && src && box.span.file === src.file ? src.exprs.get(spanKey(box.span))?.expr : undefined;
    return e ? writtenBoxes(children(e)) : undefined;
  };
  /** Adds the edge for value `a` from box `from` into `to`, or the edges of its frontier when `from` is not what the source says. */
  const connect = (from: GraphNode, to: GraphNode, a: number, written: Set<GraphNode> | undefined, name: string | undefined) => {
    const shared = from.kind === "call" && written !== undefined && ![...written].some((w) => sameBox(w, from));
    if (!shared) {
      addEdge(from, to, a, name !== undefined ? { name } : {});
      return;
    }
    for (const f of frontierOf(a, from)) {
      const fb = boxOf(f)!;
      if (fb === to) continue;
      const fn = valueName.get(f);
      addEdge(fb, to, f, fn !== undefined ? { name: fn } : {});
    }
  };
  for (const box of out) {
    const written = writtenOperands(box);
    for (const id of box.irNodes) {
      for (const a of nodes[id]!.args) {
        const from = boxOf(a);
        if (!from || from === box) continue;
        connect(from, box, a, written, valueName.get(a));
      }
    }
  }

  // ---- static param references: `eps=clip_eps` folded into the box at compile time
  if (src) {
    const paramBox = new Map<string, GraphNode>();
    for (const b of out) if (b.kind === "param") paramBox.set(b.title, b);
    const paramType = new Map<string, IRType>();
    for (const n of nodes) if (n.op.op === "param") paramType.set(n.op.name, n.type);
    const declared = new Set(program.params.map((p) => p.name));
    const sourcesToAdd: GraphNode[] = [];
    const computing = out.filter((b) => (b.kind === "call" || b.kind === "expr") && b.span?.file === src.file);
    const boxSpans = new Set(computing.map((b) => spanKey(b.span!)));
    for (const box of computing) {
      for (const p of src.paramRefs(spanKey(box.span!), boxSpans)) {
        if (!declared.has(p)) continue;
        let pb = paramBox.get(p);
        if (pb && edges.some((e) => e.from === pb!.id && e.to === box.id)) continue;
        if (!pb) {
          const info = program.params.find((q) => q.name === p)!;
          pb = { id: freshId(`param_${p}`), kind: "param", title: p, detail: `= ${String(info.value)}`, irNodes: [] };
          paramBox.set(p, pb);
          sourcesToAdd.push(pb);
        }
        const t = paramType.get(p);
        addEdge(pb, box, undefined, { name: p, static: true, label: t ? `${typeLabel(t)} static` : "static" });
      }
    }
    out.push(...sourcesToAdd);
  }

  // ---- result sinks
  for (const r of program.results) {
    if (!STAGE_RANK.has(r.kind)) continue;
    const stage = r.kind as StageName;
    const title = r.kind === "update" ? `update ${r.name}` : `${r.kind} ${r.name}`;
    const sink: GraphNode = { id: freshId(`result_${r.name}`), kind: "result", title, detail: r.forModel ? `for ${r.forModel}` : resultDetail(r.kind), stage, irNodes: [r.node] };
    if (r.span) sink.span = r.span;
    out.push(sink);
    const stmt = src?.statementOf.get(r.name);
    const written = stmt ? writtenBoxes(stmt.kind === "update" ? [stmt.value] : stmt.kind === "stage" ? [stmt.value] : []) : undefined;
    const from = boxOf(r.node);
    if (from) connect(from, sink, r.node, written, r.name);
    if (r.key !== undefined) {
      const keyBox = boxOf(r.key);
      const keyWritten = stmt?.kind === "update" && stmt.key ? writtenBoxes([stmt.key]) : undefined;
      if (keyBox) connect(keyBox, sink, r.key, keyWritten, `${r.name} key`);
    }
  }

  // ---- one edge per pair of boxes and label; between the parts of a box split over kernels, one edge per pair
  const merged: GraphEdge[] = [];
  const byKey = new Map<string, GraphEdge>();
  for (const e of edges) {
    const parts = baseOfBox.get(e.from) !== undefined && baseOfBox.get(e.from) === baseOfBox.get(e.to);
    const key = parts ? `${e.from}|${e.to}` : `${e.from}|${e.to}|${e.name ?? ""}|${e.label}`;
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, e);
      merged.push(e);
      continue;
    }
    if (!prev.label.split(", ").includes(e.label)) prev.label = `${prev.label}, ${e.label}`;
    if (prev.name !== e.name) delete prev.name;
    for (const g of e.grad) if (!prev.grad.includes(g)) prev.grad.push(g);
  }
  merged.forEach((e, i) => (e.id = `e${i}`));
  edges.length = 0;
  edges.push(...merged);

  // ---- params that nothing uses (the IR has a node for every numeric param) are left out
  const used = new Set(edges.map((e) => e.from));
  for (let i = out.length - 1; i >= 0; i--) if (out[i]!.kind === "param" && !used.has(out[i]!.id)) out.splice(i, 1);

  // ---- clusters
  const clusters: GraphCluster[] = [];
  if (options.kernels) {
    options.kernels.kernels.forEach((k, i) => {
      const info = kernelInfo(k, i);
      const members = out.filter((b) => b.kernel === info.id).map((b) => b.id);
      if (members.length > 0) clusters.push({ id: `cluster_${info.id}`, kind: "kernel", title: info.title, detail: info.detail, nodes: members });
    });
  } else {
    for (const stage of STAGES) {
      const members = out.filter((b) => b.stage === stage).map((b) => b.id);
      if (members.length > 0) clusters.push({ id: `cluster_${stage}`, kind: "stage", title: stage, stage, nodes: members });
    }
  }

  const model: GraphModel = { pipeline: program.pipeline, nodes: out, edges, clusters, kernels: options.kernels !== undefined };
  if (file !== undefined) model.file = file;
  return model;
}

function isSource(kind: GraphNodeKind): boolean {
  return kind === "input" || kind === "param" || kind === "state";
}

function resultDetail(kind: ResultKind): string {
  switch (kind) {
    case "loss":
      return "scalar loss";
    case "update":
      return "state update";
    default:
      return `${kind} result`;
  }
}

/** The file holding the pipeline body: where its results (else its inputs) were written. */
function pipelineFile(program: IRProgram): string | undefined {
  return program.results.find((r) => r.span)?.span?.file ?? program.inputs.find((i) => i.span)?.span?.file;
}

interface GroupDescription {
  kind: GraphNodeKind;
  title: string;
  detail: string;
  idBase: string;
  span?: Span;
}

const OP_SYMBOL: Record<string, string> = {
  add: "+", sub: "-", mul: "*", div: "/", idiv: "//", mod: "%", pow: "**", maximum: "maximum", minimum: "minimum",
  eq: "==", ne: "!=", lt: "<", le: "<=", gt: ">", ge: ">=", and: "and", or: "or",
};

function describeGroup(ir: IRNode[], first: IRNode, last: IRNode, program: IRProgram, src: SourceInfo | undefined, inputs: Map<number, IRProgram["inputs"][number]>): GroupDescription {
  if (first.op.op === "input") {
    const inp = inputs.get(first.id);
    const mark = inp?.mark ? ` @${inp.mark}` : "";
    const d: GroupDescription = { kind: "input", title: first.op.name, detail: `${typeLabel(first.type)}${mark}`, idBase: `input_${first.op.name}` };
    if (inp?.span ?? first.span) d.span = (inp?.span ?? first.span)!;
    return d;
  }
  if (first.op.op === "param") {
    const name = first.op.name;
    const info = program.params.find((p) => p.name === name);
    const d: GroupDescription = { kind: "param", title: name, detail: `${typeLabel(first.type)} = ${String(info?.value ?? first.op.value)}`, idBase: `param_${name}` };
    if (first.span) d.span = first.span;
    return d;
  }
  if (first.op.op === "table_read") {
    const name = first.op.table;
    const st = program.states.find((x) => x.name === name);
    const d: GroupDescription = { kind: "state", title: name, detail: `state ${typeLabel(first.type)}${st ? ` = ${st.init}` : ""}`, idBase: `state_${name}` };
    if (first.span) d.span = first.span;
    return d;
  }
  if (first.site) {
    const site = first.site;
    const stmt = src?.values.get(spanKey(site.span));
    const detail = stmt ? statementText(stmt) : snippet(src, site.span);
    return { kind: "call", title: site.node, detail, idBase: `call_${site.node}`, span: site.span };
  }
  const span = first.span;
  const hit = span && src && span.file === src.file ? src.exprs.get(spanKey(span)) : undefined;
  const title = hit ? exprTitle(hit.expr) : opTitle(last);
  const stmt = span && src ? src.values.get(spanKey(span)) : undefined;
  const detail = stmt ? statementText(stmt) : span ? snippet(src, span) : `${ir.length} primitive${ir.length === 1 ? "" : "s"}`;
  const d: GroupDescription = { kind: "expr", title, detail, idBase: `expr_${last.op.op}` };
  if (span) d.span = span;
  return d;
}

function opTitle(n: IRNode): string {
  const op = n.op;
  switch (op.op) {
    case "binary":
      return OP_SYMBOL[op.fn] ?? op.fn;
    case "unary":
      return op.fn === "neg" ? "-" : op.fn;
    case "reduce":
    case "scan":
      return op.fn;
    case "cast":
      return op.to;
    case "table_get":
    case "table_read":
      return op.table;
    case "const":
      return String(op.value);
    default:
      return op.op;
  }
}

function exprTitle(e: Expr): string {
  switch (e.kind) {
    case "binary":
      return e.op;
    case "unary":
      return e.op;
    case "call":
      return e.callee.kind === "name" ? e.callee.name : "call";
    case "name":
      return e.name;
    case "number":
      return e.text;
    case "bool":
      return String(e.value);
    case "select":
      return `[${e.dim.name}=…]`;
    case "rename":
      return `[${e.from.name} as ${e.to.name}]`;
    case "index":
      return e.target.kind === "name" ? `${e.target.name}[…]` : "lookup";
    case "labelled":
      return `${e.dim.name}{…}`;
    case "if":
      return "if";
    case "match":
      return "match";
    case "field":
      return `.${e.field.name}`;
    default:
      return e.kind;
  }
}

function statementText(s: Stmt): string {
  switch (s.kind) {
    case "let":
      return `let ${s.names.map((n) => n.name).join(", ")}`;
    case "stage":
      return `${s.stage} ${s.names.map((n) => n.name).join(", ")}`;
    case "update":
      return `update ${s.target.name}`;
    default:
      return s.kind;
  }
}

function snippet(src: SourceInfo | undefined, span: Span, max = 36): string {
  const text = src && span.file === src.file ? src.text.slice(span.start, span.end) : "";
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat === "") return `line ${span.line}`;
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

// ---------------------------------------------------------------- the pipeline's source

function sourceInfo(program: IRProgram, file: string, sources: ReadonlyMap<string, string> | undefined): SourceInfo | undefined {
  const text = sources?.get(file);
  if (text === undefined) return undefined;
  const { ast } = parse(text, file);
  const decl = ast.decls.find((d): d is PipelineDecl => d.kind === "pipeline" && d.name.name === program.pipeline);
  if (!decl) return undefined;
  const exprs = new Map<string, { expr: Expr; stmt: Stmt }>();
  const values = new Map<string, Stmt>();
  const stmts: Stmt[] = [];
  for (const item of decl.items) {
    if (item.kind === "let" || item.kind === "stage" || item.kind === "update" || item.kind === "require") stmts.push(item);
  }
  const bindings = new Map<string, string>();
  const statementOf = new Map<string, Stmt>();
  for (const s of stmts) {
    if (s.kind === "let" || s.kind === "stage" || s.kind === "update") values.set(spanKey(s.value.span), s);
    if (s.kind === "let" || s.kind === "stage") for (const n of s.names) bindings.set(n.name, spanKey(s.value.span));
    if (s.kind === "stage") for (const n of s.names) statementOf.set(n.name, s);
    if (s.kind === "update") statementOf.set(s.target.name, s);
    for (const root of statementExprs(s)) walk(root, (e) => {
      const k = spanKey(e.span);
      if (!exprs.has(k)) exprs.set(k, { expr: e, stmt: s });
    });
  }
  const params = new Set(program.params.map((p) => p.name));
  const paramRefs = (key: string, boxes: ReadonlySet<string>): string[] => {
    const hit = exprs.get(key);
    if (!hit) return [];
    const found = new Set<string>();
    // A nested expression with a box of its own keeps its references.
    const visit = (e: Expr, top: boolean) => {
      if (!top && boxes.has(spanKey(e.span))) return;
      if (e.kind === "name" && params.has(e.name)) found.add(e.name);
      for (const c of children(e)) visit(c, false);
    };
    visit(hit.expr, true);
    return [...found];
  };
  return { exprs, values, bindings, statementOf, paramRefs, text, file };
}

function statementExprs(s: Stmt): Expr[] {
  switch (s.kind) {
    case "let":
    case "stage":
      return [s.value];
    case "update":
      return s.key ? [s.key, s.value] : [s.value];
    case "require":
      return [s.cond];
    default:
      return [];
  }
}

function walk(e: Expr, f: (e: Expr) => void): void {
  f(e);
  for (const c of children(e)) walk(c, f);
}

function children(e: Expr): Expr[] {
  switch (e.kind) {
    case "list":
      return e.items;
    case "binary":
      return [e.left, e.right];
    case "unary":
      return [e.operand];
    case "call":
      return [e.callee, ...e.args.map((a) => a.value)];
    case "field":
      return [e.target];
    case "index":
      return [e.target, e.index];
    case "select":
      return [e.target, e.label];
    case "rename":
      return [e.target];
    case "labelled":
      return e.entries.map((x) => x.value);
    case "if":
      return [e.cond, e.then, e.else];
    case "match":
      return [e.scrutinee, ...e.arms.map((a) => a.value)];
    default:
      return [];
  }
}
