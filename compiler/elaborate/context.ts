// The state of one elaboration: diagnostics, the graph being built, the dim table and the name scopes.
import type { Span } from "../../grammar/ast.ts";
import { diag, type Diagnostic, type DiagnosticNote, type Severity } from "../../grammar/diagnostic.ts";
import { severityOf, type DiagnosticCode, type LintCode } from "../../grammar/diagnostic_codes.ts";
import { NodeBuilder } from "../ir/builder.ts";
import type { DimInfo, IRRequire } from "../ir/ir.ts";
import type { RuleEnv } from "../ir/rules.ts";
import type { GlobalScope } from "../scope.ts";
import { DimOrder, type TensorValue, type Value } from "./values.ts";

export interface Binding {
  value: Value;
  span: Span;
  /** What declared it, for messages: "input", "param", "let", "advantage", ... */
  what: string;
}

export class Frame {
  private readonly vars = new Map<string, Binding>();
  constructor(readonly parent?: Frame) {}
  lookup(name: string): Binding | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }
  define(name: string, b: Binding): Binding | undefined {
    const prev = this.vars.get(name);
    this.vars.set(name, b);
    return prev;
  }
  names(): string[] {
    return [...this.vars.keys(), ...(this.parent?.names() ?? [])];
  }
}

export interface PipelineEnv {
  name: string;
  /** `input mask: bool[P,G,T] masks T`: the default `where=` for reductions over T in the pipeline body. */
  defaultMasks: Map<string, TensorValue>;
  /** Differentiable marks that exist: `policy`, `critic`, every declared model. */
  marks: Set<string>;
  /** Models declared `frozen(...)`: their outputs are const. */
  frozen: Set<string>;
  /** The dims of each bool input: a plain mean of a value the mask fits, over one of its dims, mixes padding in (lint RLP401). */
  maskDims: string[][];
}

/** What the type rules read of a program being elaborated: the dim table so far (no input is listed yet). */
function growingProgram(dims: () => DimInfo[]): RuleEnv {
  return {
    get dims() {
      return dims();
    },
    inputs: [],
    marks: [],
  };
}

interface CallSite {
  name: string;
  span: Span;
  isStd: boolean;
}

export class Ctx {
  readonly diagnostics: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  /**
   * The graph being built (compiler/ir/builder.ts). Its type rules read the dim order as it grows; inputs are typed
   * from their declarations. A value made while inlining a node call records the outermost call; each uniform() draw
   * is its own node.
   */
  readonly g = new NodeBuilder(
    growingProgram(() => this.order.all().map((d) => this.dims.get(d) ?? { name: d })),
    {
      unshared: (op) => op.op === "uniform",
      origin: () => {
        const outer = this.callStack[0];
        return outer && { site: { node: outer.name, span: outer.span } };
      },
    },
  );
  readonly order: DimOrder;
  readonly dims = new Map<string, DimInfo>();
  pipe: PipelineEnv | undefined;
  readonly callStack: CallSite[] = [];
  /** Per file: line -> silenced codes. */
  readonly suppressions = new Map<string, Map<number, string[]>>();
  /** Lints switched off for the whole compilation (`--allow CODE`): compiler/elaborate/lints does not run them. */
  readonly allowed = new Set<LintCode>();
  /** `param vote: enum { a, b }`: inline enums, named after their param. */
  readonly inlineEnums = new Map<string, string[]>();
  /** Run-time checks from `require` conditions that depend on data. */
  readonly requires: IRRequire[] = [];
  /** `once(e)` values of the pipeline, in order: results of kind "once" (compiler/elaborate/builtins/math.ts). */
  readonly onces: { node: number; span: Span }[] = [];

  constructor(
    readonly scope: GlobalScope,
    dimOrder: string[] = [],
  ) {
    this.order = new DimOrder(dimOrder);
  }

  /** True while elaborating code the user wrote (not the inside of a std node): lints apply there. */
  get inUserCode(): boolean {
    return this.callStack.every((c) => !c.isStd);
  }

  /** Reports `code` with its registered severity (grammar/diagnostic_codes.ts) unless `severity` overrides it. */
  report(
    code: DiagnosticCode,
    message: string,
    span: Span,
    notes: DiagnosticNote[] = [],
    severity: Severity = severityOf(code),
  ): void {
    if (severity !== "error" && this.isSuppressed(code, span)) return;
    let d: Diagnostic;
    const outer = this.callStack[0];
    if (outer && this.callStack.some((c) => c.isStd)) {
      // An error inside a std node body is the caller's problem: point at the user's call, show the std line.
      d = diag(
        code,
        `in '${this.callStack.map((c) => c.name).join("' -> '")}': ${message}`,
        outer.span,
        [...notes, { message: "inside the std node here", span }],
        severity,
      );
    } else if (outer && outer.span.file === span.file && outer.span.start !== span.start) {
      // Inside a user node: the problem depends on this call's arguments, so say which call.
      d = diag(
        code,
        message,
        span,
        [...notes, { message: `while inlining the call to '${outer.name}' here`, span: outer.span }],
        severity,
      );
    } else {
      d = diag(code, message, span, notes, severity);
    }
    const key = `${d.code}|${d.span.file}|${d.span.start}|${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push(d);
  }

  /** A lint (compiler/elaborate/lints): reported in user code only, with its registered severity. */
  lint(code: LintCode, message: string, span: Span, notes: DiagnosticNote[] = []): void {
    if (!this.inUserCode) return;
    this.report(code, message, span, notes);
  }

  private isSuppressed(code: DiagnosticCode, span: Span): boolean {
    const codes = this.suppressions.get(span.file)?.get(span.line);
    return codes !== undefined && codes.includes(code);
  }

  enumLabels(name: string): string[] | undefined {
    return this.scope.enums.get(name)?.labels ?? this.inlineEnums.get(name);
  }

  dimInfo(name: string): DimInfo | undefined {
    return this.dims.get(name);
  }

  /** Two dims related by `dims G2 = G` (either way) or both aliases of one dim. */
  areAliases(a: string, b: string): boolean {
    const root = (d: string) => this.dims.get(d)?.aliasOf ?? d;
    return root(a) === root(b);
  }
}
