// The optimizer passes over one rollout batch. Each minibatch recomputes the differentiable fields under one gradient
// tape — the policy's r.logp (or d.logits) and, with a critic, r.values — and feeds them to the pipeline's compiled
// losses (tfjsCustomGrad: the symbolic gradient of compiler/autodiff as a tf.customGrad). The objective on the tape
// is the sum of the losses, each seeing live tensors only for the models it trains (`loss L for M` routing) and
// constant copies of the others, so one backward pass gives every model the gradient of exactly its own losses.
// Each model then takes its own Adam step (its own clipping). Nothing is applied if any loss or gradient is not finite.
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import type { StateValue } from "../../library/ops/state.ts";
import type { NamedParameter, Policy, TransformerCritic } from "../policy/index.ts";
import { tfjsCustomGrad, type TF, type TfTensor } from "../../backends/tfjs/index.ts";
import type { Adam } from "./adam.ts";
import { criticField, differentiableField, sliceBatch, type RolloutBatch } from "./batch.ts";
import type { TrainPlan } from "./plan.ts";

/** A model the trainer updates: its parameters and its optimizer. */
export interface TrainedModel {
  name: string;
  params: NamedParameter[];
  adam: Adam;
}

export interface UpdateContext {
  tf: TF;
  program: IRProgram;
  gradProgram: IRProgram;
  plan: TrainPlan;
  policy: Policy;
  critic: TransformerCritic | undefined;
  /** The policy first, then the critic if any. */
  models: TrainedModel[];
  state: Record<string, StateValue>;
  updatesPerBatch: number;
  minibatches: number;
  /** Called after every optimizer step (each minibatch's Adam steps): the ema models follow the policy (models.ts). */
  afterOptimizerStep?: () => void;
}

export interface UpdateResult {
  /** Gradient norm (before clipping) of each model at the last minibatch. */
  gradNorms: Record<string, number>;
  /** Each loss's value at every minibatch, in order. */
  losses: Record<string, number[]>;
  /** Seconds in the compiled losses (forward + symbolic gradient) and in the models (forward, backward, Adam). */
  time: { loss_s: number; model_s: number };
}

/** Thrown before an update is applied: what is not finite, and where. */
export class UpdateNonFinite extends Error {
  constructor(
    readonly tensor: string,
    readonly detail: string,
  ) {
    super(`${tensor} is not finite (${detail})`);
  }
}

function firstBad(data: ArrayLike<number>): string | undefined {
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (!Number.isFinite(x)) return `${Number.isNaN(x) ? "NaN" : x > 0 ? "+inf" : "-inf"} at flat index ${i}`;
  }
  return undefined;
}

/** A copy of x that the tape does not connect to anything: a model a loss does not train gets no gradient from it. */
function constant(tf: TF, x: TfTensor): TfTensor {
  return tf.tensor(x.dataSync() as Float32Array, x.shape, "float32");
}

export function update(c: UpdateContext, batch: RolloutBatch): UpdateResult {
  const { tf, plan } = c;
  const compiled = plan.losses.map((l) => ({
    loss: l,
    fn: tfjsCustomGrad(tf, c.program, c.gradProgram, { loss: l.name, state: c.state }),
  }));
  const vars = c.models.flatMap((m) => m.params.map((p) => p.variable)) as unknown as Parameters<TF["variableGrads"]>[1];
  const modelOf: Record<string, string> = { [plan.wrt.name]: plan.rollout.model };
  if (plan.critic) modelOf[plan.critic.input.name] = "critic";
  const P = batch.prompts.length;
  const parts = Math.max(1, Math.min(c.minibatches, P));
  const losses: Record<string, number[]> = Object.fromEntries(plan.losses.map((l) => [l.name, []]));
  const gradNorms: Record<string, number> = {};
  let lossMs = 0,
    modelMs = 0;
  for (let u = 0; u < c.updatesPerBatch; u++) {
    for (let k = 0; k < parts; k++) {
      const lo = Math.floor((k * P) / parts),
        hi = Math.floor(((k + 1) * P) / parts);
      const sub = sliceBatch(plan, batch, lo, hi);
      const where = `update ${u + 1}, minibatch ${k + 1}`;
      const values: number[] = [];
      const t0 = performance.now();
      const { value, grads } = tf.variableGrads(() => {
        const live: Record<string, TfTensor> = {
          [plan.wrt.name]: differentiableField(tf, plan, c.policy, sub.rows, sub.responses, batch.group, batch.temperature),
        };
        if (plan.critic && c.critic)
          live[plan.critic.input.name] = criticField(tf, plan, c.critic, sub.rows, sub.responses, batch.group);
        const t1 = performance.now();
        let total: TfTensor | undefined;
        for (const { loss, fn } of compiled) {
          const diff: Record<string, TfTensor> = {};
          const others: Record<string, TfTensor | (typeof sub.host)[string]> = { ...sub.host };
          for (const [name, x] of Object.entries(live)) {
            const trains = loss.models.includes(modelOf[name]!);
            if (fn.wrt.includes(name)) diff[name] = trains ? x : constant(tf, x);
            else others[name] = x;
          }
          const l = fn(diff, others);
          values.push(l.dataSync()[0]!);
          total = total ? tf.add(total, l) : l;
        }
        lossMs += performance.now() - t1;
        return total! as unknown as ReturnType<Parameters<TF["variableGrads"]>[0]>;
      }, vars);
      try {
        plan.losses.forEach((l, i) => {
          if (!Number.isFinite(values[i]!)) throw new UpdateNonFinite(`loss '${l.name}'`, `${values[i]} at ${where}`);
          losses[l.name]!.push(values[i]!);
        });
        const ordered = c.models.map((m) =>
          m.params.map((p) => {
            const g = grads[p.variable.name];
            if (!g) throw new Error(`no gradient for ${m.name} parameter ${p.name}`);
            const bad = firstBad(g.dataSync() as Float32Array);
            if (bad)
              throw new UpdateNonFinite(
                `the gradient of '${plan.losses
                  .filter((l) => l.models.includes(m.name))
                  .map((l) => l.name)
                  .join("' + '")}' with respect to ${m.name} parameter '${p.name}'`,
                bad,
              );
            return g;
          }),
        );
        c.models.forEach((m, i) => (gradNorms[m.name] = m.adam.apply(ordered[i]!)));
        c.afterOptimizerStep?.();
      } finally {
        value.dispose();
        for (const g of Object.values(grads)) g.dispose();
      }
      modelMs += performance.now() - t0;
    }
  }
  return { gradNorms, losses, time: { loss_s: lossMs / 1000, model_s: (modelMs - lossMs) / 1000 } };
}
