// A pipeline's declarations: dims, params (with --set overrides), inputs (marks, masks, defaults), state, models.
import type { DimDecl, Ident, InputDecl, ModelDecl, ParamDecl, Span, StateDecl } from "../../grammar/ast.ts";
import type { DimInfo, IRInput } from "../ir/ir.ts";
import { didYouMean } from "../ir/suggest.ts";
import type { Ctx, Frame } from "./context.ts";
import { elaborateExpr } from "./expr.ts";
import { constant, emit } from "./ops.ts";
import { paramKind } from "./signature.ts";
import type { TensorValue, Value } from "./values.ts";

export const BUILTIN_MARKS = ["policy", "critic"];

/** Declares a pipeline-level name; a second declaration of it is an error (the first one stays). */
function declare(ctx: Ctx, frame: Frame, name: Ident, value: Value, what: string): void {
  const prev = frame.lookup(name.name);
  if (prev) {
    ctx.report("RLP103", `'${name.name}' is already declared (as a ${prev.what})`, name.span, [
      { message: "first declared here", span: prev.span },
    ]);
    return;
  }
  frame.define(name.name, { value, span: name.span, what });
}

export function dimInfoOf(ctx: Ctx, d: DimDecl): DimInfo {
  const info: DimInfo = { name: d.name.name };
  if (d.labels) info.labels = d.labels.map((l) => l.name);
  if (d.size !== undefined) info.size = d.size;
  if (d.alias) {
    if (!ctx.dims.has(d.alias.name)) {
      ctx.report(
        "RLP102",
        `'${d.name.name} = ${d.alias.name}' makes an alias of an unknown dim '${d.alias.name}'${didYouMean(d.alias.name, ctx.dims.keys())}; declare ${d.alias.name} first`,
        d.alias.span,
      );
    } else info.aliasOf = ctx.dims.get(d.alias.name)!.aliasOf ?? d.alias.name;
  }
  if (!d.labels && !d.alias && d.size === undefined) {
    const global = ctx.scope.dims.get(d.name.name);
    if (global?.labels) info.labels = global.labels.map((l) => l.name);
  }
  return info;
}

function parseSetValue(raw: string, kind: string, labels: string[] | undefined): number | string | undefined {
  if (labels) return labels.includes(raw) ? raw : undefined;
  if (kind === "bool") return raw === "true" ? 1 : raw === "false" ? 0 : undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) return undefined;
  if (kind === "i32" && !Number.isInteger(n)) return undefined;
  return n;
}

export interface ParamRecord {
  name: string;
  value: number | string | boolean;
  static: boolean;
}

