// `filter P by keep[, max_rounds=N]`: DAPO's dynamic sampling. `keep` is a bool[P] computed from the rollout and its
// rewards (a bool is always const: which data a step trains on is not trained through; r.logp reads as r.old_logp
// there). The trainer (runtime/tools/train/filter.ts) evaluates it on each sampled batch, keeps the prompts (with all their
// responses) where it holds and samples fresh prompts for the rest, up to max_rounds batches; when the rounds run out
// first, the batch is filled with prompts that did not pass. `rlp eval` ignores it: its inputs file is the batch.
import type { Stmt } from "../../grammar/ast.ts";
import type { IRFilter, IRResult } from "../ir/ir.ts";
import { bindArgs } from "./call.ts";
import type { Ctx, Frame } from "./context.ts";
import { elaborateExpr } from "./expr.ts";
import { declaredRollouts } from "./rollout.ts";
import { describeType, describeValue } from "./values.ts";

export const FILTER_DEFAULT_ROUNDS = 8;

export function elaborateFilter(
  ctx: Ctx,
  frame: Frame,
  s: Extract<Stmt, { kind: "filter" }>,
  results: IRResult[],
  existing: IRFilter | undefined,
): IRFilter | undefined {
  if (existing) {
    ctx.report(
      "RLP307",
      `a pipeline filters its prompts once (the first filter is at line ${existing.span?.line ?? "?"})`,
      s.span,
    );
    return undefined;
  }
  const rollout = declaredRollouts(ctx).find((r) => r.source === "sample");
  if (!rollout) {
    ctx.report("RLP307", "'filter' refills a sampled rollout: declare 'rollout r = sample(policy, task, ...)' before it", s.span);
    return undefined;
  }
  const prompts = rollout.dims["prompts"]!;
  if (s.dim.name !== prompts) {
    ctx.report(
      "RLP307",
      `'filter' keeps or drops whole prompts: filter ${prompts} (the prompts dim of rollout '${rollout.name}'), not ${s.dim.name}`,
      s.dim.span,
    );
    return undefined;
  }
  const bound = bindArgs(
    ctx,
    "filter",
    [
      { name: "keep", required: true },
      { name: "max_rounds", required: false },
    ],
    s.args,
    s.span,
  );
  if (!bound) return undefined;
  const keepArg = bound.get("keep")!;
  const keep = elaborateExpr(ctx, frame, keepArg.value);
  if (keep.kind !== "tensor") {
    if (keep.kind !== "error")
      ctx.report(
        "RLP206",
        `the condition of 'filter' must be a bool[${prompts}], but it is ${describeValue(keep)}`,
        keepArg.value.span,
      );
    return undefined;
  }
  if (keep.type.dtype !== "bool" || keep.type.dims.length !== 1 || keep.type.dims[0] !== prompts) {
    ctx.report(
      "RLP209",
      `the condition of 'filter' must be one bool per prompt, bool[${prompts}], but it is ${describeType(keep.type)}${keep.type.dtype === "bool" && keep.type.dims.includes(prompts) ? `; reduce the other dims (e.g. dapo_keep(score, over=G))` : ""}`,
      keepArg.value.span,
    );
    return undefined;
  }
  let maxRounds = FILTER_DEFAULT_ROUNDS;
  const r = bound.get("max_rounds");
  if (r) {
    const v = elaborateExpr(ctx, frame, r.value);
    if (v.kind !== "tensor" || v.static === undefined || !Number.isInteger(v.static) || v.static < 1) {
      ctx.report(
        "RLP207",
        `max_rounds= of 'filter' must be a whole number >= 1 known when the pipeline is compiled, but it is ${v.kind === "tensor" && v.static !== undefined ? String(v.static) : describeValue(v)}`,
        r.value.span,
      );
      return undefined;
    }
    maxRounds = v.static;
  }
  const result = `filter.${prompts}`;
  results.push({ name: result, kind: "filter", node: keep.node, span: s.span });
  return { dim: prompts, result, maxRounds, rollout: rollout.name, span: s.span };
}
