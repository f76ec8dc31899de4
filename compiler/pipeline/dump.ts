// The text of one stage's output for `rlp compile --dump-after STAGE`: an IR program one node a line (with its type,
// gradient marks and source), the kernel plan (compiler/fuse formatPlan), or the generated JS module.
import { formatPlan, opLabel, spanLabel } from "../fuse/format.ts";
import type { IRProgram, IRType } from "../ir/ir.ts";
import type { VerifiedOutput } from "./verify_stage.ts";

function typeText(t: IRType): string {
  return `${t.dtype}${t.indexOf ? `<${t.indexOf}>` : ""}[${t.dims.join(", ")}]`;
}

/** `%7 = exp(%6) : f32[P, G, T] grad[policy]  # grpo.rlp:12:9 "exp(logp)"`, after a header of dims and params. */
export function formatProgram(program: IRProgram, sources?: Map<string, string>): string {
  const out: string[] = [`pipeline ${program.pipeline}`];
  out.push(
    `dims ${program.dims.map((d) => `${d.name}${d.size === undefined ? "" : `=${d.size}`}${d.aliasOf ? ` (= ${d.aliasOf})` : ""}`).join(", ")}`,
  );
  for (const p of program.params) out.push(`param ${p.name} = ${JSON.stringify(p.value)}${p.static ? " (static)" : ""}`);
  for (const n of program.nodes) {
    const args = n.args.length > 0 ? `(${n.args.map((a) => `%${a}`).join(", ")})` : "";
    const marks = n.grad.length > 0 ? ` grad[${n.grad.join(", ")}]` : "";
    const where = spanLabel(n, sources);
    out.push(`%${n.id} = ${opLabel(n)}${args} : ${typeText(n.type)}${marks}${where ? `  # ${where}` : ""}`);
  }
  for (const r of program.results) out.push(`${r.kind} ${r.name} = %${r.node}${r.key === undefined ? "" : ` key %${r.key}`}`);
  for (const q of program.requires) out.push(`require %${q.cond} ${JSON.stringify(q.message)}`);
  return out.join("\n") + "\n";
}

/** The dump of any stage's output. */
export function formatStageOutput(output: VerifiedOutput, sources?: Map<string, string>): string {
  switch (output.kind) {
    case "ir":
      return formatProgram(output.program, sources);
    case "plan":
      return formatPlan(output.plan, sources ? { sources } : {});
    case "js":
      return output.js.source;
  }
}
