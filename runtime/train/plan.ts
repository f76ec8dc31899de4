// What the trainer must make for a pipeline, decided before training starts: the rollout (declared with
// `rollout r = sample(...)`, or — for a pipeline written for `rlp eval`, such as examples/grpo.rlp — inferred from its
// input names), which input carries which field, which input is differentiated, and the one loss to train.
// A pipeline input that the rollout does not provide is rejected here, by name.
import { ROLLOUT_SOURCES, type FieldSpec } from "../../compiler/check/rollout.ts";
import { isDifferentiable, type IRInput, type IRProgram, type IRRollout } from "../../compiler/ir.ts";

export interface TrainPlan {
  rollout: IRRollout;
  /** Field -> the program input that carries it. */
  inputs: Record<string, IRInput>;
  /** The differentiable field (`logp` or `logits`) and its input. */
  wrtField: "logp" | "logits";
  wrt: IRInput;
  /** The loss trained (a scalar reaching the policy). */
  loss: string;
  /** Inferred from input names (no rollout statement in the pipeline). */
  inferred: boolean;
  /** Adam options the pipeline states (`optimize policy with adam(lr=..., clip=...)`). */
  optimizer: Partial<Record<(typeof ADAM_OPTIONS)[number], number>>;
}

/** The options of `adam(...)` that rlp train knows. */
export const ADAM_OPTIONS = ["lr", "beta1", "beta2", "eps", "clip"] as const;

export class PlanError extends Error {}

/** Plain input names `rlp train` maps to rollout fields when the pipeline has no rollout statement. */
const CONVENTION: Record<string, string> = {
  logp: "logp", old_logp: "old_logp", ref_logp: "ref_logp", mask: "mask", tokens: "tokens", prompt_id: "prompt_id",
  reward: "score", score: "score",
};

function fieldSpec(source: IRRollout["source"], field: string): FieldSpec | undefined {
  const s = ROLLOUT_SOURCES[source];
  return s.fields[field] ?? s.methods[field];
}

function describe(i: IRInput): string {
  const dt = i.type.indexOf ? `i32<${i.type.indexOf}>` : i.type.dtype;
  return `${dt}[${i.type.dims.join(",")}]`;
}

/** A rollout for a pipeline that declares none: its inputs are matched to the fields by name (and type). */
function inferRollout(program: IRProgram, defaults: { group: number; maxTokens: number; temperature: number }): IRRollout {
  const logp = program.inputs.find((i) => i.name === "logp");
  if (!logp || logp.type.dims.length !== 3) {
    throw new PlanError(`pipeline '${program.pipeline}' has no rollout statement and no input 'logp: f32[P,G,T] @policy' to infer one from; add 'rollout r = sample(policy, task, group=8, max_tokens=8)' and read r.logp, r.mask, ...`);
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

/** Checks that every input is provided and typed as the rollout makes it; throws PlanError naming the input. */
export function planTraining(program: IRProgram, defaults: { group: number; maxTokens: number; temperature: number }): TrainPlan {
  const declared = program.rollouts ?? [];
  if (declared.length > 1) throw new PlanError(`pipeline '${program.pipeline}' has ${declared.length} rollouts; rlp train makes one`);
  const inferred = declared.length === 0;
  const rollout = declared[0] ?? inferRollout(program, defaults);
  const byInput = new Map(Object.entries(rollout.fields).map(([f, name]) => [name, f]));
  const inputs: Record<string, IRInput> = {};
  const provided = Object.keys({ ...ROLLOUT_SOURCES[rollout.source].fields, ...ROLLOUT_SOURCES[rollout.source].methods });
  for (const inp of program.inputs) {
    const field = byInput.get(inp.name);
    if (field === undefined) {
      if (inp.default !== undefined && !isDifferentiable(program, inp)) continue; // e.g. `input ref_logp: ... = 0.0`
      const what = inferred ? `the inferred rollout provides inputs named ${Object.keys(CONVENTION).join(", ")}` : `the rollout '${rollout.name}' provides ${provided.map((f) => `${rollout.name}.${f}`).join(", ")}`;
      throw new PlanError(`pipeline input '${inp.name}' (${describe(inp)}${inp.mark ? ` @${inp.mark}` : ""}) is not provided by the rollout: ${what}`);
    }
    const spec = fieldSpec(rollout.source, field)!;
    const dims = spec.dims.map((r) => rollout.dims[r]!);
    const sameDims = dims.length === inp.type.dims.length && dims.every((d) => inp.type.dims.includes(d));
    const dtypeOk = spec.dtype === inp.type.dtype;
    if (!sameDims || !dtypeOk) {
      const want = `${spec.indexOf ? `i32<${rollout.dims[spec.indexOf]}>` : spec.dtype}[${dims.join(",")}]`;
      throw new PlanError(`pipeline input '${inp.name}' is ${describe(inp)}, but the rollout's ${field} is ${want}`);
    }
    if (isDifferentiable(program, inp) !== (spec.grad === true)) {
      throw new PlanError(spec.grad ? `pipeline input '${inp.name}' carries the policy's gradient: mark it '@${rollout.model}'` : `pipeline input '${inp.name}' is marked @${inp.mark}, but the rollout's ${field} is const`);
    }
    inputs[field] = inp;
  }
  const diff = (["logp", "logits"] as const).filter((f) => inputs[f] !== undefined);
  if (diff.length !== 1) {
    throw new PlanError(diff.length === 0
      ? `pipeline '${program.pipeline}' reads no differentiable field of its rollout (${rollout.name}.logp or ${rollout.name}.logits): nothing to train`
      : `pipeline '${program.pipeline}' reads both ${rollout.name}.logp and ${rollout.name}.logits; rlp train differentiates one of them`);
  }
  const wrtField = diff[0]!;
  const wrt = inputs[wrtField]!;
  const losses = program.results.filter((r) => r.kind === "loss" && program.nodes[r.node]!.grad.includes(rollout.model));
  if (losses.length !== 1) {
    throw new PlanError(losses.length === 0 ? `pipeline '${program.pipeline}' has no loss that reaches @${rollout.model}` : `pipeline '${program.pipeline}' has ${losses.length} losses for @${rollout.model} (${losses.map((l) => l.name).join(", ")}); rlp train trains one`);
  }
  const other = program.inputs.find((i) => isDifferentiable(program, i) && i !== wrt);
  if (other) throw new PlanError(`pipeline input '${other.name}' is differentiable (@${other.mark}), but rlp train trains only the sampled model's log-probs (${wrt.name})`);
  const optimizer: TrainPlan["optimizer"] = {};
  for (const o of program.optimizers ?? []) {
    if (!o.models.includes(rollout.model)) throw new PlanError(`'optimize ${o.models.join(", ")}': rlp train trains only the sampled model, ${rollout.model}`);
    if (o.name !== "adam") throw new PlanError(`'optimize ${o.models.join(", ")} with ${o.name}(...)': rlp train's optimizer is adam(${ADAM_OPTIONS.join(", ")})`);
    for (const [k, v] of Object.entries(o.options)) {
      if (!(ADAM_OPTIONS as readonly string[]).includes(k)) throw new PlanError(`adam(...) has no option '${k}' (its options: ${ADAM_OPTIONS.join(", ")})`);
      if (!(v >= 0)) throw new PlanError(`adam(${k}=${v}): must be >= 0`);
      optimizer[k as (typeof ADAM_OPTIONS)[number]] = v;
    }
  }
  return { rollout, inputs, wrtField, wrt, loss: losses[0]!.name, inferred, optimizer };
}
