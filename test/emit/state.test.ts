// State across steps in emitted modules: two steps of DCPO and of SPO (keyed state tables) and of PPO with the
// adaptive KL controller (an unkeyed state) give the reference evaluator's values and state at every step, given the state the
// previous step returned; saveState/loadState round-trip; bad states fail with EvalError "state".
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readJsonInputs } from "../../runtime/library/io/read_inputs.ts";
import { EvalError } from "../../runtime/backends/reference/index.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import { expectClose, expectSameState } from "./compare.ts";
import { emitExample, exampleInputs, exampleProgram, importModule, reference, userProject } from "./helpers.ts";

type State = Record<string, Map<number, number> | number>;
type Step = Record<string, number | Tensor> & { state: State };

interface StatefulModule {
  evaluate(inputs: unknown, params?: unknown, options?: { state?: State }): Promise<Step>;
  evaluateWithGrad(inputs: unknown, params?: unknown, options?: { state?: State }): Promise<Step>;
  createState(): State;
  saveState(state: State): string;
  loadState(text: string): State;
}

const dir = userProject("state");

beforeAll(() => {
  const dcpo = emitExample("dcpo");
  writeFileSync(join(dir, dcpo.moduleFile), dcpo.module);
  writeFileSync(join(dir, "ppo.ts"), emitExample("ppo", { kl_ctrl: "adaptive" }).module);
  const spo = emitExample("spo_stream");
  writeFileSync(join(dir, spo.moduleFile), spo.module);
}, 60_000);

function withData(doc: Record<string, unknown>, name: string, data: unknown): Record<string, unknown> {
  return { ...doc, [name]: { ...(doc[name] as object), data } };
}

function expectStep(got: Step, want: Record<string, Tensor>, what: string): void {
  for (const [k, t] of Object.entries(want)) expectClose(got[k], t, `${what}: ${k}`);
}

describe("DCPO (state tables keyed by prompt id)", () => {
  const { program } = exampleProgram("dcpo");
  const step1 = exampleInputs("dcpo", program);
  // the same prompt (id 7) again, with other rewards: its cumulative statistics now matter
  const doc2 = withData(step1.doc, "reward", [[0.0, 1.0, 1.0, 0.0]]);
  const step2 = readJsonInputs(doc2, program, "step 2");

  it("two steps: the values and the state of each step equal the reference's, given the previous state", async () => {
    expect(step2.errors).toEqual([]);
    const mod = await importModule<StatefulModule>(dir, "dcpo");
    const ref1 = reference(program, step1.tensors, {});
    const ref2 = reference(program, step2.tensors, ref1.state);
    const r1 = await mod.evaluateWithGrad(step1.doc, {}, { state: mod.createState() });
    expectStep(r1, ref1.values, "step 1");
    expectSameState(r1.state, ref1.state, "state after step 1");
    const r2 = await mod.evaluateWithGrad(doc2, {}, { state: r1.state });
    expectStep(r2, ref2.values, "step 2");
    expectSameState(r2.state, ref2.state, "state after step 2");
    expect((r2.state.times as Map<number, number>).get(7)).toBe(2);
    // the state matters: a fresh state gives other advantages
    const fresh = await mod.evaluateWithGrad(doc2);
    expect(Array.from((fresh.A as Tensor).data)).not.toEqual(Array.from((r2.A as Tensor).data));
    // evaluate (forward only) makes the same state updates
    const f2 = await mod.evaluate(doc2, {}, { state: r1.state });
    expectSameState(f2.state, ref2.state, "forward state after step 2");
  });

  it("saveState / loadState round-trip: step 2 from the loaded state gives the same bits; the passed state is not modified", async () => {
    const mod = await importModule<StatefulModule>(dir, "dcpo");
    const r1 = await mod.evaluateWithGrad(step1.doc);
    const before = mod.saveState(r1.state);
    const text = mod.saveState(r1.state);
    expect(text).toMatch(
      // eslint-disable-next-line no-regex-spaces -- the file's own two-space indentation, as written
      /^\{\n  "format": "rlp-state",\n  "version": 1,\n  "pipeline": "dcpo",\n  "states": \{\n    "times": \{"keyed":true,"entries":\[\[7,1\]\]\},\n/,
    );
    const loaded = mod.loadState(text);
    expect(loaded).toEqual(r1.state);
    const a = await mod.evaluateWithGrad(doc2, {}, { state: r1.state });
    const b = await mod.evaluateWithGrad(doc2, {}, { state: loaded });
    expect(b).toEqual(a);
    expect(mod.saveState(r1.state)).toBe(before);
  });

  it("bad states: EvalError 'state' with a one-line message", async () => {
    const mod = await importModule<StatefulModule>(dir, "dcpo");
    const cases: [() => unknown, RegExp][] = [
      [() => mod.loadState("{ nope"), /^state: not valid JSON/],
      [
        () => mod.loadState(JSON.stringify({ format: "rlp-state", version: 1, pipeline: "grpo", states: {} })),
        /the state of pipeline 'grpo', not 'dcpo'/,
      ],
      [
        () =>
          mod.loadState(
            JSON.stringify({ format: "rlp-state", version: 1, pipeline: "dcpo", states: { nope: { keyed: true, entries: [] } } }),
          ),
        /has no state 'nope'/,
      ],
      [
        () =>
          mod.loadState(
            JSON.stringify({
              format: "rlp-state",
              version: 1,
              pipeline: "dcpo",
              states: { times: { keyed: true, entries: [[1.5, 2]] } },
            }),
          ),
        /entry 0 must be \[id, value\]/,
      ],
      [
        () => mod.loadState(JSON.stringify({ format: "rlp-state", version: 2, pipeline: "dcpo", states: {} })),
        /unsupported version 2/,
      ],
    ];
    for (const [f, message] of cases) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EvalError);
      expect((err as EvalError).code).toBe("state");
      expect((err as EvalError).message).toMatch(message);
      expect((err as EvalError).message).not.toContain("\n");
    }
    await expect(mod.evaluate(step1.doc, {}, { state: { times: 3 } })).rejects.toMatchObject({
      code: "state",
      message: "state times is a table (a Map from id to value), got number",
    });
    await expect(mod.evaluate(step1.doc, {}, { state: { nope: 1 } as State })).rejects.toMatchObject({ code: "state" });
  });
});

