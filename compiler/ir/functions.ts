// The function families of the op registry (compiler/ir/ops.ts): unary, binary, reduce, scan and segment functions,
// each a table whose keys are the family's names (ir.ts and ops.ts re-export the unions). A name added to a table
// makes `tsc` list every backend table that lacks it (docs/contributing.md, "Add a primitive"). Pure data; imports
// nothing, so the IR types (ir.ts) can be built on it.

// ---- function families --------------------------------------------------------------------------------------------

export interface UnaryFnInfo {
  /** The operand dtype: `float` (f32 only), `number` (f32 or i32, result of the same dtype), `bool` (`not`). */
  operand: "float" | "number" | "bool";
  /** Finite whenever its operand is (compiler/simplify/finite.ts). */
  keepsFinite: boolean;
}

export const UNARY_FNS = {
  neg: { operand: "number", keepsFinite: true },
  exp: { operand: "float", keepsFinite: false },
  log: { operand: "float", keepsFinite: false },
  log1p: { operand: "float", keepsFinite: false },
  expm1: { operand: "float", keepsFinite: false },
  sqrt: { operand: "float", keepsFinite: false },
  abs: { operand: "number", keepsFinite: true },
  sign: { operand: "number", keepsFinite: true },
  tanh: { operand: "float", keepsFinite: true },
  sigmoid: { operand: "float", keepsFinite: true },
  softplus: { operand: "float", keepsFinite: false },
  sin: { operand: "float", keepsFinite: true },
  cos: { operand: "float", keepsFinite: true },
  floor: { operand: "float", keepsFinite: true },
  ceil: { operand: "float", keepsFinite: true },
  round: { operand: "float", keepsFinite: true },
  lgamma: { operand: "float", keepsFinite: false },
  not: { operand: "bool", keepsFinite: true },
} as const satisfies Record<string, UnaryFnInfo>;
export type UnaryOpName = keyof typeof UNARY_FNS;

export interface BinaryFnInfo {
  /** arith: a number of the operands' dtype; compare: bool of two numbers (eq/ne: of any one dtype); logic: bool of bools. */
  kind: "arith" | "compare" | "logic";
  /** f(a, b) = f(b, a) exactly, NaN and ±0 included (maximum/minimum are not: ties and NaN go to the first operand). */
  commutative: boolean;
  /** The operator as written in source (`+`, `//`, `==`); absent for functions written as calls (maximum). */
  symbol?: string;
  /** The kernel-plan dump writes it infix (`a + b`); otherwise as a call (`pow(a, b)`). */
  infix: boolean;
}

export const BINARY_FNS = {
  add: { kind: "arith", commutative: true, symbol: "+", infix: true },
  sub: { kind: "arith", commutative: false, symbol: "-", infix: true },
  mul: { kind: "arith", commutative: true, symbol: "*", infix: true },
  div: { kind: "arith", commutative: false, symbol: "/", infix: true },
  idiv: { kind: "arith", commutative: false, symbol: "//", infix: false },
  mod: { kind: "arith", commutative: false, symbol: "%", infix: true },
  pow: { kind: "arith", commutative: false, symbol: "**", infix: false },
  maximum: { kind: "arith", commutative: false, infix: false },
  minimum: { kind: "arith", commutative: false, infix: false },
  eq: { kind: "compare", commutative: true, symbol: "==", infix: true },
  ne: { kind: "compare", commutative: true, symbol: "!=", infix: true },
  lt: { kind: "compare", commutative: false, symbol: "<", infix: true },
  le: { kind: "compare", commutative: false, symbol: "<=", infix: true },
  gt: { kind: "compare", commutative: false, symbol: ">", infix: true },
  ge: { kind: "compare", commutative: false, symbol: ">=", infix: true },
  and: { kind: "logic", commutative: true, symbol: "and", infix: true },
  or: { kind: "logic", commutative: true, symbol: "or", infix: true },
} as const satisfies Record<string, BinaryFnInfo>;
export type BinaryOpName = keyof typeof BINARY_FNS;
/** One binary function's entry, as the interface (every optional field visible). */
export const binaryInfo = (fn: BinaryOpName): BinaryFnInfo => BINARY_FNS[fn];

export interface ReduceFnInfo {
  /** The result is f32 whatever the operand (count, mean, logsumexp); otherwise the operand's dtype. */
  floatResult: boolean;
  /** Counts positions: accepts any non-id operand and passes no gradient. */
  counts: boolean;
  /** Kept by compiler/lower (the fused kernels accumulate it directly); mean and logsumexp are rewritten. */
  primitive: boolean;
}

export const REDUCE_FNS = {
  sum: { floatResult: false, counts: false, primitive: true },
  mean: { floatResult: true, counts: false, primitive: false },
  max: { floatResult: false, counts: false, primitive: true },
  min: { floatResult: false, counts: false, primitive: true },
  logsumexp: { floatResult: true, counts: false, primitive: false },
  count: { floatResult: true, counts: true, primitive: true },
} as const satisfies Record<string, ReduceFnInfo>;
export type ReduceOpName = keyof typeof REDUCE_FNS;

export interface ScanFnInfo {
  /** The running value before the first element (the combine's identity). */
  identity: number;
  /** The identity as the kernel-plan dump writes it. */
  identityText: string;
  /** A running selection (cummax/cummin): NaN sticks once seen, and the gradient goes to the running arg (scan_grad). */
  selects: boolean;
  /** The builtin's doc line (compiler/elaborate/builtins/scan.ts). */
  doc: string;
}

export const SCAN_FNS = {
  cumsum: {
    identity: 0,
    identityText: "0",
    selects: false,
    doc: "cumsum(x, along=T, reverse=false): running sum (reverse: from the end)",
  },
  cumprod: {
    identity: 1,
    identityText: "1",
    selects: false,
    doc: "cumprod(x, along=T, reverse=false): running product (reverse: from the end)",
  },
  cummax: { identity: -Infinity, identityText: "-inf", selects: true, doc: "cummax(x, along=T, reverse=false): running maximum" },
  cummin: { identity: Infinity, identityText: "+inf", selects: true, doc: "cummin(x, along=T, reverse=false): running minimum" },
} as const satisfies Record<string, ScanFnInfo>;
export type ScanOpName = keyof typeof SCAN_FNS;
/** The scans whose gradient is scan_grad (each g_s goes to the running arg). */
export type SelectScanName = { [K in ScanOpName]: (typeof SCAN_FNS)[K]["selects"] extends true ? K : never }[ScanOpName];

export interface SegmentFnInfo {
  /** Counts members: accepts any non-id operand and passes no gradient. */
  counts: boolean;
}

export const SEGMENT_FNS = {
  sum: { counts: false },
  mean: { counts: false },
  max: { counts: false },
  min: { counts: false },
  count: { counts: true },
  first: { counts: false },
} as const satisfies Record<string, SegmentFnInfo>;
export type SegmentOpName = keyof typeof SEGMENT_FNS;

/** The names of a family's table, typed (Object.keys gives string[]). */
export function namesOf<T extends object>(table: T): (keyof T & string)[] {
  return Object.keys(table) as (keyof T & string)[];
}

export function isBoolBinary(fn: BinaryOpName): boolean {
  return BINARY_FNS[fn].kind !== "arith";
}