export function declareParam(ctx: Ctx, frame: Frame, d: ParamDecl, set: Record<string, string>, out: ParamRecord[]): void {
  const name = d.name.name;
  const kind = paramKind(ctx, d.type, name);
  let value: Value | undefined;
  const raw = set[name];
  if (kind.kind === "enum") {
    if (raw !== undefined) {
      if (!kind.labels.includes(raw))
        ctx.report(
          "RLP118",
          `--set ${name}=${raw}: '${raw}' is not a label of ${kind.name} (its labels are ${kind.labels.join(", ")})`,
          d.name.span,
        );
      else value = { kind: "label", name: raw, enumName: kind.name };
    } else if (d.default) value = elaborateExpr(ctx, frame, d.default, { kind: "enum", name: kind.name, labels: kind.labels });
    if (value?.kind === "label") out.push({ name, value: value.name, static: true });
  } else if (kind.kind === "tensor") {
    const dtype = kind.type.dtype;
    if ((kind.type.dims && kind.type.dims.length > 0) || dtype === "id") {
      ctx.report(
        "RLP113",
        `a param is a single f32, i32 or bool value (or an enum); '${name}' is declared ${dtype}${kind.type.dims ? `[${kind.type.dims.map((e) => (e.kind === "row" ? `...${e.name?.name ?? ""}` : e.name.name)).join(",")}]` : ""}; use an input for tensors`,
        d.type.span,
      );
      frame.define(name, { value: { kind: "error" }, span: d.name.span, what: "param" });
      return;
    }
    let n: number | undefined;
    if (raw !== undefined) {
      const parsed = parseSetValue(raw, dtype, undefined);
      if (parsed === undefined) ctx.report("RLP118", `--set ${name}=${raw}: not a valid ${dtype} value`, d.name.span);
      else n = parsed as number;
    } else if (d.default) {
      const v = elaborateExpr(ctx, frame, d.default);
      if (v.kind === "tensor" && v.static !== undefined) n = v.static;
      else if (v.kind !== "error")
        ctx.report(
          "RLP207",
          `the default of param '${name}' must be known when the pipeline is compiled (a literal or other params)`,
          d.default.span,
        );
    } else
      ctx.report(
        "RLP117",
        `param '${name}' has no default value; give it one ('= 0.2') or pass --set ${name}=VALUE`,
        d.name.span,
      );
    if (n !== undefined) {
      if (dtype === "bool") value = constant(ctx, n ? 1 : 0, "bool", d.span);
      else {
        value = {
          ...emit(ctx, { op: "param", name, value: n }, [], d.span, { declared: { dtype, dims: [] } }),
          static: n,
          fromParam: true,
        } satisfies TensorValue;
      }
      out.push({ name, value: dtype === "bool" ? n !== 0 : n, static: dtype === "bool" });
    }
  } else if (kind.kind !== "invalid") {
    ctx.report("RLP113", `a param is a single f32, i32 or bool value (or an enum), not a ${kind.kind}`, d.type.span);
  }
  declare(ctx, frame, d.name, value ?? { kind: "error" }, "param");
}

export function declareInput(ctx: Ctx, frame: Frame, d: InputDecl, out: IRInput[]): void {
  const name = d.name.name;
  const t = d.type;
  let value: Value = { kind: "error" };
  const fail = (): void => declare(ctx, frame, d.name, value, "input");
  if (t.kind !== "tensor") {
    ctx.report("RLP113", `an input is a tensor type such as f32[P,G,T], not ${t.kind}`, t.span);
    return fail();
  }
  const dims: string[] = [];
  for (const e of t.dims ?? []) {
    if (e.kind !== "dim") {
      ctx.report(
        "RLP102",
        "a pipeline input lists its dims by name; '...' and '*dims' belong in node signatures",
        e.kind === "row" ? e.span : e.name.span,
      );
      return fail();
    }
    if (!ctx.dims.has(e.name.name)) {
      ctx.report(
        "RLP102",
        `unknown dim '${e.name.name}'${didYouMean(e.name.name, ctx.dims.keys()) || `; declare it with 'dims ${e.name.name}'`}`,
        e.name.span,
      );
      return fail();
    }
    if (dims.includes(e.name.name)) {
      ctx.report(
        "RLP102",
        `the dim ${e.name.name} appears twice in this type; each dim appears at most once (use an alias dim for pairs)`,
        e.name.span,
      );
      return fail();
    }
    dims.push(e.name.name);
  }
  if (t.index && !ctx.dims.has(t.index.name)) {
    ctx.report(
      "RLP102",
      `unknown dim '${t.index.name}' in i32<${t.index.name}>${didYouMean(t.index.name, ctx.dims.keys())}`,
      t.index.span,
    );
    return fail();
  }
  let grad: string[] = [];
  if (d.mark) {
    const m = d.mark.name;
    if (!ctx.pipe!.marks.has(m) && !ctx.pipe!.frozen.has(m)) {
      ctx.report(
        "RLP111",
        `unknown model '@${m}'${didYouMean(m, [...ctx.pipe!.marks]) || `; the marks are @policy, @critic and any model declared with 'model ${m}'`}`,
        d.mark.span,
      );
      return fail();
    }
    if (t.dtype !== "f32") {
      ctx.report("RLP203", `only f32 inputs can carry gradient, but '${name}' is ${t.dtype}; remove @${m}`, d.mark.span);
      return fail();
    }
    if (!ctx.pipe!.frozen.has(m)) grad = [m];
  }
  const canonical = ctx.order.sort(dims);
  const type = t.index ? { dtype: t.dtype, dims: canonical, indexOf: t.index.name } : { dtype: t.dtype, dims: canonical };
  const input: IRInput = { name, node: -1, type, span: d.span };
  if (d.mark) input.mark = d.mark.name;
  if (d.default) {
    const v = elaborateExpr(ctx, frame, d.default);
    if (v.kind === "tensor" && v.static !== undefined) input.default = v.static;
    else if (v.kind !== "error")
      ctx.report("RLP207", `the default of input '${name}' must be a number known when the pipeline is compiled`, d.default.span);
  }
  const tv = emit(ctx, { op: "input", name }, [], d.name.span, { declared: type, marks: grad });
  if (grad.length > 0) tv.gradOrigin = d.span;
  input.node = tv.node;
  out.push(input);
  value = tv;
  if (t.dtype === "bool" && dims.length > 0) ctx.pipe!.maskDims.push(dims);
  for (const m of d.masks ?? []) {
    if (t.dtype !== "bool") ctx.report("RLP202", `'masks ${m.name}' needs a bool input, but '${name}' is ${t.dtype}`, m.span);
    else if (!dims.includes(m.name)) ctx.report("RLP204", `'masks ${m.name}': the input '${name}' has no dim ${m.name}`, m.span);
    else ctx.pipe!.defaultMasks.set(m.name, tv);
  }
  declare(ctx, frame, d.name, value, "input");
}

