// emitModule: one checked pipeline as a readable TypeScript module, built with ts-morph. The module imports only
// `rlpc/runtime` (runtime/index.ts) and holds:
//
//   interfaces   <Name>Inputs, <Name>Params, <Name>Outputs, <Name>Gradients (and <Name>State, <Name>Options with
//                state), generated from the declarations, with the declarations' types and comments in TSDoc
//   functions    evaluate, evaluateWithGrad, close (and createState, saveState, loadState with state)
//   PIPELINE     what the pipeline declares (the runtime derives the inputs' JSON Schema from it)
//   FORWARD      the forward pass: the kernel plan's metadata and its kernels (compiler/codegen/js, typed)
//   GRADIENT     forward + gradients of every loss w.r.t. every differentiable input (when there are any)
//   helpers      the scalar helpers the kernels call
//
// The kernels are the JS backend's generated functions (generateJs), parsed with ts-morph and given types, with
// non-null assertions on indexed reads, 0/1 for bool stores and unread consts dropped (so the module type-checks
// under strict options, noUncheckedIndexedAccess and noUnusedLocals included); their text is otherwise unchanged.
// The JSON Schema of the inputs is derived from PIPELINE by the runtime (runtime/emitted/validate.ts), so `rlp
// compile` writes the same schema the module validates with. Output is deterministic: the same program and options
// give byte-identical text.
import { IndentationText, NewLineKind, Node, Project, QuoteKind, StructureKind, ts, type FunctionDeclaration, type InterfaceDeclarationStructure, type SourceFile, type VariableStatement } from "ts-morph";
import type { Span } from "../../grammar/ast.ts";
import { differentiateAndSimplify } from "../autodiff/index.ts";
import { generateJs, planMeta } from "../codegen/js/index.ts";
import { planKernels } from "../fuse/index.ts";
import type { KernelPlan } from "../fuse/types.ts";
import { isDifferentiable, type IRProgram, type IRType, type ResultKind } from "../ir.ts";
import { literal, propertyName } from "./literal.ts";
import { emittedPlugins, pluginImports, pluginsEntry, relocatePlugins, type EmittedPlugin } from "./plugins.ts";
import type { GradientSpec, InputSpec, ParamSpec, PipelineSpec, ResultSpec, StateSpec, StateUpdateSpec } from "./spec.ts";

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
  /** What the module embeds as PIPELINE (the source of its inputs' JSON Schema: runtime/emitted/validate.ts). */
  spec: PipelineSpec;
}

const RESULT_KINDS: ReadonlySet<ResultKind> = new Set(["loss", "metric", "output", "advantage"]);

/** `spo_stream` -> `SpoStream`. */
export function typeName(pipeline: string): string {
  const parts = pipeline.split(/[^A-Za-z0-9]+/).filter((p) => p.length > 0);
  const name = parts.map((p) => p[0]!.toUpperCase() + p.slice(1)).join("");
  return /^[0-9]/.test(name) ? `P${name}` : name || "Pipeline";
}

function formatType(t: IRType): string {
  const idx = t.indexOf ? `<${t.indexOf}>` : "";
  return t.dims.length === 0 ? `${t.dtype}${idx}` : `${t.dtype}${idx}[${t.dims.join(",")}]`;
}

function tupleType(dims: readonly string[]): string {
  return `[${dims.map((d) => JSON.stringify(d)).join(", ")}]`;
}

