// formatPlan: a readable dump of a kernel plan (`rlp compile FILE --dump kernels`): the buffers, then each kernel with
// its iteration space, what it reads and writes, and its loop tree in pseudo-code, every IR node with its source span.
import { basename } from "node:path";
import type { IRNode, IRProgram } from "../ir/ir.ts";
import { binaryInfo, opLabelOf, SCAN_FNS, type ScanOpName } from "../ir/ops.ts";
import type { AccFn, BufferInfo, Expr, Kernel, KernelPlan, Stmt } from "./types.ts";

export interface FormatOptions {
  /** Source texts by path: node comments then quote the source they came from. */
  sources?: Map<string, string>;
}

/** A short name of a node's operation: `exp`, `+`, `sum over [T]`, `input logp`. */
export function opLabel(n: IRNode): string {
  return opLabelOf(n.op);
}

/** `grpo.rlp:18:37 "beta * kl_k3(...)"` (the quote when the source is known), plus the call site if inlined. */
export function spanLabel(n: IRNode, sources?: Map<string, string>): string {
  if (!n.span) return "";
  let s = `${basename(n.span.file)}:${n.span.line}:${n.span.col}`;
  const text = sources?.get(n.span.file);
  if (text !== undefined) {
    let q = text.slice(n.span.start, n.span.end).replace(/\s+/g, " ");
    if (q.length > 40) q = `${q.slice(0, 37)}...`;
    if (q !== "") s += ` "${q}"`;
  }
  if (n.site) s += ` in ${n.site.node} (${basename(n.site.span.file)}:${n.site.span.line})`;
  return s;
}

function typeLabel(b: { dtype: string; dims: string[] }): string {
  return `${b.dtype}[${b.dims.join(",")}]`;
}

function exprText(e: Expr, buf: (id: number) => BufferInfo, program: IRProgram): string {
  switch (e.e) {
    case "op": {
      const n = program.nodes[e.node]!;
      if (n.op.op === "param") return `params.${n.op.name}`;
      if (n.op.op === "cast") return `${n.op.to}(${e.args[0]})`;
      if (n.op.op === "unary" && n.op.fn === "neg") return `-${e.args[0]}`;
      if (n.op.op === "unary" && n.op.fn === "not") return `not ${e.args[0]}`;
      const args = [...e.args, ...(e.index !== undefined ? [`@${e.index}`] : [])];
      const bin = n.op.op === "binary" && binaryInfo(n.op.fn).infix ? binaryInfo(n.op.fn).symbol : undefined;
      return bin && args.length === 2 ? `${args[0]} ${bin} ${args[1]}` : `${opLabel(n)}(${args.join(", ")})`;
    }
    case "load":
      return `${buf(e.buffer).name}[${e.offset}]`;
    case "offset":
      return e.prev === undefined ? e.index : `${e.prev}*n_${e.dim} + ${e.index}`;
    case "sub":
      return e.by < 0 ? `${e.a} + ${-e.by}` : `${e.a} - ${e.by}`;
    case "inrange":
      return `0 <= ${e.a} < n_${e.dim}`;
    case "pick":
      return `${e.cond} ? ${e.a} : ${e.b}`;
    case "slot":
      return e.round ? `f32(total[${e.offset}])` : `total[${e.offset}]`;
    case "round":
      return `f32(${e.a})`;
  }
}

const IDENTITY: Record<AccFn, string> = { sum: "0", count: "0", max: "-inf", min: "+inf" };
const ACC_OP: Record<AccFn, string> = { sum: "+=", count: "+=", max: "max=", min: "min=" };

/** One step of a scan state, as the dump writes it. */
const SCAN_STEP: Record<ScanOpName | "linrec", (s: Extract<Stmt, { s: "scan_step" }>) => string> = {
  cumsum: (s) => `${s.name} + ${s.x}`,
  cumprod: (s) => `${s.name} * ${s.x}`,
  cummax: (s) => `max(${s.name}, ${s.x})`,
  cummin: (s) => `min(${s.name}, ${s.x})`,
  linrec: (s) => `${s.b} + ${s.a} * ${s.name}`,
};

