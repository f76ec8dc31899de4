// The backends `rlp test` can check goldens on. Each runs a checked program on inputs and returns what `rlp eval`
// prints: every loss, metric, output and advantage by result name, and with `grad` the gradient `dL/dx` of each
// loss L with respect to each differentiable input x.
//
// "reference" (the float64 evaluator) is built in. Other backends are modules that teammates provide; a module
// exports either `goldenBackend: GoldenBackend` or `createGoldenBackend(): GoldenBackend | Promise<GoldenBackend>`:
//   js    runtime/tools/golden/js_backend.ts      (fused JS kernels, float32)
//   tfjs  runtime/tools/golden/tfjs_backend.ts    (tfjs ops)
import { isDifferentiable, type IRProgram } from "../../../compiler/ir/ir.ts";
import { loadPlugins } from "../../library/plugin/registry.ts";
import { filled, type Tensor } from "../../library/tensor.ts";
import type { EvalErrorCode } from "../../library/ops/common.ts";

export interface GoldenRunOptions {
  /** Also compute `dL/dx` for every loss L and differentiable input x. */
  grad: boolean;
}

export interface GoldenBackend {
  readonly name: string;
  /** Default tolerances for comparing this backend's results with goldens (a case may override them). */
  readonly rtol: number;
  readonly atol: number;
  run(
    program: IRProgram,
    inputs: Record<string, Tensor>,
    options: GoldenRunOptions,
  ): Record<string, Tensor> | Promise<Record<string, Tensor>>;
}

/** An error the backend raises for bad data (a failed `require`, ...): reported as the case's failure, with its code. */
export class GoldenRunError extends Error {
  constructor(
    readonly code: EvalErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class BackendUnavailable extends Error {}

/** The result kinds `rlp eval` prints. */
export const RESULT_KINDS: ReadonlySet<string> = new Set(["loss", "output", "metric", "advantage"]);

/** The float64 reference evaluator, exactly as `rlp eval [--grad]` runs it (gradients: the symbolic gradient program). */
export const referenceBackend: GoldenBackend = {
  name: "reference",
  rtol: 1e-9,
  atol: 1e-12,
  async run(program, inputs, options) {
    const reference = await import("../../backends/reference/index.ts");
    try {
      await loadPlugins(program);
      return evalOutputs(program, inputs, options, reference);
    } catch (e) {
      if (e instanceof reference.EvalError) throw new GoldenRunError(e.code, e.message.split("\n")[0] ?? "");
      throw e;
    }
  },
};

/** The reference evaluator and its gradients (loaded lazily: `rlp check` does not need them). */
type Reference = Pick<typeof import("../../backends/reference/index.ts"), "evaluate" | "symbolicGradients">;

/** The outputs of `rlp eval`: results by name, then `dL/dx` (zeros where L does not depend on x). */
export function evalOutputs(
  program: IRProgram,
  inputs: Record<string, Tensor>,
  options: GoldenRunOptions,
  reference: Reference,
): Record<string, Tensor> {
  const outputs: Record<string, Tensor> = {};
  const ev = reference.evaluate(program, inputs);
  for (const r of program.results) {
    if (!RESULT_KINDS.has(r.kind)) continue;
    const v = ev.results[r.name] ?? ev.values[r.node];
    if (v) outputs[r.name] = v;
  }
  if (options.grad) {
    const marked = program.inputs.filter((i) => isDifferentiable(program, i));
    const g = reference.symbolicGradients(program, inputs);
    for (const loss of program.results.filter((r) => r.kind === "loss")) {
      for (const x of marked) {
        const name = `d${loss.name}/d${x.name}`;
        outputs[name] =
          g[name] ??
          filled(
            "f32",
            x.type.dims,
            x.type.dims.map((d) => ev.dimSizes[d] ?? 0),
            0,
          );
      }
    }
  }
  return outputs;
}

/** Backends provided by other modules, relative to this file (loaded on first use: tfjs is heavy to load). */
export const EXTERNAL_BACKENDS: Readonly<Record<string, string>> = { js: "./js_backend.ts", tfjs: "./tfjs_backend.ts" };

export const BACKEND_NAMES: readonly string[] = ["reference", ...Object.keys(EXTERNAL_BACKENDS)];

/** The backend called `name`. Throws BackendUnavailable for an unknown name or a module that provides no backend. */
export async function loadGoldenBackend(name: string): Promise<GoldenBackend> {
  if (name === "reference") return referenceBackend;
  const module = EXTERNAL_BACKENDS[name];
  if (!module) throw new BackendUnavailable(`unknown backend '${name}' (backends: ${BACKEND_NAMES.join(", ")})`);
  const where = `runtime/tools/golden/${module.replace(/^\.\//, "")}`;
  const mod = (await import(new URL(module, import.meta.url).href)) as { goldenBackend?: unknown; createGoldenBackend?: unknown };
  const backend =
    typeof mod.createGoldenBackend === "function" ? await (mod.createGoldenBackend as () => unknown)() : mod.goldenBackend;
  if (!isGoldenBackend(backend))
    throw new BackendUnavailable(
      `backend '${name}': ${where} exports neither goldenBackend nor createGoldenBackend() with run(program, inputs, options)`,
    );
  return backend;
}

function isGoldenBackend(x: unknown): x is GoldenBackend {
  if (typeof x !== "object" || x === null) return false;
  const b = x as Partial<GoldenBackend>;
  return typeof b.run === "function" && typeof b.rtol === "number" && typeof b.atol === "number" && typeof b.name === "string";
}
