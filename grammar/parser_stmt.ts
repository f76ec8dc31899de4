// The rlp parser, part 2 of 3: types (`type`, `dimEntry`, label lists) and the statements shared by pipelines and
// node bodies (`stmt` and its six kinds). See parser_base.ts for the conventions.
import type { IToken } from "chevrotain";
import type { DimEntry, Ident, StageKind, Stmt, TypeExpr } from "./ast.ts";
import { all, real, type R } from "./build_ast.ts";
import * as T from "./lexer.ts";
import { ExprParser } from "./parser_expr.ts";

export class StmtParser extends ExprParser {
  // ---------------------------------------------------------------- types

  labelList = this.RULE("labelList", (): R<Ident[]> => {
    const toks = [this.CONSUME(T.Identifier)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      toks.push(this.CONSUME2(T.Identifier));
    });
    this.OPTION(() => this.CONSUME2(T.Comma));
    return this.ACTION(() => this.b.idents(toks));
  });

  type = this.RULE("type", (): R<TypeExpr> => {
    const start = this.LA(1);
    return this.OR({
      IGNORE_AMBIGUITIES: true, // `table`, `dim` and `dims` are also names; the keyword reading wins here
      DEF: [
        {
          ALT: () => {
            this.CONSUME(T.Table);
            const value = this.SUBRULE(this.type);
            return this.ACTION(() => {
              const span = this.from(start);
              return value && span ? { kind: "table" as const, value, span } : undefined;
            });
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.Dims);
            return this.ACTION(() => this.tokType("dims", t));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.Dim);
            return this.ACTION(() => this.tokType("dim", t));
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Enum);
            this.CONSUME(T.LBrace);
            const labels = this.SUBRULE(this.labelList);
            this.CONSUME(T.RBrace);
            return this.ACTION(() => {
              const span = this.from(start);
              return labels && span ? { kind: "enum" as const, labels, span } : undefined;
            });
          },
        },
        {
          ALT: () => {
            const name = this.CONSUME(T.Identifier);
            const index = this.OPTION(() => {
              this.CONSUME(T.Lt);
              const i = this.CONSUME2(T.Identifier);
              this.CONSUME(T.Gt);
              return i;
            });
            const dims = this.OPTION2(() => {
              this.CONSUME(T.LBracket);
              const ds: R<DimEntry>[] = [];
              this.OPTION3(() => {
                ds.push(this.SUBRULE(this.dimEntry));
                this.MANY(() => {
                  this.CONSUME(T.Comma);
                  ds.push(this.SUBRULE2(this.dimEntry));
                });
              });
              this.CONSUME(T.RBracket);
              return ds;
            });
            return this.ACTION(() => this.b.namedType(name, index, dims ?? null, this.from(start)));
          },
        },
      ],
    });
  });

  private tokType(kind: "dim" | "dims", t: IToken): R<TypeExpr> {
    const span = this.b.tok(t);
    return span ? { kind, span } : undefined;
  }

  dimEntry = this.RULE("dimEntry", (): R<DimEntry> => {
    return this.OR([
      {
        ALT: () => {
          const e = this.CONSUME(T.Ellipsis);
          const n = this.OPTION(() => this.CONSUME(T.Identifier));
          return this.ACTION(() => {
            const span = this.from(e),
              name = n && this.b.ident(n);
            if (!span || (n && !name)) return undefined;
            return name ? { kind: "row" as const, name, span } : { kind: "row" as const, span };
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Star);
          const n = this.CONSUME2(T.Identifier);
          return this.ACTION(() => {
            const name = this.b.ident(n);
            return name && { kind: "splice" as const, name };
          });
        },
      },
      {
        ALT: () => {
          const n = this.CONSUME3(T.Identifier);
          return this.ACTION(() => {
            const name = this.b.ident(n);
            return name && { kind: "dim" as const, name };
          });
        },
      },
    ]);
  });

  // ---------------------------------------------------------------- statements

  stmt = this.RULE("stmt", (): R<Stmt> => {
    const s = this.OR([
      { ALT: () => this.SUBRULE(this.letStmt) },
      { ALT: () => this.SUBRULE(this.stageStmt) },
      { ALT: () => this.SUBRULE(this.requireStmt) },
      { ALT: () => this.SUBRULE(this.returnStmt) },
      { ALT: () => this.SUBRULE(this.updateStmt) },
      { ALT: () => this.SUBRULE(this.optimizeStmt) },
      { ALT: () => this.SUBRULE(this.filterStmt) },
    ]);
    this.OPTION(() => this.CONSUME(T.Semi));
    return s;
  });

  /** `IDENT (',' IDENT)*` of let, stage and optimize statements. */
  nameList = this.RULE("nameList", (): R<Ident[]> => {
    const toks = [this.CONSUME(T.Identifier)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      toks.push(this.CONSUME2(T.Identifier));
    });
    return this.ACTION(() => this.b.idents(toks));
  });

  letStmt = this.RULE("letStmt", (): R<Stmt> => {
    const kw = this.CONSUME(T.Let);
    const names = this.SUBRULE(this.nameList);
    this.CONSUME(T.Equals);
    const value = this.SUBRULE(this.expr);
    return this.ACTION(() => {
      const span = this.from(kw);
      return names && value && span ? { kind: "let" as const, names, value, span } : undefined;
    });
  });

  stageStmt = this.RULE("stageStmt", (): R<Stmt> => {
    const kw = this.CONSUME(T.StageKw);
    this.ACTION(() => (this.ctx.stageWord = kw.image));
    const names = this.SUBRULE(this.nameList);
    const forModel = this.OPTION(() => {
      this.CONSUME(T.For);
      return this.CONSUME(T.Identifier);
    });
    this.CONSUME(T.Equals);
    const value = this.SUBRULE(this.expr);
    return this.ACTION(() => {
      const span = this.from(kw);
      if (!names || !value || !span) return undefined;
      const s: Stmt = { kind: "stage", stage: kw.image as StageKind, names, value, span };
      if (forModel) {
        const m = this.b.ident(forModel);
        if (!m) return undefined;
        s.forModel = m;
      }
      return s;
    });
  });

  requireStmt = this.RULE("requireStmt", (): R<Stmt> => {
    const kw = this.CONSUME(T.Require);
    const cond = this.SUBRULE(this.expr);
    this.CONSUME(T.Comma);
    const msg = this.CONSUME(T.StringLit);
    return this.ACTION(() => {
      const span = this.from(kw);
      return cond && real(msg) && span ? { kind: "require" as const, cond, message: this.b.stringValue(msg), span } : undefined;
    });
  });

  returnStmt = this.RULE("returnStmt", (): R<Stmt> => {
    const kw = this.CONSUME(T.Return);
    const values = [this.SUBRULE(this.expr)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      values.push(this.SUBRULE2(this.expr));
    });
    return this.ACTION(() => {
      const vs = all(values),
        span = this.from(kw);
      return vs && span ? { kind: "return" as const, values: vs, span } : undefined;
    });
  });

  updateStmt = this.RULE("updateStmt", (): R<Stmt> => {
    const kw = this.CONSUME(T.Update);
    const target = this.CONSUME(T.Identifier);
    const key = this.OPTION(() => {
      this.CONSUME(T.LBracket);
      const k = this.SUBRULE(this.expr);
      this.CONSUME(T.RBracket);
      return { k };
    });
    this.CONSUME(T.Equals);
    const value = this.SUBRULE2(this.expr);
    return this.ACTION(() => {
      const t = this.b.ident(target),
        span = this.from(kw);
      if (!t || !value || !span || (key && !key.k)) return undefined;
      return key?.k
        ? { kind: "update" as const, target: t, key: key.k, value, span }
        : { kind: "update" as const, target: t, value, span };
    });
  });

  filterStmt = this.RULE("filterStmt", (): R<Stmt> => {
    const kw = this.CONSUME(T.Filter);
    const dim = this.CONSUME(T.Identifier);
    this.CONSUME(T.By);
    const args = this.SUBRULE(this.args);
    return this.ACTION(() => {
      const d = this.b.ident(dim),
        span = this.from(kw);
      return d && args && span ? { kind: "filter" as const, dim: d, args, span } : undefined;
    });
  });

  optimizeStmt = this.RULE("optimizeStmt", (): R<Stmt> => {
    const kw = this.CONSUME(T.Optimize);
    const models = this.SUBRULE(this.nameList);
    this.CONSUME(T.With);
    const optimizer = this.SUBRULE(this.expr);
    return this.ACTION(() => {
      const span = this.from(kw);
      return models && optimizer && span ? { kind: "optimize" as const, models, optimizer, span } : undefined;
    });
  });
}
