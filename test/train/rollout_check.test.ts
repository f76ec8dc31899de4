// The rollout and reward constructs of training pipelines (compiler/elaborate/rollout.ts): the record's types, the
// inputs they become, and the diagnostics for misuse. And the trainer's plan (runtime/tools/train/plan.ts): a pipeline whose
// inputs the rollout does not provide is rejected before training, naming the input.
import { describe, expect, it } from "vitest";
import { compileFile } from "../../compiler/index.ts";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { PlanError, planTraining } from "../../runtime/tools/train/plan.ts";
import { compileVirtual, errorsOf } from "./helpers.ts";

const compile = (source: string) => compileVirtual("train_case", source);
const errors = (source: string) => errorsOf("train_case", source);

function program(source: string): IRProgram {
  const r = compile(source);
  expect(errors(source)).toEqual([]);
  return r.programs[0]!;
}

const GRPO = (body: string, head = ""): string => `pipeline p {
  dims P, G, T
${head}  rollout r = sample(policy, task, group=4, max_tokens=6, temperature=0.7)
  reward R = task.score(r)
${body}
}
`;

const LOSS = `  advantage A = group_norm(R, over=G)
  let pg, clipped = ppo_clip(r.logp, r.old_logp, A, eps=0.2)
  loss L = token_mean(pg + 0.04 * kl_k3(r.logp, r.ref_logp), r.mask)`;

describe("rollout records", () => {
  it("types the fields read and makes each an input named r.FIELD", () => {
    const p = program(GRPO(LOSS));
    const inputs = Object.fromEntries(p.inputs.map((i) => [i.name, { dtype: i.type.dtype, dims: i.type.dims, mark: i.mark }]));
    expect(inputs).toEqual({
      "r.score": { dtype: "f32", dims: ["P", "G"], mark: undefined },
      "r.logp": { dtype: "f32", dims: ["P", "G", "T"], mark: "policy" },
      "r.old_logp": { dtype: "f32", dims: ["P", "G", "T"], mark: undefined },
      "r.ref_logp": { dtype: "f32", dims: ["P", "G", "T"], mark: undefined },
      "r.mask": { dtype: "bool", dims: ["P", "G", "T"], mark: undefined },
    });
    expect(p.rollouts).toEqual([
      {
        name: "r",
        source: "sample",
        model: "policy",
        dims: { prompts: "P", group: "G", tokens: "T", vocab: "V" },
        options: { group: 4, max_tokens: 6, temperature: 0.7 },
        fields: { score: "r.score", logp: "r.logp", old_logp: "r.old_logp", ref_logp: "r.ref_logp", mask: "r.mask" },
        span: expect.anything(),
      },
    ]);
    expect(p.results.find((r) => r.kind === "reward")?.name).toBe("R");
  });

  it("binds the rollout's dims when the pipeline does not declare them; tokens are i32<V>", () => {
    const p = program(`pipeline q {
  rollout r = sample(policy, task, group=2, max_tokens=3)
  output t = r.tokens
  output id = r.prompt_id
  loss L = -token_mean(r.logp, r.mask)
}`);
    expect(p.dims.map((d) => d.name)).toEqual(["P", "G", "T", "V"]);
    const tokens = p.inputs.find((i) => i.name === "r.tokens")!;
    expect(tokens.type).toEqual({ dtype: "i32", dims: ["P", "G", "T"], indexOf: "V" });
    expect(p.inputs.find((i) => i.name === "r.prompt_id")!.type).toEqual({ dtype: "id", dims: ["P"] });
    expect(p.rollouts![0]!.options).toEqual({ group: 2, max_tokens: 3, temperature: 1 });
  });

  it("demonstrations give differentiable logits [B,T,V]", () => {
    const p = program(`pipeline s {
  dims B, T, V
  rollout d = demonstrations(policy, task, batch=8)
  loss L = -token_mean(take(log_softmax(d.logits, over=V), d.tokens, along=V), d.mask)
}`);
    expect(p.inputs.find((i) => i.name === "d.logits")).toMatchObject({
      type: { dtype: "f32", dims: ["B", "T", "V"] },
      mark: "policy",
    });
    expect(p.rollouts![0]!.options).toEqual({ batch: 8, max_tokens: 16 });
  });

  it("params may give the static options", () => {
    const p = program(`pipeline q {
  dims P, G, T
  param n: i32 = 6
  rollout r = sample(policy, task, group=n, max_tokens=2 * n)
  loss L = -token_mean(r.logp, r.mask)
}`);
    expect(p.rollouts![0]!.options).toMatchObject({ group: 6, max_tokens: 12 });
  });
});

