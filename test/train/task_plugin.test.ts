// Task plugins (`rlp train --task PATH`, runtime/tools/tasks/load.ts): the example loads and behaves like a built-in task;
// every way a plugin can be wrong is a TaskError naming the file and what is wrong.
import { describe, expect, it } from "vitest";
import { resolveTask, TaskError } from "../../runtime/tools/tasks/index.ts";

const fixture = (name: string) => `test/train/fixtures/${name}`;

describe("task plugins", () => {
  it("resolves built-in names and rejects unknown ones", async () => {
    expect((await resolveTask("arith")).name).toBe("arith");
    await expect(resolveTask("arithmetic")).rejects.toThrow(/unknown task 'arithmetic' \(built-in tasks: arith, sort, reverse/);
  });

  it("loads examples/tasks/max_digit.ts: seeded batches, a held-out split, an exact verifier", async () => {
    const task = await resolveTask("examples/tasks/max_digit.ts");
    expect(task.name).toBe("max_digit");
    const batch = task.trainBatch(3, 7, 5);
    expect(batch).toHaveLength(5);
    expect(task.trainBatch(3, 7, 5)).toEqual(batch);
    const held = new Set(task.heldOut(1000).map((p) => p.id));
    for (let step = 0; step < 20; step++) for (const p of task.trainBatch(1, step, 16)) expect(held.has(p.id)).toBe(false);
    const p = batch[0]!;
    const answer = String(Math.max(...[...p.text.slice(4, 8)].map(Number)));
    expect(task.score(p, answer)).toBe(1);
    expect(task.correct(p, answer)).toBe(true);
    expect(task.score(p, answer === "0" ? "1" : "0")).toBe(0);
  });

  it("names the file for a missing file, a missing export and a missing method", async () => {
    await expect(resolveTask("./no_such_task.ts")).rejects.toThrow(/task plugin \.\/no_such_task\.ts: no such file/);
    await expect(resolveTask("examples/custom/my_nodes.ts")).rejects.toThrow(
      /task plugin examples\/custom\/my_nodes\.ts has no export 'task'/,
    );
    const shape = resolveTask(fixture("bad_task_shape.ts"));
    await expect(shape).rejects.toBeInstanceOf(TaskError);
    await expect(resolveTask(fixture("bad_task_shape.ts"))).rejects.toThrow(
      /bad_task_shape\.ts: 'task' has no method 'trainBatch'/,
    );
  });

  it("turns a verifier that throws into a TaskError naming the plugin and the method", async () => {
    const task = await resolveTask(fixture("bad_task_throws.ts"));
    const p = task.trainBatch(0, 0, 1)[0]!;
    expect(() => task.score(p, "1")).toThrow(TaskError);
    expect(() => task.score(p, "1")).toThrow(/bad_task_throws\.ts: score threw: the verifier is broken/);
  });
});
