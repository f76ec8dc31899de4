// Tokens of the rlp language (docs/syntax.md, "Lexical rules") and the lexing step: text -> tokens, comments,
// suppressions and lexical diagnostics (RLP001 unknown character, RLP003 unterminated string, RLP004 unterminated
// block comment, RLP005 malformed number).
import { createToken, Lexer, type IToken, type TokenType } from "chevrotain";
import type { Span } from "./ast.ts";
import { diag, type Diagnostic } from "./diagnostic.ts";

// ---------------------------------------------------------------- identifiers, categories

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: "a name" });
/** Category of the six stage keywords (`rollout reward advantage loss metric output`). */
export const StageKw = createToken({ name: "StageKw", pattern: Lexer.NA, label: "a stage keyword" });

/** Operator categories: the parser consumes e.g. any comparison operator with one `CONSUME(CmpOp)`. */
export const OrOp = createToken({ name: "OrOp", pattern: Lexer.NA, label: "'or'" });
export const AndOp = createToken({ name: "AndOp", pattern: Lexer.NA, label: "'and'" });
export const NotOp = createToken({ name: "NotOp", pattern: Lexer.NA, label: "'not'" });
export const CmpOp = createToken({ name: "CmpOp", pattern: Lexer.NA, label: "a comparison operator" });
export const AddOp = createToken({ name: "AddOp", pattern: Lexer.NA, label: "'+' or '-'" });
export const MulOp = createToken({ name: "MulOp", pattern: Lexer.NA, label: "'*', '/' or '%'" });

function reserved(word: string, categories: TokenType[] = []): TokenType {
  return createToken({ name: `Kw_${word}`, pattern: word, longer_alt: Identifier, categories, label: `'${word}'` });
}
function contextual(word: string, extra: TokenType[] = []): TokenType {
  return createToken({
    name: `Ctx_${word}`,
    pattern: word,
    longer_alt: Identifier,
    categories: [Identifier, ...extra],
    label: `'${word}'`,
  });
}
function punct(name: string, image: string, categories: TokenType[] = []): TokenType {
  return createToken({ name, pattern: image, categories, label: `'${image}'` });
}

// Reserved words (never identifiers).
export const Pipeline = reserved("pipeline");
export const Node = reserved("node");
export const Import = reserved("import");
export const Enum = reserved("enum");
export const Let = reserved("let");
export const Return = reserved("return");
export const Require = reserved("require");
export const Update = reserved("update");
export const If = reserved("if");
export const Then = reserved("then");
export const Else = reserved("else");
export const Match = reserved("match");
export const And = reserved("and", [AndOp]);
export const Or = reserved("or", [OrOp]);
export const Not = reserved("not", [NotOp]);
export const True = reserved("true");
export const False = reserved("false");
export const Override = reserved("override");

// Contextual words (identifiers where the grammar does not expect the keyword). `dims` before `dim`.
export const Dims = contextual("dims");
export const Dim = contextual("dim");
export const Param = contextual("param");
export const Input = contextual("input");
export const State = contextual("state");
export const Model = contextual("model");
export const Rollout = contextual("rollout", [StageKw]);
export const Reward = contextual("reward", [StageKw]);
export const Advantage = contextual("advantage", [StageKw]);
export const Loss = contextual("loss", [StageKw]);
export const Metric = contextual("metric", [StageKw]);
export const Output = contextual("output", [StageKw]);
export const Optimize = contextual("optimize");
export const Filter = contextual("filter");
export const By = contextual("by");
export const With = contextual("with");
export const For = contextual("for");
export const As = contextual("as");
export const Masks = contextual("masks");
export const Table = contextual("table");

// ---------------------------------------------------------------- literals, comments, whitespace

/** Deliberately greedy (a trailing exponent without digits or letters glued on); checked after lexing (RLP005). */
export const NumberLit = createToken({
  name: "Number",
  pattern: /(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d*)?[A-Za-z0-9_]*/,
  label: "a number",
});
export const StringLit = createToken({ name: "String", pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/, label: "a string" });
const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*\\?/, group: "errors" });
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\r\n]*/, group: "comments" });
const BlockComment = createToken({ name: "BlockComment", pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED, line_breaks: true });
const UnterminatedBlockComment = createToken({
  name: "UnterminatedBlockComment",
  pattern: /\/\*[\s\S]*/,
  group: "errors",
  line_breaks: true,
});
const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /\s+/, group: Lexer.SKIPPED, line_breaks: true });