/** Text safe inside a TSDoc comment. */
function doc(text: string): string {
  return text.replace(/\*\//g, "*\\/");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

class SourceNotes {
  constructor(private readonly sources: ReadonlyMap<string, string> | undefined, private readonly display: string) {}

  /** `grpo.rlp:10` for a span. */
  where(span: Span | undefined): string {
    return span ? `${this.display}:${span.line}` : this.display;
  }

  /** The `//` comment that ends the line where a declaration ends, if any. */
  comment(span: Span | undefined): string | undefined {
    const text = span ? this.sources?.get(span.file) : undefined;
    if (!text || !span) return undefined;
    const eol = text.indexOf("\n", span.end);
    const rest = text.slice(span.end, eol < 0 ? undefined : eol);
    const m = /\/\/\s?(.*?)\s*$/.exec(rest);
    return m && m[1] ? m[1] : undefined;
  }

  /**
   * A declaration the IR keeps no span for (`state NAME ...`), found in the pipeline's body in `file`: where it is
   * (`dcpo.rlp:23`) and its trailing comment.
   */
  find(file: string | undefined, pipeline: string, keyword: string, name: string): { where: string; comment?: string } {
    const text = file === undefined ? undefined : this.sources?.get(file);
    const from = text?.search(new RegExp(`\\bpipeline\\s+${pipeline}\\b`)) ?? -1;
    if (!text || from < 0) return { where: this.display };
    const re = new RegExp(`^[ \\t]*${keyword}[ \\t]+${name}\\b[^\\n]*`, "m");
    const m = re.exec(text.slice(from));
    if (!m) return { where: this.display };
    const at = from + m.index;
    const line = text.slice(0, at).split("\n").length;
    const comment = /\/\/\s?(.*?)\s*$/.exec(m[0])?.[1];
    return { where: `${this.display}:${line}`, ...(comment ? { comment } : {}) };
  }
}

// ---------------------------------------------------------------- the spec (what the pipeline declares)

/** The kernels of a plan, except the params' compiled-in values. */
function kernelsSignature(plan: KernelPlan): string {
  const meta = planMeta(plan);
  return JSON.stringify({ ...meta, params: Object.keys(meta.params).sort() }) + generateJs(plan).kernels.map((k) => k.source).join("\n");
}

/** Other values to try a param at (an integer stays an integer). */
function perturbations(v: number): number[] {
  return Number.isInteger(v) ? [v + 1, v - 1] : [v * 1.5, v * 0.5];
}

/**
 * The params the kernels read (plan params) that may be overridden at run time: with `recompile`, those whose
 * value, changed, leaves every kernel and the plan unchanged (see EmitOptions.recompile).
 */
function runtimeParamsOf(program: IRProgram, plans: KernelPlan[], recompile: EmitOptions["recompile"]): Set<string> {
  const read = new Set(plans.flatMap((p) => Object.keys(planMeta(p).params)));
  if (!recompile) return read;
  const want = plans.map(kernelsSignature);
  const safe = new Set<string>();
  for (const name of read) {
    const value = program.params.find((p) => p.name === name)?.value;
    if (typeof value !== "number") continue;
    for (const v of perturbations(value)) {
      const other = recompile({ [name]: String(v) });
      if (!other) continue;
      const otherPlans = [planKernels(other), ...(plans.length > 1 ? [planKernels(differentiateAndSimplify(other))] : [])];
      if (otherPlans.every((p, i) => kernelsSignature(p) === want[i])) safe.add(name);
      break;
    }
  }
  return safe;
}

function buildSpec(program: IRProgram, runtimeParams: ReadonlySet<string>, gradProgram: IRProgram | undefined, source: string): PipelineSpec {
  const inputs: InputSpec[] = program.inputs.map((i) => ({
    name: i.name,
    dtype: i.type.dtype,
    dims: [...i.type.dims],
    ...(i.type.indexOf === undefined ? {} : { indexOf: i.type.indexOf }),
    ...(i.mark === undefined ? {} : { mark: i.mark }),
    ...(i.default === undefined ? {} : { default: i.default }),
    line: i.span?.line ?? 0,
    col: i.span?.col ?? 0,
  }));
  const params: ParamSpec[] = program.params.map((p) => ({ name: p.name, value: p.value, runtime: runtimeParams.has(p.name) }));
  const states: StateSpec[] = program.states.map((s) => ({ name: s.name, keyed: s.keyed, init: s.init }));
  const results: ResultSpec[] = program.results
    .filter((r) => RESULT_KINDS.has(r.kind))
    .map((r) => {
      const t = program.nodes[r.node]!.type;
      return { name: r.name, kind: r.kind as ResultSpec["kind"], dtype: t.dtype, dims: [...t.dims] };
    });
  const gradients: GradientSpec[] = (gradProgram?.results ?? [])
    .filter((r) => r.kind === "grad")
    .map((r) => ({ name: r.name, loss: r.of!, input: r.wrt!, dims: [...program.inputs.find((i) => i.name === r.wrt)!.type.dims] }));
  return { pipeline: program.pipeline, source, dims: program.dims.map((d) => ({ ...d })), inputs, params, states, results, gradients };
}

function updatesOf(plan: KernelPlan): StateUpdateSpec[] {
  const keyed = new Map(plan.program.states.map((s) => [s.name, s.keyed]));
  return plan.program.results
    .filter((r) => r.kind === "update")
    .map((r) => {
      const value = plan.results[r.name];
      if (value === undefined) throw new Error(`emit: update ${r.name} has no buffer`);
      const key = r.key === undefined ? undefined : plan.buffers.find((b) => b.node === r.key)?.id;
      if (r.key !== undefined && key === undefined) throw new Error(`emit: the key of update ${r.name} has no buffer`);
      return { state: r.name, keyed: keyed.get(r.name) ?? r.key !== undefined, value, ...(key === undefined ? {} : { key }) };
    });
}

// ---------------------------------------------------------------- the kernels (typed from the generated JS)

interface PassCode {
  /** The kernel table: per plan kernel, the typed function names (null: a library kernel). */
  table: ({ name: string; body: string; end: string } | null)[];
  /** The kernel functions' text (with their leading comments). */
  functions: string[];
  functionNames: string[];
}

interface HelperCode {
  /** name -> statement text, in first-use order. */
  statements: Map<string, string>;
  functionNames: string[];
  constantNames: string[];
}

const KERNEL_PARAM_TYPES: Record<string, string> = {
  B: "TypedArray[]",
  Z: "KernelContext",
  lo: "number",
  hi: "number",
  total: "Float64Array",
  S: "Float64Array[]",
};

function leadingComments(node: Node): string[] {
  return node.getLeadingCommentRanges().map((c) => c.getText());
}

const ASSIGNMENTS: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.EqualsToken, ts.SyntaxKind.PlusEqualsToken, ts.SyntaxKind.MinusEqualsToken, ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken, ts.SyntaxKind.PercentEqualsToken, ts.SyntaxKind.AmpersandEqualsToken, ts.SyntaxKind.BarEqualsToken,
  ts.SyntaxKind.CaretEqualsToken, ts.SyntaxKind.LessThanLessThanEqualsToken, ts.SyntaxKind.GreaterThanGreaterThanEqualsToken,
  ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken,
]);

