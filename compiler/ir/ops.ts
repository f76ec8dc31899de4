// THE op registry: what every IR primitive (op kind) and every function of a family (unary, binary, reduce, scan,
// segment) is, in one place. The function names are the keys of the tables below (ir.ts re-exports the unions), so
// adding a function or an op kind here makes `tsc` list every backend table that lacks it: each backend keeps its
// implementation in a `Record<...Name, ...>` or a `never`-checked switch (docs/contributing.md, "Add a primitive").
// The function families live in functions.ts (re-exported here); this file holds the op kinds. Pure data and small
// pure functions; imports only types.
import type { CustomArg, CustomCall, IRProgram, Op, OpName } from "./ir.ts";

export * from "./functions.ts";
import { binaryInfo } from "./functions.ts";

// ---- op kinds -----------------------------------------------------------------------------------------------------

/**
 * Where a node's value is made in the fused kernels (compiler/fuse/stages.ts):
 *   inline   computed in locals wherever used (elementwise ops, consts, params, index/size, uniform, embed, stack;
 *            inputs are buffers)
 *   env      inline, but reads its operand at another position (shift/select/rename/take): the operand's stage
 *            values must come from a buffer written by an earlier kernel
 *   reduce   an accumulation over its space
 *   scan     sequential along a dim (the innermost loop)
 *   library  a kernel of its own over buffers (runtime/library/kernels/library.ts)
 */
export type FusionStage = "inline" | "env" | "reduce" | "scan" | "library";

export type OpOfKind<K extends OpName> = Extract<Op, { op: K }>;

export interface OpInfo<K extends OpName> {
  /** The number of args (stack: one per label of its dim, or its static size; undefined when that is unknown). */
  arity: (op: OpOfKind<K>, program: IRProgram) => number | undefined;
  /**
   * False: the value is a constant of differentiation whatever its args (its gradient is defined as zero): every
   * reverse mode (compiler/autodiff, the reference oracle, tfjs autograd) stops there. Inputs carry gradient when marked.
   */
  carriesGradient: boolean;
  stage: FusionStage;
  /** Broadcasts its operands to its dims position by position (the autodiff spreads a cotangent back over them). */
  elementwise: boolean;
  /** A value the program reads rather than computes: an input, a param or a state read (a kernel reads its buffer). */
  source: boolean;
  /** Hash-consed (two nodes with the same op, args and type are one value); false: every node is its own value. */
  shared: boolean;
  /** The dump label (`exp`, `sum over [T]`, `cumsum along T reverse`). */
  label: (op: OpOfKind<K>) => string;
}

/** The tensor arguments of a custom node's call, in IR arg order. */
export function tensorArgs(call: CustomCall): Extract<CustomArg, { kind: "tensor" }>[] {
  return call.argv
    .filter((a): a is Extract<CustomArg, { kind: "tensor" }> => a.kind === "tensor")
    .sort((x, y) => x.index - y.index);
}

const baseName = (path: string): string => path.slice(path.lastIndexOf("/") + 1);
const fixed = (n: number) => (): number => n;
const named = <K extends OpName>(op: OpOfKind<K>): string => op.op;
const along = (op: { along: string; reverse: boolean }): string => `along ${op.along}${op.reverse ? " reverse" : ""}`;

/** Defaults of the common case: an inline, elementwise-free, gradient-carrying, shared op labelled by its kind. */
const base = { carriesGradient: true, stage: "inline", elementwise: false, source: false, shared: true } as const;

