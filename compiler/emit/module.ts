// emitModule: one checked pipeline as a readable TypeScript module, built with ts-morph. The module imports only
// `rlpc/runtime` (runtime/library/index.ts) and holds:
//
//   interfaces   <Name>Inputs, <Name>Params, <Name>Outputs, <Name>Gradients (and <Name>State, <Name>Options with
//                state), generated from the declarations, with the declarations' types and comments in TSDoc
//                (interfaces.ts)
//   functions    evaluate, evaluateWithGrad, close (and createState, saveState, loadState with state)
//   PIPELINE     what the pipeline declares (build_spec.ts; the runtime derives the inputs' JSON Schema from it)
//   FORWARD      the forward pass: the kernel plan's metadata and its kernels (compiler/codegen/js, typed:
//                typed_kernels.ts; kernel_program.ts)
//   GRADIENT     forward + gradients of every loss w.r.t. every differentiable input (when there are any)
//   helpers      the scalar helpers the kernels call
//
// The JSON Schema of the inputs is derived from PIPELINE by the runtime (runtime/library/emitted/validate.ts), so `rlp
// compile` writes the same schema the module validates with. Output is deterministic: the same program and options
// give byte-identical text.
import { IndentationText, NewLineKind, Project, QuoteKind, type SourceFile } from "ts-morph";
import { kernelPlan, runPipeline } from "../pipeline/index.ts";
import type { KernelPlan } from "../fuse/types.ts";
import { isDifferentiable, type IRProgram } from "../ir/ir.ts";
import { buildSpec, runtimeParamsOf } from "./build_spec.ts";
import { addInterfaces } from "./interfaces.ts";
import { kernelSummary, passText } from "./kernel_program.ts";
import { literal } from "./literal.ts";
import { emittedPlugins, pluginImports, pluginsEntry, type EmittedPlugin } from "./plugins.ts";
import { SourceNotes } from "./source_notes.ts";
import type { PipelineSpec } from "../ir/module_spec.ts";
import { documented, section, spaced, WIDTH, wrap, wrapList } from "./text.ts";
import { typedCode, type HelperCode, type PassCode } from "./typed_kernels.ts";

export interface EmitOptions {
  /** The .rlp file as the user named it (shown in the header, in messages and in `PIPELINE.source`). */
  source: string;
  /** Source texts by file (CompileResult.sources): the declarations' trailing `//` comments become TSDoc. */
  sources?: ReadonlyMap<string, string>;
  /** The runtime module the emitted code imports (default "rlpc/runtime"). */
  runtime?: string;
  /**
   * Compiles the same pipeline with some params set (as `--set`; undefined when that fails). With it, a param the
   * kernels read is offered as a run-time param only if changing its value changes nothing else in the kernels: the
   * checker folds static arithmetic on params (`1 - beta` becomes `0.75`), and a param folded anywhere must not be
   * overridden at run time (the folded uses would keep the compiled-in value). Without it, every param the kernels
   * read is a run-time param.
   */
  recompile?: (set: Record<string, string>) => IRProgram | undefined;
  /**
   * The directory the module is written to (default: the working directory). A pipeline that calls custom
   * TypeScript nodes imports their plugin modules by paths relative to it (compiler/emit/plugins.ts).
   */
  outDir?: string;
}

export interface EmittedModule {
  pipeline: string;
  /** `<pipeline>.ts` */
  moduleFile: string;
  /** The module's text. */
  module: string;
  /** What the module embeds as PIPELINE (the source of its inputs' JSON Schema: runtime/library/emitted/validate.ts). */
  spec: PipelineSpec;
}

/** `spo_stream` -> `SpoStream`. */
export function typeName(pipeline: string): string {
  const parts = pipeline.split(/[^A-Za-z0-9]+/).filter((p) => p.length > 0);
  const name = parts.map((p) => p[0]!.toUpperCase() + p.slice(1)).join("");
  return /^[0-9]/.test(name) ? `P${name}` : name || "Pipeline";
}

/** What the parts of the module are made from: the pipeline, its spec, its passes and their typed kernels. */
interface Emission {
  program: IRProgram;
  /** The .rlp file as the user named it (EmitOptions.source). */
  source: string;
  spec: PipelineSpec;
  /** The pipeline's type name (typeName). */
  T: string;
  stateful: boolean;
  runtimeModule: string;
  plugins: ReadonlyMap<string, EmittedPlugin>;
  forwardPlan: KernelPlan;
  forwardCode: PassCode;
  gradPlan: KernelPlan | undefined;
  gradCode: PassCode | undefined;
  helpers: HelperCode;
}

