// What custom nodes compute, through `rlp eval --grad`: an argument lacking a row dim is broadcast and gets the
// gradient summed over that dim, a node may return several results (a tuple), a Dim parameter passes the dim's name and
// size, and the gradients printed match both the closed form and central finite differences of the evaluator.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileFile } from "../../compiler/index.ts";
import { readJsonInputs } from "../../runtime/library/io/read_inputs.ts";
import { loadPlugins } from "../../runtime/library/plugin/registry.ts";
import { numericGradient } from "../../runtime/backends/reference/index.ts";
import { cli, HEADER, project } from "./helpers.ts";

const PLUGIN = `${HEADER}
/** a · b, elementwise; b may lack some of a's row dims (broadcast). */
export const mul = defineNode({
  forward(a: Tensor<"f32", ["..."]>, b: Tensor<"f32", ["..."]>): Result<"f32", ["..."]> {
    return a.data.map((v, i) => v * b.data[i]!);
  },
  gradient(dy: Tensor<"f32", ["..."]>, a: Tensor<"f32", ["..."]>, b: Tensor<"f32", ["..."]>) {
    return { a: dy.data.map((g, i) => g * b.data[i]!), b: dy.data.map((g, i) => g * a.data[i]!) };
  },
});

/** Two results: the sum of x over a dim, and x squared. */
export const sum_and_square = defineNode({
  forward(x: Tensor<"f32", ["...", "over"]>, over: Dim): [Result<"f32", ["..."]>, Result<"f32", ["...", "over"]>] {
    if (over.name !== "T" || x.dims.join(",") !== "B,T" || x.inner !== over.size) throw new Error("unexpected layout " + x.dims.join(","));
    const s = new Float64Array(x.rows);
    for (let r = 0; r < x.rows; r++) for (let i = 0; i < over.size; i++) s[r]! += x.data[r * over.size + i]!;
    return [s, x.data.map((v) => v * v)];
  },
  gradient(dy: Tensor<"f32">[], x: Tensor<"f32", ["...", "over"]>, over: Dim) {
    return { x: x.data.map((v, j) => dy[0]!.data[Math.floor(j / over.size)]! + 2 * v * dy[1]!.data[j]!) };
  },
});
`;

const PIPELINE = `import "./nodes.ts"

pipeline p {
  dims B, T
  input x: f32[B,T] @policy
  input s: f32[B] @policy
  input mask: bool[B,T]
  let y = mul(x, s)
  let tot, sq = sum_and_square(y, over=T)
  loss L = mean(tot, over=B) + token_mean(sq, mask)
  output Y = y
  output TOT = tot
}
`;

const X = [
  [0.5, -1.0, 2.0],
  [0.1, 0.3, -0.7],
];
const S = [1.5, -2.0];
const MASK = [
  [1, 1, 0],
  [1, 1, 1],
];
const INPUTS = { x: { dims: ["B", "T"], data: X }, s: { dims: ["B"], data: S }, mask: { dims: ["B", "T"], data: MASK } };

type Out = Record<string, { dims: string[]; shape: number[]; data: number[] }>;

async function evalGrad(dir: string): Promise<Out> {
  const r = await cli("eval", join(dir, "main.rlp"), "--inputs", join(dir, "in.json"), "--grad");
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as Out;
}

describe("custom nodes in rlp eval --grad", () => {
  const dir = project({ "nodes.ts": PLUGIN, "main.rlp": PIPELINE, "in.json": JSON.stringify(INPUTS) });

  it("computes a broadcast argument, a tuple result and a Dim parameter", async () => {
    const out = await evalGrad(dir);
    const y = X.map((row, b) => row.map((v) => v * S[b]!));
    expect(out["Y"]!.dims).toEqual(["B", "T"]);
    expect(out["Y"]!.data).toEqual(y.flat());
    expect(out["TOT"]!.dims).toEqual(["B"]);
    out["TOT"]!.data.forEach((v, b) =>
      expect(v).toBeCloseTo(
        y[b]!.reduce((a, c) => a + c, 0),
        12,
      ),
    );
    const count = MASK.flat().reduce((a, c) => a + c, 0);
    const meanTot = y.map((r) => r.reduce((a, c) => a + c, 0)).reduce((a, c) => a + c, 0) / 2;
    const L = meanTot + y.flat().reduce((a, v, i) => a + (MASK.flat()[i]! * v * v) / count, 0);
    expect(out["L"]!.data[0]).toBeCloseTo(L, 12);
  });

  it("gives the broadcast argument the gradient summed over its missing row dim, and matches the closed form", async () => {
    const out = await evalGrad(dir);
    const count = MASK.flat().reduce((a, c) => a + c, 0);
    // dL/dy[b,t] = 1/B + 2·y·mask/count; dL/dx = dL/dy · s[b]; dL/ds[b] = Σ_t dL/dy · x[b,t].
    const dy = X.map((row, b) => row.map((v, t) => 1 / 2 + (2 * v * S[b]! * MASK[b]![t]!) / count));
    expect(out["dL/dx"]!.dims).toEqual(["B", "T"]);
    out["dL/dx"]!.data.forEach((g, i) => expect(g).toBeCloseTo(dy.flat()[i]! * S[Math.floor(i / 3)]!, 12));
    expect(out["dL/ds"]!.dims).toEqual(["B"]);
    expect(out["dL/ds"]!.shape).toEqual([2]);
    out["dL/ds"]!.data.forEach((g, b) =>
      expect(g).toBeCloseTo(
        dy[b]!.reduce((a, d, t) => a + d * X[b]![t]!, 0),
        12,
      ),
    );
  });

  it("matches central finite differences of the reference evaluator", async () => {
    const out = await evalGrad(dir);
    const compiled = compileFile(join(dir, "main.rlp"));
    const program = compiled.programs[0]!;
    const inputs = readJsonInputs(INPUTS, program, "in.json").tensors;
    await loadPlugins(program);
    const loss = program.results.find((r) => r.name === "L")!;
    for (const x of ["x", "s"]) {
      const numeric = numericGradient(program, inputs, loss.node, x, 1e-6);
      const analytic = out[`dL/d${x}`]!;
      expect(analytic.dims).toEqual(numeric.dims);
      analytic.data.forEach((g, i) =>
        expect(Math.abs(g - numeric.data[i]!), `dL/d${x}[${i}]`).toBeLessThan(1e-6 + 1e-4 * Math.abs(numeric.data[i]!)),
      );
    }
  });
});
