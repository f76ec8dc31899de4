// The derived models a pipeline reads with `logprob(M, r)` (compiler/elaborate/models.ts), kept by the trainer:
//   frozen(policy)              the starting policy: the trainer's reference (the same weights as r.ref_logp)
//   ema(policy, decay=d)        starts at the starting policy; after every optimizer step  θ_M <- d·θ_M + (1-d)·θ
//   snapshot(policy, every=K)   a copy of the policy at step 0 and after every K-th step
// Each model's log-probs of a batch's sampled tokens are computed when the batch is sampled (before the step's
// updates), at the rollout's temperature, into the host input `r.logp@M`. The ema and snapshot weights are saved in
// checkpoints (`model-M.json/.bin`), so a resumed run continues them exactly.
import { logpFieldModel } from "../../../compiler/ir/rollout_record.ts";
import type { IRModel, IRProgram, IRRollout } from "../../../compiler/ir/ir.ts";
import type { Policy } from "../policy/index.ts";
import type { TF } from "../../backends/tfjs/index.ts";
import type { RolloutBatch } from "./batch.ts";
import type { SavedModel } from "./checkpoint.ts";

/** The kinds rlp train makes. */
const MADE = ["frozen", "ema", "snapshot"];

/**
 * The derived models the trainer must keep — those the pipeline reads (`r.logp@M` fields) — or a one-line message
 * saying why it cannot (plan.ts throws it as a PlanError before training).
 */
export function plannedModels(program: IRProgram, rollout: IRRollout): IRModel[] | string {
  const out: IRModel[] = [];
  for (const field of Object.keys(rollout.fields)) {
    const name = logpFieldModel(field);
    if (name === undefined) continue;
    const m = program.models?.find((x) => x.name === name);
    if (!m) return `pipeline input '${rollout.fields[field]}' reads a model '${name}' the pipeline does not declare`;
    if (!MADE.includes(m.kind))
      return `logprob(${name}, ${rollout.name}): rlp train makes frozen, ema and snapshot models, not ${m.kind}(...) yet`;
    if (m.base !== rollout.model)
      return `logprob(${name}, ${rollout.name}): '${name}' derives from ${m.base ?? "no model"}, but ${rollout.name} samples from ${rollout.model}`;
    out.push(m);
  }
  return (program.models ?? []).filter((m) => out.includes(m)); // in declaration order
}

interface Kept {
  ir: IRModel;
  /** The host input its log-probs go to (`r.logp@M`). */
  input: string;
  model: Policy;
  /** Made here (ema, snapshot): saved in checkpoints and disposed here; a frozen model is the trainer's reference. */
  own: boolean;
}

export class DerivedModels {
  private readonly kept: Kept[];

  constructor(
    private readonly tf: TF,
    models: IRModel[],
    private readonly rollout: IRRollout,
    private readonly policy: Policy,
    reference: Policy | undefined,
  ) {
    this.kept = models.map((ir) => {
      const input = rollout.fields[`logp@${ir.name}`]!;
      if (ir.kind === "frozen") {
        if (!reference) throw new Error(`logprob(${ir.name}, ...): the trainer has no reference model`);
        return { ir, input, model: reference, own: false };
      }
      return { ir, input, model: policy.frozenCopy(), own: true };
    });
  }

  get empty(): boolean {
    return this.kept.length === 0;
  }

  /** Adds each model's log-probs of the batch's sampled tokens (`r.logp@M`, [P,G,T]) to its host inputs. */
  addLogps(b: RolloutBatch): RolloutBatch {
    if (this.kept.length === 0) return b;
    const t0 = performance.now();
    const T = b.responses.length;
    const shape = [b.prompts.length, b.group, T];
    const dims = ["prompts", "group", "tokens"].map((role) => this.rollout.dims[role]!); // as batch.ts lays out r.*
    for (const k of this.kept) {
      const lp = this.tf.tidy(() => k.model.logProbs(b.rows, b.responses, b.temperature).dataSync() as Float32Array);
      b.host[k.input] = { dtype: "f32", dims, shape, data: Float64Array.from(lp) };
    }
    b.time.rollout_s += (performance.now() - t0) / 1000;
    return b;
  }

  /** After every optimizer step of the policy: each ema moves towards the policy by its decay rule. */
  afterOptimizerStep(): void {
    const tf = this.tf;
    const live = this.policy.parameters();
    for (const k of this.kept) {
      if (k.ir.kind !== "ema") continue;
      const d = k.ir.options["decay"]!;
      k.model.parameters().forEach((p, i) => {
        const next = tf.tidy(() => tf.add(tf.mul(p.variable, d), tf.mul(live[i]!.variable, 1 - d)));
        p.variable.assign(next);
        next.dispose();
      });
    }
  }

  /** After training step `step` (its updates applied): each snapshot whose period divides it copies the policy. */
  afterStep(step: number): void {
    const live = this.policy.parameters();
    for (const k of this.kept) {
      if (k.ir.kind !== "snapshot" || step % k.ir.options["every"]! !== 0) continue;
      k.model.parameters().forEach((p, i) => p.variable.assign(live[i]!.variable));
    }
  }

  /** The models a checkpoint holds besides the policy and the reference: `model-M.json/.bin`. */
  saved(): { name: string; model: SavedModel }[] {
    return this.kept.filter((k) => k.own).map((k) => ({ name: `model-${k.ir.name}`, model: k.model }));
  }

  /** What a resumed run must share: the kept models and their options. */
  identity(): Record<string, string> {
    return this.kept.length === 0
      ? {}
      : { models: JSON.stringify(this.kept.map((k) => ({ name: k.ir.name, kind: k.ir.kind, options: k.ir.options }))) };
  }

  dispose(): void {
    for (const k of this.kept) if (k.own) k.model.dispose();
  }
}
