// RLP_VERIFY: the IR verifier after every stage that yields IR, checkPlan after `plan`. A pass that breaks an
// invariant (here applyIdentities, made to mistype a node through vi.mock) is caught right after it, by name; the
// examples pass every check, forward and with gradients.
import { readdirSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { checkPlan } from "../../compiler/pipeline/check_plan.ts";
import {
  elaborate,
  gradientProgram,
  kernelPlan,
  PipelineVerifyError,
  runPipeline,
  verifyFromEnv,
} from "../../compiler/pipeline/index.ts";
import { verifyAfter } from "../../compiler/pipeline/verify_stage.ts";

const broken = vi.hoisted(() => ({ on: false }));

vi.mock("../../compiler/simplify/identities.ts", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../compiler/simplify/identities.ts")>();
  return {
    ...real,
    applyIdentities: (p: IRProgram): IRProgram => {
      const out = real.applyIdentities(p);
      if (!broken.on) return out;
      // a deliberately wrong pass: the first exp loses its dims
      const k = out.nodes.findIndex((n) => n.op.op === "unary" && n.op.fn === "exp" && n.type.dims.length > 0);
      return { ...out, nodes: out.nodes.map((n, i) => (i === k ? { ...n, type: { ...n.type, dims: [] } } : n)) };
    },
  };
});

const grpo = (): IRProgram => elaborate("examples/grpo.rlp").programs[0]!;

afterEach(() => {
  broken.on = false;
  vi.unstubAllEnvs();
});

describe("RLP_VERIFY", () => {
  it("is read from the environment", () => {
    expect(verifyFromEnv({ RLP_VERIFY: "1" })).toBe(true);
    expect(verifyFromEnv({ RLP_VERIFY: "0" })).toBe(false);
    expect(verifyFromEnv({})).toBe(false);
  });

  it("catches a broken simplify pass right after it, naming the stage and the node", () => {
    broken.on = true;
    vi.stubEnv("RLP_VERIFY", "0"); // (npm run test:verify sets it for the whole suite)
    expect(() => gradientProgram(grpo())).not.toThrow(); // unverified, the damage goes unnoticed
    vi.stubEnv("RLP_VERIFY", "1");
    let error: unknown;
    try {
      gradientProgram(grpo());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PipelineVerifyError);
    const e = error as PipelineVerifyError;
    expect(e.stage).toBe("applyIdentities");
    // the mistyped node, and its consumers whose type rules now disagree
    expect(e.message.split("\n")[0]).toMatch(
      /^RLP_VERIFY: the program of pipeline 'grpo' is malformed after stage 'applyIdentities' \(\d+ problems\):$/,
    );
    expect(e.message).toMatch(/node %\d+ \(unary\): has type f32\[\], its op's type rule gives f32\[P, G, T\]/);
  });

  it("checks the plan: a kernel that reads a buffer no earlier kernel writes, a result without a buffer", () => {
    const plan = kernelPlan(gradientProgram(grpo()));
    expect(checkPlan(plan)).toEqual([]);
    const last = plan.kernels[plan.kernels.length - 1]!;
    const lateWrite = last.writes.find((b) => plan.buffers[b]!.role !== "input")!;
    const first = { ...plan.kernels[0]!, reads: [...plan.kernels[0]!.reads, lateWrite] };
    const bad = { ...plan, kernels: [first, ...plan.kernels.slice(1)], results: { ...plan.results, ghost: plan.buffers.length } };
    const problems = checkPlan(bad);
    expect(problems).toContain(`kernel ${first.name} reads ${plan.buffers[lateWrite]!.name} before any kernel writes it`);
    expect(problems).toContain(`result ghost maps to buffer ${plan.buffers.length}, which does not exist`);
    expect(() => verifyAfter("plan", { kind: "plan", plan: bad }, "grpo")).toThrow(/after stage 'plan' \(2 problems\)/);
  });

  it("finds nothing wrong on any example, forward and with gradients, at every stage", () => {
    const files = readdirSync("examples").filter((f) => f.endsWith(".rlp"));
    expect(files.length).toBeGreaterThan(10);
    let stages = 0;
    for (const f of files) {
      for (const program of elaborate(`examples/${f}`).programs) {
        for (const grad of [false, true]) runPipeline(program, { grad, verify: true, after: () => void stages++ });
      }
    }
    expect(stages).toBeGreaterThan(files.length * 10);
  });
});
