// The built-in tasks (prompts, held-out split, verifiers, demonstrations) and the built-in policy (sampling is a
// pure function of its seed and step; log-probs do not depend on batch padding; save/load round-trips exactly).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadPolicy,
  POLICY_SIZES,
  savePolicy,
  TransformerPolicy,
  type Policy,
  type Responses,
} from "../../runtime/tools/policy/index.ts";
import { builtinTask, taskNames } from "../../runtime/tools/tasks/index.ts";
import { selectBackend, type TF } from "../../runtime/backends/tfjs/index.ts";

describe("built-in tasks", () => {
  it("are arith, sort and reverse", () => expect(taskNames()).toEqual(["arith", "sort", "reverse"]));

  it.each(taskNames())("%s: seeded batches, a disjoint held-out split, a verifier that accepts its answers", (name) => {
    const task = builtinTask(name)!;
    const a = task.trainBatch(7, 3, 64),
      b = task.trainBatch(7, 3, 64),
      c = task.trainBatch(7, 4, 64);
    expect(a).toEqual(b);
    expect(a.map((p) => p.id)).not.toEqual(c.map((p) => p.id));
    const held = new Set(task.heldOut(1000).map((p) => p.id));
    expect(held.size).toBeGreaterThan(0);
    for (let step = 0; step < 50; step++) for (const p of task.trainBatch(1, step, 32)) expect(held.has(p.id)).toBe(false);
    for (const p of [...a, ...task.heldOut(20)]) {
      expect(p.tokens[0]).toBe(task.vocab.bos);
      expect(p.tokens.length).toBeLessThanOrEqual(task.maxPromptTokens);
      expect(task.vocab.decode(p.tokens)).toBe(p.text);
    }
  });

  it("arith: exact answers score 1, others 0; the demonstrator forgets carries half of the time", () => {
    const task = builtinTask("arith")!;
    const p = { id: 17 * 50 + 5, text: "17+5=", tokens: [] }; // problem a * 50 + b
    expect(task.score(p, "22")).toBe(1);
    expect(task.correct(p, "22")).toBe(true);
    expect(task.score(p, "12")).toBe(0);
    expect(task.demonstrate(p, 0.7)).toBe("22");
    expect(task.demonstrate(p, 0.2)).toBe("12");
    const noCarry = { id: 12 * 50 + 7, text: "12+7=", tokens: [] };
    expect(task.demonstrate(noCarry, 0.2)).toBe("19");
  });

  it("sort and reverse give partial credit by position", () => {
    const sort = builtinTask("sort")!;
    const p = sort.trainBatch(0, 0, 1)[0]!;
    const answer = sort.demonstrate(p, 0);
    expect(answer).toBe([...p.text.slice(5, 9)].sort().join(""));
    expect(sort.score(p, answer)).toBe(1);
    expect(sort.score(p, "")).toBe(0);
    const rev = builtinTask("reverse")!;
    const q = rev.trainBatch(0, 0, 1)[0]!;
    const s = q.text.slice(4, -1);
    expect(rev.demonstrate(q, 0)).toBe([...s].reverse().join(""));
  });

  it("the vocabulary decodes up to end-of-sequence and rejects unknown characters", () => {
    const v = builtinTask("arith")!.vocab;
    expect(v.decode([...v.encode("12"), v.eos, ...v.encode("3")])).toBe("12");
    expect(() => v.encode("x")).toThrow(/not in the vocabulary/);
  });
});

describe("the built-in transformer policy", () => {
  let tf: TF;
  let dir: string;
  let policy: Policy;
  const task = builtinTask("arith")!;
  beforeAll(async () => {
    tf = (await selectBackend()).tf;
    dir = mkdtempSync(join(tmpdir(), "rlp-policy-"));
    policy = new TransformerPolicy(tf, {
      ...POLICY_SIZES["tiny"]!,
      vocabSize: task.vocab.tokens.length,
      maxLength: 16,
      seed: 11,
    });
  });
  afterAll(() => {
    policy.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const rows = (): number[][] => task.trainBatch(2, 0, 6).map((p) => p.tokens);

  it("samples the same responses for the same (seed, step), others for another step; greedy at temperature 0", () => {
    const a = policy.sample(rows(), { seed: 1, step: 5, temperature: 1, maxTokens: 4 });
    const b = policy.sample(rows(), { seed: 1, step: 5, temperature: 1, maxTokens: 4 });
    const c = policy.sample(rows(), { seed: 1, step: 6, temperature: 1, maxTokens: 4 });
    expect(b).toEqual(a);
    expect(Array.from(c.tokens)).not.toEqual(Array.from(a.tokens));
    const g1 = policy.sample(rows(), { seed: 1, step: 5, temperature: 0, maxTokens: 4 });
    const g2 = policy.sample(rows(), { seed: 9, step: 0, temperature: 0, maxTokens: 4 });
    expect(g2).toEqual(g1);
    // padding after the end-of-sequence token, masked
    for (let i = 0; i < a.n; i++) {
      const toks = Array.from(a.tokens.subarray(i * 4, i * 4 + 4)),
        mask = Array.from(a.mask.subarray(i * 4, i * 4 + 4));
      const end = toks.indexOf(task.vocab.eos);
      if (end >= 0) expect(mask).toEqual(toks.map((_, t) => (t <= end ? 1 : 0)));
    }
  });

  it("gives a prompt's log-probs independently of the padding its batch needs", () => {
    const short = [task.vocab.bos, ...task.vocab.encode("1+2=")];
    const long = [task.vocab.bos, ...task.vocab.encode("41+38=")];
    const resp = (n: number): Responses => ({
      n,
      length: 2,
      tokens: Int32Array.from(
        Array(n)
          .fill([task.vocab.encode("3")[0]!, task.vocab.eos])
          .flat(),
      ),
      mask: new Uint8Array(2 * n).fill(1),
    });
    const alone = policy.tokenStats([short], resp(1), 1).logp;
    const padded = policy.tokenStats([long, short], resp(2), 1).logp.slice(2, 4);
    expect(Array.from(padded)[0]).toBeCloseTo(alone[0]!, 5);
    expect(Array.from(padded)[1]).toBeCloseTo(alone[1]!, 5);
    const viaTf = tf.tidy(() => Array.from(policy.logProbs([short], resp(1), 1).dataSync()));
    expect(viaTf[0]).toBeCloseTo(alone[0]!, 5);
  });

  it("saves and loads its weights exactly (JSON index + float32 binary); a frozen copy is a copy", () => {
    const path = join(dir, "p");
    savePolicy(path, policy);
    const loaded = loadPolicy(tf, path);
    expect(loaded.config()).toEqual(policy.config());
    expect(loaded.parameters().map((p) => Array.from(p.variable.dataSync()))).toEqual(
      policy.parameters().map((p) => Array.from(p.variable.dataSync())),
    );
    const frozen = policy.frozenCopy();
    expect(frozen.parameters().map((p) => p.variable.dataSync()[0])).toEqual(
      policy.parameters().map((p) => p.variable.dataSync()[0]),
    );
    loaded.dispose();
    frozen.dispose();
  });
});
