// The loaded plugin modules (custom nodes in TypeScript), by path. The compiler reads a plugin's signatures without
// running it; anything that executes a program (the reference evaluator, kernels, tfjs, emitted modules) needs the
// module itself: `await loadPlugins(program)` imports every plugin the program calls before the first evaluation.
import { pathToFileURL } from "node:url";
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import { EvalError } from "../ops/common.ts";
import { NODE_BRAND, type DefinedNode } from "./api.ts";

const modules = new Map<string, Record<string, unknown>>();

/** The plugin modules a program calls (absolute paths, sorted). */
export function pluginPaths(program: IRProgram): string[] {
  const set = new Set<string>();
  for (const n of program.nodes) if (n.op.op === "custom" || n.op.op === "custom_vjp") set.add(n.op.call.plugin);
  return [...set].sort();
}

/** Imports the plugins of the programs (once per path). Throws EvalError RLP520 naming the file that fails to load. */
export async function loadPlugins(...programs: IRProgram[]): Promise<void> {
  for (const path of new Set(programs.flatMap(pluginPaths))) {
    if (modules.has(path)) continue;
    try {
      modules.set(path, (await import(pathToFileURL(path).href)) as Record<string, unknown>);
    } catch (e) {
      const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
      throw new EvalError("RLP520", `plugin ${path} cannot be loaded: ${why}`);
    }
  }
}

/** Registers a module already imported (emitted modules import their plugins statically). */
export function registerPlugin(path: string, module: Record<string, unknown>): void {
  modules.set(path, module);
}

/** The node `name` of the plugin at `path`; EvalError RLP520/RLP521 when it is not loaded or not a node. */
export function pluginNode(path: string, name: string): DefinedNode {
  const m = modules.get(path);
  if (!m)
    throw new EvalError(
      "RLP520",
      `plugin ${path} is not loaded (call loadPlugins(program) before evaluating a program that uses it)`,
    );
  const def = m[name] as Partial<DefinedNode> | undefined;
  if (def === undefined) throw new EvalError("RLP521", `plugin ${path} has no export '${name}' at run time`);
  if (def === null || typeof def !== "object" || def.brand !== NODE_BRAND || typeof def.forward !== "function") {
    throw new EvalError("RLP521", `plugin ${path}: the export '${name}' is not a node made with defineNode({...})`);
  }
  return def as DefinedNode;
}
