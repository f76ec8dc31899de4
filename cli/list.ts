// `rlp list` and `rlp explain NAME`: the std-library catalog on the command line (data: stdlib/docs.ts).
//   rlp list [--format text|json]   every catalog method: ID, name, stage, paper title (json: the full entries)
//   rlp explain NAME                a catalog ID, std node, std enum or dim, or builtin: signature, params with
//                                   defaults, the doc comment (its definition) and the source text
// Both return the exit code: 0 ok, 1 unknown NAME, 64 usage.
import { parseArgs } from "node:util";
import { closest } from "../compiler/ir/suggest.ts";
import type { CatalogEntry } from "../stdlib/catalog.ts";
import { builtinSignature, stdLibrary, usedBy, type StdLibrary, type StdNode } from "../stdlib/docs.ts";
import type { CliIO } from "./main.ts";

export const LIST_HELP = `usage: rlp list [--format text|json]

Lists the std library's catalog of methods: catalog ID, name, stage and paper title.
'rlp explain ID' shows one method; docs/stdlib.md has them all.

options:
  --format text|json     a table (default), or a JSON array of the catalog entries (id, name, stage, paper,
                         nodes, example, summary)`;

export const EXPLAIN_HELP = `usage: rlp explain NAME

Explains a catalog method (e.g. PG.GRPO: its paper, nodes and example pipeline), a std node (e.g. group_norm: its
signature, parameters with defaults, definition and source text), a std enum or dim, or a builtin (e.g. safe_div).
Exit status: 0 ok, 1 when nothing is called NAME.`;

const OK = 0;
const NOT_FOUND = 1;
const USAGE = 64;

function usageError(io: CliIO, command: "list" | "explain", message: string): number {
  const help = command === "list" ? LIST_HELP : EXPLAIN_HELP;
  io.stderr.write(`rlp ${command}: ${message}\n${help.split("\n")[0]}\n`);
  return USAGE;
}

const OPTIONS = { format: { type: "string" }, help: { type: "boolean", short: "h" } } as const;

/** util.parseArgs (both commands take the same options; explain rejects --format itself). */
function parse(io: CliIO, command: "list" | "explain", argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0]!.split(". ")[0]!;
    usageError(io, command, msg.charAt(0).toLowerCase() + msg.slice(1));
    return undefined;
  }
}

// ---------------------------------------------------------------- rlp list

/** A plain-text table: columns padded to their widest cell, the last column unpadded. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function listCommand(argv: string[], io: CliIO): number {
  const parsed = parse(io, "list", argv);
  if (!parsed) return USAGE;
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(LIST_HELP + "\n");
    return OK;
  }
  if (positionals.length > 0) return usageError(io, "list", `unexpected argument '${positionals[0]}'`);
  const format = values.format ?? "text";
  if (format !== "text" && format !== "json") return usageError(io, "list", `--format must be text or json, not '${format}'`);
  const lib = stdLibrary();
  if (format === "json") {
    io.stdout.write(JSON.stringify(lib.catalog, null, 2) + "\n");
    return OK;
  }
  const rows = lib.catalog.map((e) => [e.id, e.name, e.stage, e.paper.title]);
  io.stdout.write(table(["ID", "NAME", "STAGE", "PAPER"], rows) + "\n");
  io.stdout.write(`\n${lib.catalog.length} methods. 'rlp explain ID' shows one; 'rlp explain NODE' a std node.\n`);
  return OK;
}

// ---------------------------------------------------------------- rlp explain

function indent(text: string, by = "  "): string {
  return text
    .split("\n")
    .map((l) => (l.length > 0 ? by + l : l))
    .join("\n");
}

function paperLine(e: CatalogEntry): string {
  const p = e.paper;
  const who = [p.authors, p.year].filter((x) => x !== undefined).join(", ");
  return `${p.title}${who ? ` (${who})` : ""}${p.url ? `\n  ${p.url}` : ""}`;
}

/** A std node: signature, parameters, definition, where it is used, source. */
export function explainNode(lib: StdLibrary, n: StdNode): string {
  const out: string[] = [];
  out.push(`${n.name} — std node (${n.file}:${n.line})`, "", indent(n.signature), "");
  if (n.params.length > 0) {
    const rows = n.params.map((p) => [p.name, p.type, p.default !== undefined ? `default ${p.default}` : "required"]);
    out.push(
      "parameters:",
      indent(
        table(["NAME", "TYPE", "DEFAULT"], rows)
          .split("\n")
          .filter((_, i) => i !== 1)
          .join("\n"),
      ),
      "",
    );
  }
  out.push(`returns: ${n.results.join(", ")}`, "");
  if (n.doc) out.push("definition:", indent(n.doc), "");
  const users = usedBy(lib, n.name);
  if (users.length > 0) out.push(`used by: ${users.map((e) => e.id).join(", ")}`, "");
  out.push("source:", indent(n.source));
  return out.join("\n");
}