function stmtLines(stmts: Stmt[], indent: string, plan: KernelPlan, opts: FormatOptions, out: string[]): void {
  const buf = (id: number): BufferInfo => plan.buffers[id]!;
  const program = plan.program;
  const note = (node: number | undefined, label = true): string => {
    if (node === undefined) return "";
    const n = program.nodes[node]!;
    const where = spanLabel(n, opts.sources);
    return `   # %${node} ${label ? opLabel(n) : ""}${where ? `  ${where}` : ""}`.trimEnd();
  };
  for (const s of stmts) {
    switch (s.s) {
      case "loop":
        out.push(`${indent}for ${s.dim}${s.reverse ? " (reverse)" : ""}${s.split ? " (split over threads)" : ""}:`);
        stmtLines(s.body, `${indent}  `, plan, opts, out);
        break;
      case "let":
        out.push(`${indent}${s.name} = ${exprText(s.expr, buf, program)}${note(s.node)}`);
        break;
      case "acc_init":
        out.push(`${indent}${s.name} = ${IDENTITY[s.fn]}${note(s.node)}`);
        break;
      case "acc": {
        const target = s.target.t === "local" ? s.target.name : `scratch${s.target.scratch}[${s.target.index}]`;
        const value = s.value ?? "1";
        const conds = [s.where, s.countIf].filter((c) => c !== undefined);
        out.push(`${indent}${target} ${ACC_OP[s.fn]} ${value}${conds.length ? ` if ${conds.join(" and ")}` : ""}`);
        break;
      }
      case "slot_out":
        out.push(`${indent}total[${s.offset}] = ${s.name}   (per-thread partial, combined after the loops)`);
        break;
      case "scan_init":
        out.push(
          `${indent}${s.name} = ${s.init ?? (s.fn === "linrec" ? "0" : SCAN_FNS[s.fn].identityText)}   (scan state)${note(s.node)}`,
        );
        break;
      case "scan_step": {
        out.push(`${indent}${s.name} = ${SCAN_STEP[s.fn](s)}`);
        break;
      }
      case "store":
        out.push(`${indent}${buf(s.buffer).name}[${s.offset}] = ${s.value}`);
        break;
      case "flush":
        out.push(`${indent}${buf(s.buffer).name}[*] = scratch${s.scratch}[*]`);
        break;
    }
  }
}

function kernelLines(k: Kernel, plan: KernelPlan, opts: FormatOptions): string[] {
  const buf = (id: number): BufferInfo => plan.buffers[id]!;
  const rw = (ids: number[]): string => ids.map((i) => `${buf(i).name} ${typeLabel(buf(i))}`).join(", ") || "-";
  const out: string[] = [];
  if (k.kind === "library") {
    const n = plan.program.nodes[k.node]!;
    out.push(
      `kernel ${k.name}: library (generic implementation, not fused): %${k.node} ${opLabel(n)}  ${spanLabel(n, opts.sources)}`.trimEnd(),
    );
  } else {
    const split = k.splittable ? `, outermost loop split over threads` : "";
    out.push(`kernel ${k.name}: ${k.kind} over [${k.nest.join(", ")}]${split}`);
  }
  for (const n of k.notes) out.push(`  (${n})`);
  out.push(`  reads:  ${rw(k.reads)}`);
  out.push(`  writes: ${rw(k.writes)}`);
  if (k.kind === "library") {
    out.push(`  ${buf(k.out).name} = ${opLabel(plan.program.nodes[k.node]!)}(${k.args.map((a) => buf(a).name).join(", ")})`);
    return out;
  }
  for (const sc of k.scratch)
    out.push(`  scratch${sc.id}: f64[${sc.dims.join(",")}] ${sc.fn} of %${sc.node}${sc.shared ? " (shared)" : " (per thread)"}`);
  stmtLines(k.body, "  ", plan, opts, out);
  if (k.epilogue.length > 0) {
    out.push("  then once:");
    stmtLines(k.epilogue, "    ", plan, opts, out);
  }
  return out;
}

/** The plan as text: buffers, then kernels in run order. Deterministic. */
export function formatPlan(plan: KernelPlan, opts: FormatOptions = {}): string {
  const out: string[] = [];
  const loops = plan.kernels.filter((k) => k.kind !== "library").length;
  out.push(
    `plan ${plan.program.pipeline}: ${plan.kernels.length} kernel(s) (${loops} fused, ${plan.kernels.length - loops} library)`,
  );
  out.push("buffers:");
  for (const b of plan.buffers) {
    const what =
      b.role === "input" ? "input" : b.role === "output" ? `output ${(b.results ?? []).join(", ")}` : `temp (%${b.node})`;
    out.push(`  ${b.name.padEnd(14)} ${typeLabel(b).padEnd(14)} ${what}`);
  }
  for (const k of plan.kernels) {
    out.push("");
    out.push(...kernelLines(k, plan, opts));
  }
  return `${out.join("\n")}\n`;
}
