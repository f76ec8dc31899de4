// A persistent pool of worker threads that run chunks of a kernel's outermost loop. Buffers, partials and scratch
// areas live in SharedArrayBuffers, so a chunk writes its results in place; a message only says "run kernel k of
// module m over [lo, hi)". Each worker evaluates a module's text once (new Function, as runtime/library/kernels/load.ts).
// Workers are unref'd while idle: a forgotten close() never keeps the process alive.
import { Worker } from "node:worker_threads";
import type { KernelContext, TypedArray } from "./load.ts";

const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const modules = new Map();
parentPort.on("message", (m) => {
  if (m.type === "load") {
    modules.set(m.module, new Function(m.body)());
    return;
  }
  try {
    const k = modules.get(m.module).kernels[m.kernel];
    k.body(m.B, m.Z, m.lo, m.hi, m.total, m.S);
    parentPort.postMessage({ id: m.id });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.stack) || e) });
  }
});
`;

export interface Chunk {
  lo: number;
  hi: number;
  total: Float64Array;
  S: Float64Array[];
}

export class KernelPool {
  private readonly workers: Worker[] = [];
  private readonly loaded: Set<string>[] = [];
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private busy = 0;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.on("message", (m: { id: number; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.error !== undefined) p.reject(new Error(`kernel worker: ${m.error}`));
        else p.resolve();
      });
      w.on("error", (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      w.unref();
      this.workers.push(w);
      this.loaded.push(new Set());
    }
  }

  /** Runs chunks on workers 0..chunks.length-1 (the caller runs its own chunk meanwhile) and waits for all. */
  async run(
    moduleId: string,
    moduleBody: string,
    kernel: number,
    B: TypedArray[],
    Z: KernelContext,
    chunks: Chunk[],
    own: () => void,
  ): Promise<void> {
    if (chunks.length > this.workers.length)
      throw new Error(`kernel pool: ${chunks.length} chunks for ${this.workers.length} workers`);
    const ctx: KernelContext = { n: Z.n, p: Z.p };
    const done = chunks.map((c, i) => {
      const w = this.workers[i]!;
      if (!this.loaded[i]!.has(moduleId)) {
        w.postMessage({ type: "load", module: moduleId, body: moduleBody });
        this.loaded[i]!.add(moduleId);
      }
      const id = this.nextId++;
      const p = new Promise<void>((resolve, reject) => this.pending.set(id, { resolve, reject }));
      w.postMessage({ type: "run", id, module: moduleId, kernel, B, Z: ctx, lo: c.lo, hi: c.hi, total: c.total, S: c.S });
      return p;
    });
    if (this.busy++ === 0) for (const w of this.workers) w.ref();
    try {
      own();
      await Promise.all(done);
    } finally {
      if (--this.busy === 0) for (const w of this.workers) w.unref();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
