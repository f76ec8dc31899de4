// Backend selection: on a machine without the native packages, the automatic choice is wasm (cpu if wasm cannot
// load); asking for a missing backend fails with one line naming it and the reason.
import { describe, expect, it } from "vitest";
import { BackendError, selectBackend } from "../../runtime/backends/tfjs/backend.ts";

describe("selectBackend", () => {
  it("picks the first backend that loads and says why it skipped the others", async () => {
    const sel = await selectBackend();
    expect(["tfjs-node-gpu", "tfjs-node", "wasm", "cpu"]).toContain(sel.name);
    expect(sel.tf.getBackend()).toBe(sel.engine);
    if (sel.name === "wasm" || sel.name === "cpu") {
      expect(sel.skipped.map((s) => s.split(":")[0])).toEqual([
        "tfjs-node-gpu",
        "tfjs-node",
        ...(sel.name === "cpu" ? ["wasm"] : []),
      ]);
    }
  });

  it("loads cpu and wasm on request (the wasm binaries come from node_modules)", async () => {
    const cpu = await selectBackend("cpu");
    expect(cpu.tf.getBackend()).toBe("cpu");
    const wasm = await selectBackend("wasm");
    expect(wasm.tf.getBackend()).toBe("wasm");
    expect(Array.from(wasm.tf.add(wasm.tf.tensor([1, 2]), 1).dataSync())).toEqual([2, 3]);
  });

  it("fails with one clear line when a forced backend is missing", async () => {
    const sel = await selectBackend();
    if (sel.name === "tfjs-node-gpu") return; // a machine with the GPU package built: nothing to check
    const err = await selectBackend("tfjs-node-gpu").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BackendError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^tfjs backend 'tfjs-node-gpu' is not available: /);
    expect(msg).not.toContain("\n");
    expect(msg).not.toMatch(/\bat \S+:\d+/); // no stack frames
  });

  it("rejects an unknown backend name", async () => {
    await expect(selectBackend("webgpu")).rejects.toThrow(
      /unknown tfjs backend 'webgpu' \(known: tfjs-node-gpu, tfjs-node, wasm, cpu\)/,
    );
  });
});
