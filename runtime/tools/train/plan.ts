// What the trainer must make for a pipeline, decided before training starts: the rollout (declared with
// `rollout r = sample(...)`, or — for a pipeline written for `rlp eval`, such as examples/grpo.rlp — inferred from its
// input names), which input carries which field, the trained models (the sampled policy, and a critic when the
// pipeline reads r.values), which losses train which model, and each model's optimizer.
// A pipeline input that the rollout does not provide is rejected here, by name.
import { logpFieldModel, modelLogpSpec, ROLLOUT_SOURCES, type FieldSpec } from "../../../compiler/ir/rollout_record.ts";
import { planSecondRollout, secondRolloutInputNames, type SecondRolloutPlan } from "./second_rollout.ts";
import { isDifferentiable, type IRInput, type IRModel, type IRProgram, type IRRollout } from "../../../compiler/ir/ir.ts";
import { plannedModels } from "./models.ts";

/** The options of `adam(...)` that rlp train knows. */
export const ADAM_OPTIONS = ["lr", "beta1", "beta2", "eps", "clip"] as const;
export type AdamSettings = Partial<Record<(typeof ADAM_OPTIONS)[number], number>>;

/** A trained loss: its gradient goes to `models` (every model it reaches, or the one `loss L for M` names). */
export interface PlannedLoss {
  name: string;
  models: string[];
}

export interface TrainPlan {
  rollout: IRRollout;
  /** Field -> the program input that carries it. */
  inputs: Record<string, IRInput>;
  /** The policy's differentiable field (`logp` or `logits`) and its input. */
  wrtField: "logp" | "logits";
  wrt: IRInput;
  /** The policy's first loss (the `loss` of the progress line and metrics). */
  loss: string;
  /** Every loss the trainer differentiates, with the models it trains (the sum of a model's losses is its objective). */
  losses: PlannedLoss[];
  /** The critic, when the pipeline reads r.values (@critic): its input and the Adam options it states. */
  critic?: { input: IRInput; optimizer: AdamSettings };
  /** Inferred from input names (no rollout statement in the pipeline). */
  inferred: boolean;
  /** Adam options the pipeline states for the policy (`optimize policy with adam(lr=..., clip=...)`). */
  optimizer: AdamSettings;
  /** A second rollout on the first's prompts (`prompts=r`, ReMax's greedy baseline): runtime/tools/train/second_rollout.ts. */
  second?: SecondRolloutPlan;
  /** The derived models the pipeline reads with logprob(M, r) (runtime/tools/train/models.ts keeps them). */
  models: IRModel[];
}

export class PlanError extends Error {}

/** Plain input names `rlp train` maps to rollout fields when the pipeline has no rollout statement. */
const CONVENTION: Record<string, string> = {
  logp: "logp",
  old_logp: "old_logp",
  ref_logp: "ref_logp",
  mask: "mask",
  tokens: "tokens",
  prompt_id: "prompt_id",
  reward: "score",
  score: "score",
  values: "values",
  values_old: "old_values",
  old_values: "old_values",
};

function fieldSpec(source: IRRollout["source"], field: string): FieldSpec | undefined {
  const s = ROLLOUT_SOURCES[source];
  const model = logpFieldModel(field); // logprob(M, r): the field `logp@M` (compiler/ir/rollout_record.ts)
  return s.fields[field] ?? s.methods[field] ?? (model !== undefined && source === "sample" ? modelLogpSpec(model) : undefined);
}

function describe(i: IRInput): string {
  const dt = i.type.indexOf ? `i32<${i.type.indexOf}>` : i.type.dtype;
  return `${dt}[${i.type.dims.join(",")}]`;
}

/** A rollout for a pipeline that declares none: its inputs are matched to the fields by name (and type). */
function inferRollout(program: IRProgram, defaults: { group: number; maxTokens: number; temperature: number }): IRRollout {
  const logp = program.inputs.find((i) => i.name === "logp");
  if (!logp || logp.type.dims.length !== 3) {
    throw new PlanError(
      `pipeline '${program.pipeline}' has no rollout statement and no input 'logp: f32[P,G,T] @policy' to infer one from; add 'rollout r = sample(policy, task, group=8, max_tokens=8)' and read r.logp, r.mask, ...`,
    );
  }
  const [prompts, group, tokens] = logp.type.dims as [string, string, string];
  const fields: Record<string, string> = {};
  for (const i of program.inputs) {
    const f = CONVENTION[i.name];
    if (f !== undefined && fields[f] === undefined) fields[f] = i.name;
  }
  return {
    name: "rollout",
    source: "sample",
    model: logp.mark ?? "policy",
    dims: { prompts, group, tokens, vocab: "V" },
    options: { group: defaults.group, max_tokens: defaults.maxTokens, temperature: defaults.temperature },
    fields,
  };
}

