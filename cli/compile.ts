// `rlp compile FILE -o DIR`: writes each pipeline of FILE as a TypeScript module DIR/<pipeline>.ts (compiler/emit) and
// the JSON Schema of its inputs, DIR/<pipeline>.schema.json (runtime/library/emitted/validate.ts derives it from the spec the
// module embeds). `rlp compile FILE --dump kernels|js`: shows what the compiler makes of a pipeline: the fused kernel
// plan of its forward pass and gradients (compiler/fuse formatPlan), or the generated JS module (compiler/codegen/js).
// `rlp compile FILE --dump-after STAGE`: the IR (or the plan, or the module) after any stage of compiler/pipeline.
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { hasErrors } from "../grammar/diagnostic.ts";
import { emitModule, type EmittedModule } from "../compiler/emit/index.ts";
import { displayPath } from "../runtime/library/io/errors.ts";
import { writeFileAtomic } from "../runtime/library/io/write_outputs.ts";
import { pipelineInputsSchema } from "../runtime/library/emitted/validate.ts";
import { parseSetFlags } from "../runtime/library/io/read_inputs.ts";
import { formatPlan } from "../compiler/fuse/index.ts";
import { runPipeline, STAGES } from "../compiler/pipeline/index.ts";
import { dumpAfter, parseStage } from "./dump_after.ts";
import {
  compileChecked,
  CommandUsageError,
  EXIT_CODES,
  fsReason,
  parseAllowFlags,
  parseCommandArgs,
  pickPipeline,
  usageError,
} from "./command_util.ts";
import type { CliIO } from "./main.ts";
import { renderDiagnostics, shouldColor } from "./render.ts";

export const COMPILE_HELP = `usage: rlp compile FILE (-o DIR | --dump kernels|js | --dump-after STAGE) [--no-grad] [--pipeline NAME] [--set name=value]... [--allow CODE]...

Compiles pipelines:
  -o DIR           writes DIR/<pipeline>.ts, a TypeScript module with typed inputs, params and outputs,
                   evaluate(), evaluateWithGrad(), state save/load and the fused kernels, running on the
                   rlpc package's runtime (rlpc/runtime); and DIR/<pipeline>.schema.json, the JSON Schema of
                   its inputs. Every pipeline of FILE (or the one --pipeline names). See docs/compile.md.
  --dump kernels   the fused kernel plan: each kernel's loop nest, the buffers it reads and writes, and the
                   primitives it computes (with their source lines). Includes the gradient of every loss.
  --dump js        the generated JavaScript module (the kernels as typed-array loops).
  --dump-after STAGE
                   the IR after that stage of the compiler (after plan: the kernel plan; after generate: the
                   JS module). The stages, in order: ${STAGES.slice(0, 4).join(", ")},
                   ${STAGES.slice(4).join(", ")}. See docs/compile.md.
Exit status: 0 ok, 1 compile errors, 64 usage, 74 cannot write DIR.

options:
  -o, --out-dir DIR  the directory to write the modules to (created if missing)
  --dump WHAT        kernels or js, on stdout
  --dump-after STAGE the output of that stage, on stdout (RLP601: an unknown stage)
  --no-grad          --dump, --dump-after: the forward pass only (no gradients)
  --pipeline NAME    the pipeline when FILE declares several
  --set name=value   override a param (repeatable; -o: fixes its value in the module)
  --allow CODE       switch a lint off, e.g. --allow RLP401 (repeatable; lints only, see docs/diagnostics.md)`;

