// Derived models and the log-probs a pipeline reads from them (docs/training.md section 1c):
//
//   model ref = frozen(policy)                 // the starting policy (what r.ref_logp is)
//   model avg = ema(policy, decay=0.99)        // an exponential moving average of the policy's weights
//   model prev = snapshot(policy, every=10)    // a copy of the policy taken every 10 steps (and at step 0)
//   ... logprob(avg, r) ...                    // f32[P,G,T], const: r's sampled tokens under avg, at sampling time
//
// The trainer keeps the models (runtime/tools/train/models.ts); the compiler checks their options and turns each
// `logprob(M, r)` into one more field of the rollout record: the program input `r.logp@M`, made by the trainer with
// the record's other fields and supplied by the inputs file in `rlp eval`. `declareModel` (declarations.ts) has
// already checked the name and the base model in its pre-pass; this file adds the options and `logprob`.
import { staticNumber } from "./static_number.ts";
import type { Expr, ModelDecl, PipelineItem } from "../../grammar/ast.ts";
import type { IRModel } from "../ir/ir.ts";
import { didYouMean } from "../ir/suggest.ts";
import { bindArgs, type ParamSpec } from "./call.ts";
import type { Ctx, Frame } from "./context.ts";
import { elaborateExpr } from "./expr.ts";
import { modelLogpSpec, ROLLOUT_SOURCES } from "../ir/rollout_record.ts";
import { recordField, rolloutOf } from "./rollout.ts";
import { describeValue, ERROR, type Value } from "./values.ts";

type Kind = IRModel["kind"];

/** The options of each derived kind that rlp train makes; `check` returns what is wrong with a value, if anything. */
const OPTIONS: Partial<Record<Kind, { name: string; want: string; check: (x: number) => boolean }[]>> = {
  frozen: [],
  ema: [{ name: "decay", want: "a number in (0, 1), e.g. 0.99", check: (x) => x > 0 && x < 1 }],
  snapshot: [{ name: "every", want: "an integer >= 1 (steps between copies)", check: (x) => Number.isInteger(x) && x >= 1 }],
};

/** What the pre-pass knows of each derived model: its kind and base, by name (logprob may precede the declaration). */
const declared = new WeakMap<Ctx, Map<string, { kind: Kind; base?: string }>>();

function modelsOf(ctx: Ctx): Map<string, { kind: Kind; base?: string }> {
  let m = declared.get(ctx);
  if (!m) declared.set(ctx, (m = new Map()));
  return m;
}

/** Pre-pass, after declareModel: remembers each derived model's kind and base. */
export function noteModels(ctx: Ctx, items: PipelineItem[]): void {
  for (const item of items) {
    if (item.kind !== "model" || !ctx.pipe!.frozen.has(item.name.name)) continue;
    const v = item.value;
    if (v?.kind !== "call" || v.callee.kind !== "name") continue;
    const base = v.args[0]?.value;
    const kind = v.callee.name as Kind;
    modelsOf(ctx).set(item.name.name, { kind, ...(base?.kind === "name" && kind !== "external" ? { base: base.name } : {}) });
  }
}

/** `model avg = ema(policy, decay=0.99)` in program order: checks the options (params declared above may be used). */
export function elaborateModel(ctx: Ctx, frame: Frame, d: ModelDecl): IRModel | undefined {
  const note = modelsOf(ctx).get(d.name.name);
  const v = d.value;
  if (!note || v?.kind !== "call" || v.callee.kind !== "name") return undefined; // trained, or reported by declareModel
  const spec = OPTIONS[note.kind];
  const ir: IRModel = { name: d.name.name, kind: note.kind, options: {}, span: d.span };
  if (note.base !== undefined) ir.base = note.base;
  if (!spec) return ir; // average(...), external(...): declared, not made by rlp train (plan.ts says so)
  const what = `${note.kind}(...)`;
  const params: ParamSpec[] = [{ name: "model", required: true }, ...spec.map((o) => ({ name: o.name, required: true }))];
  const bound = bindArgs(ctx, what, params, v.args, v.span);
  if (!bound) return undefined;
  const base = note.base;
  if (base !== undefined && ctx.pipe!.frozen.has(base)) {
    ctx.report(
      "RLP111",
      `${what} derives from a trained model, but '${base}' is itself derived; write ${note.kind}(policy${spec.map((o) => `, ${o.name}=...`).join("")})`,
      bound.get("model")!.value.span,
    );
    return undefined;
  }
  for (const o of spec) {
    const arg = bound.get(o.name)!;
    const n = staticNumber(ctx, frame, arg, o.name, what);
    if (n === undefined) return undefined;
    if (!o.check(n)) {
      ctx.report("RLP111", `${o.name}= of ${what} must be ${o.want}, but it is ${n}`, arg.value.span);
      return undefined;
    }
    ir.options[o.name] = n;
  }
  return ir;
}

