// The rlp parser, part 1 of 3: the expressions of docs/syntax.md, `expr` down to `primary` (conventions in
// parser_base.ts). parser_stmt.ts adds types and statements, parser.ts the declarations.
import { tokenMatcher, type IToken } from "chevrotain";
import type { Arg, Expr, Ident, Span } from "./ast.ts";
import { all, type R } from "./build_ast.ts";
import { diag } from "./diagnostic.ts";
import * as T from "./lexer.ts";
import { BaseParser } from "./parser_base.ts";

type Bracket =
  { kind: "select"; dim: Ident; label: Expr } | { kind: "rename"; from: Ident; to: Ident } | { kind: "index"; index: Expr };

export class ExprParser extends BaseParser {
  // ---------------------------------------------------------------- expressions

  expr = this.RULE("expr", (): R<Expr> => {
    return this.OR([{ ALT: () => this.SUBRULE(this.ifExpr) }, { ALT: () => this.SUBRULE(this.orExpr) }]);
  });

  ifExpr = this.RULE("ifExpr", (): R<Expr> => {
    const kw = this.CONSUME(T.If);
    const cond = this.SUBRULE(this.expr);
    this.CONSUME(T.Then);
    const a = this.SUBRULE2(this.expr);
    this.CONSUME(T.Else);
    const b = this.SUBRULE3(this.expr);
    return this.ACTION(() => {
      const span = this.from(kw);
      return cond && a && b && span ? { kind: "if" as const, cond, then: a, else: b, span } : undefined;
    });
  });

  orExpr = this.RULE("orExpr", (): R<Expr> => {
    let left = this.SUBRULE(this.andExpr);
    this.MANY(() => {
      const op = this.CONSUME(T.OrOp);
      const right = this.SUBRULE2(this.andExpr);
      left = this.ACTION(() => this.b.binary(op, left, right));
    });
    return left;
  });

  andExpr = this.RULE("andExpr", (): R<Expr> => {
    let left = this.SUBRULE(this.notExpr);
    this.MANY(() => {
      const op = this.CONSUME(T.AndOp);
      const right = this.SUBRULE2(this.notExpr);
      left = this.ACTION(() => this.b.binary(op, left, right));
    });
    return left;
  });

  notExpr = this.RULE("notExpr", (): R<Expr> => {
    return this.OR([
      {
        ALT: () => {
          const op = this.CONSUME(T.NotOp);
          const e = this.SUBRULE(this.notExpr);
          return this.ACTION(() => this.b.unary(op, e));
        },
      },
      { ALT: () => this.SUBRULE(this.cmpExpr) },
    ]);
  });

  /** Comparisons do not associate: `a < b < c` is parsed (to recover well) but reported and dropped. */
  cmpExpr = this.RULE("cmpExpr", (): R<Expr> => {
    let left = this.SUBRULE(this.addExpr);
    let count = 0;
    this.MANY(() => {
      const op = this.CONSUME(T.CmpOp);
      const right = this.SUBRULE2(this.addExpr);
      this.ACTION(() => {
        if (++count === 2) {
          const span = this.b.tok(op);
          if (span) {
            this.b.diagnostics.push(
              diag(
                "RLP002",
                `comparisons cannot be chained: found a second comparison '${op.image}'; write 'a < b and b < c' instead`,
                span,
              ),
            );
          }
        }
        left = count >= 2 ? undefined : this.b.binary(op, left, right);
      });
    });
    return left;
  });

  addExpr = this.RULE("addExpr", (): R<Expr> => {
    let left = this.SUBRULE(this.mulExpr);
    this.MANY(() => {
      const op = this.CONSUME(T.AddOp);
      const right = this.SUBRULE2(this.mulExpr);
      left = this.ACTION(() => this.b.binary(op, left, right));
    });
    return left;
  });

