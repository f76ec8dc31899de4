// A kernel pass of the emitted module as text: `const FORWARD: KernelProgram = {...}` (plan, kernel table, state
// updates) followed by its typed kernel functions.
import { planMeta } from "../codegen/js/index.ts";
import type { KernelPlan } from "../fuse/types.ts";
import { updatesOf } from "./build_spec.ts";
import { literal } from "./literal.ts";
import { relocatePlugins, type EmittedPlugin } from "./plugins.ts";
import { documented, plural, section } from "./text.ts";
import type { PassCode } from "./typed_kernels.ts";

/** `3 fused loop kernels and 1 library kernel`. */
export function kernelSummary(plan: KernelPlan): string {
  const loops = plan.kernels.filter((k) => k.kind !== "library").length;
  const lib = plan.kernels.length - loops;
  return `${plural(loops, "fused loop kernel")}${lib > 0 ? ` and ${plural(lib, "library kernel")}` : ""}`;
}

/** The pass `name` (FORWARD, GRADIENT): its section rule, its KernelProgram constant and its kernel functions. */
export function passText(
  name: string,
  what: string,
  plan: KernelPlan,
  code: PassCode,
  plugins: ReadonlyMap<string, EmittedPlugin>,
): string[] {
  return [
    section(what),
    documented(
      `${what[0]!.toUpperCase()}${what.slice(1)}. The plan (buffers by id; \`results\` maps each result to its buffer), the kernels in order and the state updates.`,
      `const ${name}: KernelProgram = ${programLiteral(plan, code, plugins)};`,
    ),
    ...code.functions,
  ];
}

function programLiteral(plan: KernelPlan, code: PassCode, plugins: ReadonlyMap<string, EmittedPlugin>): string {
  const meta = literal(relocatePlugins(planMeta(plan), plugins), "  ", "  plan: ".length);
  const kernels = code.table.map((k) =>
    k === null
      ? "    null, // a library kernel (runtime/library/kernels/library.ts)"
      : `    { name: ${JSON.stringify(k.name)}, body: ${k.body}, end: ${k.end} },`,
  );
  const updates = literal(updatesOf(plan), "  ", "  updates: ".length);
  return `{\n  plan: ${meta},\n  kernels: [\n${kernels.join("\n")}\n  ],\n  updates: ${updates},\n}`;
}
