// The rlp parser, part 3 of 3: top-level declarations (import, enum, dim, node, pipeline) and the declarations only
// a pipeline may hold (param, input, state, model). See parser_base.ts for the conventions.
import type {
  DimDecl,
  Ident,
  InputDecl,
  ModelDecl,
  NodeDecl,
  NodeParam,
  ParamDecl,
  PipelineDecl,
  PipelineItem,
  StateDecl,
  Stmt,
  TopLevel,
  TypeExpr,
} from "./ast.ts";
import { all, present, real, type R } from "./build_ast.ts";
import { diag } from "./diagnostic.ts";
import * as T from "./lexer.ts";
import { StmtParser } from "./parser_stmt.ts";

export class RlpParser extends StmtParser {
  constructor() {
    super();
    this.performSelfAnalysis();
  }

  topLevel = this.RULE("topLevel", (): TopLevel[] => {
    const out = this.OR([
      { ALT: () => [this.SUBRULE(this.importDecl)] },
      { ALT: () => [this.SUBRULE(this.enumDecl)] },
      { ALT: () => this.SUBRULE(this.dimDecl) as R<TopLevel>[] },
      { ALT: () => [this.SUBRULE(this.nodeDecl)] },
      { ALT: () => [this.SUBRULE(this.pipelineDecl)] },
    ]);
    return this.ACTION(() => present(out ?? []));
  });

  importDecl = this.RULE("importDecl", () => {
    const kw = this.CONSUME(T.Import);
    const path = this.CONSUME(T.StringLit);
    return this.ACTION(() => {
      const span = this.from(kw);
      return span && real(path) ? { kind: "import" as const, path: this.b.stringValue(path), span } : undefined;
    });
  });

  enumDecl = this.RULE("enumDecl", () => {
    const kw = this.CONSUME(T.Enum);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    const labels = this.SUBRULE(this.labelList);
    this.CONSUME(T.RBrace);
    return this.ACTION(() => {
      const n = this.b.ident(name),
        span = this.from(kw);
      return n && labels && span ? { kind: "enum" as const, name: n, labels, span } : undefined;
    });
  });

