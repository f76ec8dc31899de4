// Acceptance: `rlp eval examples/grpo.rlp --inputs examples/data/grpo.json --grad`, run through the CLI, prints the
// catalog's PG.GRPO loss and d loss/d logp, and that gradient agrees with central finite differences (f64).
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { compileFile } from "../../compiler/index.ts";
import { readInputs } from "../../runtime/library/io/read_inputs.ts";
import { numericGradient } from "../../runtime/backends/reference/index.ts";
import { captured, type CliRun } from "../run_cli.ts";

interface JsonTensor {
  dims: string[];
  shape: number[];
  data: number[];
}

async function runCli(argv: string[]): Promise<CliRun> {
  return captured(main, argv);
}

describe("rlp eval examples/grpo.rlp --grad", () => {
  it("prints the catalog's loss and gradient, and the gradient matches finite differences", async () => {
    const { code, out, err } = await runCli(["eval", "examples/grpo.rlp", "--inputs", "examples/data/grpo.json", "--grad"]);
    expect(err).toBe("");
    expect(code).toBe(0);
    const printed = JSON.parse(out) as Record<string, JsonTensor>;

    // The catalog (G1, PG.GRPO worked example), printed to 6 significant digits.
    expect(printed.L!.shape).toEqual([]);
    expect(printed.L!.data[0]).toBeCloseTo(0.420531, 6);
    const catalogGrad = [0.001099, -0.124683, -0.138497, 0.050645, -0.004111, 0, 0.057556, 0.041984, 0.069795, 0.566531, 0, 0];
    const g = printed["dL/dlogp"]!;
    expect(g.dims).toEqual(["P", "G", "T"]);
    expect(g.shape).toEqual([1, 4, 3]);
    g.data.forEach((v, i) => expect(Math.abs(v - catalogGrad[i]!)).toBeLessThan(1.5e-6));

    // Central finite differences of the reference evaluator.
    const program = compileFile("examples/grpo.rlp").programs[0]!;
    const inputs = readInputs("examples/data/grpo.json", program).tensors;
    const lossNode = program.results.find((r) => r.name === "L")!.node;
    const fd = numericGradient(program, inputs, lossNode, "logp");
    g.data.forEach((v, i) => {
      const ref = fd.data[i]!;
      expect(Math.abs(v - ref)).toBeLessThanOrEqual(1e-6 * Math.max(Math.abs(ref), 1e-3));
    });
  });
});
