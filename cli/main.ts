// The `rlp` command line. `main` returns the exit code and never throws:
//   0 ok, 1 compile errors, 2 bad inputs or a run-time error, 64 usage, 70 internal error, 74 cannot write output.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { isDifferentiable, type IRProgram } from "../compiler/ir/ir.ts";
import { PipelineVerifyError } from "../compiler/pipeline/index.ts";
import { compileChecked, parseAllowFlags } from "./command_util.ts";
import { COMMAND_HELP, USAGE } from "./help.ts";
import { withSuppliedStages } from "../compiler/stage_inputs.ts";
import { inputNames } from "../runtime/library/io/input_names.ts";
import { hasErrors, type Diagnostic } from "../grammar/diagnostic.ts";
import { parseSetFlags, readInputs, type InputError } from "../runtime/library/io/read_inputs.ts";
import { formatOutputsJson, writeOutputs } from "../runtime/library/io/write_outputs.ts";
import { filled, type Tensor } from "../runtime/library/tensor.ts";
import { renderDiagnostics, renderJson, shouldColor } from "./render.ts";

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** Where main reads and writes (the process by default; tests pass their own). */
export interface CliIO {
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
}

export const EXIT = { ok: 0, compile: 1, input: 2, usage: 64, internal: 70, ioError: 74 } as const;

const RESULT_KINDS = new Set(["loss", "output", "metric", "advantage"]);

class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

function defaultIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0] ?? "";
}

export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      const prefix = e.command ? `rlp ${e.command}` : "rlp";
      const usage = e.command ? COMMAND_HELP[e.command]!.split("\n")[0]! : USAGE;
      io.stderr.write(`${prefix}: ${e.message}\n${usage}\n`);
      return EXIT.usage;
    }
    try {
      // RLP_VERIFY: the stage and every problem found (the first line alone would not say what broke)
      io.stderr.write(`rlp: internal error: ${e instanceof PipelineVerifyError ? e.message : firstLine(e)}\n`);
      if (io.env.RLP_DEBUG && e instanceof Error && e.stack) io.stderr.write(e.stack + "\n");
    } catch {
      // nothing left to report with
    }
    return EXIT.internal;
  }
}

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return String(pkg.version ?? "unknown");
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(USAGE + "\n");
    return EXIT.usage;
  }
  if (first === "--help" || first === "-h") {
    io.stdout.write(USAGE + "\n");
    return EXIT.ok;
  }
  if (first === "--version") {
    io.stdout.write(`rlp ${version()}\n`);
    return EXIT.ok;
  }
  if (first.startsWith("-")) throw new UsageError(`unknown option '${first}'`);
  switch (first) {
    case "help":
      return help(rest, io);
    case "check":
      return check(rest, io);
    case "eval":
      return evalCommand(rest, io);
    default:
      {
        // The other commands live in their own modules, loaded only when used.
        const command = EXTRA_COMMANDS[first];
        if (command) return (await command()).run(rest, io);
      }
      throw new UsageError(`unknown command '${first}'`);
  }
}

interface ExtraCommand {
  run(argv: string[], io: CliIO): number | Promise<number>;
  help: string;
}

/** Commands beyond check and eval: name -> loader of its module. */
const EXTRA_COMMANDS: Record<string, () => Promise<ExtraCommand>> = {
  compile: async () => {
    const m = await import("./compile.ts");
    return { run: m.compileCommand, help: m.COMPILE_HELP };
  },
  list: async () => {
    const m = await import("./list.ts");
    return { run: m.listCommand, help: m.LIST_HELP };
  },
  explain: async () => {
    const m = await import("./list.ts");
    return { run: m.explainCommand, help: m.EXPLAIN_HELP };
  },
  graph: async () => {
    const m = await import("./graph.ts");
    return { run: m.graphCommand, help: m.GRAPH_HELP };
  },
  test: async () => {
    const m = await import("./test_command.ts");
    return { run: m.testCommand, help: m.TEST_HELP };
  },
  train: async () => {
    const m = await import("./train.ts");
    return { run: m.trainCommand, help: m.TRAIN_HELP };
  },
};