  mulExpr = this.RULE("mulExpr", (): R<Expr> => {
    let left = this.SUBRULE(this.unaryExpr);
    this.MANY(() => {
      const op = this.CONSUME(T.MulOp);
      const right = this.SUBRULE2(this.unaryExpr);
      left = this.ACTION(() => this.b.binary(op, left, right));
    });
    return left;
  });

  unaryExpr = this.RULE("unaryExpr", (): R<Expr> => {
    return this.OR([
      {
        ALT: () => {
          const op = this.CONSUME(T.Minus);
          const e = this.SUBRULE(this.unaryExpr);
          return this.ACTION(() => this.b.unary(op, e));
        },
      },
      { ALT: () => this.SUBRULE(this.powExpr) },
    ]);
  });

  /** `**` is right-associative and binds tighter than unary minus on its left: `-x**2` is `-(x**2)`, `2**-1` is fine. */
  powExpr = this.RULE("powExpr", (): R<Expr> => {
    let base = this.SUBRULE(this.postfix);
    this.OPTION(() => {
      const op = this.CONSUME(T.StarStar);
      const exp = this.SUBRULE(this.unaryExpr);
      base = this.ACTION(() => this.b.binary(op, base, exp));
    });
    return base;
  });

  postfix = this.RULE("postfix", (): R<Expr> => {
    let e = this.SUBRULE(this.primary);
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.LParen);
            const args = this.OPTION(() => ({ a: this.SUBRULE(this.args) }));
            this.CONSUME(T.RParen);
            this.ACTION(() => {
              const span = e && this.from(e.span);
              e = e && span && (!args || args.a) ? { kind: "call", callee: e, args: args?.a ?? [], span } : undefined;
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Dot);
            const f = this.CONSUME(T.Identifier);
            this.ACTION(() => {
              const field = this.b.ident(f),
                span = e && this.from(e.span);
              e = e && field && span ? { kind: "field", target: e, field, span } : undefined;
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.LBracket);
            const br = this.SUBRULE(this.bracket);
            this.CONSUME(T.RBracket);
            this.ACTION(() => {
              const span = e && this.from(e.span);
              e = e && br && span ? { target: e, ...br, span } : undefined;
            });
          },
        },
      ]);
    });
    return e;
  });

  args = this.RULE("args", (): R<Arg[]> => {
    const out = [this.SUBRULE(this.arg)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      out.push(this.SUBRULE2(this.arg));
    });
    this.OPTION(() => this.CONSUME2(T.Comma));
    return this.ACTION(() => all(out));
  });

  arg = this.RULE("arg", (): R<Arg> => {
    return this.OR([
      {
        ALT: () => {
          const n = this.CONSUME(T.Identifier);
          this.CONSUME(T.Equals);
          const value = this.SUBRULE(this.expr);
          return this.ACTION(() => {
            const name = this.b.ident(n),
              span = this.from(n);
            return name && value && span ? { name, value, span } : undefined;
          });
        },
      },
      {
        ALT: () => {
          const value = this.SUBRULE2(this.expr);
          return this.ACTION(() => value && { value, span: value.span });
        },
      },
    ]);
  });

  bracket = this.RULE("bracket", (): R<Bracket> => {
    return this.OR([
      {
        ALT: () => {
          const d = this.CONSUME(T.Identifier);
          this.CONSUME(T.Equals);
          const label = this.SUBRULE(this.expr);
          return this.ACTION(() => {
            const dim = this.b.ident(d);
            return dim && label && { kind: "select" as const, dim, label };
          });
        },
      },
      {
        ALT: () => {
          const a = this.CONSUME2(T.Identifier);
          this.CONSUME(T.As);
          const b = this.CONSUME3(T.Identifier);
          return this.ACTION(() => {
            const from = this.b.ident(a),
              to = this.b.ident(b);
            return from && to && { kind: "rename" as const, from, to };
          });
        },
      },
      {
        ALT: () => {
          const index = this.SUBRULE2(this.expr);
          return this.ACTION(() => index && { kind: "index" as const, index });
        },
      },
    ]);
  });

  primary = this.RULE("primary", (): R<Expr> => {
    return this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(T.NumberLit);
          return this.ACTION(() => this.b.number(t));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.StringLit);
          return this.ACTION(() => this.b.string(t));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.True);
          return this.ACTION(() => this.lit(t, true));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.False);
          return this.ACTION(() => this.lit(t, false));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.Ellipsis);
          return this.ACTION(() => this.lit(t, "..."));
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME(T.LParen);
          const e = this.SUBRULE(this.expr);
          this.CONSUME(T.RParen);
          return this.ACTION(() => {
            const span = this.from(open);
            return e && span ? { ...e, span } : undefined; // the parentheses belong to the span
          });
        },
      },
      { ALT: () => this.SUBRULE(this.listExpr) },
      { ALT: () => this.SUBRULE(this.matchExpr) },
      {
        ALT: () => {
          const n = this.CONSUME(T.Identifier);
          // `Y{w: a, l: b}`: only when `{` is followed by `label :` (so `match mode { a => ... }` is a match on `mode`).
          const entries = this.OPTION({
            GATE: () => tokenMatcher(this.LA(2), T.Identifier) && tokenMatcher(this.LA(3), T.Colon),
            DEF: () => ({ v: this.SUBRULE(this.labelledRest) }),
          });
          return this.ACTION(() => {
            const id = this.b.ident(n);
            if (!id || (entries && !entries.v)) return undefined;
            if (!entries?.v) return { kind: "name" as const, name: id.name, span: id.span };
            const span = this.from(n);
            return span && { kind: "labelled" as const, dim: id, entries: entries.v, span };
          });
        },
      },
    ]);
  });

  private lit(t: IToken, v: boolean | "..."): R<Expr> {
    const span = this.b.tok(t);
    if (!span) return undefined;
    return v === "..." ? { kind: "ellipsis", span } : { kind: "bool", value: v, span };
  }

  labelledRest = this.RULE("labelledRest", (): R<{ label: Ident; value: Expr }[]> => {
    this.CONSUME(T.LBrace);
    const entries: R<{ label: Ident; value: Expr }>[] = [this.SUBRULE(this.labelledEntry)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      entries.push(this.SUBRULE2(this.labelledEntry));
    });
    this.OPTION(() => this.CONSUME2(T.Comma));
    this.CONSUME(T.RBrace);
    return this.ACTION(() => all(entries));
  });

  labelledEntry = this.RULE("labelledEntry", (): R<{ label: Ident; value: Expr }> => {
    const l = this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    const value = this.SUBRULE(this.expr);
    return this.ACTION(() => {
      const label = this.b.ident(l);
      return label && value && { label, value };
    });
  });

  listExpr = this.RULE("listExpr", (): R<Expr> => {
    const open = this.CONSUME(T.LBracket);
    const items: R<Expr>[] = [];
    this.OPTION(() => {
      items.push(this.SUBRULE(this.expr));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        items.push(this.SUBRULE2(this.expr));
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RBracket);
    return this.ACTION(() => {
      const xs = all(items),
        span = this.from(open);
      return xs && span ? { kind: "list" as const, items: xs, span } : undefined;
    });
  });

  matchExpr = this.RULE("matchExpr", (): R<Expr> => {
    const kw = this.CONSUME(T.Match);
    const scrutinee = this.SUBRULE(this.expr);
    this.CONSUME(T.LBrace);
    const arms: R<{ label: Ident; value: Expr; span: Span }>[] = [];
    this.MANY(() => {
      const l = this.CONSUME(T.Identifier);
      this.CONSUME(T.FatArrow);
      const value = this.SUBRULE2(this.expr);
      this.ACTION(() => {
        const label = this.b.ident(l),
          span = this.from(l);
        arms.push(label && value && span ? { label, value, span } : undefined);
      });
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => {
      const as = all(arms),
        span = this.from(kw);
      return scrutinee && as && span ? { kind: "match" as const, scrutinee, arms: as, span } : undefined;
    });
  });
}
