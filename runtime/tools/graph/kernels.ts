// The kernel plan for `rlp graph --kernels`, from compiler/fuse's `planKernels(program): KernelPlan`. Loaded
// lazily, so that the graph works (without --kernels) on a tree where fusion is not there yet.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import type { KernelPlanLike } from "./model.ts";

/** Where compiler/fuse may export `planKernels` (the first that exists is used). */
const CANDIDATES = ["../../../compiler/fuse/index.ts"];

export class KernelPlanUnavailable extends Error {}

type PlanFn = (program: IRProgram) => unknown;

async function findPlanKernels(): Promise<PlanFn> {
  for (const rel of CANDIDATES) {
    const url = new URL(rel, import.meta.url);
    if (!existsSync(fileURLToPath(url))) continue;
    const mod = (await import(url.href)) as { planKernels?: unknown };
    if (typeof mod.planKernels !== "function") throw new KernelPlanUnavailable(`${rel.replace("../../../", "")} does not export planKernels`);
    return mod.planKernels as PlanFn;
  }
  throw new KernelPlanUnavailable("kernel fusion (compiler/fuse) is not available yet");
}

/** True when `x` has the shape the picture needs: `{ program?, kernels: { kind, nodes: number[], name?|id?|index? }[] }`. */
export function isKernelPlan(x: unknown): x is KernelPlanLike {
  if (typeof x !== "object" || x === null) return false;
  const { kernels: ks, program } = x as { kernels?: unknown; program?: unknown };
  if (program !== undefined && (typeof program !== "object" || program === null || !Array.isArray((program as { nodes?: unknown }).nodes))) return false;
  return (
    Array.isArray(ks) &&
    ks.every((k) => {
      if (typeof k !== "object" || k === null) return false;
      const { kind, nodes } = k as { kind?: unknown; nodes?: unknown };
      return typeof kind === "string" && Array.isArray(nodes) && nodes.every((n) => Number.isInteger(n));
    })
  );
}

/** Plans the kernels of `program` with compiler/fuse. Throws KernelPlanUnavailable when fusion is missing or answers in another shape. */
export async function loadKernelPlan(program: IRProgram): Promise<KernelPlanLike> {
  const planKernels = await findPlanKernels();
  const plan = await planKernels(program);
  if (!isKernelPlan(plan)) throw new KernelPlanUnavailable("planKernels returned a plan without kernels { kind, nodes }");
  return plan;
}
