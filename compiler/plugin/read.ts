// Reads the custom nodes of a TypeScript plugin (`import "./my_nodes.ts"`) without running it: ts-morph parses the
// module, and each `export const NAME = defineNode({...})` becomes a signature taken from the TypeScript types of its
// `forward` function (runtime/library/plugin/api.ts says what they may be). Whatever cannot be read is a diagnostic that names
// the file and the node (RLP120-RLP122); the compiler never sees a half-read signature.
import type {
  ArrowFunction,
  FunctionExpression,
  MethodDeclaration,
  Node,
  ObjectLiteralExpression,
  Project,
  SourceFile,
  TypeNode,
} from "ts-morph";
import type { DTypeName, DimEntry, Span, TypeExpr } from "../../grammar/ast.ts";
import { diag, type Diagnostic } from "../../grammar/diagnostic.ts";
import { literalValue, NotLiteral } from "./literal.ts";
import { morph } from "./morph.ts";
import { displayPath } from "../display_path.ts";

export type PluginParam =
  | { kind: "tensor"; name: string; type: Extract<TypeExpr, { kind: "tensor" }>; grad: boolean; span: Span }
  | { kind: "dim"; name: string; span: Span }
  | { kind: "static"; name: string; type: "number" | "boolean" | { labels: string[] }; span: Span };

export interface PluginNode {
  /** The plugin file (absolute path) and the export's name (the node's name in .rlp). */
  plugin: string;
  name: string;
  doc?: string;
  params: PluginParam[];
  results: Extract<TypeExpr, { kind: "tensor" }>[];
  differentiable: boolean;
  /** `override: true`: it replaces the std node of the same name on purpose. */
  override: boolean;
  /** `params: {...}` of the definition: a JSON Schema per static parameter (literal values). */
  schemas: Record<string, Record<string, unknown>>;
  span: Span;
}

const DTYPES: readonly DTypeName[] = ["f32", "i32", "bool", "id"];
type Fn = FunctionExpression | ArrowFunction | MethodDeclaration;

let project: Project | undefined;

/**
 * The nodes a plugin defines, and what is wrong with it. `unreadable` names the nodes it defines that could not be read
 * (already reported): a call of one is not reported again as an unknown node.
 */
export function readPlugin(path: string, text: string): { nodes: PluginNode[]; diagnostics: Diagnostic[]; unreadable: string[] } {
  const { Node, Project, ts } = morph();
  project ??= new Project({ useInMemoryFileSystem: true, skipAddingFilesFromTsConfig: true });
  const sf = project.createSourceFile(path, text, { overwrite: true });
  const nodes: PluginNode[] = [];
  const diagnostics: Diagnostic[] = [];
  const unreadable: string[] = [];
  const span = (n: Node): Span => spanOf(sf, path, n);
  // Only syntax is checked here: the module's types are the user's TypeScript compiler's business.
  const syntax = project.getProgram().compilerObject.getSyntacticDiagnostics(sf.compilerNode);
  for (const d of syntax.slice(0, 1)) {
    const start = d.start ?? 0;
    const { line, column } = sf.getLineAndColumnAtPos(start);
    diagnostics.push(
      diag("RLP120", `plugin ${displayPath(path)} does not parse: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`, {
        file: path,
        start,
        end: start + (d.length ?? 0),
        line,
        col: column,
      }),
    );
  }
  if (diagnostics.length > 0) return { nodes, diagnostics, unreadable: definedNames(sf) };

  for (const stmt of sf.getVariableStatements()) {
    for (const decl of stmt.getDeclarations()) {
      const init = decl.getInitializer();
      if (!init || !Node.isCallExpression(init) || !/(^|\.)defineNode$/.test(init.getExpression().getText())) continue;
      const name = decl.getName();
      const fail = (message: string, at: Node = decl.getNameNode()) => {
        diagnostics.push(diag("RLP121", `plugin ${displayPath(path)}, node '${name}': ${message}`, span(at)));
        unreadable.push(name);
      };
      if (!stmt.isExported()) {
        fail(`it is not exported, so a pipeline cannot use it; write 'export const ${name} = defineNode({...})'`);
        continue;
      }
      const obj = init.getArguments()[0];
      if (!obj || !Node.isObjectLiteralExpression(obj)) {
        fail("defineNode takes an object literal ({ forward(...) {...}, gradient(...) {...} })", init);
        continue;
      }
      const node = readNode(path, name, obj, span, fail);
      if (node)
        nodes.push({
          ...node,
          span: span(decl.getNameNode()),
          doc: node.doc ?? docComment(stmt.getJsDocs().map((j) => j.getDescription())),
        });
    }
  }
  if (nodes.length === 0 && diagnostics.length === 0) {
    diagnostics.push(
      diag(
        "RLP122",
        `plugin ${displayPath(path)} exports no nodes: define them with 'export const NAME = defineNode({ forward(...) {...}, ... })' (import { defineNode } from "rlpc/plugin")`,
        { file: path, start: 0, end: 0, line: 1, col: 1 },
      ),
    );
  }
  return { nodes, diagnostics, unreadable };
}