export function declareState(
  ctx: Ctx,
  frame: Frame,
  d: StateDecl,
  states: { name: string; keyed: boolean; init: number }[],
): void {
  const keyed = d.type.kind === "table";
  const valueType = d.type.kind === "table" ? d.type.value : d.type;
  if (valueType.kind !== "tensor" || valueType.dtype !== "f32" || (valueType.dims && valueType.dims.length > 0)) {
    ctx.report(
      "RLP113",
      "state holds f32 values: 'state v: f32 = 0' (one value) or 'state v: table f32 = 0' (one value per id key)",
      d.type.span,
    );
    return;
  }
  const init = elaborateExpr(ctx, frame, d.init);
  if (init.kind !== "tensor" || init.static === undefined) {
    if (init.kind !== "error")
      ctx.report("RLP207", "the initial value of a state must be a number known when the pipeline is compiled", d.init.span);
    return;
  }
  states.push({ name: d.name.name, keyed, init: init.static });
  const table: Value = { kind: "table", name: d.name.name, keyed, default: init.static };
  if (keyed) {
    declare(ctx, frame, d.name, table, "state");
    return;
  }
  const v = emit(ctx, { op: "table_read", table: d.name.name, default: init.static }, [], d.name.span, {
    declared: { dtype: "f32", dims: [] },
  });
  declare(ctx, frame, d.name, v, "state");
}

const MODEL_KINDS = ["frozen", "ema", "snapshot", "average", "external"];

/** Models are declared before anything else is elaborated, so `@M` marks can name them anywhere. */
export function declareModel(ctx: Ctx, d: ModelDecl, span: Span): void {
  const name = d.name.name;
  const v = d.value;
  if (!v) {
    ctx.pipe!.marks.add(name);
    return;
  }
  if (v.kind !== "call" || v.callee.kind !== "name" || !MODEL_KINDS.includes(v.callee.name)) {
    ctx.report(
      "RLP111",
      `a model is declared as 'model ${name}' (trained) or derived: ${MODEL_KINDS.map((k) => `${k}(...)`).join(", ")}`,
      v.span,
    );
    return;
  }
  if (v.callee.name !== "external") {
    const base = v.args[0]?.value;
    const known = (n: string) => BUILTIN_MARKS.includes(n) || ctx.pipe!.marks.has(n) || ctx.pipe!.frozen.has(n);
    if (!base || base.kind !== "name" || !known(base.name)) {
      ctx.report(
        "RLP111",
        `${v.callee.name}(...) derives a model from another one: give its name, e.g. ${v.callee.name}(policy)`,
        base?.span ?? span,
      );
      return;
    }
  }
  // Derived models (frozen copies, averages, judges) are not trained: their outputs are const.
  ctx.pipe!.frozen.add(name);
}
