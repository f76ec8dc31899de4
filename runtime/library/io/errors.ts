// Errors found while reading a program's inputs: stable codes and one-line messages that name the input and dim.
import type { IRInput, IRType } from "../../../compiler/ir/ir.ts";
import { isAbsolute, relative } from "node:path";
import { closest } from "../../../compiler/ir/suggest.ts";
import type { DiagnosticCode } from "../../../grammar/diagnostic_codes.ts";

/** The input codes; what each means is its doc in grammar/diagnostic_codes.ts (and docs/diagnostics.md). */
export const InputCode = {
  missing: "RLP501",
  rank: "RLP502",
  sizeConflict: "RLP503",
  nonFinite: "RLP504",
  dtype: "RLP505",
  dims: "RLP506",
  file: "RLP507",
  staticSize: "RLP508",
  badSet: "RLP509",
} as const satisfies Record<string, DiagnosticCode>;

export type InputErrorCode = (typeof InputCode)[keyof typeof InputCode];

export interface InputError {
  code: InputErrorCode;
  /** One line. */
  message: string;
}

export function inputError(code: InputErrorCode, message: string): InputError {
  return { code, message };
}

/** `f32[P,G,T]`, `i32<V>[P,T]`, `bool` (a scalar). */
export function formatType(t: IRType): string {
  const idx = t.indexOf ? `<${t.indexOf}>` : "";
  return t.dims.length === 0 ? `${t.dtype}${idx}` : `${t.dtype}${idx}[${t.dims.join(",")}]`;
}

/**
 * A path for messages: relative to the working directory when it lies under it. (compiler/display_path.ts is the
 * compiler's copy: the runtime that emitted modules load may not load the compiler.)
 */
export function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(process.cwd(), file);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}

/** `(declared bool[P,G,T] at grpo.rlp:9:3)`. */
export function declaredAt(input: IRInput): string {
  const where = input.span ? ` at ${displayPath(input.span.file)}:${input.span.line}:${input.span.col}` : "";
  return `(declared ${formatType(input.type)}${where})`;
}

export function missingInputError(input: IRInput): InputError {
  return inputError(InputCode.missing, `missing input '${input.name}' ${declaredAt(input)}`);
}

/** A short rendering of any JSON value for a message. */
export function show(v: unknown): string {
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : String(v);
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 24 ? s.slice(0, 21) + "..." : s;
}

/** `[0,2,1]`. */
export function showIndex(index: readonly number[]): string {
  return `[${index.join(",")}]`;
}

/** The multi-index of flat position `flat` in a row-major shape. */
export function unflatten(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  let r = flat;
  for (let i = shape.length - 1; i >= 0; i--) {
    const s = shape[i]!;
    if (s > 0) {
      idx[i] = r % s;
      r = Math.floor(r / s);
    }
  }
  return idx;
}

/** What a dtype accepts, for `expected ...` messages. */
export function expectedKind(dtype: IRType["dtype"]): string {
  switch (dtype) {
    case "bool":
      return "bool (true/false or 0/1)";
    case "i32":
      return "integers (i32)";
    case "id":
      return "integers (id)";
    case "f32":
      return "numbers (f32)";
  }
}

/** `(and 3 more)` when more than one element was bad. */
export function andMore(count: number): string {
  return count > 1 ? ` (and ${count - 1} more)` : "";
}

export function unknownInputWarning(name: string, declared: readonly string[]): string {
  const close = closest(name, declared);
  const hint = close ? `; did you mean '${close}'?` : declared.length > 0 ? ` (declared: ${declared.join(", ")})` : "";
  return `unknown input '${name}' is ignored${hint}`;
}