interface Edit {
  at: number;
  /** characters removed from `at` */
  remove: number;
  insert: string;
}

function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((x, y) => y.at - x.at || y.remove - x.remove)) out = `${out.slice(0, e.at)}${e.insert}${out.slice(e.at + e.remove)}`;
  return out;
}

/** The declaration's text (no leading comments) parsed alone: its function or variable statement. */
function parseAlone(project: Project, text: string): FunctionDeclaration | VariableStatement {
  const sf = project.createSourceFile("__declaration.ts", text, { overwrite: true });
  const st = sf.getStatements()[0];
  if (!Node.isFunctionDeclaration(st) && !Node.isVariableStatement(st)) throw new Error("emit: expected a function or a variable statement");
  return st;
}

/** Visits every compiler node under `node` (the raw TypeScript AST: the kernels are large, wrappers are not needed). */
function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  ts.forEachChild(node, (c) => walk(c, visit));
}

/**
 * Drops the `const`s of a kernel that nothing reads (pure expressions; `noUnusedLocals`), until none is left. A const
 * is visible in its block: it is unread when its name occurs there once (a sibling loop may declare its own).
 */
function withoutUnusedConsts(project: Project, text: string): string {
  for (let current = text; ; ) {
    const fn = parseAlone(project, current).compilerNode;
    // occurrences of each name in each block (counted in every enclosing block)
    const counts = new Map<ts.Node, Map<string, number>>();
    walk(fn, (n) => {
      if (!ts.isIdentifier(n)) return;
      for (let p: ts.Node | undefined = n.parent; p !== undefined; p = p.parent) {
        if (!ts.isBlock(p)) continue;
        let m = counts.get(p);
        if (!m) counts.set(p, (m = new Map()));
        m.set(n.text, (m.get(n.text) ?? 0) + 1);
      }
    });
    const edits: Edit[] = [];
    walk(fn, (n) => {
      if (!ts.isVariableStatement(n) || !(n.declarationList.flags & ts.NodeFlags.Const) || n.declarationList.declarations.length !== 1) return;
      const name = n.declarationList.declarations[0]!.name;
      if (!ts.isIdentifier(name) || counts.get(n.parent)?.get(name.text) !== 1) return;
      // the whole line: indentation, statement, trailing comment, newline
      const lineStart = current.lastIndexOf("\n", n.getStart() - 1) + 1;
      const eol = current.indexOf("\n", n.getEnd());
      edits.push({ at: lineStart, remove: (eol < 0 ? current.length : eol + 1) - lineStart, insert: "" });
    });
    if (edits.length === 0) return current;
    current = applyEdits(current, edits);
  }
}

