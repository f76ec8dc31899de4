// Shared pieces of the tfjs backend tests: backend set-up, float32-vs-float64 comparisons against the reference.
import { expect } from "vitest";
import type { IRProgram, ResultKind } from "../../compiler/ir/ir.ts";
import { evaluate, type EvaluateOptions } from "../../runtime/backends/reference/index.ts";
import { gradients } from "../oracle/reverse_mode.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import { selectBackend, type BackendName } from "../../runtime/backends/tfjs/backend.ts";
import { tfjsAutogradGradients } from "../../runtime/backends/tfjs/grad.ts";
import { runTfjs } from "../../runtime/backends/tfjs/lower.ts";
import type { TF } from "../../runtime/backends/tfjs/types.ts";

/** Makes `name` the active tfjs backend (tfjs is loaded once per test file). */
export async function useBackend(name: BackendName): Promise<TF> {
  const sel = await selectBackend(name);
  expect(sel.tf.getBackend()).toBe(sel.engine);
  return sel.tf;
}

export const RTOL = 1e-4;
export const ATOL = 1e-5;

/** f32 device results against f64 reference values: |a - e| <= atol + rtol·|e|; NaN and ±inf must match exactly. */
export function expectAgree(
  actual: Tensor | undefined,
  expected: Tensor | undefined,
  what: string,
  rtol = RTOL,
  atol = ATOL,
): void {
  if (expected === undefined) throw new Error(`${what}: no reference value`);
  expect(actual, `${what}: missing`).toBeDefined();
  const a = actual!;
  expect(a.dims, `${what}: dims`).toEqual(expected.dims);
  expect(a.shape, `${what}: shape`).toEqual(expected.shape);
  for (let i = 0; i < expected.data.length; i++) {
    const x = a.data[i]!;
    const e = expected.data[i]!;
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      expect(Object.is(x, e) || (Number.isNaN(x) && Number.isNaN(e)) || x === e, `${what}[${i}]: ${x} vs ${e}`).toBe(true);
      continue;
    }
    expect(Math.abs(x - e) <= atol + rtol * Math.abs(e), `${what}[${i}]: tfjs ${x} vs reference ${e}`).toBe(true);
  }
}

/** A copy of `program` with an `output` result for every node that is not already a result (to compare them all). */
export function everyNodeOutput(program: IRProgram, kinds: ResultKind[] = ["output"]): IRProgram {
  const taken = new Set(program.results.map((r) => r.node));
  const extra = program.nodes.filter((n) => !taken.has(n.id)).map((n) => ({ name: `%${n.id}`, kind: kinds[0]!, node: n.id }));
  return { ...program, results: [...program.results, ...extra] };
}

/** Forward results of tfjs and the reference agree. Returns the reference evaluation. */
export function expectForwardAgrees(
  tf: TF,
  program: IRProgram,
  inputs: Record<string, Tensor>,
  options: EvaluateOptions = {},
): ReturnType<typeof evaluate> {
  const ev = evaluate(program, inputs, options);
  const live = tf.memory().numTensors;
  const tr = runTfjs(tf, program, inputs, options.state ? { state: options.state } : {});
  expect(tf.memory().numTensors, `${program.pipeline}: runTfjs leaves no tensors behind`).toBe(live);
  for (const r of program.results) {
    const node = program.nodes[r.node]!;
    expectAgree(
      tr.results[r.name],
      ev.results[r.name],
      `${program.pipeline}: ${r.name} (%${r.node} ${node.op.op}${"fn" in node.op ? ` ${node.op.fn}` : ""})`,
    );
  }
  return ev;
}

/** tfjs autograd gradients agree with the reference's gradients() for every loss and differentiable input. */
export function expectAutogradAgrees(tf: TF, program: IRProgram, inputs: Record<string, Tensor>, rtol = RTOL, atol = ATOL): void {
  const ev = evaluate(program, inputs);
  const live = tf.memory().numTensors;
  const got = tfjsAutogradGradients(tf, program, inputs);
  expect(tf.memory().numTensors, `${program.pipeline}: tfjsAutogradGradients leaves no tensors behind`).toBe(live);
  for (const loss of program.results.filter((r) => r.kind === "loss")) {
    const ref = gradients(program, ev, loss.node);
    for (const [x, g] of Object.entries(ref))
      expectAgree(got[`d${loss.name}/d${x}`], g, `${program.pipeline}: d${loss.name}/d${x}`, rtol, atol);
  }
}
