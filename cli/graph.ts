// `rlp graph FILE -o g.svg|g.dot|g.html [--kernels]`: a picture of the pipeline's dataflow graph.
import { hasErrors } from "../grammar/diagnostic.ts";
import { writeFileAtomic } from "../runtime/library/io/write_outputs.ts";
import { parseSetFlags } from "../runtime/library/io/read_inputs.ts";
import {
  compileChecked,
  CommandUsageError,
  EXIT_CODES,
  firstLine,
  fsReason,
  parseCommandArgs,
  pickPipeline,
  usageError,
} from "./command_util.ts";
import type { CliIO } from "./main.ts";
import { renderDiagnostics, shouldColor } from "./render.ts";

export const GRAPH_HELP = `usage: rlp graph FILE -o OUT.svg|OUT.dot|OUT.html [--kernels] [--pipeline NAME] [--set name=value]...

Draws the dataflow graph of a pipeline as the user wrote it: inputs and params at the top, one box per node call
(e.g. group_norm) or expression, results (reward, advantage, loss, metric, output, update) as sinks, boxes grouped
by stage, every edge labelled with the type of its value (f32[P,G,T] ∇policy: dtype, dims, gradient marks).
The format follows OUT's extension: .svg (laid out with ELK), .dot (Graphviz text), .html (the SVG with a legend).
'-o -' writes to stdout (SVG, or the format given by --format).
Exit status: 0 ok, 1 compile errors, 2 --kernels without kernel fusion, 64 usage, 74 cannot write OUT.

options:
  -o, --out FILE         where to write the picture (required), atomically
  --format svg|dot|html  the format when it is not clear from OUT's extension
  --kernels              draw the fused kernels (compiler/fuse) as boxes around the nodes they compute
  --pipeline NAME        the pipeline to draw when FILE declares several
  --set name=value       override a param (repeatable)`;

const FORMATS = new Set(["svg", "dot", "html"]);

export async function graphCommand(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandArgs(argv, {
      out: { type: "string", short: "o" },
      format: { type: "string" },
      kernels: { type: "boolean" },
      pipeline: { type: "string" },
      set: { type: "string", multiple: true },
    });
  } catch (e) {
    if (e instanceof CommandUsageError) return usageError(io, "graph", e.message, GRAPH_HELP);
    throw e;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(GRAPH_HELP + "\n");
    return EXIT_CODES.ok;
  }
  if (positionals.length !== 1)
    return usageError(
      io,
      "graph",
      positionals.length === 0 ? "no file given" : `expected one file, got ${positionals.length}`,
      GRAPH_HELP,
    );
  if (values.out === undefined) return usageError(io, "graph", "-o FILE is required (.svg, .dot or .html)", GRAPH_HELP);
  const { formatOfPath, renderGraph, loadKernelPlan, KernelPlanUnavailable } = await import("../runtime/tools/graph/index.ts");
  if (values.format !== undefined && !FORMATS.has(values.format))
    return usageError(io, "graph", `--format must be svg, dot or html, got '${values.format}'`, GRAPH_HELP);
  const format = (values.format as "svg" | "dot" | "html" | undefined) ?? (values.out === "-" ? "svg" : formatOfPath(values.out));
  if (format === undefined)
    return usageError(
      io,
      "graph",
      `cannot tell the format of '${values.out}': use a .svg, .dot or .html name, or --format`,
      GRAPH_HELP,
    );
  const { set, errors } = parseSetFlags(values.set ?? []);
  if (errors.length > 0) {
    for (const e of errors) io.stderr.write(`rlp graph: error[${e.code}]: ${e.message}\n`);
    return EXIT_CODES.usage;
  }

  const file = positionals[0]!;
  const compiled = compileChecked(file, values.pipeline === undefined ? { set } : { set, pipeline: values.pipeline });
  const unreadable = compiled.diagnostics.find((d) => d.code === "RLP104" && d.span.file === file);
  if (unreadable && compiled.programs.length === 0) {
    io.stderr.write(`rlp graph: ${unreadable.message}\n`);
    return EXIT_CODES.compile;
  }
  const shown = compiled.diagnostics.filter((d) => d.severity !== "info");
  if (shown.length > 0)
    io.stderr.write(renderDiagnostics(shown, compiled.sources, { color: shouldColor(io.stderr, io.env), cwd: process.cwd() }));
  if (hasErrors(compiled.diagnostics)) return EXIT_CODES.compile;
  const picked = pickPipeline(file, compiled.programs, values.pipeline);
  if ("error" in picked) {
    io.stderr.write(`rlp graph: ${picked.error}\n`);
    return EXIT_CODES.compile;
  }

  let kernels;
  if (values.kernels) {
    try {
      kernels = await loadKernelPlan(picked.program);
    } catch (e) {
      if (e instanceof KernelPlanUnavailable) {
        io.stderr.write(`rlp graph: --kernels: ${e.message}\n`);
        return EXIT_CODES.input;
      }
      io.stderr.write(`rlp graph: --kernels: cannot plan the kernels: ${firstLine(e)}\n`);
      return EXIT_CODES.input;
    }
  }
  const text = await renderGraph(picked.program, { format, sources: compiled.sources, file, ...(kernels ? { kernels } : {}) });
  if (values.out === "-") {
    io.stdout.write(text);
    return EXIT_CODES.ok;
  }
  try {
    writeFileAtomic(values.out, text);
  } catch (e) {
    io.stderr.write(`rlp graph: cannot write '${values.out}': ${fsReason(e)}\n`);
    return EXIT_CODES.ioError;
  }
  return EXIT_CODES.ok;
}
