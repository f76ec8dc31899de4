// Every diagnostic code rlp reports, in one table: its severity, a short title and a one-line explanation. The
// grammar is the lowest layer, so the table lives here and every stage (grammar, compiler, CLI, runtime) can name
// its codes by type: `diag`, `Ctx.report`, the lints and the run-time errors take a `DiagnosticCode`, so a code
// that is not in this table is a type error. docs/diagnostics.md documents each code (with an example from
// test/diagnostics/cases.ts); test/diagnostics/registry.test.ts checks the docs and the cases against this table.

export type Severity = "error" | "warning" | "info";

export interface CodeInfo {
  /** The severity the code is reported with (lints: warning or info; everything else: error). */
  readonly severity: Severity;
  /** A short name of the problem (docs/diagnostics.md shows each case's own title too). */
  readonly title: string;
  /** One sentence: what the code means. The full entry is docs/diagnostics.md#<code in lower case>. */
  readonly doc: string;
}

export const DIAGNOSTIC_CODES = {
  // ------------------------------------------------------------------ RLP0xx: syntax (grammar/)
  RLP001: {
    severity: "error",
    title: "unknown character or escape",
    doc: "A character that is not part of the language, or an unknown escape in a string.",
  },
  RLP002: {
    severity: "error",
    title: "syntax error",
    doc: "The parser expected something else here (recovery reports each broken statement); also a chained comparison.",
  },
  RLP003: { severity: "error", title: "unterminated string", doc: "A string literal has no closing quote on its line." },
  RLP004: { severity: "error", title: "unterminated block comment", doc: "A `/*` comment has no closing `*/`." },
  RLP005: { severity: "error", title: "malformed number", doc: "A number literal with a dangling exponent or letters glued on." },
  RLP006: {
    severity: "error",
    title: "unclosed bracket",
    doc: "A `(`, `[` or `{` is not closed before the end of the declaration.",
  },
  RLP009: {
    severity: "error",
    title: "internal parser failure",
    doc: "The parser failed on a declaration: a bug in rlp, not in the program (please report it with the file).",
  },
  // ------------------------------------------------------------------ RLP1xx: names
  RLP100: { severity: "error", title: "unknown name", doc: "A name that is not declared in scope, or a node used as a value." },
  RLP101: {
    severity: "error",
    title: "unknown node",
    doc: "A call of a node, builtin or method that does not exist, or a call of a value.",
  },
  RLP102: {
    severity: "error",
    title: "unknown dim",
    doc: "A type names a dim that is not declared (or a node signature names a pipeline's dim).",
  },
  RLP103: { severity: "error", title: "defined twice", doc: "A name, node or declaration is defined twice in the same scope." },
  RLP104: {
    severity: "error",
    title: "file not found",
    doc: "An imported file (or the file given on the command line) cannot be read.",
  },
  RLP105: { severity: "error", title: "import cycle", doc: "Files import each other in a cycle." },
  RLP106: { severity: "error", title: "shadowing a std node", doc: "A node has the name of a std node without `override`." },
  RLP107: {
    severity: "error",
    title: "unknown keyword argument or override",
    doc: "A keyword argument the callee does not take, or an override of a node that does not exist.",
  },
  RLP108: {
    severity: "error",
    title: "wrong arguments",
    doc: "Too many positional arguments, a missing required argument, or a reduction without `over=`.",
  },
  RLP109: {
    severity: "error",
    title: "argument given twice",
    doc: "A keyword argument is given twice (or positionally and by keyword).",
  },
  RLP110: {
    severity: "error",
    title: "not a label of the enum",
    doc: "A label that the enum (or a match arm's enum) does not have.",
  },
  RLP111: {
    severity: "error",
    title: "unknown model",
    doc: "A mark, loss or model option names a model that does not exist or cannot be used there.",
  },
  RLP112: {
    severity: "error",
    title: "unknown record field",
    doc: "A field that a rollout or model record does not have, or one that `rlp eval` cannot evaluate.",
  },
  RLP113: { severity: "error", title: "unknown type", doc: "A type that does not exist, or a param of a tensor type." },
  RLP115: { severity: "error", title: "recursive node", doc: "A node calls itself, directly or through other nodes." },
  RLP116: { severity: "error", title: "misplaced return", doc: "A `return` in a pipeline, or a node without one." },
  RLP117: { severity: "error", title: "param without a default", doc: "A param has no default value and no `--set`." },
  RLP118: { severity: "error", title: "bad --set value", doc: "A `--set name=value` whose value is not valid for the param." },
  RLP119: { severity: "error", title: "no pipeline of that name", doc: "`--pipeline NAME` names no pipeline of the file." },
  RLP120: {
    severity: "error",
    title: "plugin does not parse",
    doc: "A TypeScript plugin imported by the program has syntax errors.",
  },
  RLP121: {
    severity: "error",
    title: "unusable custom node",
    doc: "A custom node that cannot be used as written: not exported, no gradient, a parameter type rlp cannot pass, or a bad params schema.",
  },
  RLP122: {
    severity: "error",
    title: "plugin exports no node",
    doc: "An imported TypeScript plugin exports no node made with `defineNode`.",
  },
  RLP123: {
    severity: "error",
    title: "static argument rejected by the schema",
    doc: "A static argument of a custom node that the node's JSON Schema rejects.",
  },
  // ------------------------------------------------------------------ RLP2xx: types
  RLP201: {
    severity: "error",
    title: "broadcast conflict",
    doc: "Two values cannot be broadcast together: their named dims conflict.",
  },
  RLP202: { severity: "error", title: "bool/number mix-up", doc: "A bool mask used as a number, or a number used as a mask." },
  RLP203: {
    severity: "error",
    title: "dtype mismatch",
    doc: "i32 and f32 mixed without a conversion, or a dtype that is not allowed there.",
  },
  RLP204: {
    severity: "error",
    title: "reduction over a missing dim",
    doc: "A reduction over a dim that neither the value nor its mask has.",
  },
  RLP205: { severity: "error", title: "bad label", doc: "Not a label of the dim, or a labelled literal that misses a label." },
  RLP206: {
    severity: "error",
    title: "wrong kind of value",
    doc: "A value of the wrong kind (a dim, a tensor, a number of results) where another is expected.",
  },
  RLP207: { severity: "error", title: "not static", doc: "A value computed at run time where a compile-time value is needed." },
  RLP208: { severity: "error", title: "non-exhaustive match", doc: "A `match` does not cover every label." },
  RLP209: { severity: "error", title: "missing required dim", doc: "An argument lacks a dim the callee requires." },
  RLP210: {
    severity: "error",
    title: "arithmetic on an id",
    doc: "An id used as a number: ids support only `==`, `!=` and use as keys.",
  },
  RLP211: {
    severity: "error",
    title: "index of the wrong dim",
    doc: "`take` (or indexing) with an index whose dim is not the indexed one.",
  },
  RLP212: { severity: "error", title: "bad rename", doc: "A rename to a dim that is not an alias of the original." },
  RLP213: {
    severity: "error",
    title: "result does not match the signature",
    doc: "A node returns something other than its declared results.",
  },
  RLP214: {
    severity: "error",
    title: "selection without empty=",
    doc: "A max/min/logsumexp over a `where=` selection that can be empty, without `empty=`.",
  },
  // ------------------------------------------------------------------ RLP3xx: stages and gradients
  RLP301: {
    severity: "error",
    title: "advantage depends on the policy",
    doc: "An advantage must be const: it may not carry the policy's gradient.",
  },
  RLP302: {
    severity: "error",
    title: "reward carries the policy's gradient",
    doc: "A reward may not depend differentiably on the policy.",
  },
  RLP303: { severity: "error", title: "loss is not a scalar", doc: "A loss must be aggregated to a scalar." },
  RLP304: {
    severity: "error",
    title: "loss reaches no differentiable input",
    doc: "A loss that depends on no @policy, @critic or model input has a zero gradient.",
  },
  RLP305: {
    severity: "error",
    title: "loss for a model it does not reach",
    doc: "A loss declared for a model does not depend on that model.",
  },
  RLP306: {
    severity: "error",
    title: "bad state update",
    doc: "An `update` of something that is not state, with the wrong key, or carrying a gradient.",
  },
  RLP307: {
    severity: "error",
    title: "misplaced rollout or filter",
    doc: "`sample(...)`, `filter` or a second rollout where the pipeline's rollout rules do not allow it.",
  },
  RLP310: { severity: "error", title: "requirement fails", doc: "A `require` whose condition is false at compile time." },
  // ------------------------------------------------------------------ RLP4xx: lints (compiler/elaborate/lints/)
  RLP401: {
    severity: "warning",
    title: "mean over a padded dim without a mask",
    doc: "A sum/mean/var/std over the dims of a bool input without `where=` also counts padding positions.",
  },
  RLP402: {
    severity: "warning",
    title: "division by a std without an epsilon",
    doc: "Normalising by a std divides by 0 for a constant group; add an epsilon.",
  },
  RLP403: {
    severity: "warning",
    title: "k1 KL estimate as a loss term",
    doc: "The k1 estimate (logp - ref_logp) has a constant gradient; prefer kl_k3 or kl_k2.",
  },
  RLP404: {
    severity: "info",
    title: "length-biased aggregation",
    doc: "seq_mean_token_mean weights tokens of short responses more.",
  },
  RLP405: {
    severity: "warning",
    title: "raw division by a count",
    doc: "Dividing by a count or sum of a mask can be 0/0 for an all-masked row; use safe_div.",
  },
  RLP406: {
    severity: "warning",
    title: "a max over padding",
    doc: "A max/min/logsumexp over the dims of a bool input without `where=` mixes padding positions in.",
  },
  RLP407: {
    severity: "info",
    title: "a masked mean of an empty row is 0",
    doc: "A masked mean gives 0 (never NaN) for a row whose mask is all false.",
  },
  // ------------------------------------------------------------------ RLP5xx: run time (runtime/library/io and plugin)
  RLP501: { severity: "error", title: "missing input", doc: "A declared input (without a default) is not in the file." },
  RLP502: {
    severity: "error",
    title: "wrong rank or shape",
    doc: "Wrong number of dims, ragged nested data, or data that does not fill `shape`.",
  },
  RLP503: {
    severity: "error",
    title: "dim size conflict",
    doc: "A dim has different sizes in two inputs (or an alias differs from its target).",
  },
  RLP504: { severity: "error", title: "non-finite value", doc: "NaN or ±Infinity." },
  RLP505: {
    severity: "error",
    title: "wrong kind of value",
    doc: "A value of the wrong kind: not a number, not an integer, not a bool.",
  },
  RLP506: {
    severity: "error",
    title: "bad dims field",
    doc: "The `dims` field is malformed, names an unknown dim, or is not a permutation of the declared dims.",
  },
  RLP507: {
    severity: "error",
    title: "unreadable inputs file",
    doc: "The file is missing, unreadable, not JSON, or a truncated/corrupt safetensors file.",
  },
  RLP508: {
    severity: "error",
    title: "static size differs",
    doc: "A labelled or sized dim whose size differs from its static size.",
  },
  RLP509: { severity: "error", title: "bad --set", doc: "A `--set name=value` that is malformed or cannot apply." },
  RLP520: {
    severity: "error",
    title: "plugin cannot be loaded",
    doc: "A plugin module cannot be loaded: it throws while it is imported, or imports something that is missing.",
  },
  RLP521: {
    severity: "error",
    title: "node missing from the plugin",
    doc: "The node is not in the plugin at run time: the export is missing (the plugin changed since the program was compiled) or is not a node made with `defineNode` from `rlpc/plugin`.",
  },
  RLP522: {
    severity: "error",
    title: "bad values from a custom node",
    doc: "`forward` or `gradient` returned the wrong number of values, or something that is not an array of numbers (for a multi-result node, not one array per result).",
  },
  RLP523: {
    severity: "error",
    title: "custom node threw",
    doc: "`forward` or `gradient` threw; the message is the exception's, with where in the plugin it was thrown.",
  },
  RLP524: {
    severity: "error",
    title: "missing gradient of a custom node",
    doc: "A gradient is needed but `gradient` gives none for an argument: its result lacks that argument's name, or is not an object of arrays.",
  },
  // ------------------------------------------------------------------ RLP6xx: command-line options (cli/)
  RLP601: {
    severity: "error",
    title: "unknown --dump-after stage",
    doc: "`rlp compile --dump-after STAGE` names no stage of the compiler; the message lists the stages, in order.",
  },
} as const satisfies Record<`RLP${number}`, CodeInfo>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** The codes reported as warnings or infos: the lints, which `// rlp-allow CODE` and `--allow CODE` silence. */
export type LintCode = {
  [C in DiagnosticCode]: (typeof DIAGNOSTIC_CODES)[C]["severity"] extends "error" ? never : C;
}[DiagnosticCode];

export const ALL_CODES = Object.keys(DIAGNOSTIC_CODES) as DiagnosticCode[];

export function isDiagnosticCode(s: string): s is DiagnosticCode {
  return Object.hasOwn(DIAGNOSTIC_CODES, s);
}

export function isLintCode(s: string): s is LintCode {
  return isDiagnosticCode(s) && DIAGNOSTIC_CODES[s].severity !== "error";
}

export function severityOf(code: DiagnosticCode): Severity {
  return DIAGNOSTIC_CODES[code].severity;
}