// ---------------------------------------------------------------- operators and punctuation (longest first)

export const Ellipsis = punct("Ellipsis", "...");
export const StarStar = punct("StarStar", "**");
export const Arrow = punct("Arrow", "->");
export const FatArrow = punct("FatArrow", "=>");
export const EqEq = punct("EqEq", "==", [CmpOp]);
export const NotEq = punct("NotEq", "!=", [CmpOp]);
export const LtEq = punct("LtEq", "<=", [CmpOp]);
export const GtEq = punct("GtEq", ">=", [CmpOp]);
export const LParen = punct("LParen", "(");
export const RParen = punct("RParen", ")");
export const LBracket = punct("LBracket", "[");
export const RBracket = punct("RBracket", "]");
export const LBrace = punct("LBrace", "{");
export const RBrace = punct("RBrace", "}");
export const Comma = punct("Comma", ",");
export const Colon = punct("Colon", ":");
export const Semi = punct("Semi", ";");
export const Equals = punct("Equals", "=");
export const Lt = punct("Lt", "<", [CmpOp]);
export const Gt = punct("Gt", ">", [CmpOp]);
export const Plus = punct("Plus", "+", [AddOp]);
export const Minus = punct("Minus", "-", [AddOp]);
export const Star = punct("Star", "*", [MulOp]);
export const Slash = punct("Slash", "/", [MulOp]);
export const Percent = punct("Percent", "%", [MulOp]);
export const At = punct("At", "@");
export const Dot = punct("Dot", ".");
export const Bang = punct("Bang", "!", [NotOp]);
export const Amp = punct("Amp", "&", [AndOp]);
export const Pipe = punct("Pipe", "|", [OrOp]);

export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedBlockComment,
  NumberLit,
  StringLit,
  UnterminatedString,
  Pipeline,
  Node,
  Import,
  Enum,
  Let,
  Return,
  Require,
  Update,
  If,
  Then,
  Else,
  Match,
  And,
  Or,
  Not,
  True,
  False,
  Override,
  Dims,
  Dim,
  Param,
  Input,
  State,
  Model,
  Rollout,
  Reward,
  Advantage,
  Loss,
  Metric,
  Output,
  Optimize,
  Filter,
  By,
  With,
  For,
  As,
  Masks,
  Table,
  StageKw,
  OrOp,
  AndOp,
  NotOp,
  CmpOp,
  AddOp,
  MulOp,
  Identifier,
  Ellipsis,
  StarStar,
  Arrow,
  FatArrow,
  EqEq,
  NotEq,
  LtEq,
  GtEq,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Semi,
  Equals,
  Lt,
  Gt,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  At,
  Dot,
  Bang,
  Amp,
  Pipe,
];

let lexerInstance: Lexer | undefined;
function lexer(): Lexer {
  lexerInstance ??= new Lexer(allTokens, { positionTracking: "full", ensureOptimizations: false });
  return lexerInstance;
}

// ---------------------------------------------------------------- spans

/** 1-based line/col of every offset, computed from the text (robust to NaN-positioned recovery tokens). */
export class LineMap {
  private readonly starts: number[] = [0];
  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) this.starts.push(i + 1);
    }
  }
  lineOf(offset: number): number {
    let lo = 0,
      hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
  span(start: number, end: number): Span {
    const line = this.lineOf(start);
    return { file: this.file, start, end, line, col: start - this.starts[line - 1]! + 1 };
  }
  /** The (empty) span at the end of the text. */
  eof(): Span {
    return this.span(this.text.length, this.text.length);
  }
  tokenSpan(tok: IToken): Span {
    return this.span(tok.startOffset, tok.startOffset + tok.image.length);
  }
}

// ---------------------------------------------------------------- lexing

export interface LexOutput {
  tokens: IToken[];
  diagnostics: Diagnostic[];
  suppressions: Map<number, string[]>;
  /** Line (1-based) -> text of a `//` comment alone on that line, `//` and one space stripped; null for a `rlp-allow` line. */
  commentLines: Map<number, string | null>;
}

