// Helpers the parser's embedded actions use to build the AST (grammar/ast.ts) with accurate spans.
// Every helper takes possibly-missing parts (a rule that chevrotain recovered from returns undefined, a token it
// inserted during recovery has no position) and returns undefined when a required part is missing, so a broken
// construct is dropped rather than half-built.
import type { IToken } from "chevrotain";
import type { BinaryOp, DimEntry, Expr, Ident, Span, TypeExpr, UnaryOp } from "./ast.ts";
import { diag, type Diagnostic } from "./diagnostic.ts";
import { decodeString, type LineMap } from "./lexer.ts";

export type R<X> = X | undefined;

/** All elements, or undefined if any of them is missing. */
export function all<X>(xs: readonly R<X>[]): X[] | undefined {
  for (const x of xs) if (x === undefined) return undefined;
  return xs as X[];
}

/** The elements that are present (used for lists of statements and declarations: a broken one is skipped). */
export function present<X>(xs: readonly R<X>[]): X[] {
  return xs.filter((x): x is X => x !== undefined);
}

/** A token that really is in the source (not EOF, not inserted by error recovery). */
export function real(t: IToken | undefined): t is IToken {
  return t !== undefined && Number.isFinite(t.startOffset) && t.tokenType.name !== "EOF";
}

const DTYPES = new Set(["f32", "i32", "bool", "id"]);

export class AstBuilder {
  constructor(
    readonly lines: LineMap,
    readonly diagnostics: Diagnostic[],
  ) {}

  tok(t: IToken | undefined): R<Span> {
    return real(t) ? this.lines.tokenSpan(t) : undefined;
  }

  /** From the start of `from` (a span or a token) to the end of `last` (normally the parser's LA(0)). */
  range(from: Span | IToken | undefined, last: IToken | undefined): R<Span> {
    const start = from === undefined ? undefined : "file" in from ? from.start : real(from) ? from.startOffset : undefined;
    if (start === undefined || !real(last)) return undefined;
    const end = last.startOffset + last.image.length;
    return this.lines.span(start, Math.max(start, end));
  }

  join(a: Span, b: Span): Span {
    return this.lines.span(a.start, Math.max(a.end, b.end));
  }

  ident(t: IToken | undefined): R<Ident> {
    const span = this.tok(t);
    return span && t ? { name: t.image, span } : undefined;
  }

  idents(ts: readonly (IToken | undefined)[]): R<Ident[]> {
    return all(ts.map((t) => this.ident(t)));
  }

  number(t: IToken): R<Expr> {
    const span = this.tok(t);
    if (!span) return undefined;
    const text = t.image;
    const valid = (t.payload as string | undefined) ?? text; // the lexer put a usable prefix on malformed numbers
    const isInt = !/[.eE]/.test(valid);
    return { kind: "number", value: Number(valid), text, isInt, span };
  }

  string(t: IToken): R<Expr> {
    const span = this.tok(t);
    return span ? { kind: "string", value: this.stringValue(t), span } : undefined;
  }

  stringValue(t: IToken): string {
    const report = (esc: string, i: number): void => {
      const at = t.startOffset + i; // i indexes the text after the opening quote and points after the backslash
      this.diagnostics.push(
        diag(
          "RLP001",
          `unknown escape '${esc}' in a string: the escapes are \\" \\\\ \\n and \\t`,
          this.lines.span(at, at + esc.length),
        ),
      );
    };
    return decodeString(t.image, report, t.payload !== "unterminated");
  }

  binary(opTok: IToken, left: R<Expr>, right: R<Expr>): R<Expr> {
    const opSpan = this.tok(opTok);
    if (!left || !right || !opSpan) return undefined;
    const img = opTok.image;
    const op = (img === "|" ? "or" : img === "&" ? "and" : img) as BinaryOp;
    return { kind: "binary", op, left, right, opSpan, span: this.join(left.span, right.span) };
  }

  unary(opTok: IToken, operand: R<Expr>): R<Expr> {
    const s = this.tok(opTok);
    if (!s || !operand) return undefined;
    const op: UnaryOp = opTok.image === "-" ? "-" : "not";
    return { kind: "unary", op, operand, span: this.join(s, operand.span) };
  }

  /** A type written as a name with optional `<index>` and `[dims]`: a dtype gives a tensor type, anything else an enum name. */
  namedType(nameTok: IToken, index: R<IToken>, dims: R<DimEntry>[] | null | undefined, span: R<Span>): R<TypeExpr> {
    const name = this.ident(nameTok);
    if (!name || !span || dims === undefined) return undefined;
    const dimList = dims === null ? null : all(dims);
    if (dimList === undefined) return undefined;
    let idx: Ident | undefined;
    if (index !== undefined) {
      idx = this.ident(index);
      if (!idx) return undefined;
    }
    if (DTYPES.has(name.name)) {
      const t: TypeExpr = { kind: "tensor", dtype: name.name as "f32", dims: dimList, span };
      if (idx) t.index = idx;
      return t;
    }
    if (idx || dimList) {
      this.diagnostics.push(
        diag(
          "RLP002",
          `'${name.name}' is not a dtype, so it cannot take ${idx ? "'<...>'" : "'[...]'"}: only f32, i32, bool and id have dims`,
          span,
        ),
      );
      return undefined;
    }
    return { kind: "named", name, span };
  }
}