/** Every input provided by the rollout and typed as it makes it; returns field -> input. */
function mapInputs(
  program: IRProgram,
  rollout: IRRollout,
  inferred: boolean,
  others = new Set<string>(),
): Record<string, IRInput> {
  const byInput = new Map(Object.entries(rollout.fields).map(([f, name]) => [name, f]));
  const inputs: Record<string, IRInput> = {};
  const provided = Object.keys({ ...ROLLOUT_SOURCES[rollout.source].fields, ...ROLLOUT_SOURCES[rollout.source].methods });
  for (const inp of program.inputs) {
    const field = byInput.get(inp.name);
    if (field === undefined) {
      if (others.has(inp.name)) continue; // a second rollout's field
      if (inp.default !== undefined && !isDifferentiable(program, inp)) continue; // e.g. `input ref_logp: ... = 0.0`
      const what = inferred
        ? `the inferred rollout provides inputs named ${Object.keys(CONVENTION).join(", ")}`
        : `the rollout '${rollout.name}' provides ${provided.map((f) => `${rollout.name}.${f}`).join(", ")}`;
      throw new PlanError(
        `pipeline input '${inp.name}' (${describe(inp)}${inp.mark ? ` @${inp.mark}` : ""}) is not provided by the rollout: ${what}`,
      );
    }
    const spec = fieldSpec(rollout.source, field)!;
    const dims = spec.dims.map((r) => rollout.dims[r]!);
    const sameDims = dims.length === inp.type.dims.length && dims.every((d) => inp.type.dims.includes(d));
    if (!sameDims || spec.dtype !== inp.type.dtype) {
      const want = `${spec.indexOf ? `i32<${rollout.dims[spec.indexOf]}>` : spec.dtype}[${dims.join(",")}]`;
      throw new PlanError(`pipeline input '${inp.name}' is ${describe(inp)}, but the rollout's ${field} is ${want}`);
    }
    const mark = spec.mark ?? rollout.model;
    if (isDifferentiable(program, inp) !== (spec.grad === true) || (spec.grad && inp.mark !== mark)) {
      throw new PlanError(
        spec.grad
          ? `pipeline input '${inp.name}' carries the ${mark}'s gradient: mark it '@${mark}'`
          : `pipeline input '${inp.name}' is marked @${inp.mark}, but the rollout's ${field} is const`,
      );
    }
    inputs[field] = inp;
  }
  return inputs;
}

