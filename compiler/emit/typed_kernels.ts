// The kernels of an emitted module: the JS backend's generated functions (generateJs) parsed with ts-morph and given
// types, with non-null assertions on indexed reads, 0/1 for bool stores and unread consts dropped (so the module
// type-checks under strict options, noUncheckedIndexedAccess and noUnusedLocals included); their text is otherwise
// unchanged.
import { Node, ts, type FunctionDeclaration, type Project, type VariableStatement } from "ts-morph";
import { generateJs } from "../codegen/js/index.ts";
import type { KernelPlan } from "../fuse/types.ts";

export interface PassCode {
  /** The kernel table: per plan kernel, the typed function names (null: a library kernel). */
  table: ({ name: string; body: string; end: string } | null)[];
  /** The kernel functions' text (with their leading comments). */
  functions: string[];
  functionNames: string[];
}

export interface HelperCode {
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
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken,
  ts.SyntaxKind.PercentEqualsToken,
  ts.SyntaxKind.AmpersandEqualsToken,
  ts.SyntaxKind.BarEqualsToken,
  ts.SyntaxKind.CaretEqualsToken,
  ts.SyntaxKind.LessThanLessThanEqualsToken,
  ts.SyntaxKind.GreaterThanGreaterThanEqualsToken,
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
  for (const e of [...edits].sort((x, y) => y.at - x.at || y.remove - x.remove))
    out = `${out.slice(0, e.at)}${e.insert}${out.slice(e.at + e.remove)}`;
  return out;
}

/** The declaration's text (no leading comments) parsed alone: its function or variable statement. */
function parseAlone(project: Project, text: string): FunctionDeclaration | VariableStatement {
  const sf = project.createSourceFile("__declaration.ts", text, { overwrite: true });
  const st = sf.getStatements()[0];
  if (!Node.isFunctionDeclaration(st) && !Node.isVariableStatement(st))
    throw new Error("emit: expected a function or a variable statement");
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
  for (let current = text; ;) {
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
      if (
        !ts.isVariableStatement(n) ||
        !(n.declarationList.flags & ts.NodeFlags.Const) ||
        n.declarationList.declarations.length !== 1
      )
        return;
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
function typedFunction(
  decl: FunctionDeclaration,
  newName: string,
  paramType: (name: string) => string,
  returnType: string,
  boolBuffers: ReadonlySet<string>,
): string {
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
      if (
        parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        boolBuffers.has(e.expression.getText(source)) &&
        !/^(0|1)$/.test(right.getText(source))
      ) {
        edits.push(
          { at: right.getStart(source) - start, remove: 0, insert: "(" },
          { at: right.getEnd() - start, remove: 0, insert: ") ? 1 : 0" },
        );
      }
      return;
    }
    if (
      (ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) &&
      (parent.operator === ts.SyntaxKind.PlusPlusToken || parent.operator === ts.SyntaxKind.MinusMinusToken)
    )
      return;
    if (ts.isNonNullExpression(parent)) return;
    edits.push({ at: e.getEnd() - start, remove: 0, insert: "!" });
  });
  return applyEdits(fn.getText(source), edits);
}

/** Parses generateJs's module and returns its kernels (renamed with `prefix`, typed) and its helpers (typed). */
export function typedCode(project: Project, plan: KernelPlan, prefix: string, helpers: HelperCode): PassCode {
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
  const table = plan.kernels.map((k) =>
    k.kind === "library" ? null : { name: k.name, body: `${prefix}${k.name}`, end: `${prefix}${k.name}_end` },
  );
  project.removeSourceFile(sf);
  return { table, functions, functionNames };
}
