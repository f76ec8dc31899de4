// Rollout and reward constructs of training pipelines (docs/training.md):
//
//   rollout r = sample(policy, task, group=8, max_tokens=24, temperature=1.0)
//   reward R = task.score(r)
//   ... r.logp, r.old_logp, r.ref_logp, r.mask, r.tokens, r.prompt_id ...
//
//   rollout d = demonstrations(policy, task, batch=64, max_tokens=8)      (supervised warm start)
//   ... d.logits, d.logp, d.tokens, d.mask ...
//
// A rollout is a HOST stage: the trainer makes its record (sampling, the reference model's log-probs, the task's
// verifier). The compiler binds the rollout's dims and types its record; each field the pipeline reads becomes an
// input of the program named `r.FIELD` (only the fields read), so the rest of the graph — advantage, loss, metrics —
// is the COMPILED stage, fed with the rollout's tensors. `program.rollouts` tells the trainer what to make.
// `rlp eval` runs such a pipeline like any other: the inputs file supplies `r.logp`, `r.score`, ...
import { staticNumber } from "./static_number.ts";
import type { Expr, Ident, Span, Stmt } from "../../grammar/ast.ts";
import type { IRInput, IRRollout } from "../ir/ir.ts";
import { ROLLOUT_SOURCES, type FieldSpec, type RolloutSource, type SourceSpec } from "../ir/rollout_record.ts";
import { didYouMean } from "../ir/suggest.ts";
import { bindArgs, type ParamSpec } from "./call.ts";
import type { Ctx, Frame } from "./context.ts";
import { elaborateExpr } from "./expr.ts";
import { emit } from "./ops.ts";
import { BASELINE_FIELDS, baselineFieldNote, LINK_PARAMS, linkRollout } from "./second_rollout.ts";
import { defineNames } from "./statements.ts";
import { describeValue, ERROR, type TensorValue, type Value } from "./values.ts";

/** What the checker keeps about one rollout while elaborating the pipeline. */
interface RolloutEnv {
  ir: IRRollout;
  spec: SourceSpec;
  /** The pipeline's input list: fields are added to it when first read. */
  inputs: IRInput[];
  /** Field -> its input value (one node per field). */
  values: Map<string, TensorValue>;
}

const envs = new WeakMap<Ctx, Map<string, RolloutEnv>>();

function rolloutsOf(ctx: Ctx): Map<string, RolloutEnv> {
  let m = envs.get(ctx);
  if (!m) envs.set(ctx, (m = new Map()));
  return m;
}

/** The rollouts declared so far (in program order), for IRProgram.rollouts. */
export function declaredRollouts(ctx: Ctx): IRRollout[] {
  return [...rolloutsOf(ctx).values()].map((r) => r.ir);
}

/** The names that start a rollout source, for messages elsewhere. */
export function isRolloutSource(name: string): name is RolloutSource {
  return name === "sample" || name === "demonstrations";
}

/** `sample(...)` / `demonstrations(...)` used anywhere but as the value of a rollout stage. */
export function misplacedSource(ctx: Ctx, name: string, span: Span): Value {
  ctx.report(
    "RLP307",
    `${name}(...) makes a rollout: it is the whole value of a rollout stage, e.g. 'rollout r = ${name}(policy, task, ...)'`,
    span,
  );
  return ERROR;
}