/** Checks that every input is provided and typed as the rollout makes it; throws PlanError naming the input. */
export function planTraining(program: IRProgram, defaults: { group: number; maxTokens: number; temperature: number }): TrainPlan {
  const second = planSecondRollout(program);
  const declared = (program.rollouts ?? []).filter((r) => r !== second?.rollout);
  if (declared.length > 1)
    throw new PlanError(`pipeline '${program.pipeline}' has ${declared.length} rollouts; rlp train makes one`);
  const inferred = declared.length === 0;
  const rollout = declared[0] ?? inferRollout(program, defaults);
  if (rollout.model === "critic")
    throw new PlanError(`${rollout.source}(critic, ...): the critic is a value model; sample from the policy`);
  const inputs = mapInputs(program, rollout, inferred, secondRolloutInputNames(program));
  const diff = (["logp", "logits"] as const).filter((f) => inputs[f] !== undefined);
  if (diff.length !== 1) {
    throw new PlanError(
      diff.length === 0
        ? `pipeline '${program.pipeline}' reads no differentiable field of its rollout (${rollout.name}.logp or ${rollout.name}.logits): nothing to train`
        : `pipeline '${program.pipeline}' reads both ${rollout.name}.logp and ${rollout.name}.logits; rlp train differentiates one of them`,
    );
  }
  const wrtField = diff[0]!;
  const wrt = inputs[wrtField]!;
  const criticInput = inputs["values"];
  if (inputs["old_values"] && !criticInput) {
    throw new PlanError(
      `pipeline '${program.pipeline}' reads the critic's sampling-time values (${inputs["old_values"].name}) but not ${rollout.name}.values: no loss trains the critic; add a value loss on ${rollout.name}.values`,
    );
  }
  const other = program.inputs.find((i) => isDifferentiable(program, i) && i !== wrt && i !== criticInput);
  if (other)
    throw new PlanError(
      `pipeline input '${other.name}' is differentiable (@${other.mark}), but rlp train trains the sampled model's log-probs (${wrt.name}) and the critic's values only`,
    );
  const trained = [rollout.model, ...(criticInput ? ["critic"] : [])];
  const losses = planLosses(program, trained);
  for (const m of trained) {
    const mine = losses.filter((l) => l.models.includes(m)).map((l) => l.name);
    if (mine.length === 0) {
      throw new PlanError(
        m === "critic"
          ? `pipeline '${program.pipeline}' reads the critic's values (${criticInput!.name}) but no loss reaches @critic: add a value loss, e.g. 'loss L_v = token_mean((${criticInput!.name} - returns) ** 2, mask)'`
          : `pipeline '${program.pipeline}' has no loss that reaches @${m}`,
      );
    }
  }
  const optimizers = planOptimizers(program, trained);
  const models = plannedModels(program, rollout);
  if (typeof models === "string") throw new PlanError(models);
  const plan: TrainPlan = {
    models,
    rollout,
    inputs,
    wrtField,
    wrt,
    loss: losses.find((l) => l.models.includes(rollout.model))!.name,
    losses,
    inferred,
    optimizer: optimizers.get(rollout.model) ?? {},
  };
  if (criticInput) plan.critic = { input: criticInput, optimizer: optimizers.get("critic") ?? {} };
  if (second) plan.second = second;
  return plan;
}

/** Each loss and the models it trains: `loss L for M` trains M only; a plain loss trains every model it reaches. */
function planLosses(program: IRProgram, trained: string[]): PlannedLoss[] {
  const out: PlannedLoss[] = [];
  for (const r of program.results) {
    if (r.kind !== "loss") continue;
    const reach = program.nodes[r.node]!.grad;
    const named = r.forModel !== undefined ? [r.forModel] : reach;
    const lost = named.filter((m) => !trained.includes(m));
    const models = trained.filter((m) => named.includes(m)); // in the trainer's order: policy, then critic
    if (lost.length > 0 || models.length === 0) {
      throw new PlanError(
        `loss '${r.name}' ${r.forModel !== undefined ? `is for ${r.forModel}` : `reaches ${reach.length ? reach.map((m) => `@${m}`).join(", ") : "no model"}`}, but rlp train trains ${trained.join(" and ")} only`,
      );
    }
    out.push({ name: r.name, models });
  }
  return out;
}

/** `optimize M[, N] with adam(...)`: the Adam options of each trained model. */
function planOptimizers(program: IRProgram, trained: string[]): Map<string, AdamSettings> {
  const out = new Map<string, AdamSettings>();
  for (const o of program.optimizers ?? []) {
    const what = `optimize ${o.models.join(", ")}`;
    for (const m of o.models) {
      if (!trained.includes(m)) {
        throw new PlanError(
          m === "critic"
            ? `'${what}': the pipeline has no critic (rlp train makes one when the pipeline reads r.values @critic)`
            : `'${what}': rlp train trains ${trained.join(" and ")}, not ${m}`,
        );
      }
      if (out.has(m)) throw new PlanError(`'${what}': ${m}'s optimizer is already given by an earlier 'optimize'`);
    }
    if (o.name !== "adam")
      throw new PlanError(`'${what} with ${o.name}(...)': rlp train's optimizer is adam(${ADAM_OPTIONS.join(", ")})`);
    const settings: AdamSettings = {};
    for (const [k, v] of Object.entries(o.options)) {
      if (!(ADAM_OPTIONS as readonly string[]).includes(k))
        throw new PlanError(`adam(...) has no option '${k}' (its options: ${ADAM_OPTIONS.join(", ")})`);
      if (!(v >= 0)) throw new PlanError(`adam(${k}=${v}): must be >= 0`);
      settings[k as (typeof ADAM_OPTIONS)[number]] = v;
    }
    for (const m of o.models) out.set(m, settings);
  }
  return out;
}
