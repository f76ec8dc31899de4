// `rlp eval` takes a stage's value from the inputs file when it is there (DESIGN.md section 3): here the advantage.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { compileFile } from "../../compiler/index.ts";
import { suppliableStages, withSuppliedStages } from "../../compiler/stage_inputs.ts";
import { captured, type CliRun } from "../run_cli.ts";

async function run(argv: string[]): Promise<CliRun> {
  return captured(main, argv);
}

describe("supplying a stage's value", () => {
  it("lists rollout, reward and advantage stages only", () => {
    const program = compileFile("examples/ppo.rlp").programs[0]!;
    expect(suppliableStages(program).sort()).toEqual(["A", "tr"]);
    const changed = withSuppliedStages(program, ["A", "L"]);
    expect(changed.inputs.map((i) => i.name)).toContain("A");
    expect(changed.inputs.map((i) => i.name)).not.toContain("L");
    expect(program.inputs.map((i) => i.name)).not.toContain("A"); // the original is untouched
  });

  it("uses a supplied advantage instead of computing it", async () => {
    const doc = JSON.parse(readFileSync("examples/data/grpo.json", "utf8")) as Record<string, unknown>;
    doc.A = { dims: ["P", "G"], data: [[1, 0, 0, -1]] };
    const dir = mkdtempSync(join(tmpdir(), "rlp-stage-"));
    const path = join(dir, "with_advantage.json");
    writeFileSync(path, JSON.stringify(doc));
    const r = await run(["eval", "examples/grpo.rlp", "--inputs", path]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.out) as Record<string, { data: number[] }>;
    expect(printed.A!.data).toEqual([1, 0, 0, -1]);
    const computed = JSON.parse((await run(["eval", "examples/grpo.rlp", "--inputs", "examples/data/grpo.json"])).out) as Record<
      string,
      { data: number[] }
    >;
    expect(printed.L!.data[0]).not.toBeCloseTo(computed.L!.data[0]!, 3);
  });

  it("validates a supplied stage like any input", async () => {
    const doc = JSON.parse(readFileSync("examples/data/grpo.json", "utf8")) as Record<string, unknown>;
    doc.A = { dims: ["P", "G"], data: [[1, 0, 0]] };
    const dir = mkdtempSync(join(tmpdir(), "rlp-stage-"));
    const path = join(dir, "bad_advantage.json");
    writeFileSync(path, JSON.stringify(doc));
    const r = await run(["eval", "examples/grpo.rlp", "--inputs", path]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("RLP503");
    expect(r.err).toContain("'A'");
  });
});
