// Reading builtin arguments as the kind of value each parameter wants, with one clear error otherwise.
import { constant, notATensor } from "../ops.ts";
import { describeType, describeValue, type TensorValue } from "../values.ts";
import type { BuiltinCall } from "./index.ts";

export function p(name: string, required = false): { name: string; required: boolean } {
  return { name, required };
}

export function tensorArg(c: BuiltinCall, name: string): TensorValue | undefined {
  const v = c.arg(name);
  if (v === undefined || v.kind === "error") return undefined;
  if (v.kind !== "tensor") {
    notATensor(c.ctx, v, c.argSpan(name), `the argument '${name}' of ${c.name}`);
    return undefined;
  }
  return v;
}

/** A float tensor; an integer literal is accepted as f32. Bools and ids are rejected with a hint. */
export function floatArg(c: BuiltinCall, name: string): TensorValue | undefined {
  const v = tensorArg(c, name);
  if (!v) return undefined;
  if (v.type.dtype === "f32") return v;
  if (v.literal) return constant(c.ctx, v.static!, "f32", c.argSpan(name), v.literal);
  const fix =
    v.type.dtype === "bool"
      ? "write f32(...) to use a bool as 0/1"
      : v.type.dtype === "i32"
        ? "convert it with f32(...)"
        : "ids are not numbers";
  c.ctx.report(
    v.type.dtype === "bool" ? "RLP202" : "RLP203",
    `the argument '${name}' of ${c.name} must be f32, but it is ${describeType(v.type)}; ${fix}`,
    c.argSpan(name),
  );
  return undefined;
}

export function boolArg(c: BuiltinCall, name: string): TensorValue | undefined {
  const v = tensorArg(c, name);
  if (!v) return undefined;
  if (v.type.dtype === "bool") return v;
  c.ctx.report(
    "RLP202",
    `the argument '${name}' of ${c.name} must be a bool mask, but it is ${describeType(v.type)}; compare it (x > 0) to make one`,
    c.argSpan(name),
  );
  return undefined;
}

export function dimArg(c: BuiltinCall, name: string): string | undefined {
  const v = c.arg(name, { kind: "dim" });
  if (v === undefined || v.kind === "error") return undefined;
  if (v.kind === "dim") return v.name;
  if (v.kind === "dims" && v.names !== "all" && v.names.length === 1) return v.names[0];
  c.ctx.report(
    "RLP102",
    `the argument '${name}' of ${c.name} must be one dim (like T), but it is ${describeValue(v)}`,
    c.argSpan(name),
  );
  return undefined;
}

/** `over=T`, `over=[P,G]` or `over=...` (all dims). */
export function dimsArg(c: BuiltinCall, name: string): string[] | "all" | undefined {
  const v = c.arg(name, { kind: "dim" });
  if (v === undefined || v.kind === "error") return undefined;
  if (v.kind === "dim") return [v.name];
  if (v.kind === "dims") return v.names;
  c.ctx.report(
    "RLP102",
    `the argument '${name}' of ${c.name} must be a dim, a list of dims [P, G] or ... (all dims), but it is ${describeValue(v)}`,
    c.argSpan(name),
  );
  return undefined;
}

/** A number known when the pipeline is compiled (a literal, a param, or arithmetic on those). */
export function staticNumber(c: BuiltinCall, name: string, fallback: number): number | undefined {
  const v = c.arg(name);
  if (v === undefined) return fallback;
  if (v.kind === "error") return undefined;
  if (v.kind === "tensor" && v.static !== undefined) return v.static;
  c.ctx.report(
    "RLP207",
    `the argument '${name}' of ${c.name} must be known when the pipeline is compiled (a literal or a param), but it is computed from data`,
    c.argSpan(name),
  );
  return undefined;
}
