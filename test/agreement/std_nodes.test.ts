// Three-way agreement on every std node (stdlib/*.rlp), through the small pipeline per node of
// test/autodiff/std_cases.ts on its seeded inputs (test/autodiff/std_inputs.ts: an all-masked row, a length-1 row
// and a zero-variance group at the main sizes; singleton groups and T = 1 at the tiny sizes), rounded to float32:
// the reference with its symbolic gradients, the fused JS kernels and tfjs-cpu (customGrad) agree on every result
// and `dL/dx`; symbolic gradients match central differences (detach held); tfjs autograd matches on tie-free inputs.
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TF } from "../../runtime/backends/tfjs/types.ts";
import { caseText, STD_CASES, type StdCase } from "../autodiff/std_cases.ts";
import { inputDecls, MAIN, stdInputs, TINY } from "../autodiff/std_inputs.ts";
import { compileText, repoPath } from "../stdlib/harness.ts";
import { checkFiniteDifferences, checkTfjsAutograd, checkThreeWay, cpuTf, subject, type Subject } from "./harness.ts";
import { roundF32, tieFree } from "../kit/index.ts";

/** Every node defined in stdlib/*.rlp. */
function stdNodes(): string[] {
  const names: string[] = [];
  for (const f of readdirSync(repoPath("stdlib")).filter((x) => x.endsWith(".rlp"))) {
    for (const m of readFileSync(repoPath(`stdlib/${f}`), "utf8").matchAll(/^node\s+(\w+)\s*\(/gm)) names.push(m[1]!);
  }
  return names.sort();
}

/**
 * Cases whose edge-case inputs reach a point where tfjs autograd's convention differs from the reference's
 * (runtime/backends/tfjs/grad.ts; pinned in test/tfjs/conventions.test.ts): why, as shown in the test name.
 */
const ZERO_VAR =
  "tfjs autograd takes 0·inf = NaN at the std of the zero-variance group of the differentiable r (the reference's strong zero gives 0)";
const AUTOGRAD_NAN: Record<string, string> = {
  "group_norm, group_center, batch_norm": ZERO_VAR,
  grpo_advantage: ZERO_VAR,
  dcpo_sas: ZERO_VAR,
};

describe("three-way agreement on every std node (reference f64 + symbolic gradients, fused JS f32, tfjs-cpu)", () => {
  let tf: TF;
  const subjects = new Map<string, Subject>();
  const get = (c: StdCase): Subject => {
    let s = subjects.get(c.name);
    if (s === undefined) subjects.set(c.name, (s = subject(compileText(caseText(c, inputDecls(c.body)), c.name), c.name)));
    return s;
  };
  beforeAll(async () => {
    tf = await cpuTf();
  });
  afterAll(async () => {
    for (const s of subjects.values()) await s.kernels.close();
  });

  it("every std node is called by a case", () => {
    const bodies = STD_CASES.map((c) => c.body).join("\n");
    const missing = stdNodes().filter((n) => !new RegExp(`\\b${n}\\(`).test(bodies));
    expect(missing, "std nodes without a case in test/autodiff/std_cases.ts").toEqual([]);
  });

  for (const c of STD_CASES) {
    it(`${c.name}: outputs and gradients agree (main sizes with edge cases, tiny sizes)`, async () => {
      const s = get(c);
      const main = await checkThreeWay(tf, s, roundF32(stdInputs(s.program, MAIN, c.mask ?? "edge")), "main sizes");
      expect(main, `${c.name}: the main-size inputs were compared`).toBe("compared");
      await checkThreeWay(tf, s, roundF32(stdInputs(s.program, TINY, c.mask ?? "edge")), "tiny sizes");
    });
    it(`${c.name}: symbolic gradients match central differences of the reference (detach held)`, () => {
      const s = get(c);
      checkFiniteDifferences(s, roundF32(stdInputs(s.program, MAIN, c.mask ?? "edge")), "main sizes");
    });
    const singular = AUTOGRAD_NAN[c.name];
    it(`${c.name}: tfjs autograd matches the symbolic gradients (edge-case inputs${singular ? `, except NaN where ${singular}` : ""}; tie-free inputs)`, () => {
      const s = get(c);
      const nans = checkTfjsAutograd(tf, s, roundF32(stdInputs(s.program, MAIN, c.mask ?? "edge")), "main sizes", {
        nanAtSingular: singular !== undefined,
      });
      if (singular !== undefined)
        expect(nans, `${c.name}: tfjs autograd's NaN entries (the convention the test name states)`).toBeGreaterThan(0);
      checkTfjsAutograd(tf, s, tieFree(s.program, roundF32(stdInputs(s.program, MAIN, c.mask ?? "edge", 2)), 2), "tie-free");
    });
  }
});