/** The TypeScript module for one checked pipeline (and the spec its inputs' JSON Schema is derived from). */
export function emitModule(program: IRProgram, options: EmitOptions): EmittedModule {
  const T = typeName(program.pipeline);
  const notes = new SourceNotes(options.sources, options.source);
  const forwardPlan = kernelPlan(program);
  const differentiable = program.inputs.filter((i) => isDifferentiable(program, i));
  const hasGrad = differentiable.length > 0 && program.results.some((r) => r.kind === "loss");
  const grad = hasGrad ? runPipeline(program, { grad: true, until: "plan" }) : undefined;
  const gradProgram = grad?.program;
  const gradPlan = grad?.plan;
  const plans = gradPlan ? [forwardPlan, gradPlan] : [forwardPlan];
  const spec = buildSpec(program, runtimeParamsOf(program, plans, options.recompile), gradProgram, options.source);
  const stateful = spec.states.length > 0;
  const runtimeModule = options.runtime ?? "rlpc/runtime";
  const plugins = emittedPlugins(gradProgram ? [program, gradProgram] : [program], options.outDir ?? ".");

  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: {
      indentationText: IndentationText.TwoSpaces,
      quoteKind: QuoteKind.Double,
      newLineKind: NewLineKind.LineFeed,
    },
    compilerOptions: { allowJs: true, noLib: true },
  });
  const helpers: HelperCode = { statements: new Map(), functionNames: [], constantNames: [] };
  const forwardCode = typedCode(project, forwardPlan, "fwd_", helpers);
  const gradCode = gradPlan ? typedCode(project, gradPlan, "grad_", helpers) : undefined;
  const e: Emission = {
    program,
    source: options.source,
    spec,
    T,
    stateful,
    runtimeModule,
    plugins,
    forwardPlan,
    forwardCode,
    gradPlan,
    gradCode,
    helpers,
  };

  const sf = project.createSourceFile(`${program.pipeline}.ts`, "", { overwrite: true });
  addInterfaces(sf, { program, spec, notes, T, hasGradients: gradPlan !== undefined, stateful });
  addFunctions(sf, e);
  // the data and the kernels: plain text, added in one piece (ts-morph re-parses the file on each insertion)
  sf.addStatements(dataAndKernels(e).join("\n\n"));
  addRuntimeImport(sf, runtimeModule);
  sf.insertText(0, `${moduleHeader(e)}\n\n`);
  let text = sf.getFullText();
  if (plugins.size > 0) {
    const end = text.indexOf(`} from ${JSON.stringify(runtimeModule)};\n`) + `} from ${JSON.stringify(runtimeModule)};\n`.length;
    text = `${text.slice(0, end)}${pluginImports(plugins).join("\n")}\n${text.slice(end)}`;
  }
  const module = spaced(text);
  return { pipeline: program.pipeline, moduleFile: `${program.pipeline}.ts`, module, spec };
}

/** The header comment: where the module comes from, its functions and its passes, how inputs are checked. */
function moduleHeader({ program, source, spec, stateful, runtimeModule, plugins, forwardPlan, gradPlan }: Emission): string {
  const resultNames = spec.results.map((r) => r.name);
  const gradNames = spec.gradients.map((g) => g.name);
  return [
    `// Generated by \`rlp compile\` from ${source}, pipeline ${program.pipeline}. Do not edit: regenerate with`,
    `// \`rlp compile ${source} -o <dir>\`. Runs on the rlpc package's runtime (${runtimeModule}) alone.`,
    "//",
    `//   evaluate(inputs, params?, options?)          ${resultNames.length > 0 ? resultNames.join(", ") : "(no results)"}: ${kernelSummary(forwardPlan)}`,
    gradPlan
      ? `//   evaluateWithGrad(inputs, params?, options?)  the same and ${gradNames.join(", ")}: ${kernelSummary(gradPlan)}`
      : "//   evaluateWithGrad(inputs, params?, options?)  the same as evaluate (no loss reaches a differentiable input)",
    ...(stateful
      ? ["//   createState(), saveState(state), loadState(text): the state kept across steps (options.state, result.state)"]
      : []),
    "//",
    `// Inputs are checked at the boundary against ${program.pipeline}.schema.json (the runtime derives the same schema from`,
    "// PIPELINE.inputs) and as `rlp eval` checks an inputs file: a bad input throws InputValidationError with the same",
    "// codes and one-line messages (RLP501-RLP509). Kernels store float32 and accumulate in float64.",
    ...(plugins.size > 0
      ? [
          "//",
          "// Custom nodes run in their plugin modules, imported by paths relative to this file (keep them there):",
          ...[...plugins.values()].map((p) => `//   ${p.specifier}`),
        ]
      : []),
  ].join("\n");
}

