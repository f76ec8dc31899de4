// The edges of the graph: the values flowing between boxes (named after the source where it names them), drawn as
// the source writes them, the static param references folded into boxes, and the merging of parallel edges.
import type { Expr } from "../../../grammar/ast.ts";
import type { IRNode, IRProgram, IRType } from "../../../compiler/ir/ir.ts";
import type { Boxes } from "./boxes.ts";
import { typeLabel } from "./labels.ts";
import { children, spanKey, type SourceInfo } from "./source_text.ts";
import type { GraphEdge, GraphNode } from "./types.ts";

/** The names of values (for edge labels): inputs, params, single-name `let`s, operands named in the source, results. */
export function valueNames(program: IRProgram, out: readonly GraphNode[], src: SourceInfo | undefined): Map<number, string> {
  const nodes = program.nodes;
  const resultNodes = new Set(program.results.map((r) => r.node));
  const valueName = new Map<number, string>();
  for (const i of program.inputs) valueName.set(i.node, i.name);
  for (const n of nodes) if (n.op.op === "param") valueName.set(n.id, n.op.name);

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
      const operands =
        e?.kind === "binary"
          ? [e.left, e.right]
          : e?.kind === "unary"
            ? [e.operand]
            : e?.kind === "call" && e.args.length === 1 && !e.args[0]!.name
              ? [e.args[0]!.value]
              : [];
      if (operands.length === 0 || operands.length !== args.length) continue;
      operands.forEach((o, i) => {
        if (o.kind === "name" && !valueName.has(args[i]!)) valueName.set(args[i]!, o.name);
      });
    }
  }
  // Results last: `output forgetting = rho` names the value rho where it is used.
  for (const r of program.results) if (!valueName.has(r.node)) valueName.set(r.node, r.name);
  return valueName;
}

/** Collects the edges between boxes. */
export class EdgeBuilder {
  readonly edges: GraphEdge[] = [];
  private readonly edgeKeys = new Set<string>();
  private readonly nodes: IRNode[];
  /** The computing boxes of the pipeline's file by span key. */
  private readonly boxesBySpan = new Map<string, GraphNode[]>();

  constructor(
    program: IRProgram,
    private readonly boxes: Boxes,
    private readonly src: SourceInfo | undefined,
    private readonly valueName: ReadonlyMap<number, string>,
  ) {
    this.nodes = program.nodes;
    for (const b of boxes.out) {
      if ((b.kind !== "call" && b.kind !== "expr") || !b.span || b.span.file !== src?.file) continue;
      const k = spanKey(b.span);
      this.boxesBySpan.set(k, [...(this.boxesBySpan.get(k) ?? []), b]);
    }
  }

  /** Adds the edge of `value` (none: a static param reference) from `from` to `to`, once. */
  add(from: GraphNode, to: GraphNode, value: number | undefined, extra: Partial<GraphEdge> = {}): void {
    const key = `${from.id}|${value ?? "static"}|${to.id}`;
    if (this.edgeKeys.has(key)) return;
    this.edgeKeys.add(key);
    const v = value !== undefined ? this.nodes[value] : undefined;
    const e: GraphEdge = {
      id: `e${this.edges.length}`,
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
    this.edges.push(e);
  }

  /** The edges into every box from the boxes its IR nodes' operands belong to. */
  connectOperands(): void {
    for (const box of this.boxes.out) {
      const written = this.writtenOperands(box);
      for (const id of box.irNodes) {
        for (const a of this.nodes[id]!.args) {
          const from = this.boxes.boxOf(a);
          if (!from || from === box) continue;
          this.connect(from, box, a, written, this.valueName.get(a));
        }
      }
    }
  }

  /**
   * Adds the edge for value `a` from box `from` into `to`, or the edges of its frontier when `from` is not what the
   * source says.
   */
  connect(from: GraphNode, to: GraphNode, a: number, written: Set<GraphNode> | undefined, name: string | undefined): void {
    const shared = from.kind === "call" && written !== undefined && ![...written].some((w) => this.sameBox(w, from));
    if (!shared) {
      this.add(from, to, a, name !== undefined ? { name } : {});
      return;
    }
    for (const f of this.frontierOf(a, from)) {
      const fb = this.boxes.boxOf(f)!;
      if (fb === to) continue;
      const fn = this.valueName.get(f);
      this.add(fb, to, f, fn !== undefined ? { name: fn } : {});
    }
  }

  // A value that a node call made and another box reuses only because the compiler shares identical primitives
  // (e.g. both calls count the mask) is, in the user's view, computed by the second box from the values the first
  // one started from: draw edges from those (the frontier of the value inside its box) instead.
  private sameBox(a: GraphNode, b: GraphNode): boolean {
    const base = this.boxes.baseOfBox;
    return a === b || (base.get(a.id) !== undefined && base.get(a.id) === base.get(b.id));
  }

  private frontierOf(v: number, home: GraphNode): number[] {
    const found: number[] = [];
    const seen = new Set<number>();
    const stack = [v];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const n = this.nodes[id]!;
      if (this.boxes.hidden(n)) continue;
      const b = this.boxes.boxOf(id);
      if (!b) continue;
      if (this.sameBox(b, home)) stack.push(...n.args);
      else found.push(id);
    }
    return found.sort((x, y) => x - y);
  }

  /**
   * The boxes an expression's values come from, as written: itself or nested expressions with boxes, and the
   * statements whose names it refers to.
   */
  writtenBoxes(roots: readonly Expr[]): Set<GraphNode> {
    const src = this.src;
    const found = new Set<GraphNode>();
    const visit = (x: Expr, depth: number) => {
      const own = this.boxesBySpan.get(spanKey(x.span));
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
  }

  private writtenOperands(box: GraphNode): Set<GraphNode> | undefined {
    const src = this.src;
    const e = box.span && src && box.span.file === src.file ? src.exprs.get(spanKey(box.span))?.expr : undefined;
    return e ? this.writtenBoxes(children(e)) : undefined;
  }
}

/** Static param references: `eps=clip_eps` folded into the box at compile time (a dashed edge from the param). */
export function addStaticParamEdges(program: IRProgram, src: SourceInfo, boxes: Boxes, edges: EdgeBuilder): void {
  const nodes = program.nodes;
  const out = boxes.out;
  const freshId = boxes.freshId;
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
      if (pb && edges.edges.some((e) => e.from === pb!.id && e.to === box.id)) continue;
      if (!pb) {
        const info = program.params.find((q) => q.name === p)!;
        pb = { id: freshId(`param_${p}`), kind: "param", title: p, detail: `= ${String(info.value)}`, irNodes: [] };
        paramBox.set(p, pb);
        sourcesToAdd.push(pb);
      }
      const t = paramType.get(p);
      edges.add(pb, box, undefined, { name: p, static: true, label: t ? `${typeLabel(t)} static` : "static" });
    }
  }
  out.push(...sourcesToAdd);
}

/** One edge per pair of boxes and label; between the parts of a box split over kernels, one edge per pair. */
export function mergeEdges(edges: readonly GraphEdge[], baseOfBox: ReadonlyMap<string, string>): GraphEdge[] {
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
  return merged;
}