function explainEntry(lib: StdLibrary, e: CatalogEntry): string {
  const out: string[] = [];
  out.push(
    `${e.id} — ${e.name}`,
    "",
    `stage:   ${e.stage}`,
    `paper:   ${paperLine(e).replace("\n  ", "\n         ")}`,
    `example: ${e.example}`,
    "",
  );
  out.push(e.summary, "", "nodes:");
  for (const name of e.nodes) {
    const n = lib.nodes.get(name);
    const en = lib.enums.get(name);
    if (n) out.push(indent(n.signature), indent(firstSentence(n.doc), "      "));
    else if (en) out.push(indent(`enum ${en.name} { ${en.labels.join(", ")} }`), indent(firstSentence(en.doc), "      "));
    else out.push(indent(`${name} (not found in stdlib/*.rlp)`));
  }
  out.push("", `'rlp explain NODE' shows a node's parameters, definition and source.`);
  return out.join("\n");
}

/** The first sentence of a doc comment (its lines joined), at most about 160 characters. */
export function firstSentence(doc: string): string {
  const text = doc
    .split("\n")
    .map((l) => l.trim())
    .join(" ");
  const stop = text.search(/\.(\s|$)/);
  const s = stop >= 0 ? text.slice(0, stop + 1) : text;
  return s.length > 160 ? s.slice(0, 157).trimEnd() + "..." : s;
}

export function explainCommand(argv: string[], io: CliIO): number {
  const parsed = parse(io, "explain", argv);
  if (!parsed) return USAGE;
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(EXPLAIN_HELP + "\n");
    return OK;
  }
  if (values.format !== undefined) return usageError(io, "explain", "unknown option '--format'");
  if (positionals.length !== 1)
    return usageError(
      io,
      "explain",
      positionals.length === 0 ? "expected a NAME" : `expected one NAME, got ${positionals.length}`,
    );
  const name = positionals[0]!;
  const lib = stdLibrary();
  const entry = lib.catalog.find((e) => e.id.toUpperCase() === name.toUpperCase());
  if (entry) {
    io.stdout.write(explainEntry(lib, entry) + "\n");
    return OK;
  }
  const node = lib.nodes.get(name);
  if (node) {
    io.stdout.write(explainNode(lib, node) + "\n");
    return OK;
  }
  const en = lib.enums.get(name);
  if (en) {
    const users = [...lib.nodes.values()].filter((n) => n.params.some((p) => p.type === en.name)).map((n) => n.name);
    const parts = [`${en.name} — std enum (${en.file}:${en.line})`, "", indent(`labels: ${en.labels.join(", ")}`), ""];
    if (en.doc) parts.push("definition:", indent(en.doc), "");
    if (users.length > 0) parts.push(`parameter type of: ${users.join(", ")}`, "");
    parts.push("source:", indent(en.source));
    io.stdout.write(parts.join("\n") + "\n");
    return OK;
  }
  const dim = lib.dims.get(name);
  if (dim) {
    const parts = [`${dim.name} — std dim (${dim.file}:${dim.line})`, ""];
    if (dim.labels) parts.push(indent(`labels: ${dim.labels.join(", ")}`), "");
    if (dim.doc) parts.push("definition:", indent(dim.doc), "");
    parts.push("source:", indent(dim.source));
    io.stdout.write(parts.join("\n") + "\n");
    return OK;
  }
  const b = lib.builtins.get(name);
  if (b) {
    const params = b.params.map((p) => `${p.name}${p.required ? "" : " (optional)"}`).join(", ");
    io.stdout.write(
      [
        `${b.name} — builtin (a primitive of the language)`,
        "",
        indent(builtinSignature(b)),
        "",
        `parameters: ${params}`,
        "",
        "definition:",
        indent(b.doc),
        "",
      ].join("\n"),
    );
    return OK;
  }
  const names = [
    ...lib.catalog.map((e) => e.id),
    ...lib.nodes.keys(),
    ...lib.enums.keys(),
    ...lib.dims.keys(),
    ...lib.builtins.keys(),
  ];
  const guess = closest(name, names);
  io.stderr.write(
    `rlp explain: no catalog ID, std node, enum, dim or builtin is called '${name}'${guess ? `; did you mean '${guess}'?` : ""} ('rlp list' shows the catalog)\n`,
  );
  return NOT_FOUND;
}
