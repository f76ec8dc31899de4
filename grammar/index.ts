// The grammar's entry point: `parse(text, file)` -> AST + diagnostics. Never throws.
//
// Pipeline: lex (lexer.ts) -> split the tokens into one run per top-level declaration -> parse each run with the
// chevrotain parser (parser.ts, error recovery on) -> turn parser errors into RLP002 diagnostics and unclosed
// brackets into RLP006 -> attach doc comments. Splitting at declaration keywords is the declaration-level resync:
// a broken node cannot hide the errors of a later pipeline.
import { createTokenInstance, type IToken, type TokenType } from "chevrotain";
import type { FileAst, Span, TopLevel } from "./ast.ts";
import { AstBuilder, real } from "./build_ast.ts";
import { diag, fileSpan, type Diagnostic } from "./diagnostic.ts";
import * as T from "./lexer.ts";
import { SYNTHETIC } from "./messages.ts";
import { RlpParser } from "./parser.ts";

export type { FileAst } from "./ast.ts";
export type { Diagnostic } from "./diagnostic.ts";

export interface ParseResult {
  ast: FileAst;
  diagnostics: Diagnostic[];
}

let parserInstance: RlpParser | undefined;
/** The (lazily built, reused) chevrotain parser. Building it runs chevrotain's grammar analysis once. */
export function getParser(): RlpParser {
  parserInstance ??= new RlpParser();
  return parserInstance;
}

export function parse(text: string, file: string): ParseResult {
  let name = "<input>";
  try {
    name = String(file);
  } catch {
    // keep the placeholder: parse never throws
  }
  const ast: FileAst = { file: name, decls: [], suppressions: new Map() };
  const diagnostics: Diagnostic[] = [];
  try {
    parseInto(typeof text === "string" ? text : String(text), ast, diagnostics);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    diagnostics.push(diag("RLP009", `internal parser failure (please report this bug): ${why}`, fileSpan(ast.file)));
    parserInstance = undefined; // do not reuse a parser left in an unknown state
  }
  diagnostics.sort((a, b) => a.span.start - b.span.start);
  return { ast, diagnostics };
}

const HARD_STARTS = new Set<TokenType>([T.Node, T.Pipeline, T.Override, T.Import]); // reserved: only ever top-level
const SOFT_STARTS = new Set<TokenType>([T.Enum, T.Dim, T.Dims]); // top-level only outside brackets
const OPENERS = new Map<TokenType, TokenType>([
  [T.LParen, T.RParen],
  [T.LBracket, T.RBracket],
  [T.LBrace, T.RBrace],
]);
const CLOSERS = new Set<TokenType>([T.RParen, T.RBracket, T.RBrace]);

/** Split the token stream into runs that each start with a top-level declaration keyword. */
export function splitDeclarations(tokens: readonly IToken[]): IToken[][] {
  const runs: IToken[][] = [];
  let cur: IToken[] = [];
  let open: IToken[] = [];
  let prev: IToken | undefined;
  for (const t of tokens) {
    const tt = t.tokenType;
    const hard = HARD_STARTS.has(tt) && !(tt === T.Node && prev?.tokenType === T.Override);
    if (hard || (open.length === 0 && SOFT_STARTS.has(tt))) {
      if (cur.length) runs.push(cur);
      cur = [];
      open = [];
    }
    track(open, t);
    cur.push(t);
    prev = t;
  }
  if (cur.length) runs.push(cur);
  return runs;
}

/** Bracket matching: push openers; a closer pops back to its opener (closing any inner ones), a stray one is ignored. */
function track(stack: IToken[], t: IToken): void {
  if (OPENERS.has(t.tokenType)) stack.push(t);
  else if (CLOSERS.has(t.tokenType)) {
    for (let i = stack.length - 1; i >= 0; i--) {
      if (OPENERS.get(stack[i]!.tokenType) === t.tokenType) {
        stack.length = i;
        return;
      }
    }
  }
}

/** Openers of `run` that are never closed. */
function unclosed(run: readonly IToken[]): IToken[] {
  const stack: IToken[] = [];
  for (const t of run) track(stack, t);
  return stack;
}

/** Deeper bracket nesting than this is refused up front (the recursive-descent parser would run out of stack). */
export const MAX_NESTING = 64;

