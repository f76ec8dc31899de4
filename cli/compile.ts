// `rlp compile FILE --dump kernels|js`: shows what the compiler makes of a pipeline: the fused kernel plan of its
// forward pass and gradients (compiler/fuse formatPlan), or the generated JS module (compiler/codegen/js).
import { hasErrors } from "../grammar/diagnostic.ts";
import { parseSetFlags } from "../runtime/io/read_inputs.ts";
import { differentiateAndSimplify } from "../compiler/autodiff/index.ts";
import { formatPlan, planKernels } from "../compiler/fuse/index.ts";
import { generateJs } from "../compiler/codegen/js/index.ts";
import { compileChecked, CommandUsageError, EXIT_CODES, parseCommandArgs, pickPipeline, usageError } from "./command_util.ts";
import type { CliIO } from "./main.ts";
import { renderDiagnostics, shouldColor } from "./render.ts";

export const COMPILE_HELP = `usage: rlp compile FILE --dump kernels|js [--no-grad] [--pipeline NAME] [--set name=value]...

Compiles a pipeline and shows the result on stdout:
  --dump kernels   the fused kernel plan: each kernel's loop nest, the buffers it reads and writes, and the
                   primitives it computes (with their source lines). Includes the gradient of every loss.
  --dump js        the generated JavaScript module (the kernels as typed-array loops).
Exit status: 0 ok, 1 compile errors, 64 usage.

options:
  --dump WHAT        kernels or js (required)
  --no-grad          the forward pass only (no gradients)
  --pipeline NAME    the pipeline when FILE declares several
  --set name=value   override a param (repeatable)`;

export async function compileCommand(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandArgs(argv, {
      dump: { type: "string" },
      "no-grad": { type: "boolean" },
      pipeline: { type: "string" },
      set: { type: "string", multiple: true },
    });
  } catch (e) {
    if (e instanceof CommandUsageError) return usageError(io, "compile", e.message, COMPILE_HELP);
    throw e;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(COMPILE_HELP + "\n");
    return EXIT_CODES.ok;
  }
  if (positionals.length !== 1) return usageError(io, "compile", positionals.length === 0 ? "no file given" : `expected one file, got ${positionals.length}`, COMPILE_HELP);
  if (values.dump === undefined) return usageError(io, "compile", "nothing to do: give --dump kernels or --dump js", COMPILE_HELP);
  if (values.dump !== "kernels" && values.dump !== "js") return usageError(io, "compile", `--dump must be kernels or js, got '${values.dump}'`, COMPILE_HELP);
  const { set, errors } = parseSetFlags(values.set ?? []);
  if (errors.length > 0) {
    for (const e of errors) io.stderr.write(`rlp compile: error[${e.code}]: ${e.message}\n`);
    return EXIT_CODES.usage;
  }

  const file = positionals[0]!;
  const compiled = compileChecked(file, values.pipeline === undefined ? { set } : { set, pipeline: values.pipeline });
  const shown = compiled.diagnostics.filter((d) => d.severity !== "info");
  if (shown.length > 0) io.stderr.write(renderDiagnostics(shown, compiled.sources, { color: shouldColor(io.stderr, io.env), cwd: process.cwd() }));
  if (hasErrors(compiled.diagnostics)) return EXIT_CODES.compile;
  const picked = pickPipeline(file, compiled.programs, values.pipeline);
  if ("error" in picked) {
    io.stderr.write(`rlp compile: ${picked.error}\n`);
    return EXIT_CODES.compile;
  }
  const program = values["no-grad"] ? picked.program : differentiateAndSimplify(picked.program);
  const plan = planKernels(program);
  io.stdout.write(values.dump === "kernels" ? formatPlan(plan, { sources: compiled.sources }) : generateJs(plan).source);
  return EXIT_CODES.ok;
}
