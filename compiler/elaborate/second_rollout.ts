// A second rollout on the same prompts as the first (ReMax's greedy baseline, docs/training.md section 1c):
//
//   rollout r = sample(policy, task, group=8, max_tokens=4, temperature=1.0)
//   rollout g = sample(policy, task, prompts=r, group=1, max_tokens=4, temperature=0.0, dims=[Gg, Tg])
//   reward Rg = task.score(g)                                   // f32[P, Gg]
//
// The second rollout answers the first's prompts, so it SHARES the first's prompts dim (and the vocabulary), and binds
// a group and a tokens dim of its own: dims bound by different rollouts are distinct (DESIGN findings T14), so a
// pipeline cannot mix r's tokens with g's by accident. They are named by `dims=[G2, T2]` or, without it, derived from
// the rollout's name (`G_g`, `T_g`). The second rollout is a baseline: it is not trained, so its record has only const
// fields (tokens, mask, prompt_id, and task.score(g)); its log-probs are not made (at temperature 0 they are not
// defined). It may sample greedily (temperature=0), which the first rollout may not (its log-probs are at logits / t).
// Kept apart from rollout.ts: rollout.ts calls in here at three points (the options, the dims, an unknown field).
import type { Arg, Expr, Span } from "../../grammar/ast.ts";
import type { IRRollout } from "../ir/ir.ts";
import type { ParamSpec } from "./call.ts";
import type { Ctx, Frame } from "./context.ts";

/** The options only a second rollout takes (after the source's own). */
export const LINK_PARAMS: ParamSpec[] = [
  { name: "prompts", required: false },
  { name: "dims", required: false },
];

/** The fields of a second rollout's record (all const); task.score(g) is its method. */
export const BASELINE_FIELDS = ["tokens", "mask", "prompt_id"] as const;

/** The most rollouts a pipeline declares: the trained one and one on its prompts. */
const MAX_ROLLOUTS = 2;

export interface RolloutLink {
  /** Set for a second rollout: the name of the rollout whose prompts it samples on. */
  prompts?: string;
  /** Role -> dim name; undefined: the source's default dims (a first rollout). */
  dims?: Record<string, string>;
  /** Roles whose dims the first rollout already bound (prompts, vocab). */
  shared: Set<string>;
}

const EXAMPLE = "rollout g = sample(policy, task, prompts=r, group=1, max_tokens=N, temperature=0.0)";

/**
 * Decides whether a sample rollout is the pipeline's first or a second one on an earlier rollout's prompts, from its
 * `prompts=` and `dims=` options and the rollouts declared before it. Reports RLP307 and returns undefined on misuse.
 */
export function linkRollout(
  ctx: Ctx,
  frame: Frame,
  name: string,
  source: string,
  bound: Map<string, Arg>,
  previous: IRRollout[],
  span: Span,
): RolloutLink | undefined {
  const promptsArg = bound.get("prompts");
  const dimsArg = bound.get("dims");
  if (previous.length >= MAX_ROLLOUTS) {
    ctx.report(
      "RLP307",
      `at most two rollouts per pipeline: '${previous[0]!.name}' and '${previous[1]!.name}' (on its prompts) are already declared`,
      span,
    );
    return undefined;
  }
  if (previous.length === 0) {
    const extra = promptsArg ?? dimsArg;
    if (extra) {
      ctx.report(
        "RLP307",
        `${extra.name!.name}= belongs to a second rollout on an earlier rollout's prompts, but '${name}' is this pipeline's first rollout: it draws the prompts`,
        extra.span,
      );
      return undefined;
    }
    return { shared: new Set() };
  }
  const first = previous[0]!;
  if (source !== "sample" || !promptsArg) {
    ctx.report(
      "RLP307",
      `a pipeline's second rollout samples on the first's prompts: write prompts=${first.name}, e.g. '${EXAMPLE.replace("prompts=r", `prompts=${first.name}`)}' (ReMax's greedy baseline)`,
      span,
    );
    return undefined;
  }
  const target = promptsArg.value;
  const rec = target.kind === "name" ? frame.lookup(target.name) : undefined;
  if (target.kind !== "name" || rec?.value.kind !== "record" || rec.value.name !== first.name) {
    const what = target.kind === "name" ? `'${target.name}'${rec ? "" : ", which is not defined"}` : "an expression";
    ctx.report(
      "RLP307",
      `prompts= names the earlier sample rollout whose prompts this one answers (here '${first.name}'), but this is ${what}`,
      target.span,
    );
    return undefined;
  }
  if (first.source !== "sample") {
    ctx.report(
      "RLP307",
      `prompts=${first.name}: '${first.name}' is ${first.source}(...), which has no prompts dim to share; a second rollout samples on a sample(...) rollout's prompts`,
      target.span,
    );
    return undefined;
  }
  const own = ownDims(ctx, name, dimsArg, first, span);
  if (!own) return undefined;
  return {
    prompts: first.name,
    dims: { prompts: first.dims["prompts"]!, group: own[0], tokens: own[1], vocab: first.dims["vocab"]! },
    shared: new Set(["prompts", "vocab"]),
  };
}

/** The second rollout's group and tokens dims: `dims=[G2, T2]`, or derived from its name (`G_g`, `T_g`). */
function ownDims(ctx: Ctx, name: string, arg: Arg | undefined, first: IRRollout, span: Span): [string, string] | undefined {
  let names: [string, string] = [`G_${name}`, `T_${name}`];
  if (arg) {
    const v: Expr = arg.value;
    const items = v.kind === "list" ? v.items : [];
    if (items.length !== 2 || !items.every((i) => i.kind === "name")) {
      ctx.report(
        "RLP307",
        "dims= of a second rollout names its group and tokens dims, two plain names: e.g. dims=[Gg, Tg]",
        v.span,
      );
      return undefined;
    }
    names = items.map((i) => (i as Extract<Expr, { kind: "name" }>).name) as [string, string];
    if (names[0] === names[1]) {
      ctx.report("RLP307", `dims= of a second rollout names two different dims, but both are ${names[0]}`, v.span);
      return undefined;
    }
  }
  const taken = Object.entries(first.dims).find(([, d]) => names.includes(d));
  if (taken) {
    ctx.report(
      "RLP307",
      `the dim ${taken[1]} is bound by rollout '${first.name}' (its ${taken[0]}); a second rollout binds a group and a tokens dim of its own (dims bound by different rollouts are distinct), e.g. dims=[${taken[1]}2, ...]`,
      arg?.value.span ?? span,
    );
    return undefined;
  }
  return names;
}

/** Why a field is not in a second rollout's record (appended to RLP112's message), or "" when it is not one. */
export function baselineFieldNote(ir: IRRollout, field: string, sampleFields: string[]): string {
  if (ir.prompts === undefined || !sampleFields.includes(field)) return "";
  return `; '${ir.name}' is a second rollout on ${ir.prompts}'s prompts, a baseline that is not trained: its record is const and has no log-probs or values (only ${ir.prompts}'s are made: ${ir.prompts}.${field})`;
}