describe("rollout diagnostics", () => {
  const cases: [string, string, RegExp][] = [
    [
      "a rollout that is not made by sample(...)",
      `pipeline p {
  dims P, G
  input x: f32[P,G]
  rollout r = group_norm(x, over=G)
}`,
      /^RLP307 4:15 a rollout stage is made by the trainer/,
    ],
    [
      "sample(...) outside a rollout stage",
      `pipeline p {
  let s = sample(policy, task, group=8, max_tokens=4)
}`,
      /^RLP307 2:11 sample\(\.\.\.\) makes a rollout: it is the whole value of a rollout stage/,
    ],
    [
      "an unknown field, with a suggestion",
      GRPO("  loss L = -token_mean(r.logpp, r.mask)"),
      /^RLP112 5:26 the rollout record 'r' has no field 'logpp'; did you mean 'logp'\?/,
    ],
    [
      "the score is the task's",
      GRPO("  metric m = mean(r.score, over=[P,G])"),
      /^RLP112 5:21 the rollout record 'r' has no field 'score'; 'score' is computed by the task: write task.score\(r\)/,
    ],
    [
      "an unknown task method",
      `pipeline p {
  rollout r = sample(policy, task, group=8, max_tokens=4)
  reward R = task.scor(r)
}`,
      /^RLP112 3:19 the task has no method 'scor' for a sample rollout; did you mean 'score'\?/,
    ],
    [
      "task.score of a tensor",
      `pipeline p {
  dims P, G
  input x: f32[P,G]
  rollout r = sample(policy, task, group=8, max_tokens=4)
  reward R = task.score(x)
}`,
      /^RLP206 5:25 task\.score\(\.\.\.\) takes a rollout record .* but this is f32\[P,G\]/,
    ],
    [
      "a group that is not static",
      `pipeline p {
  input n: i32
  rollout r = sample(policy, task, group=n, max_tokens=4)
}`,
      /^RLP207 3:42 group= of sample\(\.\.\.\) must be a number known when the pipeline is compiled/,
    ],
    [
      "a group of 0",
      `pipeline p {
  rollout r = sample(policy, task, group=0, max_tokens=4)
}`,
      /^RLP307 2:42 group= of sample\(\.\.\.\) must be an integer >= 1, but it is 0/,
    ],
    [
      "a missing option",
      `pipeline p {
  rollout r = sample(policy, task, group=4)
}`,
      /^RLP108 2:15 sample\(\.\.\.\) needs the argument 'max_tokens'/,
    ],
    [
      "sampling from a frozen model",
      `pipeline p {
  model ref = frozen(policy)
  rollout r = sample(ref, task, group=4, max_tokens=4)
}`,
      /^RLP111 3:22 sample\(\.\.\.\) samples from the model being trained, but 'ref' is a derived \(frozen\) model/,
    ],
    [
      "the task argument",
      `pipeline p {
  rollout r = sample(policy, tsk, group=4, max_tokens=4)
}`,
      /^RLP206 2:30 the second argument of sample\(\.\.\.\) is the task the trainer is given/,
    ],
    [
      "a record used as a tensor",
      GRPO("  metric m = r"),
      /^RLP206 5:14 metric 'm' must be a tensor value, but it is the rollout record 'r'/,
    ],
    [
      "a second rollout",
      GRPO("  rollout g = sample(policy, task, group=1, max_tokens=6)"),
      /^RLP307 5:15 a pipeline's second rollout samples on the first's prompts: write prompts=r/,
    ],
    [
      "a rollout dim declared with a static size",
      `pipeline p {
  dims P, G = 4, T
  rollout r = sample(policy, task, group=4, max_tokens=4)
}`,
      /^RLP307 3:15 the rollout binds the dim G \(its group\), but the pipeline declares G with a static size/,
    ],
    [
      "the advantage must not read r.logp",
      GRPO("  advantage A = R - mean(r.logp, over=T)"),
      /^RLP301 5:17 advantage 'A' depends on the differentiable input @policy/,
    ],
  ];
  it.each(cases)("%s", (_, source, want) => {
    const es = errors(source);
    expect(es.length, es.join("\n")).toBeGreaterThan(0);
    expect(es[0]).toMatch(want);
  });

  it("a field of a plain input keeps the eval message (RLP112)", () => {
    expect(
      errors(`pipeline p {
  dims B
  input r: f32[B]
  metric m = r.score
}`)[0],
    ).toMatch(/^RLP112 4:14 '\.score': record fields \(rollouts, models\) are evaluated by 'rlp train'/);
  });
});

