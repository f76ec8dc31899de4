// Elaborates one pipeline into an IR program: declarations, statements, and the stage rules
// (an advantage is const, a reward carries no policy gradient, a loss is a scalar that reaches a mark).
import type { Ident, PipelineDecl, Stmt } from "../../grammar/ast.ts";
import type { Diagnostic } from "../../grammar/diagnostic.ts";
import type { LintCode } from "../../grammar/diagnostic_codes.ts";
import type { IRInput, IRProgram, IRResult, IRState, ResultKind } from "../ir/ir.ts";
import type { GlobalScope } from "../scope.ts";
import { Ctx, Frame } from "./context.ts";
import {
  BUILTIN_MARKS,
  declareInput,
  declareModel,
  declareParam,
  declareState,
  dimInfoOf,
  type ParamRecord,
} from "./declarations.ts";
import { elaborateExpr } from "./expr.ts";
import { elaborateOptimizer } from "./optimize.ts";
import { declaredRollouts, elaborateRollout } from "./rollout.ts";
import type { IRFilter, IRModel, IROptimizer } from "../ir/ir.ts";
import { elaborateModel, noteModels } from "./models.ts";
import { elaborateFilter } from "./filter.ts";
import { defineNames, elaborateMulti, elaborateRequire } from "./statements.ts";
import { describeType, describeValue, type TensorValue, type Value } from "./values.ts";
import { runLints } from "./lints/index.ts";

export interface PipelineOptions {
  set: Record<string, string>;
  suppressions: Ctx["suppressions"];
  /** Lints switched off for the whole compilation (`--allow CODE`). */
  allowed?: ReadonlySet<LintCode>;
}

export function elaboratePipeline(
  scope: GlobalScope,
  decl: PipelineDecl,
  options: PipelineOptions,
): { program: IRProgram; diagnostics: Diagnostic[] } {
  const dimDecls = decl.items.filter((i) => i.kind === "dimdecl");
  const ctx = new Ctx(
    scope,
    dimDecls.map((d) => d.name.name),
  );
  for (const [k, v] of options.suppressions) ctx.suppressions.set(k, v);
  for (const code of options.allowed ?? []) ctx.allowed.add(code);
  for (const [n, d] of scope.dims) ctx.dims.set(n, dimInfoOf(ctx, d));
  ctx.pipe = { name: decl.name.name, defaultMasks: new Map(), marks: new Set(BUILTIN_MARKS), frozen: new Set(), maskDims: [] };
  for (const item of decl.items) if (item.kind === "model") declareModel(ctx, item, item.span);
  noteModels(ctx, decl.items);

  const frame = new Frame();
  const inputs: IRInput[] = [];
  const params: ParamRecord[] = [];
  const results: IRResult[] = [];
  const states: IRState[] = [];
  const optimizers: IROptimizer[] = [];
  const models: IRModel[] = [];
  let filter: IRFilter | undefined;
  const declaredStates: { name: string; keyed: boolean; init: number }[] = [];

  for (const name of Object.keys(options.set)) {
    if (!decl.items.some((i) => i.kind === "param" && i.name.name === name)) {
      const names = decl.items.flatMap((i) => (i.kind === "param" ? [i.name.name] : []));
      ctx.report(
        "RLP118",
        `--set ${name}=...: pipeline '${decl.name.name}' has no param '${name}'${names.length ? ` (its params are ${names.join(", ")})` : ""}`,
        decl.name.span,
      );
    }
  }

  for (const item of decl.items) {
    switch (item.kind) {
      case "dimdecl":
        ctx.dims.set(item.name.name, dimInfoOf(ctx, item));
        break;
      case "param":
        declareParam(ctx, frame, item, options.set, params);
        break;
      case "input":
        declareInput(ctx, frame, item, inputs);
        break;
      case "state":
        declareState(ctx, frame, item, declaredStates);
        break;
      case "model": {
        const m = elaborateModel(ctx, frame, item);
        if (m) models.push(m);
        break;
      }
      default:
        if (item.kind === "stage" && item.stage === "rollout") elaborateRollout(ctx, frame, item, inputs);
        else if (item.kind === "filter") filter = elaborateFilter(ctx, frame, item, results, filter) ?? filter;
        else if (item.kind === "optimize") {
          statement(ctx, frame, item, results);
          const o = elaborateOptimizer(ctx, frame, item);
          if (o) optimizers.push(o);
        } else statement(ctx, frame, item, results);
    }
  }
  for (const s of declaredStates) states.push({ name: s.name, keyed: s.keyed, init: s.init });
  // A once(e) inlined twice (a node called twice) is one value per call site: each gets a result of its own.
  ctx.onces.forEach((o, i) => results.push({ name: `once.${i + 1}`, kind: "once", node: o.node, span: o.span }));

  const rollouts = declaredRollouts(ctx);
  const used = new Set([...ctx.g.nodes.flatMap((n) => n.type.dims), ...rollouts.flatMap((r) => Object.values(r.dims))]);
  const dims = ctx.order.all().filter((d) => ctx.dims.has(d) && (dimDecls.some((x) => x.name.name === d) || used.has(d)));
  const program: IRProgram = {
    pipeline: decl.name.name,
    dims: dims.map((d) => ctx.dims.get(d)!),
    inputs,
    params,
    nodes: ctx.g.nodes,
    results,
    states,
    requires: ctx.requires,
    marks: [...ctx.pipe.marks].sort(),
  };
  if (rollouts.length > 0) program.rollouts = rollouts;
  if (optimizers.length > 0) program.optimizers = optimizers;
  if (filter) program.filter = filter;
  if (models.length > 0) program.models = models;
  return { program, diagnostics: ctx.diagnostics };
}