/** The names of `const NAME = defineNode(...)` declarations (of a module that does not parse: as far as it goes). */
function definedNames(sf: SourceFile): string[] {
  const { Node } = morph();
  return sf.getVariableStatements().flatMap((stmt) =>
    stmt.getDeclarations().flatMap((decl) => {
      const init = decl.getInitializer();
      return init && Node.isCallExpression(init) && /(^|\.)defineNode$/.test(init.getExpression().getText())
        ? [decl.getName()]
        : [];
    }),
  );
}

function readNode(
  path: string,
  name: string,
  obj: ObjectLiteralExpression,
  span: (n: Node) => Span,
  fail: (m: string, at?: Node) => void,
): Omit<PluginNode, "span"> | undefined {
  const { Node, SyntaxKind } = morph();
  const forward = functionProperty(obj, "forward");
  if (!forward) {
    fail('it has no forward function (forward(x: Tensor<"f32", ["..."]>, ...): Result<"f32", ["..."]> { ... })', obj);
    return undefined;
  }
  const gradient = functionProperty(obj, "gradient");
  const diffProp = obj.getProperty("differentiable");
  const declaredNonDiff =
    diffProp !== undefined &&
    Node.isPropertyAssignment(diffProp) &&
    diffProp.getInitializer()?.getKind() === SyntaxKind.FalseKeyword;
  if (diffProp && !declaredNonDiff) return void fail("'differentiable' may only be written as 'differentiable: false'", diffProp);
  if (gradient && declaredNonDiff)
    return void fail("it declares 'differentiable: false' and also a gradient; keep one", diffProp);
  const overrideProp = obj.getProperty("override");
  const override =
    overrideProp !== undefined &&
    Node.isPropertyAssignment(overrideProp) &&
    overrideProp.getInitializer()?.getKind() === SyntaxKind.TrueKeyword;
  if (overrideProp && !override) return void fail("'override' may only be written as 'override: true'", overrideProp);

  let doc: string | undefined;
  const docProp = obj.getProperty("doc");
  if (docProp && Node.isPropertyAssignment(docProp)) {
    const v = docProp.getInitializer();
    if (v && (Node.isStringLiteral(v) || Node.isNoSubstitutionTemplateLiteral(v))) doc = v.getLiteralText();
  }

  let schemas: Record<string, Record<string, unknown>> = {};
  const paramsProp = obj.getProperty("params");
  if (paramsProp) {
    const init = Node.isPropertyAssignment(paramsProp) ? paramsProp.getInitializer() : undefined;
    try {
      const v = init ? literalValue(init) : undefined;
      if (
        v === null ||
        typeof v !== "object" ||
        Array.isArray(v) ||
        Object.values(v).some((s) => s === null || typeof s !== "object" || Array.isArray(s))
      ) {
        return void fail(
          "'params' must be an object with a JSON Schema object per parameter ({ eps: { type: \"number\", default: 1e-6 } })",
          paramsProp,
        );
      }
      schemas = v as Record<string, Record<string, unknown>>;
    } catch (e) {
      if (e instanceof NotLiteral)
        return void fail(
          `'params' must be written as a literal (the compiler reads it without running the plugin): ${e.message}`,
          e.node,
        );
      throw e;
    }
  }

  const params: PluginParam[] = [];
  for (const p of forward.getParameters()) {
    const pname = p.getName();
    const tn = p.getTypeNode();
    if (!tn)
      return void fail(
        `forward's parameter '${pname}' has no type; write Tensor<"f32", [...]>, Dim, number, boolean or a union of string literals`,
        p,
      );
    if (p.isRestParameter() || p.hasQuestionToken() || p.hasInitializer())
      return void fail(`forward's parameter '${pname}' must be a plain parameter (defaults go in 'params')`, p);
    const param = readParam(pname, tn, span);
    if (typeof param === "string") return void fail(`forward's parameter '${pname}': ${param}`, tn);
    params.push(param);
  }
  for (const key of Object.keys(schemas)) {
    const p = params.find((q) => q.name === key);
    if (!p || p.kind !== "static")
      return void fail(`'params' describes '${key}', which is not a number, boolean or string parameter of forward`, paramsProp);
  }
  const rt = forward.getReturnTypeNode();
  if (!rt)
    return void fail("forward has no declared result type; write ': Result<\"f32\", [...]>' (or a tuple of them)", forward);
  const resultNodes = Node.isTupleTypeNode(rt) ? rt.getElements() : [rt];
  const results: Extract<TypeExpr, { kind: "tensor" }>[] = [];
  for (const r of resultNodes) {
    const t = readTensorType(r, "Result", span);
    if (typeof t === "string") return void fail(`forward's result type: ${t}`, r);
    results.push(t.type);
  }
  if (!gradient && !declaredNonDiff) {
    return void fail(
      "it has no gradient; write gradient(dy, ...same parameters as forward) returning { x: ... } per f32 argument, or declare 'differentiable: false'",
      obj,
    );
  }
  return { plugin: path, name, doc, params, results, differentiable: !declaredNonDiff, override, schemas };
}

