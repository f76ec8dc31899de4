// Picking a tfjs backend: tfjs-node-gpu, tfjs-node, wasm, cpu — the first that loads, in that order (DESIGN.md §6).
// The native packages are optional (their install downloads libtensorflow): a missing one is the normal case and is
// skipped silently. `preferred` forces one backend and fails with a one-line BackendError naming it and why.
//
// Quiet by default: TF_CPP_MIN_LOG_LEVEL=2 (libtensorflow's start-up log) unless already set, and tfjs' PROD flag,
// which silences its console warnings (the "install the node backend" banner of the cpu backend among them).
// The wasm binaries ship inside @tensorflow/tfjs-backend-wasm/dist and are loaded from node_modules by file path
// (setWasmPaths): nothing is downloaded at install or run time.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { TF } from "./types.ts";

export type BackendName = "tfjs-node-gpu" | "tfjs-node" | "wasm" | "cpu";

export const BACKEND_ORDER: readonly BackendName[] = ["tfjs-node-gpu", "tfjs-node", "wasm", "cpu"];

export interface SelectedBackend {
  /** One of BACKEND_ORDER. */
  name: BackendName;
  /** The tfjs engine name (`tensorflow` for the native packages). */
  engine: string;
  tf: TF;
  /** Why each backend tried before this one was skipped (one line each). */
  skipped: string[];
}

/** A backend that was asked for by name could not be used. The message is one line. */
export class BackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackendError";
  }
}

export interface SelectOptions {
  /** Keep tfjs' console warnings (default false: silenced). */
  verbose?: boolean;
}

const require = createRequire(import.meta.url);

/** The first line of an error's message, without the stack. */
function reason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const line = msg.split("\n").find((l) => l.trim() !== "") ?? "unknown error";
  if (/Cannot find (package|module) '@tensorflow\//.test(line)) return "the package is not installed";
  if (/tfjs_binding\.node/.test(line))
    return "the package is installed but its native addon was not built (libtensorflow was not downloaded)";
  return line.trim();
}

let tfPromise: Promise<TF> | undefined;

async function loadTf(verbose: boolean): Promise<TF> {
  tfPromise ??= import("@tensorflow/tfjs").then((m) => m as TF);
  const tf = await tfPromise;
  if (!verbose) tf.env().set("PROD", true);
  return tf;
}

async function tryNative(tf: TF, pkg: "tfjs-node-gpu" | "tfjs-node"): Promise<void> {
  process.env["TF_CPP_MIN_LOG_LEVEL"] ??= "2";
  // The package registers the `tensorflow` backend on the shared tfjs-core instance when imported.
  await import(`@tensorflow/${pkg}`);
  if (tf.findBackendFactory("tensorflow") === null && tf.findBackend("tensorflow") === null) {
    throw new Error(`@tensorflow/${pkg} loaded but registered no 'tensorflow' backend with this copy of tfjs-core`);
  }
  if (!(await tf.setBackend("tensorflow"))) throw new Error("the 'tensorflow' backend failed to initialise");
}

let wasmLoaded = false;

async function tryWasm(tf: TF): Promise<void> {
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  if (!wasmLoaded) {
    const dist = join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
    wasm.setWasmPaths(dist + "/");
    wasmLoaded = true;
  }
  if (!(await tf.setBackend("wasm"))) throw new Error("the wasm module failed to initialise");
  registerWasmFallbacks(tf);
}

async function trySelect(tf: TF, name: BackendName): Promise<string> {
  switch (name) {
    case "tfjs-node-gpu":
    case "tfjs-node":
      await tryNative(tf, name);
      return "tensorflow";
    case "wasm":
      await tryWasm(tf);
      return "wasm";
    case "cpu":
      if (!(await tf.setBackend("cpu"))) throw new Error("the cpu backend failed to initialise");
      return "cpu";
  }
}

/**
 * Loads tfjs and makes the first backend that works the active one (or exactly `preferred`, failing with a
 * BackendError). Accepts the names of BACKEND_ORDER; `tensorflow` and `node` are taken as tfjs-node.
 */
export async function selectBackend(preferred?: string, options: SelectOptions = {}): Promise<SelectedBackend> {
  const tf = await loadTf(options.verbose ?? false);
  if (preferred !== undefined) {
    const name = normalise(preferred);
    if (name === undefined) {
      throw new BackendError(`unknown tfjs backend '${preferred}' (known: ${BACKEND_ORDER.join(", ")})`);
    }
    try {
      const engine = await trySelect(tf, name);
      await tf.ready();
      return { name, engine, tf, skipped: [] };
    } catch (e) {
      throw new BackendError(`tfjs backend '${name}' is not available: ${reason(e)}`);
    }
  }
  const skipped: string[] = [];
  for (const name of BACKEND_ORDER) {
    try {
      const engine = await trySelect(tf, name);
      await tf.ready();
      return { name, engine, tf, skipped };
    } catch (e) {
      skipped.push(`${name}: ${reason(e)}`);
    }
  }
  throw new BackendError(`no tfjs backend could be loaded (${skipped.join("; ")})`);
}

function normalise(name: string): BackendName | undefined {
  const n = name
    .trim()
    .toLowerCase()
    .replace(/^@tensorflow\//, "");
  if (n === "tensorflow" || n === "node") return "tfjs-node";
  if (n === "gpu" || n === "node-gpu") return "tfjs-node-gpu";
  return (BACKEND_ORDER as readonly string[]).includes(n) ? (n as BackendName) : undefined;
}

/** The minimal part of tfjs' KernelBackend the fallback kernels use. */
interface HostBackend {
  readSync(dataId: object): ArrayLike<number>;
  write(values: Float32Array | Int32Array, shape: number[], dtype: string): object;
}

/**
 * Kernels the wasm backend lacks that the lowering (or tfjs' own gradients: gather's is a segment sum) needs,
 * registered once as host (JS) kernels: UnsortedSegmentSum.
 */
function registerWasmFallbacks(tf: TF): void {
  if (tf.getKernel("UnsortedSegmentSum", "wasm") !== undefined) return;
  tf.registerKernel({
    kernelName: "UnsortedSegmentSum",
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { x, segmentIds } = inputs as { x: TensorInfoLike; segmentIds: TensorInfoLike };
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const be = backend as HostBackend;
      const xv = be.readSync(x.dataId);
      const ids = be.readSync(segmentIds.dataId);
      const inner = x.shape.slice(segmentIds.shape.length).reduce((a, b) => a * b, 1);
      const out = x.dtype === "int32" ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
      for (let i = 0; i < ids.length; i++) {
        const s = ids[i]!;
        if (s < 0 || s >= numSegments) continue;
        for (let j = 0; j < inner; j++) out[s * inner + j]! += xv[i * inner + j]!;
      }
      const shape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
      const dtype = x.dtype === "int32" ? "int32" : "float32";
      return { dataId: be.write(out, shape, dtype), shape, dtype };
    },
  });
}

interface TensorInfoLike {
  dataId: object;
  shape: number[];
  dtype: string;
}