/**
 * `logprob(M, r)`: r's sampled tokens under M, at the rollout's temperature, when the batch was sampled. M is a
 * derived model (the input `r.logp@M`) or the sampled model itself (then it is r.old_logp: the same input).
 */
export function elaborateLogprob(ctx: Ctx, frame: Frame, e: Extract<Expr, { kind: "call" }>): Value {
  const bound = bindArgs(
    ctx,
    "logprob(...)",
    [
      { name: "model", required: true },
      { name: "rollout", required: true },
    ],
    e.args,
    e.span,
  );
  if (!bound) return ERROR;
  const mArg = bound.get("model")!.value;
  const rArg = bound.get("rollout")!.value;
  const rec = rArg.kind === "name" ? frame.lookup(rArg.name) : undefined;
  const rollout = rec?.value.kind === "record" ? rolloutOf(ctx, rec.value.name) : undefined;
  if (!rollout) {
    const v = rec ? rec.value : rArg.kind === "name" ? undefined : elaborateExpr(ctx, frame, rArg);
    if (v?.kind === "error" || (rec?.value.kind === "record" && !rollout)) return ERROR;
    ctx.report(
      "RLP206",
      `logprob(M, r) takes a rollout record (rollout r = sample(...)) as its second argument, but this is ${v ? describeValue(v) : `'${rArg.kind === "name" ? rArg.name : "?"}'`}`,
      rArg.span,
    );
    return ERROR;
  }
  if (rollout.source !== "sample") {
    ctx.report(
      "RLP206",
      `logprob(M, ${rollout.name}) scores sampled responses, but '${rollout.name}' is a ${rollout.source}(...) rollout; its log-probs are ${rollout.name}.logp`,
      rArg.span,
    );
    return ERROR;
  }
  if (rollout.prompts !== undefined) {
    ctx.report(
      "RLP206",
      `logprob(M, ${rollout.name}) reads the trained rollout's tokens, but '${rollout.name}' is a second rollout on ${rollout.prompts}'s prompts; write logprob(M, ${rollout.prompts})`,
      rArg.span,
    );
    return ERROR;
  }
  const m = mArg.kind === "name" && !frame.lookup(mArg.name) ? mArg.name : undefined;
  const derived = m !== undefined ? modelsOf(ctx).get(m) : undefined;
  if (m !== undefined && m === rollout.model)
    return recordField(ctx, rollout.name, "old_logp", ROLLOUT_SOURCES.sample.fields["old_logp"]!, e.span);
  if (m !== undefined && ctx.pipe!.marks.has(m)) {
    const why =
      m === "critic"
        ? "the critic is a value model: it has no log-probs"
        : `'${m}' is a trained model other than the one sampled from`;
    ctx.report(
      "RLP111",
      `logprob(${m}, ${rollout.name}): ${why}; logprob reads ${rollout.model} (= ${rollout.name}.old_logp) or a model derived from it (model ref = frozen(${rollout.model}))`,
      mArg.span,
    );
    return ERROR;
  }
  if (m === undefined || !derived) {
    const names = [rollout.model, ...modelsOf(ctx).keys()];
    ctx.report(
      "RLP111",
      `the first argument of logprob(...) is a model: ${rollout.model} or one declared with 'model M = frozen(${rollout.model})' (or ema, snapshot)${m !== undefined ? `, not '${m}'${didYouMean(m, names)}` : ""}`,
      mArg.span,
    );
    return ERROR;
  }
  if (derived.base !== undefined && derived.base !== rollout.model) {
    ctx.report(
      "RLP111",
      `logprob(${m}, ${rollout.name}): '${m}' derives from ${derived.base}, which is not the model ${rollout.name} samples from (${rollout.model})${derived.base === "critic" ? "; the critic has no log-probs" : ""}`,
      mArg.span,
    );
    return ERROR;
  }
  return recordField(ctx, rollout.name, `logp@${m}`, modelLogpSpec(m), e.span);
}
