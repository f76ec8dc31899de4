// Running golden cases: compile the pipeline, read its inputs (as `rlp eval` does: a stage value in the inputs file
// is used instead of computing that stage), run a backend, compare with the expected file; or, for --update, record
// the reference evaluator's outputs as the expected file.
import { statSync } from "node:fs";
import { relative } from "node:path";
import { elaborate } from "../../../compiler/pipeline/index.ts";
import type { IRProgram } from "../../../compiler/ir/ir.ts";
import { withSuppliedStages } from "../../../compiler/stage_inputs.ts";
import type { Diagnostic } from "../../../grammar/diagnostic.ts";
import { hasErrors } from "../../../grammar/diagnostic.ts";
import { inputNames } from "../../library/io/input_names.ts";
import { readInputs } from "../../library/io/read_inputs.ts";
import type { Tensor } from "../../library/tensor.ts";
import { GoldenRunError, referenceBackend, type GoldenBackend } from "./backends.ts";
import type { GoldenCase } from "./cases.ts";
import { compareOutputs, formatComparison, type Tolerance } from "./compare.ts";
import { readExpected, writeExpected } from "./expected.ts";

export type CaseStatus = "passed" | "failed" | "error";

export interface CaseOutcome {
  case: GoldenCase;
  backend: string;
  /** failed: the outputs differ from the expected ones; error: the case could not be run or checked. */
  status: CaseStatus;
  /** One line: what went wrong. */
  message?: string;
  /** Further lines: the diff, or the diagnostics. */
  details: string[];
  timeMs: number;
}

export interface PreparedCase {
  program: IRProgram;
  inputs: Record<string, Tensor>;
}

export type Prepared = { ok: PreparedCase } | { error: string; details: string[] };

function rel(p: string): string {
  const r = relative(process.cwd(), p);
  return r === "" || r.startsWith("..") ? p : r;
}

function diagLine(d: Diagnostic): string {
  return `${rel(d.span.file)}:${d.span.line}:${d.span.col}: ${d.severity}[${d.code}]: ${d.message}`;
}

/** Compiles the case's pipeline and reads its inputs. */
export function prepareCase(c: GoldenCase): Prepared {
  try {
    if (!statSync(c.pipeline).isFile()) return { error: `cannot read pipeline '${rel(c.pipeline)}': not a file`, details: [] };
  } catch {
    return { error: `cannot read pipeline '${rel(c.pipeline)}': no such file`, details: [] };
  }
  // `set` may name params (for the compiler) or inputs (broadcast by the reader), as in `rlp eval --set`.
  let paramSet = c.set;
  if (Object.keys(c.set).length > 0) {
    const probe = elaborate(c.pipeline, c.pipelineName === undefined ? {} : { pipeline: c.pipelineName });
    const inputs = new Set(probe.programs.flatMap((p) => p.inputs.map((i) => i.name)));
    paramSet = Object.fromEntries(Object.entries(c.set).filter(([k]) => !inputs.has(k)));
  }
  const compiled = elaborate(
    c.pipeline,
    c.pipelineName === undefined ? { set: paramSet } : { set: paramSet, pipeline: c.pipelineName },
  );
  if (hasErrors(compiled.diagnostics)) {
    const errors = compiled.diagnostics.filter((d) => d.severity === "error");
    return {
      error: `${rel(c.pipeline)} does not compile (${errors.length} error${errors.length === 1 ? "" : "s"})`,
      details: errors.map(diagLine),
    };
  }
  const programs =
    c.pipelineName === undefined ? compiled.programs : compiled.programs.filter((p) => p.pipeline === c.pipelineName);
  if (programs.length !== 1) {
    const names = compiled.programs.map((p) => p.pipeline).join(", ");
    return {
      error:
        programs.length === 0
          ? `${rel(c.pipeline)} has no pipeline${c.pipelineName ? ` '${c.pipelineName}'` : ""}`
          : `${rel(c.pipeline)} declares several pipelines (${names}); name one with "pipelineName"`,
      details: [],
    };
  }
  const program = withSuppliedStages(programs[0]!, inputNames(c.inputs));
  const read = readInputs(c.inputs, program, { set: c.set });
  if (read.errors.length > 0) {
    return { error: `bad inputs in '${rel(c.inputs)}'`, details: read.errors.map((e) => `error[${e.code}]: ${e.message}`) };
  }
  return { ok: { program, inputs: read.tensors } };
}