describe("PPO with the adaptive KL controller (an unkeyed state)", () => {
  const { program } = exampleProgram("ppo", { kl_ctrl: "adaptive" });
  const step1 = exampleInputs("ppo", program);

  it("two steps: the coefficient the first step returns is the one the second reads", async () => {
    const mod = await importModule<StatefulModule>(dir, "ppo");
    expect(mod.createState()).toEqual({ kl_beta: 0.001 });
    const ref1 = reference(program, step1.tensors, {});
    const ref2 = reference(program, step1.tensors, ref1.state);
    const r1 = await mod.evaluateWithGrad(step1.doc, {}, { state: mod.createState() });
    expectStep(r1, ref1.values, "step 1");
    expectSameState(r1.state, ref1.state, "state after step 1");
    expect(r1.state.kl_beta).not.toBe(0.001);
    const r2 = await mod.evaluateWithGrad(step1.doc, {}, { state: mod.loadState(mod.saveState(r1.state)) });
    expectStep(r2, ref2.values, "step 2");
    expectSameState(r2.state, ref2.state, "state after step 2");
  });
});

describe("SPO (the per-prompt Beta tracker: state tables keyed by prompt id)", () => {
  const { program } = exampleProgram("spo_stream");
  const step1 = exampleInputs("spo_stream", program);

  it("two steps, the second from the saved and loaded state, equal the reference's values and state", async () => {
    const mod = await importModule<StatefulModule>(dir, "spo_stream");
    const ref1 = reference(program, step1.tensors, {});
    const ref2 = reference(program, step1.tensors, ref1.state);
    const r1 = await mod.evaluateWithGrad(step1.doc, {}, { state: mod.createState() });
    expectStep(r1, ref1.values, "step 1");
    expectSameState(r1.state, ref1.state, "state after step 1");
    const r2 = await mod.evaluateWithGrad(step1.doc, {}, { state: mod.loadState(mod.saveState(r1.state)) });
    expectStep(r2, ref2.values, "step 2");
    expectSameState(r2.state, ref2.state, "state after step 2");
    // the tracker moved: the second visit's advantages differ from the first's
    expect(Array.from((r2.A as Tensor).data)).not.toEqual(Array.from((r1.A as Tensor).data));
  });
});
