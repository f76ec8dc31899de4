// The kernel plan for `rlp graph --kernels`: the forward pass's plan from compiler/pipeline (lower, then plan).
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import { kernelPlan } from "../../../compiler/pipeline/index.ts";
import type { KernelPlanLike } from "./model.ts";

export class KernelPlanUnavailable extends Error {}

/** True when `x` has the shape the picture needs: `{ program?, kernels: { kind, nodes: number[], name?|id?|index? }[] }`. */
export function isKernelPlan(x: unknown): x is KernelPlanLike {
  if (typeof x !== "object" || x === null) return false;
  const { kernels: ks, program } = x as { kernels?: unknown; program?: unknown };
  if (
    program !== undefined &&
    (typeof program !== "object" || program === null || !Array.isArray((program as { nodes?: unknown }).nodes))
  )
    return false;
  return (
    Array.isArray(ks) &&
    ks.every((k) => {
      if (typeof k !== "object" || k === null) return false;
      const { kind, nodes } = k as { kind?: unknown; nodes?: unknown };
      return typeof kind === "string" && Array.isArray(nodes) && nodes.every((n) => Number.isInteger(n));
    })
  );
}

/** Plans the kernels of `program` (compiler/pipeline). Throws KernelPlanUnavailable when the plan has another shape. */
export async function loadKernelPlan(program: IRProgram): Promise<KernelPlanLike> {
  const plan: unknown = kernelPlan(program);
  if (!isKernelPlan(plan)) throw new KernelPlanUnavailable("the kernel plan has no kernels { kind, nodes }");
  return plan;
}