async function runBackend(
  backend: GoldenBackend,
  p: PreparedCase,
  grad: boolean,
): Promise<{ outputs: Record<string, Tensor> } | { error: string }> {
  try {
    return { outputs: await backend.run(p.program, p.inputs, { grad }) };
  } catch (e) {
    if (e instanceof GoldenRunError) return { error: `run-time error[${e.code}]: ${e.message}` };
    return { error: `the ${backend.name} backend failed: ${String(e instanceof Error ? e.message : e).split("\n")[0]}` };
  }
}

export function toleranceFor(c: GoldenCase, backend: GoldenBackend): Tolerance {
  return { rtol: c.rtol ?? backend.rtol, atol: c.atol ?? backend.atol };
}

/** Checks one case on one backend. `prepared` may be shared between backends. */
export async function checkCase(
  c: GoldenCase,
  backend: GoldenBackend,
  prepared: Prepared = prepareCase(c),
): Promise<CaseOutcome> {
  const t0 = performance.now();
  const done = (o: Omit<CaseOutcome, "case" | "backend" | "timeMs">): CaseOutcome => ({
    case: c,
    backend: backend.name,
    timeMs: performance.now() - t0,
    ...o,
  });
  if ("error" in prepared) return done({ status: "error", message: prepared.error, details: prepared.details });
  const expected = readExpected(c.expected, rel(c.expected));
  if ("error" in expected) return done({ status: "error", message: expected.error, details: [] });
  const run = await runBackend(backend, prepared.ok, c.grad);
  if ("error" in run) return done({ status: "error", message: run.error, details: [] });
  const tol = toleranceFor(c, backend);
  const cmp = compareOutputs(expected.tensors, run.outputs, tol);
  if (cmp.ok) return done({ status: "passed", details: [] });
  const n = cmp.problems.length;
  return done({
    status: "failed",
    message: `${n} output${n === 1 ? " differs" : "s differ"} from ${rel(c.expected)}`,
    details: formatComparison(cmp, tol, ""),
  });
}

export interface UpdateOutcome {
  case: GoldenCase;
  /** written: the expected file was (re)written; unchanged: it already held these outputs exactly. */
  status: "written" | "unchanged" | "error";
  message?: string;
  details: string[];
  /** True when the failure was writing the file. */
  writeFailed?: boolean;
}

/** Records the reference evaluator's outputs as the case's expected file (atomically). */
export async function updateCase(c: GoldenCase, prepared: Prepared = prepareCase(c)): Promise<UpdateOutcome> {
  if ("error" in prepared) return { case: c, status: "error", message: prepared.error, details: prepared.details };
  const run = await runBackend(referenceBackend, prepared.ok, c.grad);
  if ("error" in run) return { case: c, status: "error", message: run.error, details: [] };
  const old = readExpected(c.expected);
  if ("tensors" in old && compareOutputs(old.tensors, run.outputs, { rtol: 0, atol: 0 }).ok)
    return { case: c, status: "unchanged", details: [] };
  try {
    writeExpected(c.expected, run.outputs);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const why =
      code === "ENOENT"
        ? "no such directory"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : String((e as Error).message).split("\n")[0];
    return { case: c, status: "error", message: `cannot write '${rel(c.expected)}': ${why}`, details: [], writeFailed: true };
  }
  return { case: c, status: "written", details: [] };
}