async function help(args: string[], io: CliIO): Promise<number> {
  if (args.length === 0) {
    io.stdout.write(USAGE + "\n");
    return EXIT.ok;
  }
  if (args.length > 1) throw new UsageError(`expected one command name, got ${args.length}`, "help");
  const extra = EXTRA_COMMANDS[args[0]!];
  const text = COMMAND_HELP[args[0]!] ?? (extra ? (await extra()).help : undefined);
  if (text === undefined) throw new UsageError(`unknown command '${args[0]}'`);
  io.stdout.write(text + "\n");
  return EXIT.ok;
}

type OptionSpec = Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;

/** util.parseArgs with its errors turned into one-line usage errors. */
function parse<T extends OptionSpec>(command: string, args: string[], options: T) {
  try {
    return parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      const msg = firstLine(e).split(". ")[0]!;
      throw new UsageError(msg.charAt(0).toLowerCase() + msg.slice(1), command);
    }
    throw e;
  }
}

function setFlags(command: string, flags: string[] | undefined, io: CliIO): Record<string, string> | undefined {
  const { set, errors } = parseSetFlags(flags ?? []);
  if (errors.length === 0) return set;
  for (const e of errors) io.stderr.write(`rlp ${command}: error[${e.code}]: ${e.message}\n`);
  io.stderr.write(COMMAND_HELP[command]!.split("\n")[0] + "\n");
  return undefined;
}

function check(args: string[], io: CliIO): number {
  const { values, positionals } = parse("check", args, {
    format: { type: "string" },
    set: { type: "string", multiple: true },
    allow: { type: "string", multiple: true },
  });
  if (values.help) {
    io.stdout.write(COMMAND_HELP.check + "\n");
    return EXIT.ok;
  }
  const format = values.format ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError(`--format must be text or json, got '${format}'`, "check");
  if (positionals.length === 0) throw new UsageError("no files given", "check");
  const allowed = parseAllowFlags(values.allow);
  if ("error" in allowed) throw new UsageError(allowed.error, "check");
  const set = setFlags("check", values.set, io);
  if (!set) return EXIT.usage;
  const diags: Diagnostic[] = [];
  const sources = new Map<string, string>();
  for (const file of positionals) {
    const r = compileChecked(file, { set, allow: allowed.allow });
    diags.push(...r.diagnostics);
    for (const [k, v] of r.sources) sources.set(k, v);
  }
  if (format === "json") io.stdout.write(renderJson(diags, sources));
  else io.stderr.write(renderDiagnostics(diags, sources, renderOptions(io)));
  return hasErrors(diags) ? EXIT.compile : EXIT.ok;
}

/**
 * The `--set` pairs meant for the compiler: `--set` may also name an input (read_inputs broadcasts the value), which
 * the compiler would reject as an unknown param. A quiet compile without `--set` tells which names are inputs.
 */
function paramSets(file: string, set: Record<string, string>, pipeline: string | undefined): Record<string, string> {
  if (Object.keys(set).length === 0) return set;
  const probe = compileChecked(file, pipeline === undefined ? { set: {} } : { set: {}, pipeline });
  const programs = pipeline === undefined ? probe.programs : probe.programs.filter((p) => p.pipeline === pipeline);
  const inputs = new Set(programs.flatMap((p) => p.inputs.map((i) => i.name)));
  return Object.fromEntries(Object.entries(set).filter(([name]) => !inputs.has(name)));
}

function renderOptions(io: CliIO): { color: boolean; cwd: string } {
  return { color: shouldColor(io.stderr, io.env), cwd: process.cwd() };
}

function printInputErrors(errors: readonly InputError[], io: CliIO): void {
  for (const e of errors) io.stderr.write(`rlp eval: error[${e.code}]: ${e.message}\n`);
}

function pickProgram(file: string, programs: IRProgram[], name: string | undefined, io: CliIO): IRProgram | undefined {
  const names = programs.map((p) => p.pipeline).join(", ");
  if (name !== undefined) {
    const p = programs.find((q) => q.pipeline === name);
    if (!p) io.stderr.write(`rlp eval: ${file} has no pipeline '${name}'${names ? ` (it declares ${names})` : ""}\n`);
    return p;
  }
  if (programs.length === 1) return programs[0];
  io.stderr.write(
    programs.length === 0
      ? `rlp eval: ${file} declares no pipeline\n`
      : `rlp eval: ${file} declares several pipelines (${names}); pick one with --pipeline NAME\n`,
  );
  return undefined;
}