/** `rollout r = sample(policy, task, group=8, max_tokens=24)`: binds the dims and the record `r`. */
export function elaborateRollout(ctx: Ctx, frame: Frame, s: Extract<Stmt, { kind: "stage" }>, inputs: IRInput[]): void {
  const fail = (): void =>
    defineNames(
      ctx,
      frame,
      s.names,
      s.names.map(() => ERROR),
      "rollout",
    );
  const v = s.value;
  if (v.kind !== "call" || v.callee.kind !== "name" || !isRolloutSource(v.callee.name)) {
    ctx.report(
      "RLP307",
      "a rollout stage is made by the trainer: its value is sample(model, task, group=N, max_tokens=N[, temperature=t]) or demonstrations(model, task, batch=N)",
      v.span,
    );
    return fail();
  }
  if (s.names.length !== 1) {
    ctx.report("RLP206", `a rollout gives one record, but ${s.names.length} names are bound`, s.span);
    return fail();
  }
  if (s.forModel) {
    ctx.report(
      "RLP307",
      "'for MODEL' belongs to loss stages; a rollout names its model as the first argument of sample(...)",
      s.forModel.span,
    );
    return fail();
  }
  const source = v.callee.name;
  const spec = ROLLOUT_SOURCES[source];
  const params: ParamSpec[] = [
    { name: "model", required: true },
    { name: "task", required: true },
    ...spec.options.map((o) => ({ name: o.name, required: o.required })),
    ...(source === "sample" ? LINK_PARAMS : []),
  ];
  const bound = bindArgs(ctx, `${source}(...)`, params, v.args, v.span);
  if (!bound) return fail();

  const modelArg = bound.get("model")!.value;
  const model = modelName(ctx, frame, modelArg, source);
  if (model === undefined) return fail();
  const taskArg = bound.get("task")!.value;
  if (taskArg.kind !== "name" || taskArg.name !== "task" || frame.lookup("task")) {
    ctx.report(
      "RLP206",
      `the second argument of ${source}(...) is the task the trainer is given (rlp train --task NAME): write 'task'`,
      taskArg.span,
    );
    return fail();
  }
  const options: Record<string, number> = {};
  for (const o of spec.options) {
    const arg = bound.get(o.name);
    if (!arg) {
      if (o.default !== undefined) options[o.name] = o.default;
      continue;
    }
    const n = staticNumber(ctx, frame, arg, o.name, `${source}(...)`);
    if (n === undefined) return fail();
    // temperature=0 (greedy) only for a second rollout (prompts=r): the trained rollout's log-probs are at logits / t
    if (
      (o.integer && !Number.isInteger(n)) ||
      n < o.min ||
      (o.name === "temperature" && n <= 0 && !(n === 0 && (bound.has("prompts") || declaredRollouts(ctx).length > 0)))
    ) {
      const want = o.integer ? `an integer >= ${o.min}` : "a number > 0";
      const greedy =
        o.name === "temperature" && n === 0
          ? " (temperature=0, greedy, is for a second rollout on this one's prompts: prompts=NAME; the trained rollout's log-probs are at logits / temperature)"
          : "";
      ctx.report("RLP307", `${o.name}= of ${source}(...) must be ${want}, but it is ${n}${greedy}`, arg.value.span);
      return fail();
    }
    options[o.name] = n;
  }

  // The rollout's dims: declared by the pipeline (`dims P, G, T`) or, if not, declared here in canonical order.
  const name = s.names[0]!;
  const link = linkRollout(ctx, frame, name.name, source, bound, declaredRollouts(ctx), v.span);
  if (!link) return fail();
  const dims: Record<string, string> = {};
  for (const [role, d] of Object.entries(link.dims ?? spec.dims)) {
    if (link.shared.has(role)) {
      dims[role] = d; // bound by the first rollout
      continue;
    }
    const info = ctx.dims.get(d);
    if (info && (info.size !== undefined || info.labels || info.aliasOf)) {
      ctx.report(
        "RLP307",
        `the rollout binds the dim ${d} (its ${role}), but the pipeline declares ${d} ${info.aliasOf ? `as an alias of ${info.aliasOf}` : "with a static size"}; declare it plainly ('dims ${d}')`,
        v.span,
      );
      return fail();
    }
    if (!info) ctx.dims.set(d, { name: d });
    ctx.order.add(d);
    dims[role] = d;
  }
  const ir: IRRollout = {
    name: name.name,
    source,
    model,
    dims,
    options,
    fields: {},
    ...(link.prompts ? { prompts: link.prompts } : {}),
    span: v.span,
  };
  rolloutsOf(ctx).set(name.name, { ir, spec: link.prompts ? baselineSpec(spec) : spec, inputs, values: new Map() });
  defineNames(ctx, frame, s.names, [{ kind: "record", name: name.name }], "rollout");
}

/** A second rollout's record: the const fields of its source (no log-probs, no values), and its task methods. */
function baselineSpec(spec: SourceSpec): SourceSpec {
  const fields = Object.fromEntries(BASELINE_FIELDS.map((f) => [f, spec.fields[f]!]));
  return { ...spec, fields };
}

function modelName(ctx: Ctx, frame: Frame, e: Expr, source: string): string | undefined {
  const m = e.kind === "name" && !frame.lookup(e.name) ? e.name : undefined;
  if (m !== undefined && ctx.pipe!.marks.has(m)) return m;
  if (m !== undefined && ctx.pipe!.frozen.has(m)) {
    ctx.report(
      "RLP111",
      `${source}(...) samples from the model being trained, but '${m}' is a derived (frozen) model; read its log-probs with logprob(${m}, r)`,
      e.span,
    );
    return undefined;
  }
  ctx.report(
    "RLP111",
    `the first argument of ${source}(...) is the trained model to sample from, e.g. 'policy'${m ? didYouMean(m, [...ctx.pipe!.marks]) : ""}`,
    e.span,
  );
  return undefined;
}

