// The kernel runtime: threads give the same results as one thread (combined in chunk order; float64 totals, so
// float32 results agree to rounding), input binding fails like the reference evaluator, requires and state updates.
import { describe, expect, it } from "vitest";
import { compileKernels } from "../../runtime/backends/js/index.ts";
import { EvalError, evaluate } from "../../runtime/backends/reference/index.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import { compileOne, compileText, repoPath } from "../stdlib/harness.ts";
import { checkFused, expectClose } from "./helpers.ts";
import { seededInputs } from "../kit/index.ts";
import { PIPELINES } from "./pipelines.ts";

describe("threads", () => {
  it("GRPO loss + gradient at P=16, G=8, T=64: 2 threads agree with 1 thread and with the reference", async () => {
    const program = compileOne(repoPath("examples/grpo.rlp"));
    const inputs = seededInputs(program, { seed: 11, sizes: { P: 16, G: 8, T: 64 } });
    const one = await checkFused(program, inputs, { kernel: { threads: 1 } });
    const two = await checkFused(program, inputs, { kernel: { threads: 2, minParallelWork: 1 } });
    for (const [k, t] of Object.entries(one!.results)) expectClose(two!.results[k]!, t, `2 threads: ${k}`, 1e-6, 1e-7);
  });

  it("scatter reductions (shared and per-thread areas) and depth-0 totals combine across threads", async () => {
    for (const name of ["reductions", "scans", "selection"]) {
      const program = compileText(PIPELINES[name]!, name);
      await checkFused(program, seededInputs(program, { seed: 12, sizes: { P: 5 } }), {
        kernel: { threads: 3, minParallelWork: 1 },
        what: `${name} (3 threads)`,
      });
    }
  });
});

describe("binding inputs fails like the reference evaluator", () => {
  const program = compileOne(repoPath("examples/grpo.rlp"));
  const good = seededInputs(program, { seed: 1 });
  const cases: [string, Record<string, Tensor>][] = [
    ["dim-conflict", { ...good, reward: { ...good.reward!, shape: [2, 6] } }],
    ["missing-input", Object.fromEntries(Object.entries(good).filter(([k]) => k !== "mask"))],
    ["input-dims", { ...good, reward: { ...good.reward!, dims: ["P", "T"] } }],
  ];
  for (const [code, inputs] of cases) {
    it(code, async () => {
      let want: EvalError | undefined;
      try {
        evaluate(program, inputs);
      } catch (e) {
        want = e as EvalError;
      }
      expect(want?.code).toBe(code);
      const ck = compileKernels(program, { threads: 1 });
      await expect(ck.evaluate(inputs)).rejects.toMatchObject({ code, message: want!.message });
    });
  }

  it("transposed inputs are matched to dims by name", async () => {
    const t = good.logp!;
    const data = new Float64Array(t.data.length);
    const [P, G, T] = t.shape as [number, number, number];
    for (let p = 0; p < P; p++)
      for (let g = 0; g < G; g++) for (let k = 0; k < T; k++) data[(k * P + p) * G + g] = t.data[(p * G + g) * T + k]!;
    await checkFused(program, { ...good, logp: { dtype: "f32", dims: ["T", "P", "G"], shape: [T, P, G], data } });
  });
});

describe("requires and state", () => {
  it("a failing require is an EvalError 'require' with the reference's message", async () => {
    const program = compileText(
      `pipeline req {
  dims B
  input x: f32[B]
  input m: bool[B]
  output w = masked_whiten(x, m)
}`,
      "req",
    );
    const inputs = seededInputs(program, { seed: 1, sizes: { B: 4 } });
    inputs.m = { ...inputs.m!, data: new Float64Array(4) };
    await checkFused(program, inputs);
    const ck = compileKernels(program, { threads: 1 });
    await expect(ck.evaluate(inputs)).rejects.toThrow(/require failed: masked_whiten needs at least 2 valid tokens/);
  });

  it("state reads and the step's updates match the reference", async () => {
    const program = compileText(PIPELINES.state!, "state");
    const inputs = seededInputs(program, { seed: 2, sizes: { P: 4 } });
    const state = {
      vhat: new Map([
        [0, 0.25],
        [2, 0.75],
      ]),
      seen: 3,
    };
    const want = evaluate(program, inputs, { state });
    const ck = compileKernels(program, { threads: 1 });
    const got = await ck.evaluate(inputs, {}, { state });
    expectClose(got.results.A!, want.results.A!, "A");
    expect(got.stateUpdates.seen).toBeCloseTo(want.stateUpdates.seen as number, 5);
    const gv = got.stateUpdates.vhat as Map<number, number>;
    const wv = want.stateUpdates.vhat as Map<number, number>;
    expect([...gv.keys()].sort()).toEqual([...wv.keys()].sort());
    for (const [k, v] of wv) expect(gv.get(k)!).toBeCloseTo(v, 5);
  });

  it("params are read at run time", async () => {
    const program = compileOne(repoPath("examples/grpo.rlp"));
    const inputs = seededInputs(program, { seed: 3 });
    const ck = compileKernels(program, { threads: 1 });
    const a = await ck.evaluate(inputs);
    const b = await ck.evaluate(inputs, { beta: 0.5 });
    const ref = evaluate(
      {
        ...program,
        nodes: program.nodes.map((n) =>
          n.op.op === "param" && n.op.name === "beta" ? { ...n, op: { ...n.op, value: 0.5 } } : n,
        ),
      },
      inputs,
    );
    expect(b.results.L!.data[0]).not.toBe(a.results.L!.data[0]);
    expectClose(b.results.L!, ref.results.L!, "L with beta=0.5");
  });
});
