// A training pipeline built from custom TypeScript nodes trains: the trainer loads the plugin before lowering, and
// the node's own gradient reaches the policy (a non-zero gradient norm, changed weights).
import { describe, expect, it } from "vitest";
import { compileFile } from "../../compiler/index.ts";
import { builtinTask } from "../../runtime/tools/tasks/index.ts";
import { selectBackend } from "../../runtime/backends/tfjs/index.ts";
import { train, TRAINER_DEFAULTS } from "../../runtime/tools/train/trainer.ts";
import { freshPolicy } from "../../runtime/tools/train/warmstart.ts";

describe("rlp train with custom nodes", () => {
  it("trains examples/custom/train_rank_pg.rlp for two steps with the node's gradient", async () => {
    const compiled = compileFile("examples/custom/train_rank_pg.rlp");
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const { tf } = await selectBackend();
    // sort gives partial credit, so a fresh policy's rewards differ within a group and the rank advantage is not 0
    const task = builtinTask("sort")!;
    const policy = freshPolicy(tf, task, "tiny", 5);
    const before = policy.parameters().map((p) => Float32Array.from(p.variable.dataSync() as Float32Array));
    const result = await train({
      tf,
      program: compiled.programs[0]!,
      task,
      policy,
      options: { ...TRAINER_DEFAULTS, steps: 2, seed: 5, prompts: 4, heldOut: 0, checkpointEvery: 0 },
    });
    expect(result.status).toBe("done");
    expect(Number.isFinite(result.last!.loss)).toBe(true);
    expect(result.last!.grad_norm).toBeGreaterThan(0);
    const after = policy.parameters().map((p) => p.variable.dataSync() as Float32Array);
    expect(after.some((a, i) => a.some((v, j) => v !== before[i]![j]))).toBe(true);
  }, 60_000);
});
