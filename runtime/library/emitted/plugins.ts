// The plugin modules of an emitted module (compiler/emit/plugins.ts): the module imports each plugin statically and
// names it in its plans by a path relative to itself. At load, each plugin is registered under its absolute path
// (resolved against the module's URL, as loadPlugins would name it) and the plans' custom calls are pointed at it.
import { fileURLToPath } from "node:url";
import type { PlanMeta } from "../../../compiler/ir/kernel_meta.ts";
import { registerPlugin } from "../plugin/registry.ts";

/** Registers the plugins; returns the plans with each custom call's plugin path made absolute. */
export function attachPlugins(
  metas: readonly PlanMeta[],
  plugins: Readonly<Record<string, object>>,
  moduleUrl: string,
): PlanMeta[] {
  const paths = new Map<string, string>();
  for (const [specifier, module] of Object.entries(plugins)) {
    const path = fileURLToPath(new URL(specifier, moduleUrl));
    registerPlugin(path, module as Record<string, unknown>);
    paths.set(specifier, path);
  }
  return metas.map((meta) => ({
    ...meta,
    kernels: meta.kernels.map((k) => {
      if (k.kind !== "library" || (k.op.op !== "custom" && k.op.op !== "custom_vjp")) return k;
      const path = paths.get(k.op.call.plugin);
      return path === undefined ? k : { ...k, op: { ...k.op, call: { ...k.op.call, plugin: path } } };
    }),
  }));
}