function parseInto(text: string, ast: FileAst, diagnostics: Diagnostic[]): void {
  const lines = new T.LineMap(text, ast.file);
  const lexed = T.lex(text, lines);
  diagnostics.push(...lexed.diagnostics);
  ast.suppressions = lexed.suppressions;
  const runs = splitDeclarations(lexed.tokens);
  const seen = new Set<number>();
  runs.forEach((run, i) => {
    const next = runs[i + 1]?.[0];
    const end: RunEnd = next
      ? { span: lines.tokenSpan(next), words: `'${next.image}' (the next declaration)` }
      : { span: lines.eof(), words: "the end of the file" };
    try {
      parseRun(run, end, lines, lexed.diagnostics, ast, diagnostics, seen);
    } catch (e) {
      // One declaration failed inside the parser: report it there and go on with the others.
      parserInstance = undefined;
      const why = e instanceof RangeError ? "it is nested too deeply" : e instanceof Error ? e.message : String(e);
      diagnostics.push(diag("RLP009", `internal parser failure on this declaration (${why})`, lines.tokenSpan(run[0]!)));
    }
  });
  attachDocs(ast, lexed.commentLines);
}

interface RunEnd {
  span: Span;
  words: string;
}

function parseRun(
  run: IToken[],
  end: RunEnd,
  lines: T.LineMap,
  lexical: Diagnostic[],
  ast: FileAst,
  diagnostics: Diagnostic[],
  seen: Set<number>,
): void {
  const tooDeep = nestedTooDeep(run);
  if (tooDeep) {
    diagnostics.push(
      diag(
        "RLP002",
        `brackets are nested more than ${MAX_NESTING} deep here; the parser skips this declaration`,
        lines.tokenSpan(tooDeep),
      ),
    );
    return;
  }
  const parser = getParser();
  parser.b = new AstBuilder(lines, diagnostics);
  parser.ctx.stageWord = "";
  parser.ctx.endDescription = end.words;
  // Close what the run left open (zero-width tokens at its end) so the declaration itself still parses;
  // the unclosed brackets are reported as RLP006.
  const open = unclosed(run);
  const last = run[run.length - 1]!;
  const at = last.startOffset + last.image.length;
  const closers = [...open].reverse().map((o) => {
    const t = createTokenInstance(OPENERS.get(o.tokenType)!, "", at, at, NaN, NaN, NaN, NaN);
    t.payload = SYNTHETIC;
    return t;
  });
  parser.input = closers.length ? [...run, ...closers] : run;
  const decls: TopLevel[] | undefined = parser.topLevel();
  if (decls) ast.decls.push(...decls);

  for (const o of open) {
    const closer = o.image === "(" ? ")" : o.image === "[" ? "]" : "}";
    diagnostics.push(
      diag("RLP006", `'${o.image}' opened here is never closed`, lines.tokenSpan(o), [
        { message: `'${o.image}' opened here`, span: lines.tokenSpan(o) },
        { message: `expected a matching '${closer}' before ${end.words}`, span: end.span },
      ]),
    );
  }
  for (const e of parser.errors) {
    const tok = e.token;
    const atEnd = !real(tok) || tok.payload === SYNTHETIC;
    if (atEnd && open.length) continue; // reported as RLP006 above
    const span = atEnd ? end.span : lines.tokenSpan(tok);
    const idx = atEnd ? run.length : run.indexOf(tok);
    const prev = idx > 0 ? run[idx - 1] : undefined;
    const prevEnd = prev ? prev.startOffset + prev.image.length : run[0]!.startOffset;
    // A parse error right after a lexical error (an unknown character) is a consequence of it: report the cause only.
    if (lexical.some((l) => l.span.start >= prevEnd && l.span.end <= span.start)) continue;
    if (seen.has(span.start)) continue;
    seen.add(span.start);
    diagnostics.push(diag("RLP002", e.message, span));
  }
}

/** The first opener deeper than MAX_NESTING, counting nested unary operators as levels too. */
function nestedTooDeep(run: readonly IToken[]): IToken | undefined {
  const stack: IToken[] = [];
  let unary = 0;
  for (const t of run) {
    track(stack, t);
    unary = t.tokenType === T.Minus || t.tokenType === T.Not || t.tokenType === T.Bang ? unary + 1 : 0;
    if (stack.length > MAX_NESTING) return stack[stack.length - 1];
    if (unary > MAX_NESTING) return t;
  }
  return undefined;
}

/** `//` comment lines directly above a node or pipeline (rlp-allow lines in between are skipped) become its doc. */
function attachDocs(ast: FileAst, commentLines: Map<number, string | null>): void {
  for (const d of ast.decls) {
    if (d.kind !== "node" && d.kind !== "pipeline") continue;
    const doc: string[] = [];
    for (let l = d.span.line - 1; commentLines.has(l); l--) {
      const c = commentLines.get(l);
      if (c != null) doc.unshift(c);
    }
    if (doc.length) d.doc = doc.join("\n");
  }
}
