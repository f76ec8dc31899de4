// `rlp eval` of a pipeline with a second rollout (prompts=r): the inputs file supplies g's fields (g.tokens, g.mask,
// g.score) like r's, typed with g's own dims and r's prompts dim; a missing field or a prompts count that differs
// from r's is a one-line error with a code.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { captured, type CliRun } from "../run_cli.ts";

async function run(argv: string[]): Promise<CliRun> {
  return captured(main, argv);
}

const PIPELINE = `pipeline two_rollouts {
  dims P, G, T
  rollout r = sample(policy, task, group=2, max_tokens=3, temperature=1.0)
  rollout g = sample(policy, task, prompts=r, group=1, max_tokens=2, temperature=0.0, dims=[Gg, Tg])
  reward R = task.score(r)
  reward Rg = task.score(g)
  advantage A = R - mean(Rg, over=Gg)
  loss L = token_mean(-A * r.logp, r.mask)
  output greedy_len = sum(f32(g.mask), over=Tg)
  output greedy_first = g.tokens[Tg=0]
}
`;

const R_FIELDS = {
  "r.logp": {
    dims: ["P", "G", "T"],
    data: [
      [
        [-1, -1, 0],
        [-2, 0, 0],
      ],
      [
        [-0.5, 0, 0],
        [-1, -1, -1],
      ],
    ],
  },
  "r.mask": {
    dims: ["P", "G", "T"],
    data: [
      [
        [1, 1, 0],
        [1, 0, 0],
      ],
      [
        [1, 0, 0],
        [1, 1, 1],
      ],
    ],
  },
  "r.score": {
    dims: ["P", "G"],
    data: [
      [1, 0],
      [0, 0],
    ],
  },
};
const G_FIELDS = {
  "g.tokens": { dims: ["P", "Gg", "Tg"], data: [[[5, 2]], [[7, 0]]] },
  "g.mask": { dims: ["P", "Gg", "Tg"], data: [[[1, 1]], [[1, 0]]] },
  "g.score": { dims: ["P", "Gg"], data: [[1], [0]] },
};

function files(inputs: Record<string, unknown>): { rlp: string; json: string } {
  const dir = mkdtempSync(join(tmpdir(), "rlp-second-rollout-"));
  const rlp = join(dir, "two_rollouts.rlp");
  const json = join(dir, "inputs.json");
  writeFileSync(rlp, PIPELINE);
  writeFileSync(json, JSON.stringify(inputs));
  return { rlp, json };
}

describe("rlp eval with a second rollout's fields", () => {
  it("reads g.tokens, g.mask and g.score from the inputs file and uses the greedy score as the baseline", async () => {
    const f = files({ ...R_FIELDS, ...G_FIELDS });
    const r = await run(["eval", f.rlp, "--inputs", f.json, "--grad"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as Record<string, { dims: string[]; data: number[] }>;
    expect(out.A).toEqual({ dims: ["P", "G"], shape: [2, 2], data: [0, -1, 0, 0] });
    expect(out.greedy_len!.data).toEqual([2, 1]);
    expect(out.greedy_first).toMatchObject({ dims: ["P", "Gg"], data: [5, 7] });
    expect(Object.keys(out).filter((k) => k.startsWith("dL/"))).toEqual(["dL/dr.logp"]); // g is not differentiated
  });

  it("a missing field of g is a one-line error naming it", async () => {
    const { "g.mask": _, ...rest } = G_FIELDS;
    const f = files({ ...R_FIELDS, ...rest });
    const r = await run(["eval", f.rlp, "--inputs", f.json]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/RLP\d{3}/);
    expect(r.err).toContain("g.mask");
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("g's prompts dim is r's: a different number of prompts is an error", async () => {
    const f = files({ ...R_FIELDS, ...G_FIELDS, "g.score": { dims: ["P", "Gg"], data: [[1], [0], [1]] } });
    const r = await run(["eval", f.rlp, "--inputs", f.json]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/RLP\d{3}.*\bP\b/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});