function statement(ctx: Ctx, frame: Frame, s: Stmt, results: IRResult[]): void {
  switch (s.kind) {
    case "let":
      defineNames(ctx, frame, s.names, elaborateMulti(ctx, frame, s.value, s.names, s.span), "let");
      return;
    case "stage": {
      const values = elaborateMulti(ctx, frame, s.value, s.names, s.span);
      s.names.forEach((n, i) => stage(ctx, s, n, values[i]!, results));
      defineNames(ctx, frame, s.names, values, s.stage);
      return;
    }
    case "require":
      elaborateRequire(ctx, frame, s, (cond) => ctx.requires.push({ cond, message: s.message, span: s.span }));
      return;
    case "update":
      update(ctx, frame, s, results);
      return;
    case "optimize":
      for (const m of s.models) {
        if (!ctx.pipe!.marks.has(m.name)) {
          ctx.report(
            "RLP111",
            `cannot optimize '${m.name}': ${ctx.pipe!.frozen.has(m.name) ? "it is a derived (frozen) model" : "no such model"}`,
            m.span,
          );
        }
      }
      return;
    case "return":
      ctx.report(
        "RLP116",
        "'return' belongs in a node body; a pipeline names its results with loss/metric/output statements",
        s.span,
      );
      return;
  }
}

function stage(ctx: Ctx, s: Extract<Stmt, { kind: "stage" }>, name: Ident, v: Value, results: IRResult[]): void {
  if (v.kind === "error") return;
  if (v.kind !== "tensor") {
    ctx.report("RLP206", `${s.stage} '${name.name}' must be a tensor value, but it is ${describeValue(v)}`, s.value.span);
    return;
  }
  const origin = v.gradOrigin ? [{ message: "the gradient enters here", span: v.gradOrigin }] : [];
  switch (s.stage) {
    case "advantage":
      if (v.type.grad.length > 0) {
        ctx.report(
          "RLP301",
          `advantage '${name.name}' depends on the differentiable input${v.type.grad.length > 1 ? "s" : ""} @${v.type.grad.join(", @")}, so gradient would leak through the baseline; wrap the part that should not be differentiated in detach(...)`,
          s.value.span,
          origin,
        );
        return;
      }
      break;
    case "reward":
      if (v.type.grad.length > 0) {
        ctx.report(
          "RLP302",
          `reward '${name.name}' carries the gradient of @${v.type.grad.join(", @")}; a reward must be const (use detach(...), or the behaviour log-probs); training a reward model is a loss on its mark`,
          s.value.span,
          origin,
        );
        return;
      }
      break;
    case "loss":
      if (!lossRules(ctx, s, name, v)) return;
      break;
    default:
      break;
  }
  const r: IRResult = { name: name.name, kind: s.stage as ResultKind, node: v.node, span: name.span };
  if (s.forModel) r.forModel = s.forModel.name;
  results.push(r);
}

