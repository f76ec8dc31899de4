// Plain-words syntax error messages (RLP002) for chevrotain's error recovery: token names are written as they
// appear in source ('=', 'let', a name), never chevrotain's token class names, and each message says where the
// parser was ("in a let statement").
import type { IParserErrorMessageProvider, IToken, TokenType } from "chevrotain";
import { Comma, Identifier, RBrace, StringLit } from "./lexer.ts";

/** What was being parsed, by rule name; the innermost rule on the stack with an entry wins. */
const CONTEXT: Record<string, string> = {
  importDecl: "in an import",
  enumDecl: "in an enum declaration",
  dimDecl: "in a dim declaration",
  dimItem: "in a dim declaration",
  nodeDecl: "in a node declaration",
  nodeParam: "in a node parameter",
  results: "in the result types of a node",
  block: "in a node body",
  pipelineDecl: "in a pipeline",
  pipelineItem: "in a pipeline",
  paramDecl: "in a param declaration",
  inputDecl: "in an input declaration",
  dimRef: "in an input declaration",
  stateDecl: "in a state declaration",
  modelDecl: "in a model declaration",
  letStmt: "in a let statement",
  requireStmt: "in a require statement",
  returnStmt: "in a return statement",
  updateStmt: "in an update statement",
  optimizeStmt: "in an optimize statement",
  filterStmt: "in a filter statement",
  type: "in a type",
  dimEntry: "in a type",
  args: "in the arguments of a call",
  arg: "in the arguments of a call",
  bracket: "inside '[...]'",
  matchExpr: "in a match expression",
  ifExpr: "in an if expression",
  labelledRest: "in a labelled literal",
  listExpr: "in a list",
};

const EXPR_RULES = new Set([
  "expr",
  "ifExpr",
  "orExpr",
  "andExpr",
  "notExpr",
  "cmpExpr",
  "addExpr",
  "mulExpr",
  "unaryExpr",
  "powExpr",
  "postfix",
  "primary",
  "arg",
  "bracket",
  "listExpr",
]);

/** What an alternative-choosing rule wanted, for "expected ..." when nothing fits. */
const WANTED: Record<string, string> = {
  topLevel: "a declaration ('import', 'enum', 'dim', 'dims', 'node' or 'pipeline')",
  pipelineItem: "a statement (such as 'let', 'input', 'param', 'loss' or 'optimize')",
  stmt: "a statement (such as 'let', 'return' or 'require')",
  type: "a type (such as f32, f32[P, T], table f32, dim or an enum name)",
  dimEntry: "a dim name, '...' or '*name'",
  dimItem: "'{', a dim name or a whole number",
  dimRef: "a dim name or '[...]'",
  results: "a result type",
};

export interface MessageContext {
  /** The rule stack (outermost first) at the moment of the error. */
  ruleStack(): string[];
  /** The stage keyword of the stage statement being parsed (`loss`, `metric`, ...). */
  stageWord: string;
  /** How to describe the end of the tokens given to the parser: the end of the file or the next declaration. */
  endDescription: string;
  /** The token before `tok` in the parser's input (chevrotain's own "previous" is off after in-repetition recovery). */
  previousOf(tok: IToken): IToken | undefined;
}

/** Payload of the zero-width closing brackets the driver appends to a run that left brackets open. */
export const SYNTHETIC = "synthetic-closer";

function quote(image: string): string {
  const s = image.length > 24 ? image.slice(0, 21) + "..." : image;
  return `'${s.replace(/\s+/g, " ")}'`;
}

export function tokenTypeLabel(t: TokenType): string {
  if (t.name === "EOF") return "the end of the file";
  return t.LABEL ?? `'${t.name}'`;
}

export class Messages implements IParserErrorMessageProvider {
  constructor(private readonly ctx: MessageContext) {}

  found(tok: IToken | undefined): string {
    if (!tok || tok.tokenType.name === "EOF" || tok.payload === SYNTHETIC) return this.ctx.endDescription;
    if (tok.tokenType === StringLit) return `the string ${quote(tok.image)}`;
    return quote(tok.image);
  }