/** evaluate, evaluateWithGrad, close (and createState, saveState, loadState with state). */
function addFunctions(sf: SourceFile, { spec, T, stateful }: Emission): void {
  const resultNames = spec.results.map((r) => r.name);
  const gradNames = spec.gradients.map((g) => g.name);
  const optionsType = stateful ? `${T}Options` : "EvaluateOptions";
  const withState = stateful ? ` & { state: ${T}State }` : "";
  const outType = `${T}Outputs${withState}`;
  const gradType = `${T}Outputs & ${T}Gradients${withState}`;
  const throwsDoc =
    "@throws InputValidationError (codes RLP501-RLP509, as `rlp eval`) on bad inputs or params; EvalError on a failed `require`.";
  const callParams = [
    { name: "inputs", type: `${T}Inputs` },
    { name: "params", type: `${T}Params`, hasQuestionToken: true },
    { name: "options", type: optionsType, hasQuestionToken: true },
  ];
  sf.addFunction({
    isExported: true,
    name: "evaluate",
    parameters: callParams,
    returnType: `Promise<${outType}>`,
    docs: [
      wrap(
        `Evaluates the pipeline: ${resultNames.join(", ") || "its results"}${stateful ? ", and the state after the step" : ""}.\n${throwsDoc}`,
        WIDTH - 3,
      ),
    ],
    statements: `return runtime.run<${outType}>("forward", inputs, params, options);`,
  });
  sf.addFunction({
    isExported: true,
    name: "evaluateWithGrad",
    parameters: callParams,
    returnType: `Promise<${gradType}>`,
    docs: [
      wrap(
        `Evaluates the pipeline and ${gradNames.length > 0 ? `the gradients ${gradNames.join(", ")}` : "no gradients (there are none)"}, in one set of fused kernels.\n${throwsDoc}`,
        WIDTH - 3,
      ),
    ],
    statements: `return runtime.run<${gradType}>("gradient", inputs, params, options);`,
  });
  if (stateful) {
    sf.addFunction({
      isExported: true,
      name: "createState",
      returnType: `${T}State`,
      docs: ["A fresh state: empty tables, unkeyed states at their declared initial values."],
      statements: `return runtime.createState<${T}State>();`,
    });
    sf.addFunction({
      isExported: true,
      name: "saveState",
      parameters: [{ name: "state", type: `${T}State` }],
      returnType: "string",
      docs: ["The state as JSON text (a checkpoint; loadState reads it back)."],
      statements: "return runtime.saveState(state);",
    });
    sf.addFunction({
      isExported: true,
      name: "loadState",
      parameters: [{ name: "text", type: "string" }],
      returnType: `${T}State`,
      docs: ['Reads saveState\'s text.\n@throws EvalError (code "state") when the text is not a state of this pipeline.'],
      statements: `return runtime.loadState<${T}State>(text);`,
    });
  }
  sf.addFunction({
    isExported: true,
    name: "close",
    returnType: "Promise<void>",
    docs: ["Stops the worker threads that calls with `threads` > 1 started (idle workers never keep the process alive)."],
    statements: "return runtime.close();",
  });
}

/** PIPELINE, the passes (FORWARD, GRADIENT) with their kernels, the kernels' scalar helpers and the runtime driver. */
function dataAndKernels({ spec, plugins, forwardPlan, forwardCode, gradPlan, gradCode, helpers }: Emission): string[] {
  const tail: string[] = [
    section("what the pipeline declares"),
    documented(
      "The pipeline's declarations: dims, inputs (the source of the JSON Schema), params, states, results and gradients.",
      `export const PIPELINE: PipelineSpec = ${literal(spec, "", "export const PIPELINE: PipelineSpec = ".length)};`,
    ),
    ...passText("FORWARD", `the forward pass: ${kernelSummary(forwardPlan)}`, forwardPlan, forwardCode, plugins),
    ...(gradPlan && gradCode
      ? passText("GRADIENT", `forward and gradients: ${kernelSummary(gradPlan)}`, gradPlan, gradCode, plugins)
      : []),
    ...(helpers.statements.size > 0 ? [section("scalar helpers of the kernels"), ...helpers.statements.values()] : []),
  ];
  const fnList = [...helpers.functionNames, ...forwardCode.functionNames, ...(gradCode?.functionNames ?? [])];
  const constants = helpers.constantNames.length > 0 ? `\n  constants: { ${helpers.constantNames.join(", ")} },` : "";
  tail.push(
    section("the runtime"),
    documented(
      "The driver (rlpc/runtime): validation, binding, kernels, results. Worker threads (options.threads > 1) evaluate the source text of these functions.",
      `const runtime = createPipeline(PIPELINE, { forward: FORWARD, gradient: ${gradPlan ? "GRADIENT" : "FORWARD"} }, {\n  functions: [\n${wrapList(fnList, "    ")}\n  ],${constants}${pluginsEntry(plugins)}\n});`,
    ),
  );
  return tail;
}

/** The import of the runtime, added last: only the runtime types the module mentions (noUnusedLocals); one name per line. */
function addRuntimeImport(sf: SourceFile, runtimeModule: string): void {
  const body = sf.getFullText();
  const types = [
    "EvaluateOptions",
    "KernelContext",
    "KernelProgram",
    "PipelineSpec",
    "TensorInput",
    "TensorOf",
    "TypedArray",
  ].filter((n) => new RegExp(`\\b${n}\\b`).test(body));
  const imports = ["createPipeline", ...types.map((n) => `type ${n}`)];
  sf.insertImportDeclaration(0, {
    moduleSpecifier: runtimeModule,
    namedImports: imports.map((name) => name.replace(/^type /, "")),
  });
  sf.getImportDeclarations()[0]!.replaceWithText(
    `import {\n${imports.map((n) => `  ${n},`).join("\n")}\n} from ${JSON.stringify(runtimeModule)};`,
  );
}