const NUMBER_RE = /^(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?$/;

function addSuppression(map: Map<number, string[]>, line: number, codes: string[]): void {
  const cur = map.get(line) ?? [];
  for (const c of codes) if (!cur.includes(c)) cur.push(c);
  map.set(line, cur);
}

export function lex(text: string, lines: LineMap): LexOutput {
  const res = lexer().tokenize(text);
  const diagnostics: Diagnostic[] = [];
  for (const e of res.errors) {
    const bad = text.slice(e.offset, e.offset + e.length);
    const shown = [...bad].map((c) =>
      /[\p{C}\p{Z}]/u.test(c) ? `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}` : c,
    );
    const what =
      shown.length === 1
        ? `unknown character '${shown[0]}'`
        : `unknown characters '${shown.join(shown.some((c) => c.length > 2) ? " " : "")}'`;
    diagnostics.push(diag("RLP001", `${what}: this is not part of the rlp language`, lines.span(e.offset, e.offset + e.length)));
  }
  for (const t of res.groups["errors"] ?? []) {
    if (t.tokenType === UnterminatedString) {
      diagnostics.push(diag("RLP003", "unterminated string: add a closing '\"' before the end of the line", lines.tokenSpan(t)));
    } else {
      diagnostics.push(
        diag("RLP004", "unterminated block comment: '/*' is never closed by '*/'", lines.span(t.startOffset, t.startOffset + 2)),
      );
    }
  }
  // An unterminated string is reported (RLP003) and then parsed as a string, so it causes no second error.
  const strays = (res.groups["errors"] ?? [])
    .filter((t) => t.tokenType === UnterminatedString)
    .map((t) => ({ ...t, tokenType: StringLit, tokenTypeIdx: StringLit.tokenTypeIdx!, payload: "unterminated" }));
  const all = strays.length ? [...res.tokens, ...strays].sort((a, b) => a.startOffset - b.startOffset) : res.tokens;
  const tokens: IToken[] = [];
  for (const t of all) {
    if (t.tokenType === NumberLit && !NUMBER_RE.test(t.image)) {
      diagnostics.push(
        diag("RLP005", `malformed number '${t.image}': write numbers like 1, 0.5, .5, 2. or 1e-6`, lines.tokenSpan(t)),
      );
      const prefix = /^(?:\d+\.\d*|\.\d+|\d+)/.exec(t.image)?.[0] ?? "0";
      (t as { payload?: unknown }).payload = prefix; // the value the parser uses for a malformed number
    }
    tokens.push(t);
  }
  // Comments: suppressions and whole-line comments (doc comments).
  const suppressions = new Map<number, string[]>();
  const commentLines = new Map<number, string | null>();
  for (const c of res.groups["comments"] ?? []) {
    const line = lines.lineOf(c.startOffset);
    const body = c.image.slice(2);
    const lineStart = c.startOffset - (lines.span(c.startOffset, c.startOffset).col - 1);
    const alone = text.slice(lineStart, c.startOffset).trim() === "";
    const m = /^\s*rlp-allow\b(.*)$/.exec(body);
    if (m) {
      const codes = m[1]!.split(/[\s,]+/).filter((s) => /^RLP\d+$/.test(s));
      addSuppression(suppressions, line, codes);
      addSuppression(suppressions, line + 1, codes);
      if (alone) commentLines.set(line, null);
      continue;
    }
    if (alone) commentLines.set(line, body.startsWith(" ") ? body.slice(1) : body);
  }
  return { tokens, diagnostics, suppressions, commentLines };
}

/** Decode the escapes of a string token's image (`"..."`); unknown escapes are reported through `bad`. */
export function decodeString(image: string, bad?: (escape: string, index: number) => void, terminated = true): string {
  const inner = image.slice(1, terminated ? -1 : undefined);
  let out = "";
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const n = inner[++i] ?? "";
    if (n === "n") out += "\n";
    else if (n === "t") out += "\t";
    else if (n === '"' || n === "\\") out += n;
    else {
      bad?.(`\\${n}`, i);
      out += n;
    }
  }
  return out;
}