describe("the trainer's plan", () => {
  const defaults = { group: 8, maxTokens: 4, temperature: 1 };

  it("maps every input of a rollout pipeline and picks the loss", () => {
    const plan = planTraining(program(GRPO(LOSS)), defaults);
    expect(plan.wrt.name).toBe("r.logp");
    expect(plan.loss).toBe("L");
    expect(Object.keys(plan.inputs).sort()).toEqual(["logp", "mask", "old_logp", "ref_logp", "score"]);
  });

  it("reads the pipeline's optimizer (optimize policy with adam(...)); rejects what rlp train cannot do", () => {
    const p = program(GRPO(LOSS + "\n  param lr: f32 = 2e-4\n  optimize policy with adam(lr=lr, clip=0.5)"));
    expect(p.optimizers).toEqual([
      { models: ["policy"], name: "adam", options: { lr: 2e-4, clip: 0.5 }, span: expect.anything() },
    ]);
    expect(planTraining(p, defaults).optimizer).toEqual({ lr: 2e-4, clip: 0.5 });
    expect(() => planTraining(program(GRPO(LOSS + "\n  optimize policy with sgd(lr=0.1)")), defaults)).toThrow(
      /rlp train's optimizer is adam\(lr, beta1, beta2, eps, clip\)/,
    );
    expect(() => planTraining(program(GRPO(LOSS + "\n  optimize policy with adam(momentum=0.9)")), defaults)).toThrow(
      /adam\(\.\.\.\) has no option 'momentum'/,
    );
    expect(errors(GRPO(LOSS + "\n  optimize policy with adam(lr=R)"))[0]).toMatch(
      /^RLP207 \d+:\d+ lr= of adam\(\.\.\.\) must be a number known when the pipeline is compiled/,
    );
  });

  it("rejects an input the rollout does not provide, naming it", () => {
    const p = program(GRPO(LOSS, "  input bonus: f32[P,G]\n"));
    expect(() => planTraining(p, defaults)).toThrow(PlanError);
    expect(() => planTraining(p, defaults)).toThrow(
      /pipeline input 'bonus' \(f32\[P,G\]\) is not provided by the rollout: the rollout 'r' provides r\.tokens, r\.mask, r\.logp, r\.old_logp, r\.ref_logp, r\.prompt_id, r\.values, r\.old_values, r\.score/,
    );
  });

  it("infers the rollout of an eval pipeline from its input names (examples/grpo.rlp)", () => {
    const r = compileFile("examples/grpo.rlp");
    const plan = planTraining(r.programs[0]!, defaults);
    expect(plan.inferred).toBe(true);
    expect(plan.rollout.fields).toEqual({
      logp: "logp",
      old_logp: "old_logp",
      ref_logp: "ref_logp",
      mask: "mask",
      score: "reward",
    });
  });

  it("plans a critic for examples/ppo.rlp (values, values_old by name): L trains the policy, L_v the critic", () => {
    const r = compileFile("examples/ppo.rlp");
    const plan = planTraining(r.programs[0]!, defaults);
    expect(plan.rollout.fields).toMatchObject({ values: "values", old_values: "values_old", score: "reward" });
    expect(plan.critic?.input.name).toBe("values");
    expect(plan.losses).toEqual([
      { name: "L", models: ["policy"] },
      { name: "L_v", models: ["critic"] },
    ]);
  });

  const CRITIC = `  let adv, ret = gae(kl_shaped_reward(R, r.mask, r.old_logp, r.ref_logp, beta=0.0, kind=k1), r.old_values, r.mask, gamma=1.0, lam=0.95, along=T)
  advantage A = masked_whiten(adv, r.mask)
  loss L = token_mean(-A * r.logp, r.mask)`;

  it("routes losses to models: a plain loss trains every model it reaches, 'loss L for M' only M", () => {
    const both = planTraining(program(GRPO(CRITIC + "\n  loss J = L + token_mean((r.values - ret) ** 2, r.mask)")), defaults);
    expect(both.losses).toEqual([
      { name: "L", models: ["policy"] },
      { name: "J", models: ["policy", "critic"] },
    ]);
    const routed = planTraining(
      program(
        GRPO(
          CRITIC + "\n  loss J for critic = L + token_mean((r.values - ret) ** 2, r.mask)\n  optimize critic with adam(lr=3e-3)",
        ),
      ),
      defaults,
    );
    expect(routed.losses).toEqual([
      { name: "L", models: ["policy"] },
      { name: "J", models: ["critic"] },
    ]);
    expect(routed.critic?.optimizer).toEqual({ lr: 3e-3 });
    expect(routed.optimizer).toEqual({});
  });

  it("rejects a critic without a loss, 'optimize critic' without a critic, a second optimizer of a model", () => {
    expect(() => planTraining(program(GRPO(CRITIC)), defaults)).toThrow(
      /^pipeline 'p' reads the critic's sampling-time values \(r\.old_values\) but not r\.values: no loss trains the critic/,
    );
    expect(() => planTraining(program(GRPO(CRITIC + "\n  metric v = token_mean(r.values, r.mask)")), defaults)).toThrow(
      /^pipeline 'p' reads the critic's values \(r\.values\) but no loss reaches @critic: add a value loss/,
    );
    expect(() => planTraining(program(GRPO(LOSS + "\n  optimize critic with adam(lr=1e-3)")), defaults)).toThrow(
      /^'optimize critic': the pipeline has no critic \(rlp train makes one when the pipeline reads r\.values @critic\)$/,
    );
    expect(() =>
      planTraining(
        program(GRPO(LOSS + "\n  optimize policy with adam(lr=1e-3)\n  optimize policy with adam(lr=2e-3)")),
        defaults,
      ),
    ).toThrow(/^'optimize policy': policy's optimizer is already given by an earlier 'optimize'$/);
    expect(() => planTraining(program(GRPO(LOSS + "\n  model rm\n  optimize rm with adam(lr=1e-3)")), defaults)).toThrow(
      /^'optimize rm': rlp train trains policy, not rm$/,
    );
    const fromCritic = program(GRPO(LOSS).replace("sample(policy,", "sample(critic,"));
    expect(() => planTraining(fromCritic, defaults)).toThrow(
      /^sample\(critic, \.\.\.\): the critic is a value model; sample from the policy$/,
    );
  });

  it("rejects a wrongly typed input of an inferred rollout", () => {
    const p = program(`pipeline q {
  dims P, G, T
  input logp: f32[P,G,T] @policy
  input mask: bool[P,G]
  loss L = -mean(sum(logp, over=T), over=[P,G], where=mask)
}`);
    expect(() => planTraining(p, defaults)).toThrow(
      /pipeline input 'mask' is bool\[P,G\], but the rollout's mask is bool\[P,G,T\]/,
    );
  });
});
