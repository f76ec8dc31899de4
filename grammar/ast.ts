// The abstract syntax tree of a .rlp file. Pure data: no semantics, no types beyond what was written.
// Every node carries the span of the source text it came from, so later stages can point at it.

export interface Span {
  file: string;
  /** 0-based character offsets, end exclusive. */
  start: number;
  end: number;
  /** 1-based line and column of `start`. */
  line: number;
  col: number;
}

export interface Ident {
  name: string;
  span: Span;
}

// ---------------------------------------------------------------- types as written

export type DTypeName = "f32" | "i32" | "bool" | "id";

/** One entry of a dim list inside a type: `P`, `over` (a dim param), `...`, `...R`, `*over` (a `dims` param spliced). */
export type DimEntry =
  | { kind: "dim"; name: Ident }
  | { kind: "row"; name?: Ident; span: Span } // `...` or `...R`
  | { kind: "splice"; name: Ident }; // `*over` where over: dims

/** `f32[P,G,T]`, `i32<V>[P,T]`, `f32` (a scalar), `f32[]`, `table f32`, `dim`, `dims`, an enum name, `enum {a, b}`. */
export type TypeExpr =
  | { kind: "tensor"; dtype: DTypeName; index?: Ident; dims: DimEntry[] | null; span: Span } // dims null: written without brackets
  | { kind: "table"; value: TypeExpr; span: Span }
  | { kind: "dim"; span: Span }
  | { kind: "dims"; span: Span }
  | { kind: "named"; name: Ident; span: Span } // an enum declared elsewhere
  | { kind: "enum"; labels: Ident[]; span: Span }; // inline enum

// ---------------------------------------------------------------- expressions

export type BinaryOp = "+" | "-" | "*" | "/" | "%" | "**" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "and" | "or";

export type UnaryOp = "-" | "not";

export interface Arg {
  /** Present for keyword arguments: `eps=0.2`. */
  name?: Ident;
  value: Expr;
  span: Span;
}

export type Expr =
  | { kind: "number"; value: number; text: string; isInt: boolean; span: Span }
  | { kind: "string"; value: string; span: Span }
  | { kind: "bool"; value: boolean; span: Span }
  | { kind: "name"; name: string; span: Span }
  | { kind: "ellipsis"; span: Span } // `...` as a value: `over=...`
  | { kind: "list"; items: Expr[]; span: Span } // `[P, G]`
  | { kind: "binary"; op: BinaryOp; left: Expr; right: Expr; opSpan: Span; span: Span }
  | { kind: "unary"; op: UnaryOp; operand: Expr; span: Span }
  | { kind: "call"; callee: Expr; args: Arg[]; span: Span }
  | { kind: "field"; target: Expr; field: Ident; span: Span } // `r.logp`, `task.score`
  | { kind: "index"; target: Expr; index: Expr; span: Span } // `vhat[prompt_id]` (table lookup)
  | { kind: "select"; target: Expr; dim: Ident; label: Expr; span: Span } // `x[Y=w]`, `x[T=0]`
  | { kind: "rename"; target: Expr; from: Ident; to: Ident; span: Span } // `x[G as G2]`
  | { kind: "labelled"; dim: Ident; entries: { label: Ident; value: Expr }[]; span: Span } // `Y{w: a, l: b}`
  | { kind: "if"; cond: Expr; then: Expr; else: Expr; span: Span } // `if c then a else b`
  | { kind: "match"; scrutinee: Expr; arms: { label: Ident; value: Expr; span: Span }[]; span: Span };

// ---------------------------------------------------------------- statements (inside pipelines and nodes)

export type StageKind = "rollout" | "reward" | "advantage" | "loss" | "metric" | "output";

export type Stmt =
  | { kind: "let"; names: Ident[]; value: Expr; span: Span }
  | { kind: "stage"; stage: StageKind; names: Ident[]; forModel?: Ident; value: Expr; span: Span }
  | { kind: "require"; cond: Expr; message: string; span: Span }
  | { kind: "return"; values: Expr[]; span: Span }
  | { kind: "update"; target: Ident; key?: Expr; value: Expr; span: Span }
  | { kind: "optimize"; models: Ident[]; optimizer: Expr; span: Span }
  /** `filter P by keep, max_rounds=8`: DAPO's dynamic sampling (the rollout is refilled with prompts that pass). */
  | { kind: "filter"; dim: Ident; args: Arg[]; span: Span };

// ---------------------------------------------------------------- declarations

/** `dims P, G, T` declares plain dims; `dims G2 = G` an alias; `dim Y = {w, l}` a labelled dim; `dims M = 4` a static size. */
export interface DimDecl {
  kind: "dimdecl";
  name: Ident;
  alias?: Ident;
  labels?: Ident[];
  size?: number;
  span: Span;
}

export interface ParamDecl {
  kind: "param";
  name: Ident;
  type: TypeExpr;
  default?: Expr;
  span: Span;
}

export interface InputDecl {
  kind: "input";
  name: Ident;
  type: TypeExpr;
  /** `@policy`, `@critic`, `@M` for a declared model. */
  mark?: Ident;
  /** `masks T`: this bool input is the default `where=` of reductions over T. */
  masks?: Ident[];
  default?: Expr;
  span: Span;
}

export interface StateDecl {
  kind: "state";
  name: Ident;
  type: TypeExpr;
  init: Expr;
  span: Span;
}

/** `model ref = frozen(policy)`, `model rm` (trained, external to the pipeline). */
export interface ModelDecl {
  kind: "model";
  name: Ident;
  value?: Expr;
  span: Span;
}

export type PipelineItem = DimDecl | ParamDecl | InputDecl | StateDecl | ModelDecl | Stmt;

export interface PipelineDecl {
  kind: "pipeline";
  name: Ident;
  items: PipelineItem[];
  doc?: string;
  span: Span;
}

export interface NodeParam {
  name: Ident;
  type: TypeExpr;
  default?: Expr;
  span: Span;
}

export interface NodeDecl {
  kind: "node";
  name: Ident;
  params: NodeParam[];
  /** One type per result: `-> f32[...]` or `-> (f32[..., over], bool[..., over])`. */
  results: TypeExpr[];
  body: Stmt[];
  /** `override node ...`: replaces a std node of the same name on purpose. */
  override: boolean;
  /** The `//` comment lines directly above the declaration. */
  doc?: string;
  span: Span;
}

export interface EnumDecl {
  kind: "enum";
  name: Ident;
  labels: Ident[];
  span: Span;
}

export interface ImportDecl {
  kind: "import";
  path: string;
  span: Span;
}

export type TopLevel = ImportDecl | EnumDecl | DimDecl | NodeDecl | PipelineDecl;

export interface FileAst {
  file: string;
  decls: TopLevel[];
  /** `// rlp-ignore RLP-xxx` comments: line number -> lint ids silenced on that line (and the next). */
  suppressions: Map<number, string[]>;
}
