// `rlp test --gradcheck`: checks the gradients that custom nodes supply (their `gradient`, a vector-Jacobian product
// written by hand, which the symbolic gradient program calls) against central finite differences of the float64
// reference evaluator, on each case's inputs.
// For a case whose program calls a custom node with a gradient, every `dL/dx` (loss L, differentiable input x) that
// `rlp eval --grad` prints is compared, element by element, with (L(x + h) - L(x - h)) / 2h. A case without such a
// node is skipped: std nodes' gradients are derived by the compiler, not written by hand.
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import { isDifferentiable } from "../../../compiler/ir/ir.ts";
import { loadPlugins } from "../../library/plugin/registry.ts";
import type { Tensor } from "../../library/tensor.ts";
import type { GoldenCase } from "./cases.ts";
import { compareOutputs, differenceTable, formatError, type OutputProblem } from "./compare.ts";
import type { CaseOutcome, Prepared } from "./run.ts";

export interface GradcheckOptions {
  /** The finite-difference step h. */
  step: number;
  /** An element passes when |analytic - numeric| <= atol + rtol * |numeric|. */
  rtol: number;
  atol: number;
}

export const GRADCHECK_DEFAULTS: GradcheckOptions = { step: 1e-6, rtol: 1e-4, atol: 1e-6 };

/** The backend name gradcheck outcomes carry (a JUnit suite of its own). */
export const GRADCHECK = "gradcheck";

/** The custom nodes of the program that supply a gradient, as `name (plugin file)`, sorted. */
export function customGradientNodes(program: IRProgram): string[] {
  const names = new Set<string>();
  for (const n of program.nodes) if (n.op.op === "custom" && n.op.call.differentiable) names.add(n.op.call.node);
  return [...names].sort();
}

export type GradcheckOutcome = Omit<CaseOutcome, "status"> & { status: CaseOutcome["status"] | "skipped" };

/** Checks one case's gradients. `prepared` is the case compiled and its inputs read (run.ts prepareCase). */
export async function gradcheckCase(
  c: GoldenCase,
  prepared: Prepared,
  options: GradcheckOptions = GRADCHECK_DEFAULTS,
): Promise<GradcheckOutcome> {
  const t0 = performance.now();
  const done = (o: Omit<GradcheckOutcome, "case" | "backend" | "timeMs">): GradcheckOutcome => ({
    case: c,
    backend: GRADCHECK,
    timeMs: performance.now() - t0,
    ...o,
  });
  if ("error" in prepared) return done({ status: "error", message: prepared.error, details: prepared.details });
  const { program, inputs } = prepared.ok;
  const nodes = customGradientNodes(program);
  if (nodes.length === 0) return done({ status: "skipped", message: "no custom node with a gradient", details: [] });
  const wrt = program.inputs.filter((i) => isDifferentiable(program, i) && inputs[i.name] !== undefined);
  const losses = program.results.filter((r) => r.kind === "loss");

  const { EvalError, symbolicGradients, numericGradient } = await import("../../backends/reference/index.ts");
  const analytic: Record<string, Tensor> = {};
  const numeric: Record<string, Tensor> = {};
  try {
    await loadPlugins(program);
    const g = symbolicGradients(program, inputs);
    for (const loss of losses) {
      for (const x of wrt) {
        const name = `d${loss.name}/d${x.name}`;
        numeric[name] = numericGradient(program, inputs, loss.node, x.name, options.step);
        analytic[name] = g[name] ?? { ...numeric[name]!, data: new Float64Array(numeric[name]!.data.length) };
      }
    }
  } catch (e) {
    if (e instanceof EvalError)
      return done({ status: "error", message: `run-time error[${e.code}]: ${e.message.split("\n")[0]}`, details: [] });
    throw e;
  }
  const checked = Object.keys(numeric);
  if (checked.length === 0) return done({ status: "skipped", message: "no loss with a differentiable input", details: [] });
  const cmp = compareOutputs(numeric, analytic, options, { maxDiffs: 5 });
  const about = `custom node${nodes.length === 1 ? "" : "s"} ${nodes.join(", ")}`;
  const elements = checked.reduce((s, k) => s + numeric[k]!.data.length, 0);
  if (cmp.ok)
    return done({
      status: "passed",
      message: `${checked.join(", ")}: ${elements} element${elements === 1 ? "" : "s"} agree (${about})`,
      details: [],
    });
  const bad = cmp.problems.length;
  return done({
    status: "failed",
    message: `${bad} gradient${bad === 1 ? " differs" : "s differ"} from central differences (${about})`,
    details: formatGradProblems(cmp.problems, options),
  });
}

/** `1e-6` rather than `0.000001`. */
function num(x: number): string {
  return x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential() : String(x);
}

/** One block per gradient: how many elements differ, then a table of the first ones (index, analytic, numeric). */
export function formatGradProblems(problems: readonly OutputProblem[], o: GradcheckOptions): string[] {
  const lines: string[] = [];
  for (const p of problems) {
    if (p.kind !== "values") {
      lines.push(`${p.name}: the gradient and the finite differences do not have the same dims (${p.kind})`);
      continue;
    }
    lines.push(
      `${p.name}: ${p.count} of ${p.total} element${p.total === 1 ? "" : "s"} differ (step ${num(o.step)}, rtol ${num(o.rtol)}, atol ${num(o.atol)}; largest abs error ${formatError(p.maxAbs)}, rel ${formatError(p.maxRel)})`,
    );
    lines.push(...differenceTable(p, ["gradient", "finite diff"], (d) => [d.actual, d.expected], "  "));
  }
  return lines;
}