function lossRules(ctx: Ctx, s: Extract<Stmt, { kind: "stage" }>, name: Ident, v: TensorValue): boolean {
  if (v.type.dims.length > 0) {
    ctx.report(
      "RLP303",
      `loss '${name.name}' must be a scalar, but it is ${describeType(v.type)}; aggregate it, e.g. token_mean(l, mask) or mean(l, over=...)`,
      s.value.span,
    );
    return false;
  }
  if (v.type.grad.length === 0) {
    ctx.report(
      "RLP304",
      `loss '${name.name}' does not depend on any differentiable input (@policy, @critic or a model), so its gradient is zero everywhere; mark the input the loss should train, e.g. 'input logp: f32[...] @policy'`,
      s.value.span,
    );
    return false;
  }
  if (s.forModel) {
    const m = s.forModel.name;
    if (!ctx.pipe!.marks.has(m)) {
      ctx.report("RLP111", `loss '${name.name}' for ${m}: there is no trained model '${m}'`, s.forModel.span);
      return false;
    }
    if (!v.type.grad.includes(m)) {
      ctx.report(
        "RLP305",
        `loss '${name.name}' is for ${m}, but it does not depend on ${m} (it reaches @${v.type.grad.join(", @")})`,
        s.forModel.span,
      );
      return false;
    }
  }
  runLints("loss", { ctx, name, value: v, valueSpan: s.value.span });
  return true;
}

function update(ctx: Ctx, frame: Frame, s: Extract<Stmt, { kind: "update" }>, results: IRResult[]): void {
  const b = frame.lookup(s.target.name);
  if (!b) {
    ctx.report(
      "RLP100",
      `unknown state '${s.target.name}'; declare it with 'state ${s.target.name}: table f32 = 0.0'`,
      s.target.span,
    );
    return;
  }
  const table = b.what === "state" ? (b.value.kind === "table" ? b.value : { keyed: false }) : undefined;
  if (!table) {
    ctx.report("RLP306", `'update' writes state, but '${s.target.name}' is a ${b.what}`, s.target.span, [
      { message: "declared here", span: b.span },
    ]);
    return;
  }
  let key: TensorValue | undefined;
  if (table.keyed !== (s.key !== undefined)) {
    ctx.report(
      "RLP306",
      table.keyed
        ? `'${s.target.name}' is a table: write 'update ${s.target.name}[key] = ...'`
        : `'${s.target.name}' holds one value: write 'update ${s.target.name} = ...'`,
      s.span,
    );
    return;
  }
  if (s.key) {
    const k = elaborateExpr(ctx, frame, s.key);
    if (k.kind !== "tensor" || k.type.dtype !== "id") {
      if (k.kind !== "error")
        ctx.report("RLP211", `state tables are keyed by id values, but this key is ${describeValue(k)}`, s.key.span);
      return;
    }
    key = k;
  }
  const v = elaborateExpr(ctx, frame, s.value);
  if (v.kind === "error") return;
  if (v.kind !== "tensor" || v.type.dtype !== "f32") {
    ctx.report("RLP306", `a state update must be an f32 value, but this is ${describeValue(v)}`, s.value.span);
    return;
  }
  if (v.type.grad.length > 0) {
    ctx.report(
      "RLP306",
      `a state update must be const, but this value depends on @${v.type.grad.join(", @")}; wrap it in detach(...)`,
      s.value.span,
    );
    return;
  }
  const allowed = key?.type.dims ?? [];
  const extra = v.type.dims.filter((d) => !allowed.includes(d));
  if (extra.length > 0) {
    ctx.report(
      "RLP306",
      `the new value has dims [${v.type.dims.join(",")}], but each key${key ? ` (${describeType(key.type)})` : ""} takes one value: reduce over ${extra.join(", ")} first`,
      s.value.span,
    );
    return;
  }
  const r: IRResult = { name: s.target.name, kind: "update", node: v.node, span: s.target.span };
  if (key) r.key = key.node;
  results.push(r);
}
