// PG.DAPO (examples/dapo.rlp; std overlong_penalty, dapo_keep, grpo_advantage, ppo_clip, token_mean): the catalog's
// overlong-shaping example (verl and paper), the dynamic-sampling filter, clip-higher, the loss restricted to the kept
// groups, an all-dropped batch, and the recipe's dual clip.
import { describe, expect, it } from "vitest";
import { expectPrinted } from "./harness.ts";
import {
  example,
  exampleDoc,
  expectAllClose,
  expectGradCheck,
  grad,
  randomBatch,
  res,
  runDoc,
  runText,
  scalar,
} from "./methods_helpers.ts";

const PGT = ["P", "G", "T"];

describe("PG.DAPO", () => {
  it("shapes overlong responses as the catalog's example: verl and paper", () => {
    const run = runText(
      `pipeline t {
  dims B
  input len: f32[B]
  output verl = overlong_penalty(len, max_len=16.0, cache_len=4.0)
  output paper = overlong_penalty(len, max_len=16.0, cache_len=4.0, style=paper)
  output scaled = overlong_penalty(len, max_len=16.0, cache_len=4.0, factor=0.5)
  output defaults = overlong_penalty(len)
}`,
      { len: { dims: ["B"], data: [10, 13, 15, 16, 17] } },
    );
    expectAllClose(res(run.ev, "verl", ["B"]), [0, -0.25, -0.75, -1, -1.25], 1e-15, "verl");
    expectAllClose(res(run.ev, "paper", ["B"]), [0, -0.25, -0.75, -1, -1], 1e-15, "paper");
    expectAllClose(res(run.ev, "scaled", ["B"]), [0, -0.125, -0.375, -0.5, -0.625], 1e-15, "factor 0.5");
    expect(res(run.ev, "defaults", ["B"])).toEqual([0, 0, 0, 0, 0]); // L_exp = 20480 - 4096
  });

  it("adds the overlong penalty to the score before the advantage", () => {
    const doc = exampleDoc("dapo");
    const run = runDoc(example("dapo", { max_len: 3, cache_len: 2 }), doc); // L_exp = 1: lengths 3, 2, 3, 1 (p0)
    const R = res(run.ev, "R", ["P", "G"]);
    expectAllClose(R.slice(0, 4), [1 - 1, 0 - 0.5, 0 - 1, 0], 1e-15, "R (p0)");
  });

  it("keeps a group iff its metric varies or it has one response (the catalog's example: keep = [True, False])", () => {
    const run = runText(
      `pipeline t {
  dims P, G
  input acc: f32[P,G]
  output keep = dapo_keep(acc, over=G)
}`,
      {
        acc: {
          dims: ["P", "G"],
          data: [
            [1, 0, 0, 0],
            [1, 1, 1, 1],
            [0, 0, 0, 0],
            [0.1, 0.1, 0.1, 0.1],
            [0.5, 0.5, 0.5, 0.25],
          ],
        },
      },
    );
    expect(res(run.ev, "keep", ["P"])).toEqual([1, 0, 0, 0, 1]);
    const single = runText(
      `pipeline t {
  dims P, G
  input acc: f32[P,G]
  output keep = dapo_keep(acc, over=G)
}`,
      { acc: { dims: ["P", "G"], data: [[0], [1]] } },
    );
    expect(res(single.ev, "keep", ["P"])).toEqual([1, 1]);
  });

  it("computes the loss on the kept groups only: the same as on a batch of the kept groups alone", () => {
    const doc = exampleDoc("dapo");
    const both = runDoc(example("dapo"), doc);
    const onlyP0: Record<string, { dims: string[]; data: unknown[] }> = {};
    for (const [k, v] of Object.entries(doc))
      onlyP0[k] = { dims: (v as { dims: string[] }).dims, data: [(v as { data: unknown[] }).data[0]] };
    const alone = runDoc(example("dapo"), onlyP0);
    expect(scalar(both.ev, "L")).toBeCloseTo(scalar(alone.ev, "L"), 15);
    expectPrinted(scalar(alone.ev, "L"), -0.0031396, "L on p0");
    expectAllClose(grad(both, "L", "logp", PGT).slice(0, 12), grad(alone, "L", "logp", PGT), 1e-15, "gradient on p0");
    expect(
      grad(both, "L", "logp", PGT)
        .slice(12)
        .every((g) => g === 0),
    ).toBe(true);
  });

  it("gives 0 and zero gradients (no 0/0) when every group is dropped", () => {
    const doc = exampleDoc("dapo");
    doc.acc = {
      dims: ["P", "G"],
      data: [
        [0, 0, 0, 0],
        [1, 1, 1, 1],
      ],
    };
    const run = runDoc(example("dapo"), doc);
    expect(res(run.ev, "keep", ["P"])).toEqual([0, 0]);
    expect(scalar(run.ev, "L")).toBe(0);
    expect(grad(run, "L", "logp", PGT).every((g) => g === 0)).toBe(true);
  });

  it("clips higher: a positive-advantage token stops at 1 + eps_high (1.28), a negative one at 1 − eps_low", () => {
    const run = runDoc(example("dapo"), exampleDoc("dapo"));
    const pgOf = (run2: typeof run) => grad(run2, "L", "logp", PGT);
    // token (0,0): A > 0, ratio 1.35 > 1.28: clipped, gradient 0; with eps_high 0.4 it is not clipped
    expect(pgOf(run)[0]).toBe(0);
    const wide = runDoc(example("dapo", { eps_high: 0.4 }), exampleDoc("dapo"));
    expect(pgOf(wide)[0]).toBeLessThan(0);
    // token (1,1): A < 0, ratio 0.67 < 0.8: clipped, gradient 0
    expect(pgOf(run)[4]).toBe(0);
  });

  it("applies the verl recipe's dual clip (c = 10) only where A < 0 and the ratio exceeds c", () => {
    const doc = randomBatch(12, 2, 4, 3);
    (doc.logp.data as number[][][])[0]![1]![0] = (doc.old_logp.data as number[][][])[0]![1]![0]! + Math.log(12); // ratio 12
    doc.reward = {
      dims: ["P", "G"],
      data: [
        [1, 0, 1, 1],
        [0, 1, 0, 0],
      ],
    }; // response (0,1) has A < 0
    const off = runDoc(example("dapo"), {
      logp: doc.logp,
      old_logp: doc.old_logp,
      mask: doc.mask,
      score: doc.reward,
      acc: doc.reward,
    });
    const on = runDoc(example("dapo", { clip_c: 10 }), {
      logp: doc.logp,
      old_logp: doc.old_logp,
      mask: doc.mask,
      score: doc.reward,
      acc: doc.reward,
    });
    const i = 1 * 3; // (p0, g1, t0)
    expect(grad(off, "L", "logp", PGT)[i]).toBeGreaterThan(0);
    expect(grad(on, "L", "logp", PGT)[i]).toBe(0);
    expect(scalar(on.ev, "L")).toBeLessThan(scalar(off.ev, "L"));
    expectGradCheck(on, "L", "logp");
  });
});
