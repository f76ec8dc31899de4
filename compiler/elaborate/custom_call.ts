// Calls of custom TypeScript nodes (compiler/plugin/read.ts): arguments are bound and type-checked like a std node's
// (the same signature matching: named dims, dim params, the "..." row dims), static parameters are checked against
// the node's JSON Schema with ajv (defaults filled in), and the call becomes one `custom` IR node per result: an
// opaque kernel that every backend runs through runtime/library/plugin/host.ts.
import AjvImport from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { Arg, NodeParam, Span } from "../../grammar/ast.ts";
import type { CustomArg, CustomCall, CustomLayout } from "../ir/ir.ts";
import { displayPath } from "../display_path.ts";
import type { PluginNode, PluginParam } from "../plugin/read.ts";
import { bindArgs } from "./call.ts";
import { Frame, type Ctx } from "./context.ts";
import { elaborateExpr } from "./expr.ts";
import { constant, emit } from "./ops.ts";
import { matchTensorParam, resolveTypeDims, type ResolvedDims } from "./signature.ts";
import { describeValue, ERROR, type TensorValue, type Value } from "./values.ts";

const Ajv = AjvImport.default;
const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: false });
const validators = new WeakMap<PluginNode, ValidateFunction | string>();

/** The node's params schema, compiled once; a string says why the schema itself is invalid. */
export function validator(node: PluginNode): ValidateFunction | string {
  let v = validators.get(node);
  if (v === undefined) {
    const required = node.params
      .filter((p) => p.kind === "static" && !("default" in (node.schemas[p.name] ?? {})))
      .map((p) => p.name);
    try {
      v = ajv.compile({ type: "object", properties: node.schemas, required });
    } catch (e) {
      v = e instanceof Error ? e.message : String(e);
    }
    validators.set(node, v);
  }
  return v;
}

export const where = (node: PluginNode): string => `'${node.name}' (plugin ${displayPath(node.plugin)})`;

