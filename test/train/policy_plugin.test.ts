// Policy plugins (`rlp train --policy PATH`, runtime/tools/policy/load.ts): the example bigram policy (a subclass of
// AutoregressivePolicy) samples, is differentiated by the trainer, trains, and round-trips through the warm-start
// cache; a plugin that is wrong is a PolicyError naming the file and what is wrong.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileFile } from "../../compiler/index.ts";
import { PolicyError, resolvePolicy } from "../../runtime/tools/policy/index.ts";
import { builtinTask } from "../../runtime/tools/tasks/index.ts";
import { selectBackend } from "../../runtime/backends/tfjs/index.ts";
import { train, TRAINER_DEFAULTS } from "../../runtime/tools/train/trainer.ts";
import { warmStart } from "../../runtime/tools/train/warmstart.ts";

const task = builtinTask("sort")!;

describe("policy plugins", () => {
  it("the built-in transformer is the default", async () => {
    const f = await resolvePolicy(undefined, "tiny");
    expect(f.name).toBe("transformer-tiny");
    const { tf } = await selectBackend();
    expect(f.make(tf, task, 0).kind).toBe("transformer");
  });

  it("examples/policies/bigram.ts samples, and its log-probs carry gradient to both parameters", async () => {
    const { tf } = await selectBackend();
    const f = await resolvePolicy("examples/policies/bigram.ts", "tiny");
    expect(f.name).toBe("plugin bigram.ts");
    const p = f.make(tf, task, 1);
    const prompts = task.trainBatch(0, 1, 3).map((q) => q.tokens);
    const r = p.sample(prompts, { seed: 0, step: 1, temperature: 1, maxTokens: 5 });
    expect(r.tokens).toHaveLength(15);
    const { grads } = tf.variableGrads(
      () => tf.sum(p.logProbs(prompts, r, 1)) as never,
      p.parameters().map((q) => q.variable) as never,
    );
    for (const q of p.parameters())
      expect(Math.max(...Array.from(grads[q.variable.name]!.dataSync()).map(Math.abs))).toBeGreaterThan(0);
    const frozen = p.frozenCopy();
    expect(Array.from(frozen.parameters()[0]!.variable.dataSync())).toEqual(Array.from(p.parameters()[0]!.variable.dataSync()));
  });

  it("trains, and its warm start is cached under a key with the plugin's hash", async () => {
    const { tf } = await selectBackend();
    const f = await resolvePolicy("examples/policies/bigram.ts", "tiny");
    const cache = mkdtempSync(join(tmpdir(), "rlp-policy-cache-"));
    try {
      const ws = await warmStart(tf, task, { size: "tiny", seed: 3, steps: 3, lr: 3e-3, cacheDir: cache, policy: f });
      expect(ws.cached).toBe(false);
      expect(ws.path).toMatch(/warmstart-v\d+-sort-plugin-bigram_ts-[0-9a-f]{10}-seed3/);
      const again = await warmStart(tf, task, { size: "tiny", seed: 3, steps: 3, lr: 3e-3, cacheDir: cache, policy: f });
      expect(again.cached).toBe(true);
      expect(Array.from(again.policy.parameters()[0]!.variable.dataSync())).toEqual(
        Array.from(ws.policy.parameters()[0]!.variable.dataSync()),
      );
      const before = Array.from(ws.policy.parameters()[0]!.variable.dataSync());
      const result = await train({
        tf,
        program: compileFile("examples/train_grpo.rlp").programs[0]!,
        task,
        policy: ws.policy,
        options: { ...TRAINER_DEFAULTS, steps: 2, seed: 3, prompts: 4, heldOut: 0, checkpointEvery: 0 },
      });
      expect(result.status).toBe("done");
      expect(Array.from(ws.policy.parameters()[0]!.variable.dataSync())).not.toEqual(before);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }, 60_000);

  it("names the file for a missing file, a missing export and a policy without the interface", async () => {
    await expect(resolvePolicy("./no_such_policy.ts", "tiny")).rejects.toThrow(
      /policy plugin \.\/no_such_policy\.ts: no such file/,
    );
    await expect(resolvePolicy("examples/tasks/max_digit.ts", "tiny")).rejects.toThrow(/has no export 'createPolicy'/);
    const f = await resolvePolicy("test/train/fixtures/bad_policy.ts", "tiny");
    const { tf } = await selectBackend();
    expect(() => f.make(tf, task, 0)).toThrow(PolicyError);
    expect(() => f.make(tf, task, 0)).toThrow(/bad_policy\.ts: the policy createPolicy returned has no method 'tokenStats'/);
  });
});