function functionProperty(obj: ObjectLiteralExpression, name: string): Fn | undefined {
  const { Node } = morph();
  const p = obj.getProperty(name);
  if (!p) return undefined;
  if (Node.isMethodDeclaration(p)) return p;
  if (Node.isPropertyAssignment(p)) {
    const v = p.getInitializer();
    if (v && (Node.isArrowFunction(v) || Node.isFunctionExpression(v))) return v;
  }
  return undefined;
}

function readParam(name: string, tn: TypeNode, span: (n: Node) => Span): PluginParam | string {
  const { Node, SyntaxKind } = morph();
  const sp = span(tn);
  if (tn.getKind() === SyntaxKind.NumberKeyword) return { kind: "static", name, type: "number", span: sp };
  if (tn.getKind() === SyntaxKind.BooleanKeyword) return { kind: "static", name, type: "boolean", span: sp };
  const labels = stringLiterals(tn);
  if (labels) return { kind: "static", name, type: { labels }, span: sp };
  if (Node.isTypeReference(tn) && refName(tn) === "Dim") return { kind: "dim", name, span: sp };
  const t = readTensorType(tn, "Tensor", span);
  return typeof t === "string" ? t : { kind: "tensor", name, type: t.type, grad: t.grad, span: sp };
}

/** `Tensor<"f32", ["...", "over"], "const"?>` or `Result<"f32", [...]>`. */
function readTensorType(
  tn: TypeNode,
  want: "Tensor" | "Result",
  span: (n: Node) => Span,
): { type: Extract<TypeExpr, { kind: "tensor" }>; grad: boolean } | string {
  const { Node } = morph();
  const usage = `${want}<"f32", ["...", "G"]> (a dtype and a tuple of dim names)`;
  if (!Node.isTypeReference(tn) || refName(tn) !== want)
    return `the type must be ${usage}${want === "Tensor" ? ", Dim, number, boolean or a union of string literals" : ""}, not ${tn.getText()}`;
  const [dt, dims, gradKind, ...rest] = tn.getTypeArguments();
  const dtype = dt ? stringLiterals(dt)?.[0] : undefined;
  if (!dtype || !DTYPES.includes(dtype as DTypeName))
    return `the dtype must be one of ${DTYPES.map((d) => `"${d}"`).join(", ")} (${usage})`;
  if (!dims || !Node.isTupleTypeNode(dims)) return `the dims must be a tuple of string literals (${usage})`;
  const entries: DimEntry[] = [];
  for (const el of dims.getElements()) {
    const s = stringLiterals(el);
    if (!s || s.length !== 1) return `each dim must be a string literal ("..." or a dim name), not ${el.getText()}`;
    const text = s[0]!;
    const sp = span(el);
    if (text === "...") entries.push({ kind: "row", span: sp });
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) entries.push({ kind: "dim", name: { name: text, span: sp } });
    else return `'${text}' is not a dim name ("..." or an identifier)`;
  }
  let grad = dtype === "f32";
  if (gradKind) {
    const g = stringLiterals(gradKind)?.[0];
    if (want === "Result" || (g !== "const" && g !== "grad"))
      return `the third type argument may only be "const" or "grad" (on a Tensor parameter)`;
    grad = grad && g === "grad";
  }
  if (rest.length > 0) return `too many type arguments (${usage})`;
  return { type: { kind: "tensor", dtype: dtype as DTypeName, dims: entries.length > 0 ? entries : null, span: span(tn) }, grad };
}

function refName(tn: TypeNode): string {
  const { Node } = morph();
  return Node.isTypeReference(tn) ? tn.getTypeName().getText().replace(/^.*\./, "") : "";
}

/** `"a"` or `"a" | "b"`: the labels; undefined for anything else. */
function stringLiterals(tn: TypeNode): string[] | undefined {
  const { Node } = morph();
  const parts = Node.isUnionTypeNode(tn) ? tn.getTypeNodes() : [tn];
  const out: string[] = [];
  for (const p of parts) {
    if (!Node.isLiteralTypeNode(p)) return undefined;
    const lit = p.getLiteral();
    if (!Node.isStringLiteral(lit)) return undefined;
    out.push(lit.getLiteralText());
  }
  return out;
}

function spanOf(sf: SourceFile, file: string, n: Node): Span {
  const start = n.getStart();
  const { line, column } = sf.getLineAndColumnAtPos(start);
  return { file, start, end: n.getEnd(), line, col: column };
}

function docComment(parts: string[]): string | undefined {
  const text = parts.join(" ").replace(/\s+/g, " ").trim();
  return text || undefined;
}