export async function compileCommand(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandArgs(argv, {
      dump: { type: "string" },
      "dump-after": { type: "string" },
      "out-dir": { type: "string", short: "o" },
      "no-grad": { type: "boolean" },
      pipeline: { type: "string" },
      set: { type: "string", multiple: true },
      allow: { type: "string", multiple: true },
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
  if (positionals.length !== 1)
    return usageError(
      io,
      "compile",
      positionals.length === 0 ? "no file given" : `expected one file, got ${positionals.length}`,
      COMPILE_HELP,
    );
  const outDir = values["out-dir"];
  const dumps = [outDir !== undefined, values.dump !== undefined, values["dump-after"] !== undefined].filter(Boolean).length;
  if (dumps > 1) return usageError(io, "compile", "give one of -o DIR, --dump and --dump-after", COMPILE_HELP);
  if (outDir === "") return usageError(io, "compile", "-o needs a directory", COMPILE_HELP);
  if (outDir !== undefined && values["no-grad"])
    return usageError(
      io,
      "compile",
      "--no-grad applies to --dump only (the module has evaluate and evaluateWithGrad)",
      COMPILE_HELP,
    );
  if (dumps === 0)
    return usageError(io, "compile", "nothing to do: give -o DIR, --dump kernels, --dump js or --dump-after STAGE", COMPILE_HELP);
  if (values.dump !== undefined && values.dump !== "kernels" && values.dump !== "js")
    return usageError(io, "compile", `--dump must be kernels or js, got '${values.dump}'`, COMPILE_HELP);
  const allowed = parseAllowFlags(values.allow);
  if ("error" in allowed) return usageError(io, "compile", allowed.error, COMPILE_HELP);
  const { set, errors } = parseSetFlags(values.set ?? []);
  if (errors.length > 0) {
    for (const e of errors) io.stderr.write(`rlp compile: error[${e.code}]: ${e.message}\n`);
    return EXIT_CODES.usage;
  }

  const after = values["dump-after"] === undefined ? undefined : parseStage(values["dump-after"], values["no-grad"] === true);
  if (after !== undefined && "error" in after) {
    io.stderr.write(`rlp compile: ${after.error}\n`);
    return EXIT_CODES.usage;
  }

  const file = positionals[0]!;
  const compiled = compileChecked(
    file,
    values.pipeline === undefined ? { set, allow: allowed.allow } : { set, allow: allowed.allow, pipeline: values.pipeline },
  );
  const shown = compiled.diagnostics.filter((d) => d.severity !== "info");
  if (shown.length > 0)
    io.stderr.write(renderDiagnostics(shown, compiled.sources, { color: shouldColor(io.stderr, io.env), cwd: process.cwd() }));
  if (hasErrors(compiled.diagnostics)) return EXIT_CODES.compile;
  if (outDir !== undefined) {
    const programs =
      values.pipeline === undefined ? compiled.programs : compiled.programs.filter((p) => p.pipeline === values.pipeline);
    if (programs.length === 0) {
      const picked = pickPipeline(file, compiled.programs, values.pipeline);
      io.stderr.write(`rlp compile: ${"error" in picked ? picked.error : `${file} declares no pipeline`}\n`);
      return EXIT_CODES.compile;
    }
    let emitted: EmittedModule[];
    try {
      emitted = programs.map((p) =>
        emitModule(p, {
          source: displayPath(file),
          sources: compiled.sources,
          outDir, // plugin modules (custom nodes) are imported by paths relative to it
          // to tell which params stay symbolic in the kernels (run-time params) from those folded into constants
          recompile: (extra) => {
            const r = compileChecked(file, { set: { ...set, ...extra }, pipeline: p.pipeline });
            return hasErrors(r.diagnostics) ? undefined : r.programs.find((q) => q.pipeline === p.pipeline);
          },
        }),
      );
    } catch (e) {
      io.stderr.write(`rlp compile: cannot emit the module: ${firstLineOf(e)}\n`);
      return EXIT_CODES.compile;
    }
    return writeModules(outDir, emitted, io);
  }
  const picked = pickPipeline(file, compiled.programs, values.pipeline);
  if ("error" in picked) {
    io.stderr.write(`rlp compile: ${picked.error}\n`);
    return EXIT_CODES.compile;
  }
  if (after !== undefined) {
    io.stdout.write(dumpAfter(picked.program, after.stage, { grad: values["no-grad"] !== true, sources: compiled.sources }));
    return EXIT_CODES.ok;
  }
  const { plan, js } = runPipeline(picked.program, { grad: values["no-grad"] !== true });
  io.stdout.write(values.dump === "kernels" ? formatPlan(plan!, { sources: compiled.sources }) : js!.source);
  return EXIT_CODES.ok;
}

function firstLineOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";
}

/** Writes each module and its schema into `dir` (created if missing), each file atomically. */
function writeModules(dir: string, emitted: readonly EmittedModule[], io: CliIO): number {
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    io.stderr.write(
      `rlp compile: cannot write to '${dir}': ${code === "EEXIST" || code === "ENOTDIR" ? "not a directory" : fsReason(e)}\n`,
    );
    return EXIT_CODES.ioError;
  }
  for (const m of emitted) {
    const files: [string, string][] = [
      [m.moduleFile, m.module],
      [`${m.pipeline}.schema.json`, `${JSON.stringify(pipelineInputsSchema(m.spec), null, 2)}\n`],
    ];
    for (const [name, text] of files) {
      const path = join(dir, name);
      try {
        writeFileAtomic(path, text);
      } catch (e) {
        io.stderr.write(`rlp compile: cannot write '${path}': ${fsReason(e)}\n`);
        return EXIT_CODES.ioError;
      }
      io.stdout.write(`wrote ${path}\n`);
    }
  }
  return EXIT_CODES.ok;
}