/** The input that carries one field of a rollout record (made when first read). */
function fieldValue(ctx: Ctx, env: RolloutEnv, field: string, f: FieldSpec, span: Span): TensorValue {
  const hit = env.values.get(field);
  if (hit) return hit;
  const inputName = `${env.ir.name}.${field}`;
  const dims = ctx.order.sort(f.dims.map((r) => env.ir.dims[r]!));
  const type = f.indexOf ? { dtype: f.dtype, dims, indexOf: env.ir.dims[f.indexOf]! } : { dtype: f.dtype, dims };
  const grad = f.grad ? [f.mark ?? env.ir.model] : [];
  const tv = emit(ctx, { op: "input", name: inputName }, [], span, { declared: type, marks: grad });
  if (grad.length > 0) tv.gradOrigin = span;
  const input: IRInput = { name: inputName, node: tv.node, type, span };
  if (f.grad) input.mark = f.mark ?? env.ir.model;
  env.inputs.push(input);
  env.ir.fields[field] = inputName;
  env.values.set(field, tv);
  return tv;
}

/** `r.logp`: a field of a rollout record. Returns undefined when the target is not a rollout record. */
export function rolloutField(ctx: Ctx, frame: Frame, e: Extract<Expr, { kind: "field" }>): Value | undefined {
  if (e.target.kind !== "name") return undefined;
  const b = frame.lookup(e.target.name);
  if (!b || b.value.kind !== "record") return undefined;
  const env = rolloutsOf(ctx).get(b.value.name);
  if (!env) return ERROR;
  const f = env.spec.fields[e.field.name];
  if (!f) {
    const names = Object.keys(env.spec.fields);
    const method = env.spec.methods[e.field.name]
      ? `; '${e.field.name}' is computed by the task: write task.${e.field.name}(${env.ir.name})`
      : baselineFieldNote(env.ir, e.field.name, Object.keys(ROLLOUT_SOURCES.sample.fields));
    ctx.report(
      "RLP112",
      `the rollout record '${env.ir.name}' has no field '${e.field.name}'${method || didYouMean(e.field.name, names)} (its fields: ${names.join(", ")})`,
      e.field.span,
    );
    return ERROR;
  }
  return fieldValue(ctx, env, e.field.name, f, e.span);
}

/** `task.score(r)`: a method of the task, computed on the host. Returns undefined when the callee is not `task.X`. */
export function taskMethod(ctx: Ctx, frame: Frame, e: Extract<Expr, { kind: "call" }>): Value | undefined {
  const c = e.callee;
  if (c.kind !== "field" || c.target.kind !== "name" || c.target.name !== "task" || frame.lookup("task")) return undefined;
  const method: Ident = c.field;
  const arg = e.args[0];
  if (e.args.length !== 1 || !arg || arg.name) {
    ctx.report("RLP108", `task.${method.name}(...) takes one argument: a rollout record, e.g. task.${method.name}(r)`, e.span);
    return ERROR;
  }
  const rec = arg.value.kind === "name" ? frame.lookup(arg.value.name) : undefined;
  if (!rec || rec.value.kind !== "record") {
    const v = rec ? rec.value : arg.value.kind === "name" ? undefined : elaborateExpr(ctx, frame, arg.value);
    if (v?.kind === "error") return ERROR;
    ctx.report(
      "RLP206",
      `task.${method.name}(...) takes a rollout record (rollout r = sample(...)), but this is ${v ? describeValue(v) : `'${arg.value.kind === "name" ? arg.value.name : "?"}'`}`,
      arg.value.span,
    );
    return ERROR;
  }
  const env = rolloutsOf(ctx).get(rec.value.name);
  if (!env) return ERROR;
  const f = env.spec.methods[method.name];
  if (!f) {
    const names = Object.keys(env.spec.methods);
    ctx.report(
      "RLP112",
      `the task has no method '${method.name}' for a ${env.ir.source} rollout${didYouMean(method.name, names)}${names.length ? ` (its methods: ${names.map((n) => `task.${n}(${env.ir.name})`).join(", ")})` : ""}`,
      method.span,
    );
    return ERROR;
  }
  return fieldValue(ctx, env, method.name, f, e.span);
}

/** The rollout a record name is bound to (undefined when it is not a rollout's record). */
export function rolloutOf(ctx: Ctx, record: string): IRRollout | undefined {
  return rolloutsOf(ctx).get(record)?.ir;
}

/**
 * A field that another construct adds to a rollout record — `logprob(avg, r)` is the input `r.logp@avg`
 * (compiler/elaborate/models.ts) — made like the record's own fields: one input per field, when first read.
 */
export function recordField(ctx: Ctx, record: string, field: string, f: FieldSpec, span: Span): TensorValue {
  return fieldValue(ctx, rolloutsOf(ctx).get(record)!, field, f, span);
}
