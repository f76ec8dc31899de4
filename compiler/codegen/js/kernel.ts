// One loop kernel as two JS functions:
//   <name>(B, Z, lo, hi, total, S)   the loops, over [lo, hi) of the outermost dim (one call per thread)
//   <name>_end(B, Z, total, S)       once, after the per-thread partials in `total` and S are combined
// B: the buffers (typed arrays, by buffer id); Z: { n: dim sizes, p: params }; total: float64 partials of depth-0
// accumulations; S: float64 scratch areas of scatter accumulations. No allocation inside the loops.
import { basename } from "node:path";
import type { IRProgram } from "../../ir/ir.ts";
import { SCAN_FNS, type ScanOpName } from "../../ir/ops.ts";
import type { AccFn, BufferInfo, KernelPlan, LoopKernel, Stmt } from "../../fuse/types.ts";
import { exprJs, type ExprContext } from "./expr.ts";

const IDENTITY: Record<AccFn, string> = { sum: "0", count: "0", max: "-Infinity", min: "Infinity" };

function comment(program: IRProgram, node: number | undefined): string {
  if (node === undefined) return "";
  const n = program.nodes[node]!;
  const op = n.op.op === "unary" || n.op.op === "binary" ? n.op.fn : n.op.op === "reduce" ? `${n.op.fn}` : n.op.op;
  const at = n.span ? ` ${basename(n.span.file)}:${n.span.line}` : "";
  return ` // %${node} ${op}${at}`;
}

function accumulate(fn: AccFn, target: string, value: string): string {
  switch (fn) {
    case "sum":
      return `${target} += ${value};`;
    case "count":
      return `${target} += 1;`;
    case "max":
      return `if (${value} > ${target} || ${value} !== ${value}) ${target} = ${value};`;
    case "min":
      return `if (${value} < ${target} || ${value} !== ${value}) ${target} = ${value};`;
  }
}

type ScanStep = Extract<Stmt, { s: "scan_step" }>;

/** One step of a scan state `name` (x: the element; linrec: y = b + a·y). */
const SCAN_STEP: Record<ScanOpName | "linrec", (s: ScanStep) => string> = {
  cumsum: (s) => `${s.name} += ${s.x};`,
  cumprod: (s) => `${s.name} *= ${s.x};`,
  cummax: (s) => accumulate("max", s.name, s.x!),
  cummin: (s) => accumulate("min", s.name, s.x!),
  linrec: (s) => `${s.name} = ${s.b} + ${s.a} * ${s.name};`,
};

function stmtsJs(stmts: Stmt[], indent: string, ctx: ExprContext, out: string[]): void {
  const program = ctx.program;
  const buf = (id: number): string => `b_${ctx.buffer(id).name}`;
  for (const s of stmts) {
    switch (s.s) {
      case "loop": {
        const i = `i_${s.dim}`;
        const [from, to] = s.split ? ["lo", "hi"] : ["0", `n_${s.dim}`];
        out.push(
          s.reverse
            ? `${indent}for (let ${i} = ${to} - 1; ${i} >= ${from}; ${i}--) {`
            : `${indent}for (let ${i} = ${from}; ${i} < ${to}; ${i}++) {`,
        );
        stmtsJs(s.body, `${indent}  `, ctx, out);
        out.push(`${indent}}`);
        break;
      }
      case "let":
        out.push(`${indent}const ${s.name} = ${exprJs(s.expr, ctx)};${comment(program, s.node)}`);
        break;
      case "acc_init":
        out.push(`${indent}let ${s.name} = ${IDENTITY[s.fn]};${comment(program, s.node)}`);
        break;
      case "acc": {
        const target = s.target.t === "local" ? s.target.name : `s${s.target.scratch}[${s.target.index}]`;
        const line = accumulate(s.fn, target, s.value ?? "1");
        const conds = [s.where, s.countIf].filter((c): c is string => c !== undefined);
        out.push(conds.length > 0 ? `${indent}if (${conds.join(" && ")}) { ${line} }` : `${indent}${line}`);
        break;
      }
      case "slot_out":
        out.push(`${indent}total[${s.offset}] = ${s.name};`);
        break;
      case "scan_init": {
        const init = s.init ?? (s.fn === "linrec" ? "0" : String(SCAN_FNS[s.fn].identity));
        out.push(`${indent}let ${s.name} = ${init};${comment(program, s.node)}`);
        break;
      }
      case "scan_step": {
        out.push(`${indent}${SCAN_STEP[s.fn](s)}`);
        break;
      }
      case "store":
        out.push(`${indent}${buf(s.buffer)}[${s.offset}] = ${s.value};`);
        break;
      case "flush":
        out.push(
          `${indent}for (let i = 0; i < s${s.scratch}.length; i++) ${buf(s.buffer)}[i] = s${s.scratch}[i];${comment(program, s.node)}`,
        );
        break;
    }
  }
}

function buffersOf(stmts: Stmt[], into: Set<number>, scratch: Set<number>): void {
  for (const s of stmts) {
    if (s.s === "loop") buffersOf(s.body, into, scratch);
    else if (s.s === "store" || s.s === "flush") into.add(s.buffer);
    if (s.s === "let" && s.expr.e === "load") into.add(s.expr.buffer);
    if (s.s === "acc" && s.target.t === "scratch") scratch.add(s.target.scratch);
    if (s.s === "flush") scratch.add(s.scratch);
  }
}

/** The bindings a function body needs: dim sizes, buffers and scratch areas it mentions. */
function prologue(lines: string[], stmts: Stmt[], k: LoopKernel, buffer: (id: number) => BufferInfo): string[] {
  const text = lines.join("\n");
  const dims = new Set<string>();
  for (const m of text.matchAll(/\bn_([A-Za-z0-9_]+)\b/g)) dims.add(m[1]!);
  const bufs = new Set<number>();
  const scratch = new Set<number>();
  buffersOf(stmts, bufs, scratch);
  const out: string[] = [];
  const ds = [...dims].sort();
  if (ds.length > 0) out.push(`  const ${ds.map((d) => `n_${d} = Z.n[${JSON.stringify(d)}]`).join(", ")};`);
  for (const b of [...bufs].sort((x, y) => x - y))
    out.push(`  const b_${buffer(b).name} = B[${b}]; // ${buffer(b).dtype}[${buffer(b).dims.join(",")}]`);
  for (const s of [...scratch].sort((x, y) => x - y)) out.push(`  const s${s} = S[${k.scratch.findIndex((x) => x.id === s)}];`);
  return out;
}

/** The source of a loop kernel's two functions. */
export function kernelJs(plan: KernelPlan, k: LoopKernel, use: (helper: string) => void): string {
  const buffer = (id: number): BufferInfo => plan.buffers[id]!;
  const ctx: ExprContext = { program: plan.program, buffer, use };
  const body: string[] = [];
  stmtsJs(k.body, "  ", ctx, body);
  const end: string[] = [];
  stmtsJs(k.epilogue, "  ", ctx, end);
  const head = `// kernel ${k.name}: ${k.kind} over [${k.nest.join(", ")}]${k.splittable ? ` (the ${k.nest[0]} loop may be split over threads)` : ""}`;
  const fn = (name: string, params: string, lines: string[], stmts: Stmt[]): string => {
    const pro = prologue(lines, stmts, k, buffer);
    return [`function ${name}(${params}) {`, ...pro, ...lines, "}"].join("\n");
  };
  return [head, fn(k.name, "B, Z, lo, hi, total, S", body, k.body), fn(`${k.name}_end`, "B, Z, total, S", end, k.epilogue)].join(
    "\n",
  );
}