async function evalCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse("eval", args, {
    inputs: { type: "string" },
    set: { type: "string", multiple: true },
    grad: { type: "boolean" },
    out: { type: "string" },
    pipeline: { type: "string" },
  });
  if (values.help) {
    io.stdout.write(COMMAND_HELP.eval + "\n");
    return EXIT.ok;
  }
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? "no file given" : `expected one file, got ${positionals.length}`, "eval");
  if (values.inputs === undefined) throw new UsageError("--inputs FILE is required", "eval");
  const set = setFlags("eval", values.set, io);
  if (!set) return EXIT.usage;
  const file = positionals[0]!;

  const pipeline = values.pipeline === undefined ? {} : { pipeline: values.pipeline };
  const compiled = compileChecked(file, { set: paramSets(file, set, values.pipeline), ...pipeline });
  // Lints (info) are for `rlp check`; eval shows errors and warnings only.
  const shown = compiled.diagnostics.filter((d) => d.severity !== "info");
  if (shown.length > 0) io.stderr.write(renderDiagnostics(shown, compiled.sources, renderOptions(io)));
  if (hasErrors(compiled.diagnostics)) return EXIT.compile;
  const picked = pickProgram(file, compiled.programs, values.pipeline, io);
  if (!picked) return EXIT.compile;
  // A rollout, reward or advantage value in the inputs file is used instead of computing that stage.
  const program = withSuppliedStages(picked, inputNames(values.inputs));

  const read = readInputs(values.inputs, program, { set });
  for (const w of read.warnings) io.stderr.write(`rlp eval: warning: ${w}\n`);
  if (read.errors.length > 0) {
    printInputErrors(read.errors, io);
    return EXIT.input;
  }

  // Loaded here so that `rlp check` does not load the evaluator.
  const { EvalError, evaluate, symbolicGradients } = await import("../runtime/backends/reference/index.ts");
  const { loadPlugins } = await import("../runtime/library/plugin/registry.ts");
  const outputs: Record<string, Tensor> = {};
  try {
    await loadPlugins(program);
    const ev = evaluate(program, read.tensors);
    for (const r of program.results) {
      if (!RESULT_KINDS.has(r.kind)) continue;
      const v = ev.results[r.name] ?? ev.values[r.node];
      if (v) outputs[r.name] = v;
    }
    if (values.grad) {
      const marked = program.inputs.filter((i) => isDifferentiable(program, i));
      if (marked.length === 0)
        io.stderr.write(`rlp eval: warning: --grad: pipeline '${program.pipeline}' has no differentiable inputs\n`);
      // the symbolic gradient program (what `rlp compile` emits), evaluated in float64
      const g = symbolicGradients(program, read.tensors);
      for (const loss of program.results.filter((r) => r.kind === "loss")) {
        for (const x of marked) {
          const name = `d${loss.name}/d${x.name}`;
          outputs[name] = g[name] ?? zerosLike(x.type.dims, ev.dimSizes);
        }
      }
    }
  } catch (e) {
    if (e instanceof EvalError) {
      io.stderr.write(`rlp eval: error[${e.code}]: ${firstLine(e)}\n`);
      return EXIT.input;
    }
    throw e;
  }

  if (values.out !== undefined && values.out !== "-") {
    try {
      writeOutputs(values.out, outputs);
    } catch (e) {
      io.stderr.write(`rlp eval: cannot write '${values.out}': ${firstLine(e)}\n`);
      return EXIT.ioError;
    }
  } else io.stdout.write(formatOutputsJson(outputs));
  return EXIT.ok;
}

/** The gradient of an input the loss does not depend on. */
function zerosLike(dims: string[], sizes: Record<string, number>): Tensor {
  return filled(
    "f32",
    dims,
    dims.map((d) => sizes[d] ?? 0),
    0,
  );
}
