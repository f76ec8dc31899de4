// Reads a .rlp file, the files it imports (transitively) and the std library, and parses each once.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { FileAst, Span } from "../grammar/ast.ts";
import { diag, fileSpan, type Diagnostic } from "../grammar/diagnostic.ts";
import { parse } from "../grammar/index.ts";
import { readPlugin, type PluginNode } from "./plugin/read.ts";

export interface LoadedFile {
  path: string;
  ast: FileAst;
  isStd: boolean;
  /** Files this one imports, resolved. */
  imports: string[];
}

export interface LoadResult {
  files: Map<string, LoadedFile>;
  /** The std files, in a stable order. */
  std: string[];
  root: string;
  sources: Map<string, string>;
  diagnostics: Diagnostic[];
  /** TypeScript plugins (`import "./my_nodes.ts"`), by absolute path: the custom nodes each defines. */
  plugins: Map<string, PluginNode[]>;
  /** Nodes of those plugins that could not be read (RLP120/RLP121, already reported). */
  unreadableNodes: Set<string>;
}

/** A TypeScript module of custom nodes (runtime/library/plugin/api.ts). */
export const PLUGIN_EXTENSIONS = [".ts", ".mts"];

export const STD_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../stdlib");

function listStd(): string[] {
  if (!existsSync(STD_DIR)) return [];
  return readdirSync(STD_DIR)
    .filter((f) => f.endsWith(".rlp"))
    .sort()
    .map((f) => join(STD_DIR, f));
}

/** Std sources are parsed once per process: they never change while it runs. */
const stdCache = new Map<string, { text: string; ast: FileAst; diagnostics: Diagnostic[] }>();

export function loadProgram(rootPath: string, overrides: Map<string, string> = new Map()): LoadResult {
  const files = new Map<string, LoadedFile>();
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const plugins = new Map<string, PluginNode[]>();
  const unreadableNodes = new Set<string>();
  const root = resolve(rootPath);
  const resolvedOverrides = new Map<string, string>();
  for (const [k, v] of overrides) resolvedOverrides.set(resolve(k), v);

  const readSource = (path: string, from: Span | undefined): string | undefined => {
    const o = resolvedOverrides.get(path);
    if (o !== undefined) return o;
    try {
      return readFileSync(path, "utf8");
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String((e as Error).message);
      diagnostics.push(diag("RLP104", `cannot read '${path}': ${reason}`, from ?? fileSpan(path)));
      return undefined;
    }
  };

  const std = listStd();
  for (const path of std) {
    let cached = stdCache.get(path);
    if (!cached) {
      const text = readFileSync(path, "utf8");
      const parsed = parse(text, path);
      cached = { text, ast: parsed.ast, diagnostics: parsed.diagnostics };
      stdCache.set(path, cached);
    }
    sources.set(path, cached.text);
    diagnostics.push(...cached.diagnostics);
    files.set(path, { path, ast: cached.ast, isStd: true, imports: [] });
  }

  // Depth-first over imports; `onStack` finds cycles.
  const onStack: string[] = [];
  const visit = (path: string, from: Span | undefined): void => {
    if (onStack.includes(path)) {
      const cycle = [...onStack.slice(onStack.indexOf(path)), path].join(" -> ");
      diagnostics.push(diag("RLP105", `import cycle: ${cycle}`, from ?? fileSpan(path)));
      return;
    }
    if (files.has(path)) return;
    const text = readSource(path, from);
    if (text === undefined) return;
    sources.set(path, text);
    const parsed = parse(text, path);
    diagnostics.push(...parsed.diagnostics);
    const file: LoadedFile = { path, ast: parsed.ast, isStd: false, imports: [] };
    files.set(path, file);
    onStack.push(path);
    for (const d of parsed.ast.decls) {
      if (d.kind !== "import") continue;
      const target = resolve(dirname(path), d.path);
      if (PLUGIN_EXTENSIONS.some((x) => target.endsWith(x))) {
        if (plugins.has(target)) continue;
        const text = readSource(target, d.span);
        if (text === undefined) continue;
        sources.set(target, text);
        const read = readPlugin(target, text);
        diagnostics.push(...read.diagnostics);
        plugins.set(target, read.nodes);
        for (const name of read.unreadable) unreadableNodes.add(name);
        continue;
      }
      if (!target.endsWith(".rlp")) {
        diagnostics.push(
          diag(
            "RLP104",
            `cannot import '${d.path}': only .rlp files and TypeScript plugins (${PLUGIN_EXTENSIONS.join(", ")}) can be imported`,
            d.span,
          ),
        );
        continue;
      }
      file.imports.push(target);
      if (!resolvedOverrides.has(target) && !existsSync(target)) {
        diagnostics.push(diag("RLP104", `cannot import '${d.path}': no such file (looked for ${target})`, d.span));
        continue;
      }
      visit(target, d.span);
    }
    onStack.pop();
  };
  visit(root, undefined);
  return { files, std, root, sources, diagnostics, plugins, unreadableNodes };
}
