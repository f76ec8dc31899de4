// The kernel plan: GRPO's forward + backward fuses into 2 kernels (per-row counts / everything per token) with no
// per-token intermediate buffer; plans, dumps and generated modules are deterministic; generated kernels never
// allocate; the standalone driver of a generated module agrees with the runtime.
import { describe, expect, it } from "vitest";
import { gradientProgram, kernelPlan } from "../../compiler/pipeline/index.ts";
import { generateJs } from "../../compiler/codegen/js/index.ts";
import { formatPlan, type KernelPlan } from "../../compiler/fuse/index.ts";
import { compileFile } from "../../compiler/index.ts";
import { bindInputs, compileKernels, library, loadGenerated, allocateArray } from "../../runtime/backends/js/index.ts";
import { compileCommand } from "../../cli/compile.ts";
import { compileOne, compileText, repoPath } from "../stdlib/harness.ts";
import { expectClose } from "./helpers.ts";
import { seededInputs } from "../kit/index.ts";
import { PIPELINES } from "./pipelines.ts";

function grpoPlan(): { plan: KernelPlan; sources: Map<string, string> } {
  const r = compileFile(repoPath("examples/grpo.rlp"));
  return { plan: kernelPlan(gradientProgram(r.programs[0]!)), sources: r.sources };
}

describe("the GRPO plan (forward + backward)", () => {
  const { plan, sources } = grpoPlan();
  const name = (id: number): string => plan.buffers[id]!.name;
  const perToken = (id: number): boolean => plan.buffers[id]!.dims.join() === "P,G,T";

  it("has at most 3 kernels (2: the per-row counts, then all per-token work forward and backward)", () => {
    expect(plan.kernels.length).toBeLessThanOrEqual(3);
    expect(plan.kernels.map((k) => k.kind)).toEqual(["loop", "loop"]);
  });

  it("writes no [P,G,T] buffer except the gradient, and has no per-token temporary", () => {
    for (const k of plan.kernels) for (const w of k.writes.filter(perToken)) expect(name(w)).toBe("dL_dlogp");
    expect(plan.buffers.filter((b) => b.role === "temp" && b.dims.join() === "P,G,T")).toEqual([]);
  });

  it("computes the loss rows and dL/dlogp in one kernel that reads each per-token input once", () => {
    const k = plan.kernels.find((x) => x.writes.some((w) => name(w) === "dL_dlogp"))!;
    expect(k.writes.map(name)).toEqual(expect.arrayContaining(["L", "clip_frac", "A", "dL_dlogp"]));
    for (const input of ["logp", "old_logp", "ref_logp"]) {
      expect(plan.kernels.filter((x) => x.reads.some((r) => name(r) === input)).map((x) => x.name)).toEqual([k.name]);
    }
  });

  it("dumps readably: kernels, loop nests, buffers with dims, source spans", () => {
    const text = formatPlan(plan, { sources });
    expect(text).toContain("plan grpo: 2 kernel(s)");
    expect(text).toContain("kernel k1_loop: loop over [P, G, T], outermost loop split over threads");
    expect(text).toMatch(/writes: .*dL_dlogp f32\[P,G,T\]/);
    expect(text).toContain('grpo.rlp:18:37 "beta * kl_k3(logp, ref_logp)"');
    expect(text).toContain("in group_norm (grpo.rlp:16)");
  });
});

describe("determinism and generated code", () => {
  it("the same program gives byte-identical plans dumps and modules", () => {
    const a = grpoPlan();
    const b = grpoPlan();
    expect(formatPlan(a.plan)).toBe(formatPlan(b.plan));
    expect(generateJs(a.plan).source).toBe(generateJs(b.plan).source);
  });

  it("kernels allocate nothing (no `new`, no array or object literals) and are named after IR nodes", () => {
    for (const text of [...Object.values(PIPELINES)]) {
      const p = compileText(text, "alloc");
      const gen = generateJs(kernelPlan(gradientProgram(p)));
      for (const k of gen.kernels) expect(k.source, k.name).not.toMatch(/\bnew\b|= \[|= \{/);
      expect(gen.source).toMatch(/const v\d+ = .*; \/\/ %\d+ /);
    }
  });

  it("the module's own single-threaded `run` (for emitted modules) agrees with the runtime", async () => {
    const program = compileText(PIPELINES.selection!, "standalone");
    const inputs = seededInputs(program, { seed: 9 });
    const ck = compileKernels(program, { threads: 1 });
    const want = await ck.evaluate(inputs);
    const mod = loadGenerated(ck.source);
    const bound = bindInputs(mod.plan, inputs, (d, n) => allocateArray(d, n));
    const got = mod.run(bound.arrays, bound.sizes, {}, library);
    for (const [k, t] of Object.entries(want.results)) {
      expectClose({ ...t, data: Float64Array.from(got[k]!) }, t, k, 0, 0);
    }
  });
});

describe("rlp compile --dump", () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env: {} },
    };
  };
  it("kernels: prints the forward + backward plan", async () => {
    const c = io();
    expect(await compileCommand([repoPath("examples/grpo.rlp"), "--dump", "kernels"], c.io)).toBe(0);
    expect(c.out.join("")).toContain("plan grpo: 2 kernel(s)");
    expect(c.out.join("")).toContain("output dL/dlogp");
  });
  it("js: prints the module; usage errors exit 64", async () => {
    const c = io();
    expect(await compileCommand([repoPath("examples/dpo.rlp"), "--dump", "js", "--no-grad"], c.io)).toBe(0);
    expect(c.out.join("")).toContain("export { plan, kernels, run };");
    const d = io();
    expect(await compileCommand([repoPath("examples/dpo.rlp")], d.io)).toBe(64);
    expect(d.err.join("")).toContain("--dump");
  });
});

it("compileOne works for the examples (sanity)", () => {
  expect(compileOne(repoPath("examples/grpo.rlp")).pipeline).toBe("grpo");
});