/**
 * A function with typed parameters (and `newName`), written so that it type-checks under strict options without
 * changing what it computes: a non-null assertion after every indexed read (`B[3]!`, `Z.n["T"]!`, `b_mask[o]!`:
 * `noUncheckedIndexedAccess`), and a bool store of a number (`b_t24[0] = (v24) ? 1 : 0`: the 0/1 the Uint8Array
 * would store). Writes (`b_A[o] = v`, `a[i] += v`) are not asserted.
 */
function typedFunction(decl: FunctionDeclaration, newName: string, paramType: (name: string) => string, returnType: string, boolBuffers: ReadonlySet<string>): string {
  const fn = decl.compilerNode;
  const source = decl.getSourceFile().compilerNode;
  const start = fn.getStart(source);
  const body = fn.body!;
  const bodyText = body.getText(source);
  const params = fn.parameters.map((p) => p.name.getText(source));
  const used = (name: string): boolean => new RegExp(`\\b${name}\\b`).test(bodyText);
  const header = `function ${newName}(${params.map((p) => `${used(p) ? p : `_${p}`}: ${paramType(p)}`).join(", ")}): ${returnType} `;
  const edits: Edit[] = [{ at: 0, remove: body.getStart(source) - start, insert: header }];
  walk(body, (e) => {
    if (!ts.isElementAccessExpression(e)) return;
    const parent = e.parent;
    if (ts.isBinaryExpression(parent) && parent.left === e && ASSIGNMENTS.has(parent.operatorToken.kind)) {
      const right = parent.right;
      if (parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && boolBuffers.has(e.expression.getText(source)) && !/^(0|1)$/.test(right.getText(source))) {
        edits.push({ at: right.getStart(source) - start, remove: 0, insert: "(" }, { at: right.getEnd() - start, remove: 0, insert: ") ? 1 : 0" });
      }
      return;
    }
    if ((ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) && (parent.operator === ts.SyntaxKind.PlusPlusToken || parent.operator === ts.SyntaxKind.MinusMinusToken)) return;
    if (ts.isNonNullExpression(parent)) return;
    edits.push({ at: e.getEnd() - start, remove: 0, insert: "!" });
  });
  return applyEdits(fn.getText(source), edits);
}

/** Parses generateJs's module and returns its kernels (renamed with `prefix`, typed) and its helpers (typed). */
function typedCode(project: Project, plan: KernelPlan, prefix: string, helpers: HelperCode): PassCode {
  const js = generateJs(plan);
  const sf = project.createSourceFile(`${prefix}generated.ts`, js.source, { overwrite: true });
  const kernelNames = new Set(plan.kernels.flatMap((k) => (k.kind === "library" ? [] : [k.name, `${k.name}_end`])));
  const boolBuffers = new Set(plan.buffers.filter((b) => b.dtype === "bool").map((b) => `b_${b.name}`));
  const functions: string[] = [];
  const functionNames: string[] = [];
  let phase: "head" | "helpers" | "kernels" | "driver" = "head";
  for (const st of sf.getStatements()) {
    if (phase === "driver") break;
    const comments = leadingComments(st);
    if (Node.isVariableStatement(st)) {
      const name = st.getDeclarations()[0]!.getName();
      if (name === "plan") phase = "helpers";
      else if (name === "kernels") phase = "driver";
      else if (phase === "helpers" && !helpers.statements.has(name)) {
        helpers.statements.set(name, [...comments, st.getText()].join("\n")); // `const LANCZOS = [...]`
        helpers.constantNames.push(name);
      }
      continue;
    }
    if (!Node.isFunctionDeclaration(st)) continue;
    const name = st.getName()!;
    if (kernelNames.has(name)) {
      phase = "kernels";
      const fn = parseAlone(project, withoutUnusedConsts(project, st.getText())) as FunctionDeclaration;
      const paramType = (p: string): string => {
        const t = KERNEL_PARAM_TYPES[p];
        if (t === undefined) throw new Error(`emit: unexpected kernel parameter ${p} in ${name}`);
        return t;
      };
      functions.push([...comments, typedFunction(fn, `${prefix}${name}`, paramType, "void", boolBuffers)].join("\n"));
      functionNames.push(`${prefix}${name}`);
    } else if (phase === "helpers" && !helpers.statements.has(name)) {
      helpers.statements.set(name, [...comments, typedFunction(st, name, () => "number", "number", new Set())].join("\n"));
      helpers.functionNames.push(name);
    }
  }
  const table = plan.kernels.map((k) => (k.kind === "library" ? null : { name: k.name, body: `${prefix}${k.name}`, end: `${prefix}${k.name}_end` }));
  project.removeSourceFile(sf);
  return { table, functions, functionNames };
}

