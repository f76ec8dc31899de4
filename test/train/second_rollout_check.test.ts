// A second rollout on the first's prompts (ReMax's greedy baseline; compiler/elaborate/second_rollout.ts): it shares the
// prompts dim, binds a group and a tokens dim of its own, has only const fields, may be greedy (temperature=0); and
// the diagnostics for misuse (RLP307, RLP112).
import { describe, expect, it } from "vitest";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { compileVirtual, errorsOf } from "./helpers.ts";

const compile = (source: string) => compileVirtual("second_rollout", source);
const errors = (source: string) => errorsOf("second_rollout", source);

function program(source: string): IRProgram {
  const r = compile(source);
  expect(errors(source)).toEqual([]);
  return r.programs[0]!;
}

const FIRST = "  rollout r = sample(policy, task, group=4, max_tokens=6, temperature=0.7)";
const LOSS = "  loss L = token_mean(-r.logp, r.mask)";

/** A pipeline with the first rollout, then `second` (line 4), then `body`. */
const pipe = (second: string, body = ""): string => `pipeline p {
  dims P, G, T
${FIRST}
${second}
${body}
${LOSS}
}
`;

const types = (p: IRProgram): Record<string, string> =>
  Object.fromEntries(
    p.inputs.map((i) => [
      i.name,
      `${i.type.indexOf ? `i32<${i.type.indexOf}>` : i.type.dtype}[${i.type.dims.join(",")}]${i.mark ? ` @${i.mark}` : ""}`,
    ]),
  );

describe("a second rollout on the first's prompts", () => {
  it("shares P and V, binds its own dims (dims=[Gg, Tg]) and links to the first (program.rollouts)", () => {
    const p = program(
      pipe(
        "  rollout g = sample(policy, task, prompts=r, group=1, max_tokens=5, temperature=0.0, dims=[Gg, Tg])",
        "  reward Rg = task.score(g)\n  output t = g.tokens\n  output m = g.mask\n  output id = g.prompt_id\n  metric greedy = mean(Rg, over=[P, Gg])",
      ),
    );
    expect(types(p)).toMatchObject({
      "g.score": "f32[P,Gg]",
      "g.tokens": "i32<V>[P,Gg,Tg]",
      "g.mask": "bool[P,Gg,Tg]",
      "g.prompt_id": "id[P]",
      "r.logp": "f32[P,G,T] @policy",
    });
    expect(p.rollouts!.map(({ span: _, ...r }) => r)).toEqual([
      {
        name: "r",
        source: "sample",
        model: "policy",
        dims: { prompts: "P", group: "G", tokens: "T", vocab: "V" },
        options: { group: 4, max_tokens: 6, temperature: 0.7 },
        fields: { logp: "r.logp", mask: "r.mask" },
      },
      {
        name: "g",
        source: "sample",
        model: "policy",
        prompts: "r",
        dims: { prompts: "P", group: "Gg", tokens: "Tg", vocab: "V" },
        options: { group: 1, max_tokens: 5, temperature: 0 },
        fields: { score: "g.score", tokens: "g.tokens", mask: "g.mask", prompt_id: "g.prompt_id" },
      },
    ]);
    expect(p.dims.map((d) => d.name)).toEqual(["P", "G", "T", "V", "Gg", "Tg"]);
  });

  it("derives its dims' names from its own when dims= is not given (G_g, T_g); a declared dims line may order them", () => {
    const p = program(pipe("  rollout g = sample(policy, task, prompts=r, group=2, max_tokens=3)", "  output s = task.score(g)"));
    expect(types(p)["g.score"]).toBe("f32[P,G_g]");
    expect(p.rollouts![1]!.options).toEqual({ group: 2, max_tokens: 3, temperature: 1 });
    const declared = program(
      pipe("  rollout g = sample(policy, task, prompts=r, group=2, max_tokens=3)", "  output t = g.tokens").replace(
        "dims P, G, T",
        "dims P, G, T, T_g, G_g",
      ),
    );
    expect(types(declared)["g.tokens"]).toBe("i32<V>[P,T_g,G_g]");
  });

  it("the greedy baseline of ReMax compiles: the advantage reads the greedy score, the loss only r.logp", () => {
    const p = program(
      pipe(
        "  rollout g = sample(policy, task, prompts=r, group=1, max_tokens=6, temperature=0.0, dims=[Gg, Tg])",
        "  reward R = task.score(r)\n  reward Rg = task.score(g)\n  advantage A = remax_advantage(where(r.mask, 0.0, 0.0) + R, mean(Rg, over=Gg), r.mask)",
      ).replace(LOSS, "  loss L = token_mean(-A * r.logp, r.mask)"),
    );
    expect(p.inputs.filter((i) => i.mark !== undefined).map((i) => i.name)).toEqual(["r.logp"]);
  });
});

