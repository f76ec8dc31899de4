// Derived models and logprob(M, r) in the checker (compiler/elaborate/models.ts): the options of frozen/ema/snapshot,
// the input each logprob(M, r) becomes (`r.logp@M`, const), the IR's model list, and the diagnostics for misuse.
import { describe, expect, it } from "vitest";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { compileVirtual, errorsOf } from "./helpers.ts";

const compile = (source: string) => compileVirtual("models_case", source);
const errors = (source: string) => errorsOf("models_case", source);

function program(source: string): IRProgram {
  const r = compile(source);
  expect(errors(source)).toEqual([]);
  return r.programs[0]!;
}

/** A GRPO-like pipeline: `models` declared on line 3, `use` on line 7 (after the rollout, reward and advantage). */
const P = (models: string, use: string, extra = ""): string => `pipeline p {
  dims P, G, T
${models}
  rollout r = sample(policy, task, group=4, max_tokens=6, temperature=0.7)
  reward R = task.score(r)
  advantage A = group_norm(R, over=G)
  loss L = token_mean(-A * r.logp + 0.04 * kl_k3(r.logp, ${use}), r.mask)
${extra}}
`;

describe("model declarations", () => {
  it("records frozen, ema and snapshot with their static options (params allowed) in program.models", () => {
    const p = program(`pipeline p {
  dims P, G, T
  param d: f32 = 0.95
  param k: i32 = 5
  model ref = frozen(policy)
  model avg = ema(policy, decay=d)
  model prev = snapshot(policy, every=k)
  rollout r = sample(policy, task, group=4, max_tokens=6)
  loss L = token_mean(-r.logp, r.mask)
}
`);
    expect(p.models?.map(({ span: _s, ...m }) => m)).toEqual([
      { name: "ref", kind: "frozen", base: "policy", options: {} },
      { name: "avg", kind: "ema", base: "policy", options: { decay: 0.95 } },
      { name: "prev", kind: "snapshot", base: "policy", options: { every: 5 } },
    ]);
  });

  it("rejects options out of range, run-time values, missing and unknown options, and derived bases", () => {
    expect(errors(P("  model avg = ema(policy, decay=1.0)", "r.ref_logp"))).toEqual([
      "RLP111 3:33 decay= of ema(...) must be a number in (0, 1), e.g. 0.99, but it is 1",
    ]);
    expect(errors(P("  model avg = ema(policy, decay=0)", "r.ref_logp"))[0]).toMatch(/^RLP111 .* but it is 0$/);
    expect(errors(P("  model prev = snapshot(policy, every=0)", "r.ref_logp"))).toEqual([
      "RLP111 3:39 every= of snapshot(...) must be an integer >= 1 (steps between copies), but it is 0",
    ]);
    expect(errors(P("  model prev = snapshot(policy, every=2.5)", "r.ref_logp"))[0]).toMatch(
      /^RLP111 3:39 every= .* but it is 2.5$/,
    );
    expect(errors(P("  model avg = ema(policy)", "r.ref_logp"))).toEqual([
      "RLP108 3:15 ema(...) needs the argument 'decay' (its parameters are model, decay)",
    ]);
    expect(errors(P("  model ref = frozen(policy, decay=0.9)", "r.ref_logp"))[0]).toMatch(
      /^RLP107 3:30 frozen\(\.\.\.\) has no parameter 'decay'/,
    );
    expect(errors(P("  input d: f32[P]\n  model avg = ema(policy, decay=sum(d, over=P))", "r.ref_logp"))).toEqual([
      "RLP207 4:33 decay= of ema(...) must be a number known when the pipeline is compiled (a literal or a param), but this is computed at run time",
    ]);
    expect(errors(P("  model ref = frozen(policy)\n  model avg = ema(ref, decay=0.9)", "r.ref_logp"))).toEqual([
      "RLP111 4:19 ema(...) derives from a trained model, but 'ref' is itself derived; write ema(policy, decay=...)",
    ]);
  });
});

describe("logprob(M, r)", () => {
  it("is the input r.logp@M: f32[P,G,T], const, one per model however often it is read", () => {
    const p = program(
      P("  model avg = ema(policy, decay=0.99)", "logprob(avg, r)", "  metric m = token_mean(logprob(avg, r), r.mask)\n"),
    );
    const inp = p.inputs.filter((i) => i.name === "r.logp@avg");
    expect(inp.map((i) => ({ dtype: i.type.dtype, dims: i.type.dims, mark: i.mark }))).toEqual([
      { dtype: "f32", dims: ["P", "G", "T"], mark: undefined },
    ]);
    expect(p.rollouts![0]!.fields["logp@avg"]).toBe("r.logp@avg");
  });

  it("of the sampled model is r.old_logp (the same input); the model may be declared after its use", () => {
    const p = program(P("", "logprob(policy, r)"));
    expect(p.inputs.map((i) => i.name).sort()).toEqual(["r.logp", "r.mask", "r.old_logp", "r.score"]);
    const late = program(P("", "logprob(ref, r)", "  model ref = frozen(policy)\n"));
    expect(late.inputs.some((i) => i.name === "r.logp@ref")).toBe(true);
  });

  it("keeps a loss's gradient off the derived model: an advantage may read it without detach", () => {
    expect(
      errors(P("  model ref = frozen(policy)", "r.ref_logp", "  advantage B = A - token_mean(logprob(ref, r), r.mask)\n")),
    ).toEqual([]);
  });

  it("rejects unknown models, trained models other than the sampler, the critic, non-records and other rollouts", () => {
    expect(errors(P("  model avg = ema(policy, decay=0.99)", "logprob(avgg, r)"))).toEqual([
      "RLP111 7:66 the first argument of logprob(...) is a model: policy or one declared with 'model M = frozen(policy)' (or ema, snapshot), not 'avgg'; did you mean 'avg'?",
    ]);
    expect(errors(P("", "logprob(critic, r)"))[0]).toMatch(
      /^RLP111 7:66 logprob\(critic, r\): the critic is a value model: it has no log-probs/,
    );
    expect(errors(P("  model rm", "logprob(rm, r)"))[0]).toMatch(
      /^RLP111 7:66 logprob\(rm, r\): 'rm' is a trained model other than the one sampled from/,
    );
    expect(errors(P("  model vavg = ema(critic, decay=0.9)", "logprob(vavg, r)"))[0]).toMatch(
      /^RLP111 7:66 logprob\(vavg, r\): 'vavg' derives from critic, which is not the model r samples from \(policy\); the critic has no log-probs/,
    );
    expect(errors(P("  model avg = ema(policy, decay=0.99)", "logprob(avg, R)"))).toEqual([
      "RLP206 7:71 logprob(M, r) takes a rollout record (rollout r = sample(...)) as its second argument, but this is f32[P,G]",
    ]);
    expect(errors(P("  model avg = ema(policy, decay=0.99)", "logprob(avg)"))[0]).toMatch(
      /^RLP108 .*logprob\(\.\.\.\) needs the argument 'rollout'/,
    );
    expect(
      errors(`pipeline sft {
  model ref = frozen(policy)
  rollout d = demonstrations(policy, task, batch=4)
  loss L = -token_mean(d.logp - logprob(ref, d), d.mask)
}
`),
    ).toEqual([
      "RLP206 4:46 logprob(M, d) scores sampled responses, but 'd' is a demonstrations(...) rollout; its log-probs are d.logp",
    ]);
  });
});
