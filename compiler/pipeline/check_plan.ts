// The kernel plan's own invariants (run after the `plan` stage under RLP_VERIFY): buffers are numbered densely,
// every id a kernel, a result or an input names is a buffer, and a kernel reads only inputs and buffers that it or
// an earlier kernel writes. One message per violation; an empty list means the plan is well formed.
import type { KernelPlan } from "../fuse/types.ts";

export function checkPlan(plan: KernelPlan): string[] {
  const errors: string[] = [];
  const n = plan.buffers.length;
  const isBuffer = (id: number): boolean => Number.isInteger(id) && id >= 0 && id < n;
  plan.buffers.forEach((b, k) => {
    if (b.id !== k) errors.push(`buffer ${b.name} has id ${b.id} at position ${k}: ids must be dense and in order`);
    if (!plan.program.nodes[b.node]) errors.push(`buffer ${b.name} holds node %${b.node}, which the lowered program lacks`);
  });
  const written = new Set<number>(plan.buffers.filter((b) => b.role === "input").map((b) => b.id));
  for (const k of plan.kernels) {
    const ids = [...k.reads, ...k.writes, ...(k.kind === "library" ? [...k.args, k.out] : [])];
    const bad = ids.filter((id) => !isBuffer(id));
    if (bad.length > 0) {
      errors.push(`kernel ${k.name} names buffers ${bad.join(", ")}, which do not exist`);
      continue;
    }
    for (const id of k.writes) written.add(id);
    const unwritten = k.reads.filter((id) => !written.has(id));
    if (unwritten.length > 0)
      errors.push(
        `kernel ${k.name} reads ${unwritten.map((id) => plan.buffers[id]!.name).join(", ")} before any kernel writes it`,
      );
    for (const node of k.nodes)
      if (!plan.program.nodes[node]) errors.push(`kernel ${k.name} computes node %${node}, which the lowered program lacks`);
  }
  for (const [name, id] of Object.entries(plan.results)) {
    if (!isBuffer(id)) errors.push(`result ${name} maps to buffer ${id}, which does not exist`);
    else if (!written.has(id)) errors.push(`result ${name} (buffer ${plan.buffers[id]!.name}) is written by no kernel`);
  }
  for (const [name, id] of Object.entries(plan.inputs)) {
    if (!isBuffer(id) || plan.buffers[id]!.role !== "input")
      errors.push(`input ${name} maps to buffer ${id}, which is not an input buffer`);
  }
  for (const r of plan.requires)
    if (!isBuffer(r.buffer) || !written.has(r.buffer))
      errors.push(`require "${r.message}" reads buffer ${r.buffer}, which no kernel writes`);
  return errors;
}
