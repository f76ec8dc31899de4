// `rlp eval --grad` prints the production gradient: the symbolic gradient program (compiler/pipeline, what
// `rlp compile` emits kernels for) evaluated in float64, exactly; and the independent float64 reverse mode of
// test/oracle agrees with it (PPO: two losses and two differentiable inputs; ReMax: a loss that does not reach one).
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { isDifferentiable } from "../../compiler/ir/ir.ts";
import { elaborate, gradientProgram } from "../../compiler/pipeline/index.ts";
import { evaluate } from "../../runtime/backends/reference/index.ts";
import { readInputs } from "../../runtime/library/io/read_inputs.ts";
import { formatOutputsJson } from "../../runtime/library/io/write_outputs.ts";
import { gradients } from "../oracle/reverse_mode.ts";
import { captured } from "../run_cli.ts";

type Printed = Record<string, { dims: string[]; shape: number[]; data: number[] }>;

describe.each(["ppo", "remax"])("rlp eval examples/%s.rlp --grad", (name) => {
  it("prints the symbolic gradient program's values, which the oracle reverse mode matches", async () => {
    const r = await captured(main, ["eval", `examples/${name}.rlp`, "--inputs", `examples/data/${name}.json`, "--grad"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.out) as Printed;

    const program = elaborate(`examples/${name}.rlp`).programs[0]!;
    const inputs = readInputs(`examples/data/${name}.json`, program).tensors;
    const grad = gradientProgram(program);
    const symbolic = evaluate(grad, inputs);
    const forward = evaluate(program, inputs);
    const names = grad.results.filter((x) => x.kind === "grad").map((x) => x.name);
    expect(names.length).toBeGreaterThan(0);
    for (const g of names) {
      const want = JSON.parse(formatOutputsJson({ [g]: symbolic.results[g]! })) as Printed;
      expect(printed[g], g).toEqual(want[g]);
    }
    for (const loss of program.results.filter((x) => x.kind === "loss")) {
      const oracle = gradients(program, forward, loss.node);
      for (const x of program.inputs.filter((i) => isDifferentiable(program, i))) {
        const got = printed[`d${loss.name}/d${x.name}`]!.data;
        const ref = oracle[x.name]?.data ?? new Float64Array(got.length);
        got.forEach((v, i) =>
          expect(Math.abs(v - ref[i]!), `d${loss.name}/d${x.name}[${i}]`).toBeLessThanOrEqual(
            1e-12 * Math.max(1, Math.abs(ref[i]!)),
          ),
        );
      }
    }
  });
});
