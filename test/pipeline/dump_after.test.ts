// compiler/pipeline's stages as `rlp compile --dump-after STAGE` shows them: every stage name dumps what that stage
// made (IR, the kernel plan, the JS module), the stages run in the listed order, and an unknown name is RLP601.
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { elaborate, runPipeline, STAGES, type StageName } from "../../compiler/pipeline/index.ts";
import { captured } from "../run_cli.ts";

const FILE = "examples/grpo.rlp";

function nodeCount(dump: string): number {
  return dump.split("\n").filter((l) => /^%\d+ = /.test(l)).length;
}

describe("rlp compile --dump-after STAGE", () => {
  const dumps = new Map<StageName, string>();
  it.each(STAGES.map((s) => [s]))("%s: dumps the stage's output", async (stage) => {
    const r = await captured(main, ["compile", FILE, "--dump-after", stage]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    dumps.set(stage, r.out);
    if (stage === "plan") expect(r.out).toMatch(/k0_/);
    else if (stage === "generate") expect(r.out).toMatch(/function /);
    else {
      expect(r.out.startsWith("pipeline grpo\ndims P, G, T\n")).toBe(true);
      expect(nodeCount(r.out)).toBeGreaterThan(10);
      const hasGrad = stage !== "elaborate";
      expect(r.out.includes("grad dL/dlogp = %"), stage).toBe(hasGrad);
    }
  });

  it("shows each stage's own output: autodiff adds nodes, simplify removes some, the plan and module differ", () => {
    expect(dumps.size).toBe(STAGES.length);
    const n = (s: StageName): number => nodeCount(dumps.get(s)!);
    expect(n("differentiate")).toBeGreaterThan(n("elaborate"));
    expect(n("simplify")).toBeLessThan(n("differentiate"));
    expect(n("eliminateDeadCode")).toBeLessThanOrEqual(n("cse"));
    expect(new Set(STAGES.map((s) => dumps.get(s))).size).toBeGreaterThan(5);
  });

  it("--no-grad: the forward pass (no gradient results); a gradient stage is a usage error", async () => {
    const lower = await captured(main, ["compile", FILE, "--dump-after", "lower", "--no-grad"]);
    expect(lower.code).toBe(0);
    expect(lower.out).not.toContain("grad dL/dlogp");
    const diff = await captured(main, ["compile", FILE, "--dump-after", "cse", "--no-grad"]);
    expect(diff.code).toBe(64);
    expect(diff.err).toBe("rlp compile: --dump-after cse: with --no-grad the program is neither differentiated nor simplified\n");
  });

  it("RLP601: an unknown stage, with the nearest name and every valid one", async () => {
    const r = await captured(main, ["compile", FILE, "--dump-after", "simplfy"]);
    expect(r.code).toBe(64);
    expect(r.out).toBe("");
    expect(r.err).toBe(
      `rlp compile: error[RLP601]: --dump-after: unknown stage 'simplfy' (did you mean 'simplify'?); the stages are ${STAGES.join(", ")}\n`,
    );
  });

  it("cannot be combined with --dump or -o", async () => {
    const r = await captured(main, ["compile", FILE, "--dump-after", "plan", "--dump", "js"]);
    expect(r.code).toBe(64);
    expect(r.err).toContain("give one of -o DIR, --dump and --dump-after");
  });
});

describe("runPipeline", () => {
  const program = elaborate(FILE).programs[0]!;

  it("runs the stages in the order STAGES lists (a simplify pass once per round)", () => {
    const seen: StageName[] = [];
    runPipeline(program, { grad: true, after: (stage) => void (seen[seen.length - 1] !== stage && seen.push(stage)) });
    const firstRound = [...new Set(seen)];
    expect(["elaborate", ...firstRound]).toEqual(STAGES);
  });

  it("stops after `until`, and the forward pass skips differentiate and simplify", () => {
    const upToSimplify = runPipeline(program, { grad: true, until: "simplify" });
    expect(upToSimplify.plan).toBeUndefined();
    expect(upToSimplify.program.results.some((r) => r.kind === "grad")).toBe(true);
    const seen = new Set<StageName>();
    const forward = runPipeline(program, { after: (s) => void seen.add(s) });
    expect([...seen]).toEqual(["lower", "plan", "generate"]);
    expect(forward.program).toBe(program);
    expect(forward.js?.source).toContain("function ");
  });
});