function programLiteral(plan: KernelPlan, code: PassCode, plugins: ReadonlyMap<string, EmittedPlugin>): string {
  const meta = literal(relocatePlugins(planMeta(plan), plugins), "  ", "  plan: ".length);
  const kernels = code.table.map((k) => (k === null ? "    null, // a library kernel (runtime/kernels/library.ts)" : `    { name: ${JSON.stringify(k.name)}, body: ${k.body}, end: ${k.end} },`));
  const updates = literal(updatesOf(plan), "  ", "  updates: ".length);
  return `{\n  plan: ${meta},\n  kernels: [\n${kernels.join("\n")}\n  ],\n  updates: ${updates},\n}`;
}

function kernelSummary(plan: KernelPlan): string {
  const loops = plan.kernels.filter((k) => k.kind !== "library").length;
  const lib = plan.kernels.length - loops;
  return `${plural(loops, "fused loop kernel")}${lib > 0 ? ` and ${plural(lib, "library kernel")}` : ""}`;
}

// ---------------------------------------------------------------- the module

/** Wraps prose to `width` columns (a TSDoc body: ts-morph adds the ` * ` prefixes). */
function wrap(text: string, width: number): string {
  const out: string[] = [];
  for (const para of text.split("\n")) {
    let line = "";
    for (const word of para.match(/[^\s`]*`[^`]*`\S*|\S+/g) ?? []) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return doc(out.join("\n"));
}

/** One statement: a TSDoc comment wrapped at 120 columns, then `code`. */
function documented(description: string, code: string): string {
  const body = wrap(description, 116).split("\n");
  const comment = body.length === 1 && body[0]!.length <= 110 ? `/** ${body[0]} */` : ["/**", ...body.map((l) => (l ? ` * ${l}` : " *")), " */"].join("\n");
  return `${comment}\n${code}`;
}

const WIDTH = 120;

/** The TypeScript module for one checked pipeline (and the spec its inputs' JSON Schema is derived from). */
export function emitModule(program: IRProgram, options: EmitOptions): EmittedModule {
  const T = typeName(program.pipeline);
  const notes = new SourceNotes(options.sources, options.source);
  const forwardPlan = planKernels(program);
  const differentiable = program.inputs.filter((i) => isDifferentiable(program, i));
  const hasGrad = differentiable.length > 0 && program.results.some((r) => r.kind === "loss");
  const gradProgram = hasGrad ? differentiateAndSimplify(program) : undefined;
  const gradPlan = gradProgram ? planKernels(gradProgram) : undefined;
  const plans = gradPlan ? [forwardPlan, gradPlan] : [forwardPlan];
  const spec = buildSpec(program, runtimeParamsOf(program, plans, options.recompile), gradProgram, options.source);
  const stateful = spec.states.length > 0;
  const runtimeModule = options.runtime ?? "rlpc/runtime";
  const plugins = emittedPlugins(gradProgram ? [program, gradProgram] : [program], options.outDir ?? ".");

  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double, newLineKind: NewLineKind.LineFeed },
    compilerOptions: { allowJs: true, noLib: true },
  });
  const helpers: HelperCode = { statements: new Map(), functionNames: [], constantNames: [] };
  const forwardCode = typedCode(project, forwardPlan, "fwd_", helpers);
  const gradCode = gradPlan ? typedCode(project, gradPlan, "grad_", helpers) : undefined;

  const resultNames = spec.results.map((r) => r.name);
  const gradNames = spec.gradients.map((g) => g.name);
  const header = [
    `// Generated by \`rlp compile\` from ${options.source}, pipeline ${program.pipeline}. Do not edit: regenerate with`,
    `// \`rlp compile ${options.source} -o <dir>\`. Runs on the rlpc package's runtime (${runtimeModule}) alone.`,
    "//",
    `//   evaluate(inputs, params?, options?)          ${resultNames.length > 0 ? resultNames.join(", ") : "(no results)"}: ${kernelSummary(forwardPlan)}`,
    gradPlan
      ? `//   evaluateWithGrad(inputs, params?, options?)  the same and ${gradNames.join(", ")}: ${kernelSummary(gradPlan)}`
      : "//   evaluateWithGrad(inputs, params?, options?)  the same as evaluate (no loss reaches a differentiable input)",
    ...(stateful ? ["//   createState(), saveState(state), loadState(text): the state kept across steps (options.state, result.state)"] : []),
    "//",
    `// Inputs are checked at the boundary against ${program.pipeline}.schema.json (the runtime derives the same schema from`,
    "// PIPELINE.inputs) and as `rlp eval` checks an inputs file: a bad input throws InputValidationError with the same",
    "// codes and one-line messages (RLP501-RLP509). Kernels store float32 and accumulate in float64.",
    ...(plugins.size > 0
      ? ["//", "// Custom nodes run in their plugin modules, imported by paths relative to this file (keep them there):", ...[...plugins.values()].map((p) => `//   ${p.specifier}`)]
      : []),
  ].join("\n");

  const sf = project.createSourceFile(`${program.pipeline}.ts`, "", { overwrite: true });
  // ---- interfaces
  const dimsText = spec.dims.map((d) => (d.labels ? `${d.name} = {${d.labels.join(", ")}}` : d.size !== undefined ? `${d.name} = ${d.size}` : d.aliasOf ? `${d.name} (= ${d.aliasOf})` : d.name)).join(", ");
  // a member's TSDoc: one line when `  /** text */` fits, else wrapped under ` * `
  const propDoc = (text: string): string => {
    const w = wrap(text, WIDTH - 5);
    return !w.includes("\n") && w.length + 9 > WIDTH ? `\n${w}` : w;
  };
  addInterface(sf, {
    name: `${T}Inputs`,
    docs: [wrap(`The inputs of pipeline ${program.pipeline}${dimsText ? ` (dims ${dimsText})` : ""}. Each is an inputs-file entry (nested arrays, or \`{ dims?, shape?, data }\`), or typed-array data with its shape. Dims without a declared size are bound from the inputs: every input that names a dim must agree on its size.`, WIDTH - 3)],
    properties: program.inputs.map((i) => {
      const decl = `\`input ${i.name}: ${formatType(i.type)}${i.mark ? ` @${i.mark}` : ""}${i.default !== undefined ? ` = ${i.default}` : ""}\``;
      const comment = notes.comment(i.span);
      const extra = i.default !== undefined ? "optional" : "";
      return {
        name: propertyName(i.name),
        type: `TensorInput<${JSON.stringify(i.type.dtype)}, ${tupleType(i.type.dims)}>`,
        hasQuestionToken: i.default !== undefined,
        docs: [propDoc(`${decl} (${notes.where(i.span)})${extra ? `, ${extra}` : ""}${comment ? `: ${comment}` : ""}`)],
      };
    }),
  });

  const fixed = spec.params.filter((p) => !p.runtime);
  const fixedText = fixed.length > 0
    ? ` Fixed when compiled (recompile with \`rlp compile --set NAME=VALUE\` to change): ${fixed.map((p) => `${p.name} = ${String(p.value)}`).join(", ")}.`
    : "";
  addInterface(sf, {
    name: `${T}Params`,
    docs: [wrap(`Run-time params of pipeline ${program.pipeline}: each optional, overriding its compiled-in default for one call.${fixedText}`, WIDTH - 3)],
    properties: spec.params.filter((p) => p.runtime).map((p) => ({
      name: propertyName(p.name),
      type: "number",
      hasQuestionToken: true,
      docs: [propDoc(`\`param ${p.name}\`${paramComment(notes, program, p.name)}\n@defaultValue ${String(p.value)}`)],
    })),
  });

  addInterface(sf, {
    name: `${T}Outputs`,
    docs: [wrap(`What evaluate returns: the losses, metrics, outputs and advantages of pipeline ${program.pipeline} (scalars as numbers; tensors with float64 data, dims in canonical order).`, WIDTH - 3)],
    properties: spec.results.map((r) => {
      const res = program.results.find((x) => x.name === r.name && x.kind === r.kind)!;
      const comment = notes.comment(res.span);
      return {
        name: propertyName(r.name),
        type: r.dims.length === 0 ? "number" : `TensorOf<${JSON.stringify(r.dtype)}, ${tupleType(r.dims)}>`,
        docs: [propDoc(`\`${r.kind} ${r.name}: ${formatType({ dtype: r.dtype, dims: r.dims })}\` (${notes.where(res.span)})${comment ? `: ${comment}` : ""}`)],
      };
    }),
  });
  addInterface(sf, {
    name: `${T}Gradients`,
    docs: [wrap(gradPlan ? "The gradients evaluateWithGrad adds: `dL/dx` for every loss L and differentiable input x (zeros where L does not depend on x)." : "No gradients: no loss of this pipeline reaches a differentiable input.", WIDTH - 3)],
    properties: spec.gradients.map((g) => ({
      name: propertyName(g.name),
      type: `TensorOf<"f32", ${tupleType(g.dims)}>`,
      docs: [propDoc(`The gradient of loss ${g.loss} with respect to input ${g.input}: \`f32[${g.dims.join(",")}]\`.`)],
    })),
  });
  if (stateful) {
    addInterface(sf, {
      name: `${T}State`,
      docs: [wrap(`The state of pipeline ${program.pipeline} across steps: start from createState(), pass it to each step (options.state) and keep the one the step returns (result.state). saveState and loadState write and read it as JSON.`, WIDTH - 3)],
      properties: spec.states.map((s) => {
        const found = notes.find(program.inputs[0]?.span?.file, program.pipeline, "state", s.name);
        const what = s.keyed ? `a value per id (ids without an entry read ${s.init})` : "one number";
        return {
          name: propertyName(s.name),
          type: s.keyed ? "Map<number, number>" : "number",
          docs: [propDoc(`\`state ${s.name}: ${s.keyed ? "table " : ""}f32 = ${s.init}\` (${found.where}): ${what}${found.comment ? `; ${found.comment}` : ""}.`)],
        };
      }),
    });
    addInterface(sf, {
      name: `${T}Options`,
      extends: ["EvaluateOptions"],
      docs: ["Options of a step."],
      properties: [{ name: "state", type: `${T}State`, hasQuestionToken: true, docs: ["The state before this step (default: createState())."] }],
    });
  }

  // ---- functions
  const optionsType = stateful ? `${T}Options` : "EvaluateOptions";
  const withState = stateful ? ` & { state: ${T}State }` : "";
  const outType = `${T}Outputs${withState}`;
  const gradType = `${T}Outputs & ${T}Gradients${withState}`;
  const throwsDoc = "@throws InputValidationError (codes RLP501-RLP509, as `rlp eval`) on bad inputs or params; EvalError on a failed `require`.";
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
    docs: [wrap(`Evaluates the pipeline: ${resultNames.join(", ") || "its results"}${stateful ? ", and the state after the step" : ""}.\n${throwsDoc}`, WIDTH - 3)],
    statements: `return runtime.run<${outType}>("forward", inputs, params, options);`,
  });
  sf.addFunction({
    isExported: true,
    name: "evaluateWithGrad",
    parameters: callParams,
    returnType: `Promise<${gradType}>`,
    docs: [wrap(`Evaluates the pipeline and ${gradNames.length > 0 ? `the gradients ${gradNames.join(", ")}` : "no gradients (there are none)"}, in one set of fused kernels.\n${throwsDoc}`, WIDTH - 3)],
    statements: `return runtime.run<${gradType}>("gradient", inputs, params, options);`,
  });
  if (stateful) {
    sf.addFunction({ isExported: true, name: "createState", returnType: `${T}State`, docs: ["A fresh state: empty tables, unkeyed states at their declared initial values."], statements: `return runtime.createState<${T}State>();` });
    sf.addFunction({ isExported: true, name: "saveState", parameters: [{ name: "state", type: `${T}State` }], returnType: "string", docs: ["The state as JSON text (a checkpoint; loadState reads it back)."], statements: "return runtime.saveState(state);" });
    sf.addFunction({ isExported: true, name: "loadState", parameters: [{ name: "text", type: "string" }], returnType: `${T}State`, docs: ["Reads saveState's text.\n@throws EvalError (code \"state\") when the text is not a state of this pipeline."], statements: `return runtime.loadState<${T}State>(text);` });
  }
  sf.addFunction({ isExported: true, name: "close", returnType: "Promise<void>", docs: ["Stops the worker threads that calls with `threads` > 1 started (idle workers never keep the process alive)."], statements: "return runtime.close();" });

  // ---- data and kernels
  const section = (title: string): string => `// ${"-".repeat(64)} ${title}`;
  // the data and the kernels: plain text, added in one piece (ts-morph re-parses the file on each insertion)
  const tail: string[] = [
    section("what the pipeline declares"),
    documented(
      "The pipeline's declarations: dims, inputs (the source of the JSON Schema), params, states, results and gradients.",
      `export const PIPELINE: PipelineSpec = ${literal(spec, "", "export const PIPELINE: PipelineSpec = ".length)};`,
    ),
    ...passText("FORWARD", `the forward pass: ${kernelSummary(forwardPlan)}`, forwardPlan, forwardCode, section, plugins),
    ...(gradPlan && gradCode ? passText("GRADIENT", `forward and gradients: ${kernelSummary(gradPlan)}`, gradPlan, gradCode, section, plugins) : []),
    ...(helpers.statements.size > 0 ? [section("scalar helpers of the kernels"), ...helpers.statements.values()] : []),
  ];
  const fnList = [...helpers.functionNames, ...forwardCode.functionNames, ...(gradCode?.functionNames ?? [])];
  const constants = helpers.constantNames.length > 0 ? `\n  constants: { ${helpers.constantNames.join(", ")} },` : "";
  tail.push(section("the runtime"), documented(
    "The driver (rlpc/runtime): validation, binding, kernels, results. Worker threads (options.threads > 1) evaluate the source text of these functions.",
    `const runtime = createPipeline(PIPELINE, { forward: FORWARD, gradient: ${gradPlan ? "GRADIENT" : "FORWARD"} }, {\n  functions: [\n${wrapList(fnList, "    ")}\n  ],${constants}${pluginsEntry(plugins)}\n});`,
  ));
  sf.addStatements(tail.join("\n\n"));

  // the import, last: only the runtime types the module mentions (noUnusedLocals); one name per line
  const body = sf.getFullText();
  const types = ["EvaluateOptions", "KernelContext", "KernelProgram", "PipelineSpec", "TensorInput", "TensorOf", "TypedArray"].filter((n) => new RegExp(`\\b${n}\\b`).test(body));
  const imports = ["createPipeline", ...types.map((n) => `type ${n}`)];
  sf.insertImportDeclaration(0, { moduleSpecifier: runtimeModule, namedImports: imports.map((name) => name.replace(/^type /, "")) });
  sf.getImportDeclarations()[0]!.replaceWithText(`import {\n${imports.map((n) => `  ${n},`).join("\n")}\n} from ${JSON.stringify(runtimeModule)};`);
  sf.insertText(0, `${header}\n\n`);
  let text = sf.getFullText();
  if (plugins.size > 0) {
    const end = text.indexOf(`} from ${JSON.stringify(runtimeModule)};\n`) + `} from ${JSON.stringify(runtimeModule)};\n`.length;
    text = `${text.slice(0, end)}${pluginImports(plugins).join("\n")}\n${text.slice(end)}`;
  }
  const module = spaced(text);
  return { pipeline: program.pipeline, moduleFile: `${program.pipeline}.ts`, module, spec };
}