export function callCustomNode(
  ctx: Ctx,
  callerFrame: Frame,
  node: PluginNode,
  args: Arg[],
  span: Span,
  expected: number,
): Value[] {
  const fail = (): Value[] => Array.from({ length: Math.max(expected, node.results.length) }, () => ERROR);
  const schemaDefault = (p: PluginParam) => p.kind === "static" && "default" in (node.schemas[p.name] ?? {});
  // What the call's checks report at the call site also says where the node comes from (not what an argument's own
  // expression reports: that is elaborated outside these wrappers).
  const noted = <T>(run: () => T): T => {
    const before = ctx.diagnostics.length;
    try {
      return run();
    } finally {
      for (const d of ctx.diagnostics.slice(before)) {
        if (d.span.file === node.plugin || d.notes.some((n) => n.span?.file === node.plugin)) continue;
        d.notes.push({ message: `'${node.name}' is a custom node, defined here`, span: node.span });
      }
    }
  };
  const bound = noted(() =>
    bindArgs(
      ctx,
      node.name,
      node.params.map((p) => ({ name: p.name, required: !schemaDefault(p) })),
      args,
      span,
    ),
  );
  if (!bound) return fail();
  const frame = new Frame();
  const argSpan = (name: string): Span => bound.get(name)?.value.span ?? span;
  let ok = true;

  // Dims first: tensor types name them.
  for (const p of node.params) {
    if (p.kind !== "dim") continue;
    const v = elaborateExpr(ctx, callerFrame, bound.get(p.name)!.value, { kind: "dim" });
    if (v.kind !== "dim") {
      if (v.kind !== "error")
        noted(() =>
          ctx.report(
            "RLP206",
            `the argument '${p.name}' of ${node.name} must be a dim, but it is ${describeValue(v)}`,
            argSpan(p.name),
          ),
        );
      ok = false;
      continue;
    }
    frame.define(p.name, { value: v, span: p.span, what: "parameter" });
  }

  // Static params: known at compile time, validated against the schema (which fills in defaults).
  const statics: Record<string, unknown> = {};
  for (const p of node.params) {
    if (p.kind !== "static" || !bound.has(p.name)) continue;
    const labels = typeof p.type === "object" ? p.type.labels : undefined;
    const arg = bound.get(p.name)!.value;
    // A label is looked up among the node's labels: an unknown one is this call's problem (RLP110), so it is noted.
    const v = labels
      ? noted(() => elaborateExpr(ctx, callerFrame, arg, { kind: "enum", name: `${node.name}.${p.name}`, labels }))
      : elaborateExpr(ctx, callerFrame, arg);
    const s = staticOf(v, p.type);
    if (s === undefined) {
      const want = labels
        ? `one of ${labels.join(", ")}`
        : `a ${p.type} known when the pipeline is compiled (a literal or a param)`;
      const hint =
        labels && v.kind === "string" && labels.includes(v.value) ? `; write ${p.name}=${v.value} (a label, without quotes)` : "";
      if (v.kind !== "error")
        noted(() =>
          ctx.report(
            "RLP207",
            `the argument '${p.name}' of ${node.name} must be ${want}, but it is ${describeValue(v)}${hint}`,
            argSpan(p.name),
          ),
        );
      ok = false;
    } else statics[p.name] = s;
  }
  const validate = validator(node);
  if (typeof validate === "string") {
    ctx.report("RLP121", `the params schema of ${where(node)} is not a valid JSON Schema: ${validate}`, node.span);
    return fail();
  }
  if (ok && !validate(statics)) {
    const e = validate.errors![0]!;
    const param = paramOfError(e);
    ctx.report(
      "RLP123",
      `the argument '${param}' of ${node.name} ${e.message ?? "is invalid"}${e.keyword === "type" ? "" : ` (the schema of ${where(node)})`}`,
      argSpan(param),
      [{ message: "the parameter is declared here", span: node.params.find((p) => p.name === param)?.span ?? node.span }],
    );
    ok = false;
  }

  // Tensors, matched against their declared types (row dims bound as for a .rlp node); not when a dim argument
  // failed: the types would name a dim that is not bound.
  if (node.params.some((p) => p.kind === "dim" && !frame.lookup(p.name))) return fail();
  const rows = new Map<string, Set<string>>();
  const tensors: { p: Extract<PluginParam, { kind: "tensor" }>; v: TensorValue; resolved: ResolvedDims }[] = [];
  for (const p of node.params) {
    if (p.kind !== "tensor") continue;
    let v = elaborateExpr(ctx, callerFrame, bound.get(p.name)!.value);
    if (v.kind !== "tensor") {
      if (v.kind !== "error")
        noted(() =>
          ctx.report(
            "RLP206",
            `the argument '${p.name}' of ${node.name} must be a tensor, but it is ${describeValue(v)}`,
            argSpan(p.name),
          ),
        );
      ok = false;
      continue;
    }
    const resolved = resolveTypeDims(ctx, frame, p.type, node.name);
    const shim: NodeParam = { name: { name: p.name, span: p.span }, type: p.type, span: p.span };
    const arg = v;
    if (!resolved || !noted(() => matchTensorParam(ctx, frame, shim, p.type, resolved, arg, rows, node.name, argSpan(p.name)))) {
      ok = false;
      continue;
    }
    if (v.literal && v.type.dtype !== p.type.dtype) v = constant(ctx, v.static!, p.type.dtype, argSpan(p.name));
    tensors.push({ p, v, resolved });
  }
  if (!ok) return fail();

  const rowDims = ctx.order.sort(rows.get("...") ?? []);
  const layout = (dtype: CustomLayout["dtype"], r: ResolvedDims): CustomLayout => ({
    dtype,
    rows: r.rows.length > 0,
    dims: r.fixed,
  });
  const results: CustomLayout[] = [];
  for (const t of node.results) {
    const r = resolveTypeDims(ctx, frame, t, node.name);
    if (!r) return fail();
    results.push(layout(t.dtype, r));
  }
  let index = 0;
  const argv: CustomArg[] = node.params.map((p): CustomArg => {
    if (p.kind === "dim") return { kind: "dim", name: p.name, dim: (frame.lookup(p.name)!.value as { name: string }).name };
    if (p.kind === "static") return { kind: "static", name: p.name, value: statics[p.name] as number | boolean | string };
    const t = tensors.find((x) => x.p === p)!;
    return { kind: "tensor", name: p.name, index: index++, layout: layout(p.type.dtype, t.resolved), grad: p.grad };
  });
  const call: CustomCall = {
    plugin: node.plugin,
    node: node.name,
    argv,
    rows: rowDims,
    results,
    differentiable: node.differentiable,
  };
  const ordered = argv
    .filter((a): a is Extract<CustomArg, { kind: "tensor" }> => a.kind === "tensor")
    .map((a) => tensors.find((t) => t.p.name === a.name)!.v);
  const outer = ctx.callStack.length === 0;
  if (outer) ctx.callStack.push({ name: node.name, span, isStd: false });
  try {
    return results.map((r, output) => emit(ctx, { op: "custom", call, output }, ordered, span));
  } finally {
    if (outer) ctx.callStack.pop();
  }
}

function staticOf(v: Value, type: Extract<PluginParam, { kind: "static" }>["type"]): number | boolean | string | undefined {
  if (typeof type === "object") return v.kind === "label" && type.labels.includes(v.name) ? v.name : undefined;
  if (v.kind !== "tensor" || v.static === undefined || v.type.dims.length > 0) return undefined;
  if (type === "boolean") return v.type.dtype === "bool" ? v.static !== 0 : undefined;
  // A number: any f32 or i32 scalar known at compile time (`2`, `-1`, `0.5 * eps`, a param).
  return v.type.dtype === "f32" || v.type.dtype === "i32" ? v.static : undefined;
}

/** The parameter an ajv error is about (`/eps` or a missing `required` property). */
function paramOfError(e: ErrorObject): string {
  if (e.keyword === "required") return String((e.params as { missingProperty: string }).missingProperty);
  return e.instancePath.split("/")[1] ?? "";
}
