// `rlp eval` end to end with the real input reader and reference evaluator, and compileFile mocked to return a
// hand-built IR program (fixed node ids for --grad and a data-dependent require), independent of the compiler.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { main } from "../../cli/main.ts";
import { readInputs } from "../../runtime/library/io/read_inputs.ts";
import { tempDir, writeJson } from "./helpers.ts";
import { captured, type CliRun } from "../run_cli.ts";

/** loss L = sum(logp * f32(mask)) over [P, T]; metric n = sum(f32(mask)); require mask somewhere. */
function toy(): IRProgram {
  const f = (dims: string[]) => ({ dtype: "f32" as const, dims });
  return {
    pipeline: "toy",
    dims: [{ name: "P" }, { name: "T" }],
    inputs: [
      {
        name: "logp",
        node: 0,
        type: f(["P", "T"]),
        mark: "policy",
        span: { file: "toy.rlp", start: 0, end: 0, line: 3, col: 3 },
      },
      {
        name: "mask",
        node: 1,
        type: { dtype: "bool", dims: ["P", "T"] },
        span: { file: "toy.rlp", start: 0, end: 0, line: 4, col: 3 },
      },
    ],
    params: [],
    nodes: [
      { id: 0, op: { op: "input", name: "logp" }, args: [], type: f(["P", "T"]), grad: ["policy"] },
      { id: 1, op: { op: "input", name: "mask" }, args: [], type: { dtype: "bool", dims: ["P", "T"] }, grad: [] },
      { id: 2, op: { op: "cast", to: "f32" }, args: [1], type: f(["P", "T"]), grad: [] },
      { id: 3, op: { op: "binary", fn: "mul" }, args: [0, 2], type: f(["P", "T"]), grad: ["policy"] },
      {
        id: 4,
        op: { op: "reduce", fn: "sum", over: ["P", "T"], hasWhere: false, empty: 0 },
        args: [3],
        type: f([]),
        grad: ["policy"],
      },
      { id: 5, op: { op: "reduce", fn: "sum", over: ["P", "T"], hasWhere: false, empty: 0 }, args: [2], type: f([]), grad: [] },
      { id: 6, op: { op: "const", value: 0 }, args: [], type: f([]), grad: [] },
      { id: 7, op: { op: "binary", fn: "gt" }, args: [5, 6], type: { dtype: "bool", dims: [] }, grad: [] },
    ],
    results: [
      { name: "L", kind: "loss", node: 4 },
      { name: "n", kind: "metric", node: 5 },
    ],
    states: [],
    requires: [{ cond: 7, message: "at least one token must be unmasked" }],
    marks: ["policy"],
  };
}

vi.mock("../../compiler/index.ts", () => ({
  compileFile: (path: string) => ({ programs: [toy()], diagnostics: [], sources: new Map([[path, ""]]) }),
}));

async function cli(...argv: string[]): Promise<CliRun> {
  return captured(main, argv);
}

describe("rlp eval (stub compiler)", () => {
  let dir: string;
  let src: string;
  beforeEach(() => {
    dir = tempDir();
    src = join(dir, "toy.rlp");
    writeFileSync(src, "// compiled by the mock\n");
  });

  it("prints losses and metrics as JSON", async () => {
    const inputs = writeJson(dir, "in.json", { logp: [[-1, -2, -3]], mask: [[1, 1, 0]] });
    const r = await cli("eval", src, "--inputs", inputs);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ L: { dims: [], shape: [], data: [-3] }, n: { dims: [], shape: [], data: [2] } });
  });

  it("--grad adds dL/dx for each differentiable input", async () => {
    const inputs = writeJson(dir, "in.json", { logp: [[-1, -2, -3]], mask: [[true, false, true]] });
    const r = await cli("eval", src, "--inputs", inputs, "--grad");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)["dL/dlogp"]).toEqual({ dims: ["P", "T"], shape: [1, 3], data: [1, 0, 1] });
  });

  it("--out writes JSON or safetensors", async () => {
    const inputs = writeJson(dir, "in.json", { logp: [[-1, -2, -3]], mask: [[1, 1, 1]] });
    const out = join(dir, "res.safetensors");
    const r = await cli("eval", src, "--inputs", inputs, "--grad", "--out", out);
    expect(r.code).toBe(0);
    expect(r.out).toBe("");
    const back = readInputs(out, { ...toy(), inputs: [{ name: "L", node: 4, type: { dtype: "f32", dims: [] } }] });
    expect(back.tensors.L!.data[0]).toBe(-6);
    const j = join(dir, "res.json");
    expect((await cli("eval", src, "--inputs", inputs, "--out", j)).code).toBe(0);
    expect(JSON.parse(readFileSync(j, "utf8")).n.data).toEqual([3]);
  });

  it("bad inputs: one line per error with its code, exit 2", async () => {
    const inputs = writeJson(dir, "in.json", { logp: [[-1, -2, -3]], mask: [[1, 1]] });
    const r = await cli("eval", src, "--inputs", inputs);
    expect(r.code).toBe(2);
    expect(r.err).toBe("rlp eval: error[RLP503]: input 'mask': dim T has size 2, but input 'logp' gave T = 3\n");
    const missing = await cli("eval", src, "--inputs", join(dir, "nope.json"));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^rlp eval: error\[RLP507\]: cannot read inputs file '.*nope\.json': no such file\n$/);
  });

  it("a failed require is a run-time error, exit 2", async () => {
    const inputs = writeJson(dir, "in.json", { logp: [[-1, -2, -3]], mask: [[0, 0, 0]] });
    const r = await cli("eval", src, "--inputs", inputs);
    expect(r.code).toBe(2);
    expect(r.err).toBe("rlp eval: error[require]: require failed: at least one token must be unmasked\n");
  });
});