  /** " after the name 'x'" / " after '='" / "" at the start. */
  after(actual: IToken | undefined): string {
    const prev = actual && this.ctx.previousOf(actual);
    if (!prev || prev.tokenType.name === "EOF" || !Number.isFinite(prev.startOffset)) return "";
    if (prev.tokenType === Identifier) return ` after the name ${quote(prev.image)}`;
    if (prev.tokenType === StringLit) return " after the string";
    return ` after ${quote(prev.image)}`;
  }

  /** " in a let statement": the innermost rule with a description (skipping `skip`, whose name is already said). */
  where(skip?: string): string {
    const stack = this.ctx.ruleStack();
    for (let i = stack.length - 1; i >= 0; i--) {
      const r = stack[i]!;
      if (r === skip) continue;
      if (r === "stageStmt") {
        const w = this.ctx.stageWord || "stage";
        return ` in ${/^[aeiou]/.test(w) ? "an" : "a"} '${w}' statement`;
      }
      const c = CONTEXT[r];
      if (c) return ` ${c}`;
    }
    return "";
  }

  buildMismatchTokenMessage(o: { expected: TokenType; actual: IToken; previous: IToken; ruleName: string }): string {
    let expected = tokenTypeLabel(o.expected);
    // In-repetition recovery reports "expected '}'" when a statement list meets something that is no statement.
    if (o.expected === RBrace && (o.ruleName === "pipelineDecl" || o.ruleName === "block")) {
      expected = `a statement or '}'`;
    } else if (o.expected === RBrace && o.ruleName === "matchExpr") {
      expected = `a match arm ('label => value') or '}'`;
    } else if (this.ctx.previousOf(o.actual)?.tokenType === Comma) {
      // After a comma that ended a list: say what the list holds, not only the closer.
      const what =
        o.ruleName === "postfix" || o.ruleName === "listExpr"
          ? "an expression"
          : o.ruleName === "nodeDecl"
            ? "a parameter"
            : undefined;
      if (what) expected = `${what} or ${expected}`;
    }
    const reserved = o.expected === Identifier && o.actual.tokenType.name.startsWith("Kw_");
    const hint = reserved ? ` ('${o.actual.image}' is a reserved word and cannot be used as a name)` : "";
    return `expected ${expected}${this.after(o.actual)}${this.where()}, found ${this.found(o.actual)}${hint}`;
  }

  buildNotAllInputParsedMessage(o: { firstRedundant: IToken; ruleName: string }): string {
    return `expected a declaration ('import', 'enum', 'dim', 'dims', 'node' or 'pipeline'), found ${this.found(o.firstRedundant)}`;
  }

  buildNoViableAltMessage(o: {
    expectedPathsPerAlt: TokenType[][][];
    actual: IToken[];
    previous: IToken;
    ruleName: string;
  }): string {
    const named = WANTED[o.ruleName];
    const wanted = EXPR_RULES.has(o.ruleName) ? "an expression" : (named ?? this.firstTokens(o.expectedPathsPerAlt.flat()));
    return `expected ${wanted}${this.after(o.actual[0])}${this.where(named ? o.ruleName : undefined)}, found ${this.found(o.actual[0])}`;
  }

  buildEarlyExitMessage(o: {
    expectedIterationPaths: TokenType[][];
    actual: IToken[];
    previous: IToken;
    ruleName: string;
  }): string {
    return `expected ${this.firstTokens(o.expectedIterationPaths)}${this.after(o.actual[0])}${this.where()}, found ${this.found(o.actual[0])}`;
  }

  private firstTokens(paths: TokenType[][]): string {
    const labels: string[] = [];
    for (const p of paths) {
      const t = p[0];
      if (!t) continue;
      const l = tokenTypeLabel(t);
      if (!labels.includes(l)) labels.push(l);
    }
    if (labels.length === 0) return "something else";
    if (labels.length === 1) return labels[0]!;
    return `${labels.slice(0, -1).join(", ")} or ${labels[labels.length - 1]}`;
  }
}