describe("second rollout diagnostics", () => {
  const cases: [string, string, RegExp][] = [
    [
      "a second rollout without prompts=",
      pipe("  rollout g = sample(policy, task, group=1, max_tokens=6)"),
      /^RLP307 4:15 a pipeline's second rollout samples on the first's prompts: write prompts=r, e\.g\. 'rollout g = sample\(policy, task, prompts=r, /,
    ],
    [
      "prompts= of something that is not a rollout",
      pipe("  rollout g = sample(policy, task, prompts=x, group=1, max_tokens=6)").replace(
        "dims P, G, T",
        "dims P, G, T\n  let x = 1.0",
      ),
      /^RLP307 5:44 prompts= names the earlier sample rollout whose prompts this one answers \(here 'r'\), but this is 'x'$/,
    ],
    [
      "prompts= of an undefined name",
      pipe("  rollout g = sample(policy, task, prompts=q, group=1, max_tokens=6)"),
      /^RLP307 4:44 prompts= names the earlier sample rollout .* but this is 'q', which is not defined$/,
    ],
    [
      "prompts= on the first rollout",
      `pipeline p {
  rollout r = sample(policy, task, group=4, max_tokens=4, prompts=r)
}`,
      /^RLP307 2:59 prompts= belongs to a second rollout on an earlier rollout's prompts, but 'r' is this pipeline's first rollout/,
    ],
    [
      "a second rollout on a demonstrations rollout",
      `pipeline p {
  rollout d = demonstrations(policy, task, batch=8)
  rollout g = sample(policy, task, prompts=d, group=1, max_tokens=4)
}`,
      /^RLP307 3:44 prompts=d: 'd' is demonstrations\(\.\.\.\), which has no prompts dim to share/,
    ],
    [
      "a third rollout",
      pipe(
        "  rollout g = sample(policy, task, prompts=r, group=1, max_tokens=6)\n  rollout h = sample(policy, task, prompts=r, group=1, max_tokens=6)",
      ),
      /^RLP307 5:15 at most two rollouts per pipeline: 'r' and 'g' \(on its prompts\) are already declared/,
    ],
    [
      "dims= reusing the first rollout's dim",
      pipe("  rollout g = sample(policy, task, prompts=r, group=1, max_tokens=6, dims=[G2, T])"),
      /^RLP307 4:75 the dim T is bound by rollout 'r' \(its tokens\); a second rollout binds a group and a tokens dim of its own/,
    ],
    [
      "dims= that is not two names",
      pipe("  rollout g = sample(policy, task, prompts=r, group=1, max_tokens=6, dims=Gg)"),
      /^RLP307 4:75 dims= of a second rollout names its group and tokens dims, two plain names/,
    ],
    [
      "a second rollout's dim declared with a static size",
      pipe("  rollout g = sample(policy, task, prompts=r, group=1, max_tokens=6, dims=[Gg, Tg])").replace(
        "dims P, G, T",
        "dims P, G, T, Tg = 3",
      ),
      /^RLP307 4:15 the rollout binds the dim Tg \(its tokens\), but the pipeline declares Tg with a static size/,
    ],
    [
      "a greedy first rollout",
      `pipeline p {
  rollout r = sample(policy, task, group=4, max_tokens=4, temperature=0.0)
}`,
      /^RLP307 2:71 temperature= of sample\(\.\.\.\) must be a number > 0, but it is 0 \(temperature=0, greedy, is for a second rollout/,
    ],
    [
      "the second rollout's log-probs",
      pipe(
        "  rollout g = sample(policy, task, prompts=r, group=1, max_tokens=6, temperature=0.0)",
        "  metric m = token_mean(g.logp, g.mask)",
      ),
      /^RLP112 5:27 the rollout record 'g' has no field 'logp'; 'g' is a second rollout on r's prompts, a baseline that is not trained: its record is const and has no log-probs or values \(only r's are made: r\.logp\)/,
    ],
    [
      "the second rollout's values",
      pipe(
        "  rollout g = sample(policy, task, prompts=r, group=1, max_tokens=6)",
        "  metric m = token_mean(g.old_values, g.mask)",
      ),
      /^RLP112 5:27 the rollout record 'g' has no field 'old_values'; 'g' is a second rollout/,
    ],
    [
      "a misspelt field of the second rollout",
      pipe(
        "  rollout g = sample(policy, task, prompts=r, group=1, max_tokens=6)",
        "  metric m = mean(f32(g.tokns), over=[P, G_g, T_g])",
      ),
      /^RLP112 5:25 the rollout record 'g' has no field 'tokns'; did you mean 'tokens'\? \(its fields: tokens, mask, prompt_id\)/,
    ],
    [
      "sampling the baseline from a frozen model",
      pipe("  rollout g = sample(ref, task, prompts=r, group=1, max_tokens=6)").replace(
        "dims P, G, T",
        "dims P, G, T\n  model ref = frozen(policy)",
      ),
      /^RLP111 5:22 sample\(\.\.\.\) samples from the model being trained, but 'ref' is a derived \(frozen\) model/,
    ],
  ];
  it.each(cases)("%s", (_, source, want) => {
    const es = errors(source);
    expect(es.length, es.join("\n")).toBeGreaterThan(0);
    expect(es[0]).toMatch(want);
  });

  it("the two rollouts' responses do not mix by accident: r.mask & g.mask is an outer product (RLP201)", () => {
    expect(
      errors(
        pipe(
          "  rollout g = sample(policy, task, prompts=r, group=1, max_tokens=6, dims=[Gg, Tg])",
          "  output both = r.mask & g.mask",
        ),
      )[0],
    ).toMatch(/^RLP201 5:17 cannot broadcast bool\[P,G,T\] with bool\[P,Gg,Tg\]/);
  });
});