/** Blank lines between top-level declarations and around section rules; no runs of blank lines. */
function spaced(text: string): string {
  const lines = text.replace(/\s*$/, "").split("\n");
  const out: string[] = [];
  const starts = /^(\/\/ -{16}|\/\*\*|\/\/ kernel |function |const |export |let )/;
  for (const line of lines) {
    const prev = out[out.length - 1];
    if (prev !== undefined && prev !== "" && (/^\/\/ -{16}/.test(prev) || (starts.test(line) && /^(}|};|\))/.test(prev)) || /^\/\/ -{16}/.test(line))) out.push("");
    out.push(line);
  }
  return `${out.join("\n").replace(/\n{3,}/g, "\n\n")}\n`;
}

function paramComment(notes: SourceNotes, program: IRProgram, name: string): string {
  const node = program.nodes.find((n) => n.op.op === "param" && n.op.name === name);
  const comment = notes.comment(node?.span);
  return `${node?.span ? ` (${notes.where(node.span)})` : ""}${comment ? `: ${comment}` : ""}`;
}

function addInterface(sf: SourceFile, s: Omit<InterfaceDeclarationStructure, "kind">): void {
  sf.addInterface({ ...s, kind: StructureKind.Interface, isExported: true });
}

function passText(name: string, what: string, plan: KernelPlan, code: PassCode, section: (title: string) => string, plugins: ReadonlyMap<string, EmittedPlugin>): string[] {
  return [
    section(what),
    documented(
      `${what[0]!.toUpperCase()}${what.slice(1)}. The plan (buffers by id; \`results\` maps each result to its buffer), the kernels in order and the state updates.`,
      `const ${name}: KernelProgram = ${programLiteral(plan, code, plugins)};`,
    ),
    ...code.functions,
  ];
}

function wrapList(names: readonly string[], indent: string, width = WIDTH): string {
  const lines: string[] = [];
  let line = "";
  for (const n of names) {
    const piece = `${n},`;
    if (line && indent.length + line.length + 1 + piece.length > width) {
      lines.push(`${indent}${line}`);
      line = piece;
    } else line = line ? `${line} ${piece}` : piece;
  }
  if (line) lines.push(`${indent}${line}`);
  return lines.join("\n");
}
