// The rlp parser, part 0: the chevrotain base class shared by parser_expr.ts, parser_stmt.ts and parser.ts: the
// configuration (error recovery on, plain-words messages), the recovery policy and the span helper.
//
// Conventions of all parts: an EmbeddedActionsParser whose rules build AST nodes (grammar/ast.ts) directly inside
// ACTION blocks (skipped while chevrotain records the grammar). A rule chevrotain recovered from returns undefined,
// and so does a rule missing a required part: the enclosing statement or declaration is dropped (its error is
// already reported). index.ts drives the parser.
import { EmbeddedActionsParser, type IToken, type TokenType } from "chevrotain";
import type { Span } from "./ast.ts";
import type { AstBuilder, R } from "./build_ast.ts";
import * as T from "./lexer.ts";
import { Messages, type MessageContext } from "./messages.ts";

const NO_INSERT = new Set<TokenType>([T.Identifier, T.NumberLit, T.StringLit]);
const STATEMENT_WORDS = new Set<TokenType>([
  T.Dim,
  T.Dims,
  T.Param,
  T.Input,
  T.State,
  T.Model,
  T.Optimize,
  T.Filter,
  T.Rollout,
  T.Reward,
  T.Advantage,
  T.Loss,
  T.Metric,
  T.Output,
]);

export class BaseParser extends EmbeddedActionsParser {
  /** Set by the driver before each parse. */
  b!: AstBuilder;
  readonly ctx: MessageContext;

  constructor() {
    const ctx: MessageContext = {
      ruleStack: () => [],
      stageWord: "",
      endDescription: "the end of the file",
      previousOf: () => undefined,
    };
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: new Messages(ctx) });
    this.ctx = ctx;
    ctx.ruleStack = () => (this as unknown as { getHumanReadableRuleStack(): string[] }).getHumanReadableRuleStack();
    ctx.previousOf = (tok) => {
      const input = this.input;
      const i = tok.tokenType.name === "EOF" || !input.includes(tok) ? input.length : input.indexOf(tok);
      return i > 0 ? input[i - 1] : undefined;
    };
  }

  /**
   * Recovery may invent punctuation and keywords, never a name, number or string (those carry content), and never
   * in front of a word that starts a statement: in `let x loss L = 1` the `=` is missing, but inventing it would
   * swallow `loss` as the value and report the next statement too; failing here resyncs at `loss` instead.
   */
  protected override canTokenTypeBeInsertedInRecovery(tokType: TokenType): boolean {
    return !NO_INSERT.has(tokType) && !STATEMENT_WORDS.has(this.LA(1).tokenType);
  }

  /** The span from `start` to the end of the last token consumed. */
  protected from(start: Span | IToken | undefined): R<Span> {
    return this.b.range(start, this.LA(0));
  }
}