  dimDecl = this.RULE("dimDecl", (): R<DimDecl>[] => {
    this.OR([{ ALT: () => this.CONSUME(T.Dim) }, { ALT: () => this.CONSUME(T.Dims) }]);
    const items = [this.SUBRULE(this.dimItem)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      items.push(this.SUBRULE2(this.dimItem));
    });
    return items;
  });

  dimItem = this.RULE("dimItem", (): R<DimDecl> => {
    const nameTok = this.CONSUME(T.Identifier);
    const d: Partial<DimDecl> & { bad?: boolean } = {};
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.LBrace);
            const labels = this.SUBRULE(this.labelList);
            this.CONSUME(T.RBrace);
            this.ACTION(() => (labels ? (d.labels = labels) : (d.bad = true)));
          },
        },
        {
          ALT: () => {
            const a = this.CONSUME2(T.Identifier);
            this.ACTION(() => (d.alias = this.b.ident(a)) ?? (d.bad = true));
          },
        },
        {
          ALT: () => {
            const n = this.CONSUME(T.NumberLit);
            this.ACTION(() => {
              const num = this.b.number(n);
              if (num?.kind === "number" && num.isInt) d.size = num.value;
              else {
                d.bad = true;
                if (num)
                  this.b.diagnostics.push(
                    diag("RLP002", `a dim size must be a whole number such as 4, found '${n.image}'`, num.span),
                  );
              }
            });
          },
        },
      ]);
    });
    return this.ACTION(() => {
      const name = this.b.ident(nameTok),
        span = this.from(nameTok);
      if (!name || !span || d.bad) return undefined;
      return { kind: "dimdecl" as const, name, ...d, span } as DimDecl;
    });
  });

  nodeDecl = this.RULE("nodeDecl", (): R<NodeDecl> => {
    const ov = this.OPTION(() => this.CONSUME(T.Override));
    const kw = this.CONSUME(T.Node);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.LParen);
    const params: R<NodeParam>[] = [];
    this.OPTION2(() => {
      params.push(this.SUBRULE(this.nodeParam));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        params.push(this.SUBRULE2(this.nodeParam));
      });
      this.OPTION3(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
    this.CONSUME(T.Arrow);
    const results = this.SUBRULE(this.results);
    const body = this.SUBRULE(this.block);
    return this.ACTION(() => {
      const n = this.b.ident(name),
        span = this.from(ov ?? kw);
      if (!n || !results || !body || !span) return undefined;
      return { kind: "node" as const, name: n, params: present(params), results, body, override: ov !== undefined, span };
    });
  });

  nodeParam = this.RULE("nodeParam", (): R<NodeParam> => {
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    const type = this.SUBRULE(this.type);
    const def = this.OPTION(() => {
      this.CONSUME(T.Equals);
      return { e: this.SUBRULE(this.expr) };
    });
    return this.ACTION(() => {
      const n = this.b.ident(name),
        span = this.from(name);
      if (!n || !type || !span || (def && !def.e)) return undefined;
      return def?.e ? { name: n, type, default: def.e, span } : { name: n, type, span };
    });
  });

  results = this.RULE("results", (): R<TypeExpr[]> => {
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          const ts = [this.SUBRULE(this.type)];
          this.MANY(() => {
            this.CONSUME(T.Comma);
            ts.push(this.SUBRULE2(this.type));
          });
          this.CONSUME(T.RParen);
          return this.ACTION(() => all(ts));
        },
      },
      {
        ALT: () => {
          const t = this.SUBRULE3(this.type);
          return this.ACTION(() => (t ? [t] : undefined));
        },
      },
    ]);
  });

  block = this.RULE("block", (): R<Stmt[]> => {
    this.CONSUME(T.LBrace);
    const stmts: R<Stmt>[] = [];
    this.MANY(() => stmts.push(this.SUBRULE(this.stmt)));
    this.CONSUME(T.RBrace);
    return this.ACTION(() => present(stmts));
  });

  pipelineDecl = this.RULE("pipelineDecl", (): R<PipelineDecl> => {
    const kw = this.CONSUME(T.Pipeline);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    const items: PipelineItem[] = [];
    this.MANY(() => {
      const got = this.SUBRULE(this.pipelineItem);
      this.ACTION(() => items.push(...present(got ?? [])));
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => {
      const n = this.b.ident(name),
        span = this.from(kw);
      return n && span ? { kind: "pipeline" as const, name: n, items, span } : undefined;
    });
  });

  pipelineItem = this.RULE("pipelineItem", (): R<PipelineItem>[] => {
    const out = this.OR([
      { ALT: () => this.SUBRULE(this.dimDecl) as R<PipelineItem>[] },
      { ALT: () => [this.SUBRULE(this.paramDecl)] },
      { ALT: () => [this.SUBRULE(this.inputDecl)] },
      { ALT: () => [this.SUBRULE(this.stateDecl)] },
      { ALT: () => [this.SUBRULE(this.modelDecl)] },
      { ALT: () => [this.SUBRULE(this.stmt)] },
    ]);
    this.OPTION(() => this.CONSUME(T.Semi));
    return out ?? [];
  });

  paramDecl = this.RULE("paramDecl", (): R<ParamDecl> => {
    const kw = this.CONSUME(T.Param);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    const type = this.SUBRULE(this.type);
    const def = this.OPTION(() => {
      this.CONSUME(T.Equals);
      return { e: this.SUBRULE(this.expr) };
    });
    return this.ACTION(() => {
      const n = this.b.ident(name),
        span = this.from(kw);
      if (!n || !type || !span || (def && !def.e)) return undefined;
      return def?.e
        ? { kind: "param" as const, name: n, type, default: def.e, span }
        : { kind: "param" as const, name: n, type, span };
    });
  });

  inputDecl = this.RULE("inputDecl", (): R<InputDecl> => {
    const kw = this.CONSUME(T.Input);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    const type = this.SUBRULE(this.type);
    const mark = this.OPTION(() => {
      this.CONSUME(T.At);
      return this.CONSUME2(T.Identifier);
    });
    const masks = this.OPTION2(() => {
      this.CONSUME(T.Masks);
      return { d: this.SUBRULE(this.dimRef) };
    });
    const def = this.OPTION3(() => {
      this.CONSUME(T.Equals);
      return { e: this.SUBRULE(this.expr) };
    });
    return this.ACTION(() => {
      const n = this.b.ident(name),
        span = this.from(kw);
      if (!n || !type || !span || (def && !def.e) || (masks && !masks.d)) return undefined;
      const d: InputDecl = { kind: "input", name: n, type, span };
      if (mark) {
        const m = this.b.ident(mark);
        if (!m) return undefined;
        d.mark = m;
      }
      if (masks?.d) d.masks = masks.d;
      if (def?.e) d.default = def.e;
      return d;
    });
  });

  dimRef = this.RULE("dimRef", (): R<Ident[]> => {
    return this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(T.Identifier);
          return this.ACTION(() => this.b.idents([t]));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          const toks = [this.CONSUME2(T.Identifier)];
          this.MANY(() => {
            this.CONSUME(T.Comma);
            toks.push(this.CONSUME3(T.Identifier));
          });
          this.CONSUME(T.RBracket);
          return this.ACTION(() => this.b.idents(toks));
        },
      },
    ]);
  });

  stateDecl = this.RULE("stateDecl", (): R<StateDecl> => {
    const kw = this.CONSUME(T.State);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    const type = this.SUBRULE(this.type);
    this.CONSUME(T.Equals);
    const init = this.SUBRULE(this.expr);
    return this.ACTION(() => {
      const n = this.b.ident(name),
        span = this.from(kw);
      return n && type && init && span ? { kind: "state" as const, name: n, type, init, span } : undefined;
    });
  });

  modelDecl = this.RULE("modelDecl", (): R<ModelDecl> => {
    const kw = this.CONSUME(T.Model);
    const name = this.CONSUME(T.Identifier);
    const def = this.OPTION(() => {
      this.CONSUME(T.Equals);
      return { e: this.SUBRULE(this.expr) };
    });
    return this.ACTION(() => {
      const n = this.b.ident(name),
        span = this.from(kw);
      if (!n || !span || (def && !def.e)) return undefined;
      return def?.e ? { kind: "model" as const, name: n, value: def.e, span } : { kind: "model" as const, name: n, span };
    });
  });
}
