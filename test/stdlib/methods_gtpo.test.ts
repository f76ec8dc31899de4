// PG.GTPO (stdlib/gtpo.rlp; examples/gtpo.rlp): the catalog's worked example piece by piece, the reduction to
// REINFORCE with a group-mean baseline when no token conflicts, an inactive (all-equal) group, conflicts only within a
// prompt, right alignment of completions of different lengths, the mean-entropy input, and gradients.
import { describe, expect, it } from "vitest";
import { at, expectPrinted, gradOf, result, scalarOf } from "./harness.ts";
import { example, expectGradsMatchNumeric, expectTensor, nested, setup } from "./methods_util.ts";

const DIMS = ["P", "G", "T"];
const PIPE = (params = "") => `
pipeline t {
  dims P, G, T
  input logp: f32[P,G,T] @policy
  input ids: i32[P,G,T]
  input mask: bool[P,G,T]
  input reward: f32[P,G]
  input H: f32[P,G]
  let As, A = gtpo_advantage(reward, H${params})
  let delta, n_conf = gtpo_conflict(ids, mask, A, pad_id=-1)
  loss L = gtpo_loss(logp, As, delta, n_conf, mask)
  output d = delta
  output nc = n_conf
  output a = As
}`;

describe("PG.GTPO", () => {
  it("reproduces the catalog's worked example (advantages, conflict weights, counts, loss, gradient)", () => {
    const r = example("gtpo");
    expectTensor(result(r.ev, "A"), ["P", "G"], [[0.47, -0.55, 0, 0.48]], 1e-12, "A'");
    expect(nested(result(r.ev, "conflict_weight"), DIMS)).toEqual([
      [
        [2, 2, 1, 2],
        [0, 0, 1, 0],
        [0, 1, 0, 0],
        [1, 1, 1, 2],
      ],
    ]);
    expect(nested(result(r.ev, "n_conflict"), ["P", "G"])).toEqual([[3, 3, 2, 1]]);
    expectPrinted(scalarOf(r.ev, "L"), -0.828333, "L");
    expectGradsMatchNumeric(r, "L");
  });

  it("reduces to REINFORCE with a group-mean baseline (per-completion token mean, summed) without conflicts", () => {
    // every (position, id) pair is unique within the group: no conflict, delta = mask, n_conf = 1
    const logp = [
      [
        [-0.3, -1.2, -0.5],
        [-0.8, -0.1, -2.0],
        [-1.5, -0.7, -0.2],
      ],
    ];
    const r = setup(PIPE(", ent_scale=0.0, ent_threshold=1e9"), {
      logp: { dims: DIMS, data: logp },
      ids: {
        dims: DIMS,
        data: [
          [
            [1, 2, 3],
            [4, 5, 6],
            [7, 8, 9],
          ],
        ],
      },
      mask: {
        dims: DIMS,
        data: [
          [
            [1, 1, 1],
            [1, 1, 0],
            [1, 0, 0],
          ],
        ],
      },
      reward: { dims: ["P", "G"], data: [[1.0, 0.0, 0.5]] },
      H: { dims: ["P", "G"], data: [[0.4, 2.0, 0.1]] },
    });
    expect(nested(result(r.ev, "d"), DIMS)).toEqual([
      [
        [1, 1, 1],
        [1, 1, 0],
        [1, 0, 0],
      ],
    ]);
    expect(nested(result(r.ev, "nc"), ["P", "G"])).toEqual([[1, 1, 1]]);
    const A = [0.5, -0.5, 0]; // r - mean(r)
    const n = [3, 2, 1];
    expect(scalarOf(r.ev, "L")).toBeCloseTo(-(A[0]! + A[1]! + A[2]!), 14); // rho = 1: each completion gives -A_i
    const g = gradOf(r.program, r.ev, "L").logp!;
    expectTensor(
      g,
      DIMS,
      [
        [
          [-A[0]! / n[0]!, -A[0]! / n[0]!, -A[0]! / n[0]!],
          [-A[1]! / n[1]!, -A[1]! / n[1]!, 0],
          [0, 0, 0],
        ],
      ],
      1e-15,
      "dL/dlogp = -A_i/n_i",
    );
  });

  it("treats an all-equal group as inactive: delta = mask, n_conf = 1, A' = -ent_scale * H", () => {
    const r = setup(PIPE(), {
      logp: {
        dims: DIMS,
        data: [
          [
            [-1, -1],
            [-1, -1],
          ],
        ],
      },
      ids: {
        dims: DIMS,
        data: [
          [
            [3, 4],
            [3, 4],
          ],
        ],
      },
      mask: {
        dims: DIMS,
        data: [
          [
            [1, 1],
            [1, 0],
          ],
        ],
      },
      reward: { dims: ["P", "G"], data: [[1.0, 1.0]] },
      H: { dims: ["P", "G"], data: [[0.5, 0.2]] },
    });
    expect(nested(result(r.ev, "d"), DIMS)).toEqual([
      [
        [1, 1],
        [1, 0],
      ],
    ]);
    expect(nested(result(r.ev, "nc"), ["P", "G"])).toEqual([[1, 1]]);
    expectTensor(result(r.ev, "a"), ["P", "G"], [[-0.05, -0.02]], 1e-15, "A' = -0.1 H");
  });

  it("finds conflicts only within a prompt, and aligns trailing runs at each completion's last valid token", () => {
    const r = setup(PIPE(), {
      logp: {
        dims: DIMS,
        data: [
          [
            [-1, -1, -1],
            [-1, -1, -1],
          ],
          [
            [-1, -1, -1],
            [-1, -1, -1],
          ],
        ],
      },
      // prompt 0: positive [1,2,3], negative [9,2,3,..] shorter by one -> trailing run of length 2 ends differently
      // prompt 1: shares ids with prompt 0 at every position, but its two completions have the same sign: no conflict
      ids: {
        dims: DIMS,
        data: [
          [
            [1, 2, 3],
            [2, 3, 0],
          ],
          [
            [1, 2, 3],
            [2, 3, 0],
          ],
        ],
      },
      mask: {
        dims: DIMS,
        data: [
          [
            [1, 1, 1],
            [1, 1, 0],
          ],
          [
            [1, 1, 1],
            [1, 1, 0],
          ],
        ],
      },
      reward: {
        dims: ["P", "G"],
        data: [
          [1, 0],
          [1, 1],
        ],
      },
      H: {
        dims: ["P", "G"],
        data: [
          [0, 0],
          [0, 0],
        ],
      },
    });
    // prompt 0 forward: position 0 ids 1 vs 2 differ: no leading run. Backward: last tokens 3 == 3, then 2 == 2,
    // then 1 vs (none): the trailing runs are positions 1..2 of the positive and 0..1 of the negative.
    expect(nested(result(r.ev, "d"), DIMS)).toEqual([
      [
        [1, 2, 2],
        [0, 0, 0],
      ],
      [
        [1, 1, 1],
        [1, 1, 0],
      ],
    ]);
    expect(nested(result(r.ev, "nc"), ["P", "G"])).toEqual([
      [2, 2],
      [1, 1],
    ]);
  });

  it("gives w_conflict² to a token of a positive completion in both runs; duplicates do not change membership", () => {
    const r = setup(PIPE(), {
      logp: {
        dims: DIMS,
        data: [
          [
            [-1, -1],
            [-1, -1],
            [-1, -1],
          ],
        ],
      },
      ids: {
        dims: DIMS,
        data: [
          [
            [1, 2],
            [1, 2],
            [1, 2],
          ],
        ],
      },
      mask: {
        dims: DIMS,
        data: [
          [
            [1, 1],
            [1, 1],
            [1, 1],
          ],
        ],
      },
      reward: { dims: ["P", "G"], data: [[1, 0, 0]] },
      H: { dims: ["P", "G"], data: [[0, 0, 0]] },
    });
    expect(nested(result(r.ev, "d"), DIMS)).toEqual([
      [
        [4, 4],
        [0, 0],
        [0, 0],
      ],
    ]);
    expect(nested(result(r.ev, "nc"), ["P", "G"])).toEqual([[2, 2, 2]]);
  });

  it("gtpo_entropy is the masked mean of the clamped token entropy, without gradient", () => {
    const r = setup(
      `
pipeline t {
  dims B, T, V
  input logits: f32[B,T,V] @policy
  input mask: bool[B,T]
  output H = gtpo_entropy(logits, mask)
  loss L = sum(gtpo_entropy(logits, mask), over=B) + 0.0 * sum(logits, over=[B,T,V])
}`,
      {
        logits: {
          dims: ["B", "T", "V"],
          data: [
            [
              [0, 0, 0, 0],
              [5, 0, 0, 0],
            ],
            [
              [0, 0, 0, 0],
              [0, 0, 0, 0],
            ],
            [
              [1, 2, 3, 4],
              [0, 0, 0, 0],
            ],
          ],
        },
        mask: {
          dims: ["B", "T"],
          data: [
            [1, 1],
            [1, 0],
            [0, 0],
          ],
        },
      },
    );
    const h = (z: number[]) => {
      const m = Math.max(...z);
      const e = z.map((x) => Math.exp(x - m));
      const s = e.reduce((a, b) => a + b, 0);
      return -e.reduce((a, x) => a + (x / s) * Math.log(Math.max(x / s, 1e-6)), 0);
    };
    expectTensor(result(r.ev, "H"), ["B"], [(Math.log(4) + h([5, 0, 0, 0])) / 2, Math.log(4), 0], 1e-12, "H");
    for (const v of gradOf(r.program, r.ev, "L").logits!.data) expect(v).toBe(0);
    // the clamp: a probability below 1e-6 contributes p·log(1e-6)
    const tiny = setup(
      `
pipeline t {
  dims B, T, V
  input logits: f32[B,T,V]
  input mask: bool[B,T]
  output H = gtpo_entropy(logits, mask)
}`,
      { logits: { dims: ["B", "T", "V"], data: [[[0, -20]]] }, mask: { dims: ["B", "T"], data: [[1]] } },
    );
    expectPrinted(at(result(tiny.ev, "H"), { B: 0 }), h([0, -20]), "clamped H", undefined, 1e-15);
  });
});
