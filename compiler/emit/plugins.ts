// Plugins (custom TypeScript nodes) in an emitted module: the module imports each plugin statically, by a path
// relative to the directory it is written to, and hands the modules to the runtime (createPipeline's `plugins`),
// which resolves those paths against the module's own URL and registers each plugin under its absolute path at load
// time. The emitted text names plugins only by these relative paths: nothing in it is specific to the machine that
// compiled it, and the module keeps working when the project is moved as a whole.
import { relative, resolve, sep } from "node:path";
import type { PlanMeta } from "../ir/kernel_meta.ts";
import type { IRProgram } from "../ir/ir.ts";

export interface EmittedPlugin {
  /** The import specifier, relative to the output directory (`./my_nodes.ts`, `../src/nodes.ts`). */
  specifier: string;
  /** The namespace the module imports it as (`plugin_my_nodes`). */
  local: string;
}

/** The plugins the programs call, by absolute path (as the IR names them), sorted by path; `outDir` as given. */
export function emittedPlugins(programs: readonly IRProgram[], outDir: string): Map<string, EmittedPlugin> {
  const paths = new Set<string>();
  for (const p of programs)
    for (const n of p.nodes) if (n.op.op === "custom" || n.op.op === "custom_vjp") paths.add(n.op.call.plugin);
  const out = new Map<string, EmittedPlugin>();
  const taken = new Set<string>();
  for (const path of [...paths].sort()) {
    let specifier = relative(resolve(outDir), path).split(sep).join("/");
    if (!specifier.startsWith("../")) specifier = `./${specifier}`;
    const stem = (path.split(/[\\/]/).pop() ?? "plugin").replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9_$]/g, "_");
    let local = `plugin_${stem}`;
    for (let k = 2; taken.has(local); k++) local = `plugin_${stem}_${k}`;
    taken.add(local);
    out.set(path, { specifier, local });
  }
  return out;
}

/** The plan metadata with each custom call's plugin named by its specifier instead of its absolute path. */
export function relocatePlugins(meta: PlanMeta, plugins: ReadonlyMap<string, EmittedPlugin>): PlanMeta {
  if (plugins.size === 0) return meta;
  return {
    ...meta,
    kernels: meta.kernels.map((k) => {
      if (k.kind !== "library" || (k.op.op !== "custom" && k.op.op !== "custom_vjp")) return k;
      const p = plugins.get(k.op.call.plugin);
      return p === undefined ? k : { ...k, op: { ...k.op, call: { ...k.op.call, plugin: p.specifier } } };
    }),
  };
}

/** The import declarations of the plugins (after the runtime's import). */
export function pluginImports(plugins: ReadonlyMap<string, EmittedPlugin>): string[] {
  return [...plugins.values()].map((p) => `import * as ${p.local} from ${JSON.stringify(p.specifier)};`);
}

/** The `plugins` and `moduleUrl` entries of createPipeline's code argument ("" without plugins). */
export function pluginsEntry(plugins: ReadonlyMap<string, EmittedPlugin>): string {
  if (plugins.size === 0) return "";
  const entries = [...plugins.values()].map((p) => `    ${JSON.stringify(p.specifier)}: ${p.local},`);
  return `\n  plugins: {\n${entries.join("\n")}\n  },\n  moduleUrl: import.meta.url,`;
}