export const OPS: { [K in OpName]: OpInfo<K> } = {
  input: { ...base, arity: fixed(0), source: true, shared: false, label: (op) => `input ${op.name}` },
  param: { ...base, arity: fixed(0), carriesGradient: false, source: true, label: (op) => `param ${op.name}` },
  const: { ...base, arity: fixed(0), carriesGradient: false, label: (op) => `const ${op.value}` },
  index: { ...base, arity: fixed(0), carriesGradient: false, label: named },
  size: { ...base, arity: fixed(0), carriesGradient: false, label: named },
  unary: { ...base, arity: fixed(1), elementwise: true, label: (op) => op.fn },
  binary: {
    ...base,
    arity: fixed(2),
    elementwise: true,
    label: (op) => (binaryInfo(op.fn).infix ? (binaryInfo(op.fn).symbol ?? op.fn) : op.fn),
  },
  cast: { ...base, arity: fixed(1), elementwise: true, label: (op) => `cast to ${op.to}` },
  where: { ...base, arity: fixed(3), elementwise: true, label: named },
  clamp: { ...base, arity: fixed(3), elementwise: true, label: named },
  safe_div: { ...base, arity: fixed(4), elementwise: true, label: named },
  detach: { ...base, arity: fixed(1), carriesGradient: false, label: named },
  reduce: {
    ...base,
    arity: (op) => 1 + Number(op.hasWhere),
    stage: "reduce",
    label: (op) => `${op.fn} over [${op.over.join(", ")}]${op.hasWhere ? " where" : ""}`,
  },
  scan: { ...base, arity: fixed(1), stage: "scan", label: (op) => `${op.fn} ${along(op)}` },
  linrec: { ...base, arity: (op) => 2 + Number(op.hasInit), stage: "scan", label: (op) => `linrec ${along(op)}` },
  shift: { ...base, arity: fixed(2), stage: "env", label: (op) => `shift along ${op.along} by ${op.by}` },
  segment: {
    ...base,
    arity: (op) => 2 + Number(op.hasWhere),
    stage: "library",
    label: (op) => `segment_${op.fn} over [${op.over.join(", ")}]`,
  },
  topk_mask: { ...base, arity: (op) => 2 + Number(op.hasWhere), carriesGradient: false, stage: "library", label: named },
  uniform: { ...base, arity: fixed(1), carriesGradient: false, label: named },
  take: { ...base, arity: fixed(3), stage: "env", label: (op) => `take along ${op.along}` },
  put: { ...base, arity: fixed(2), stage: "library", label: named },
  log_softmax: { ...base, arity: fixed(1), label: named },
  select: { ...base, arity: fixed(1), stage: "env", label: (op) => `select ${op.dim}=${op.position}` },
  stack: {
    ...base,
    arity: (op, program) => {
      const info = program.dims.find((d) => d.name === op.dim);
      return info?.labels?.length ?? info?.size;
    },
    label: named,
  },
  rename: { ...base, arity: fixed(1), stage: "env", label: (op) => `rename ${op.from}->${op.to}` },
  argfirst: {
    ...base,
    arity: (op) => 2 + Number(op.hasKey) + Number(op.hasWhere),
    carriesGradient: false,
    stage: "library",
    label: named,
  },
  // linear in g; the symbolic autodiff refuses a second order through it with a clear error (compiler/autodiff/rules/scan.ts)
  scan_grad: { ...base, arity: fixed(2), stage: "library", label: named },
  embed: { ...base, arity: fixed(1), label: named },
  custom: {
    ...base,
    arity: (op) => tensorArgs(op.call).length,
    stage: "library",
    label: (op) =>
      `custom ${op.call.node}${op.call.results.length > 1 ? ` result ${op.output + 1}` : ""} (${baseName(op.call.plugin)})`,
  },
  // a custom node's gradient is not differentiated again
  custom_vjp: {
    ...base,
    arity: (op) => tensorArgs(op.call).length + 1,
    carriesGradient: false,
    stage: "library",
    label: (op) => {
      const arg = op.call.argv.find((a) => a.kind === "tensor" && a.index === op.wrt);
      return `custom_vjp ${op.call.node} d/d${arg?.name ?? op.wrt}${op.call.results.length > 1 ? ` of result ${op.output + 1}` : ""} (${baseName(op.call.plugin)})`;
    },
  },
  table_get: { ...base, arity: fixed(1), carriesGradient: false, stage: "library", label: named },
  table_read: { ...base, arity: fixed(0), carriesGradient: false, stage: "library", source: true, label: named },
};

export type OpTraits = Omit<OpInfo<OpName>, "arity" | "label">;

/** The traits of an op kind (arity and label need the op itself: see arity() and opLabelOf()). */
export function traitsOf(kind: OpName): OpTraits {
  return OPS[kind];
}

/** The number of args an op takes (see OpInfo.arity). */
export function arity(program: IRProgram, op: Op): number | undefined {
  return (OPS[op.op].arity as (op: Op, program: IRProgram) => number | undefined)(op, program);
}

/** The dump label of an op (see OpInfo.label). */
export function opLabelOf(op: Op): string {
  return (OPS[op.op].label as (op: Op) => string)(op);
}

/** Thrown by a `never`-checked switch: a value outside its union reached it (only possible through a cast). */
export function unreachable(value: never, what: string): never {
  throw new Error(`unreachable: ${what} ${JSON.stringify(value)}`);
}
