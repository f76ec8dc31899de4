// What the std library declares, for `rlp list`, `rlp explain` and docs/stdlib.md: every std node (its signature,
// parameters with their defaults, doc comment and source text), every std enum and top-level dim, read by parsing
// stdlib/*.rlp; the builtins with their one-line docs (compiler/elaborate/builtins); and the method catalog (catalog.ts).
// Everything is taken from the sources as written, so the docs cannot drift from the code.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { DimDecl, EnumDecl, NodeDecl, Span } from "../grammar/ast.ts";
import { parse } from "../grammar/index.ts";
import { BUILTINS, STD_DIR } from "../compiler/index.ts";
import { CATALOG, type CatalogEntry } from "./catalog.ts";

export interface StdParam {
  name: string;
  /** The type as written: `f32[..., over]`, `dim`, `agg_mode`, `enum { keep, zero }`. */
  type: string;
  /** The default as written, if any. */
  default?: string;
}

export interface StdNode {
  name: string;
  /** Path relative to the repository root, e.g. `stdlib/group.rlp`. */
  file: string;
  line: number;
  /** `name(p: T = d, ...) -> R` on one line. */
  signature: string;
  params: StdParam[];
  /** Result types as written. */
  results: string[];
  /** The doc comment (the `//` lines directly above), without the slashes; "" when there is none. */
  doc: string;
  /** The declaration's source text, from `node` (or `override node`) to its closing brace. */
  source: string;
}

export interface StdEnum {
  name: string;
  file: string;
  line: number;
  labels: string[];
  doc: string;
  source: string;
}

export interface StdDim {
  name: string;
  file: string;
  line: number;
  labels?: string[];
  doc: string;
  source: string;
}

export interface StdBuiltin {
  name: string;
  params: { name: string; required: boolean }[];
  doc: string;
}

export interface StdLibrary {
  /** By file (relative path), in file order; each file's declarations in source order. */
  files: { file: string; header: string; nodes: StdNode[]; enums: StdEnum[]; dims: StdDim[] }[];
  nodes: Map<string, StdNode>;
  enums: Map<string, StdEnum>;
  dims: Map<string, StdDim>;
  builtins: Map<string, StdBuiltin>;
  catalog: readonly CatalogEntry[];
}

const REPO = join(STD_DIR, "..");

/** Whitespace runs (newlines included) collapsed to one space. */
function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").replace(/\( /g, "(").replace(/ \)/g, ")").trim();
}

function slice(text: string, s: Span): string {
  return text.slice(s.start, s.end);
}

/** The `//` comment lines directly above line `line` (1-based), without the slashes. */
function commentAbove(lines: string[], line: number): string {
  const out: string[] = [];
  for (let i = line - 2; i >= 0; i--) {
    const t = lines[i]!.trim();
    if (!t.startsWith("//")) break;
    out.unshift(t.replace(/^\/\/ ?/, ""));
  }
  return out.join("\n");
}

/** The file's header: the leading `//` lines, up to the first blank line. */
function fileHeader(lines: string[]): string {
  const out: string[] = [];
  for (const l of lines) {
    const t = l.trim();
    if (!t.startsWith("//")) break;
    out.push(t.replace(/^\/\/ ?/, ""));
  }
  return out.join("\n");
}

function nodeInfo(decl: NodeDecl, text: string, lines: string[], file: string): StdNode {
  const params: StdParam[] = decl.params.map((p) => {
    const type = oneLine(slice(text, p.type.span));
    return p.default ? { name: p.name.name, type, default: oneLine(slice(text, p.default.span)) } : { name: p.name.name, type };
  });
  const results = decl.results.map((r) => oneLine(slice(text, r.span)));
  const shown = params.map((p) => `${p.name}: ${p.type}${p.default !== undefined ? ` = ${p.default}` : ""}`).join(", ");
  const res = results.length === 1 ? results[0]! : `(${results.join(", ")})`;
  return {
    name: decl.name.name,
    file,
    line: decl.span.line,
    signature: `${decl.name.name}(${shown}) -> ${res}`,
    params,
    results,
    doc: decl.doc ?? commentAbove(lines, decl.span.line),
    source: slice(text, decl.span),
  };
}

let cached: StdLibrary | undefined;

/** Parses stdlib/*.rlp (once per process) and collects the builtins and the catalog. */
export function stdLibrary(): StdLibrary {
  if (cached) return cached;
  const lib: StdLibrary = {
    files: [],
    nodes: new Map(),
    enums: new Map(),
    dims: new Map(),
    builtins: new Map(),
    catalog: CATALOG,
  };
  const paths = readdirSync(STD_DIR)
    .filter((f) => f.endsWith(".rlp"))
    .sort()
    .map((f) => join(STD_DIR, f));
  for (const path of paths) {
    const text = readFileSync(path, "utf8");
    const lines = text.split("\n");
    const file = relative(REPO, path).split("\\").join("/");
    const entry = { file, header: fileHeader(lines), nodes: [] as StdNode[], enums: [] as StdEnum[], dims: [] as StdDim[] };
    for (const d of parse(text, path).ast.decls) {
      if (d.kind === "node") {
        const n = nodeInfo(d, text, lines, file);
        entry.nodes.push(n);
        lib.nodes.set(n.name, n);
      } else if (d.kind === "enum") {
        const e = enumInfo(d, text, lines, file);
        entry.enums.push(e);
        lib.enums.set(e.name, e);
      } else if (d.kind === "dimdecl") {
        const x = dimInfo(d, text, lines, file);
        entry.dims.push(x);
        lib.dims.set(x.name, x);
      }
    }
    lib.files.push(entry);
  }
  for (const [name, b] of [...BUILTINS].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    lib.builtins.set(name, { name, params: b.params.map((p) => ({ name: p.name, required: p.required })), doc: b.doc });
  }
  cached = lib;
  return lib;
}

function enumInfo(d: EnumDecl, text: string, lines: string[], file: string): StdEnum {
  return {
    name: d.name.name,
    file,
    line: d.span.line,
    labels: d.labels.map((l) => l.name),
    doc: commentAbove(lines, d.span.line),
    source: slice(text, d.span),
  };
}

function dimInfo(d: DimDecl, text: string, lines: string[], file: string): StdDim {
  const x: StdDim = {
    name: d.name.name,
    file,
    line: d.span.line,
    doc: commentAbove(lines, d.span.line),
    source: lines[d.span.line - 1]!.trim(),
  };
  if (d.labels) x.labels = d.labels.map((l) => l.name);
  return x;
}

/** The catalog entries that list `node` among their nodes. */
export function usedBy(lib: StdLibrary, node: string): CatalogEntry[] {
  return lib.catalog.filter((e) => e.nodes.includes(node));
}

/** A builtin's call shape: `name(x, over=, where=)` (required params positional, the others as keywords). */
export function builtinSignature(b: StdBuiltin): string {
  return `${b.name}(${b.params.map((p) => (p.required ? p.name : `${p.name}=`)).join(", ")})`;
}
