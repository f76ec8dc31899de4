// cumprod, the scan added through the op registry (compiler/ir/ops.ts), and every scan function of the registry on
// every backend: the reference evaluator, the fused JS kernels and tfjs (issue 10: an unknown scan function used to
// run as cummin on the reference and tfjs and as zeros in the fused kernels). The gradient of cumprod has no
// division, so it is exact where x has zeros: checked against central differences, the reference reverse mode and
// the product rule written out.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { namesOf, SCAN_FNS, type ScanOpName } from "../../compiler/ir/ops.ts";
import { compileKernels } from "../../runtime/backends/js/index.ts";
import { evaluate } from "../../runtime/backends/reference/index.ts";
import { runTfjs } from "../../runtime/backends/tfjs/lower.ts";
import type { TF } from "../../runtime/backends/tfjs/types.ts";
import { tensor, type Tensor } from "../../runtime/library/tensor.ts";
import { Case } from "../autodiff/case.ts";
import { checkFused } from "../fuse/helpers.ts";
import { captured } from "../run_cli.ts";
import { compileText } from "../stdlib/harness.ts";
import { expectAutogradAgrees, expectForwardAgrees, useBackend } from "../tfjs/helpers.ts";

const X = [3, 1, 2, 0.5];

/** Every scan function on X, forward and reverse (worked by hand). A function missing here is a type error. */
const EXPECTED = {
  cumsum: { forward: [3, 4, 6, 6.5], reverse: [6.5, 3.5, 2.5, 0.5] },
  cumprod: { forward: [3, 3, 6, 3], reverse: [3, 1, 1, 0.5] },
  cummax: { forward: [3, 3, 3, 3], reverse: [3, 2, 2, 0.5] },
  cummin: { forward: [3, 1, 1, 0.5], reverse: [0.5, 0.5, 0.5, 0.5] },
} satisfies Record<ScanOpName, { forward: number[]; reverse: number[] }>;

function scanSource(fn: ScanOpName): string {
  return `pipeline scan_${fn} {
  dims T
  input x: f32[T] @policy
  input w: f32[T]
  output y = ${fn}(x, along=T)
  output yr = ${fn}(x, along=T, reverse=true)
  loss L = sum(${fn}(x, along=T) * w + ${fn}(x, along=T, reverse=true) * w * w, over=T)
}`;
}

const vec = (data: number[]): Tensor => tensor("f32", ["T"], [data.length], data);
const inputsOf = (x: number[]): Record<string, Tensor> => ({ x: vec(x), w: vec(x.map((_, i) => 0.5 + 0.25 * i)) });

describe("every scan function of the registry on every backend", () => {
  let tf: TF;
  beforeAll(async () => {
    tf = await useBackend("cpu");
  });

  it("the table of expected values covers the registry", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(namesOf(SCAN_FNS).sort());
  });

  for (const fn of namesOf(SCAN_FNS)) {
    it(`${fn} of [${X.join(", ")}]: reference, fused JS kernels and tfjs`, async () => {
      const program = compileText(scanSource(fn), `scan_${fn}`);
      const inputs = inputsOf(X);
      const ref = evaluate(program, inputs).results;
      expect([...ref.y!.data]).toEqual(EXPECTED[fn].forward);
      expect([...ref.yr!.data]).toEqual(EXPECTED[fn].reverse);
      const ck = compileKernels(program, { threads: 1 });
      try {
        const fused = (await ck.evaluate(inputs)).results;
        expect([...fused.y!.data]).toEqual(EXPECTED[fn].forward);
        expect([...fused.yr!.data]).toEqual(EXPECTED[fn].reverse);
      } finally {
        await ck.close();
      }
      const dev = runTfjs(tf, program, inputs).results;
      expect([...dev.y!.data]).toEqual(EXPECTED[fn].forward);
      expect([...dev.yr!.data]).toEqual(EXPECTED[fn].reverse);
    });
  }

  for (const x of [
    [3, 0, 2, 0.5, -1.5],
    [0, 2, 0, 1.5, 3],
    [0, 0, 0, 0, 0],
  ]) {
    it(`cumprod gradients on [${x.join(", ")}]: fused kernels and tfjs autograd agree with the reference`, async () => {
      const program = compileText(scanSource("cumprod"), "scan_cumprod");
      await checkFused(program, inputsOf(x), { grad: true, what: `cumprod [${x.join(", ")}]` });
      expectForwardAgrees(tf, program, inputsOf(x));
      expectAutogradAgrees(tf, program, inputsOf(x));
    });
  }
});

/** d/dx_j of Σ_k w_k·y_k, y_k = Π_(i<=k) x_i (scan order), by the product rule written out: no division anywhere. */
function productRule(x: number[], w: number[], reverse: boolean): number[] {
  const n = x.length;
  const at = (k: number): number => (reverse ? n - 1 - k : k);
  const out = new Array<number>(n).fill(0);
  for (let j = 0; j < n; j++) {
    for (let k = j; k < n; k++) {
      let p = w[at(k)]!;
      for (let i = 0; i <= k; i++) if (i !== j) p *= x[at(i)]!;
      out[at(j)]! += p;
    }
  }
  return out;
}

describe("the symbolic gradient of cumprod is exact at zeros", () => {
  const cases: [string, number[]][] = [
    ["no zero", [1.5, -0.5, 2, 0.75, -1.25, 0.5]],
    ["one zero", [1.5, -0.5, 0, 0.75, -1.25, 0.5]],
    ["two zeros", [0, -0.5, 2, 0, -1.25, 0.5]],
    ["a zero at each end", [0, 1.5, -2, 0.75, 1.25, 0]],
  ];
  for (const [name, values] of cases) {
    for (const reverse of [false, true]) {
      it(`${name}${reverse ? ", reverse" : ""}: central differences, the reference reverse mode and the product rule`, () => {
        const c = new Case({ T: values.length });
        const x = c.input("x", "f32", ["T"], { mark: "policy", values });
        c.loss(c.b.scan("cumprod", x, "T", reverse));
        const r = c.check(`cumprod ${name} ${reverse}`, { maxKinkShare: 0 });
        const g = r.grads["dL/dx"]!;
        const want = productRule(values, [...c.data.w0!.data], reverse);
        for (let i = 0; i < want.length; i++) expect(g.data[i]!, `dL/dx[${i}]`).toBeCloseTo(want[i]!, 12);
        expect([...g.data].every(Number.isFinite)).toBe(true);
      });
    }
  }
});

describe("rlp compile of a program using cumprod", () => {
  const dir = mkdtempSync(join(tmpdir(), "rlp-cumprod-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("emits a module, and the kernel dump shows the product step", async () => {
    const file = join(dir, "returns.rlp");
    writeFileSync(file, scanSource("cumprod").replace("pipeline scan_cumprod", "pipeline returns"));
    const out = join(dir, "out");
    const compiled = await captured(main, ["compile", file, "-o", out]);
    expect(compiled.err).toBe("");
    expect(compiled.code).toBe(0);
    expect(readdirSync(out).some((f) => f.endsWith(".ts"))).toBe(true);
    const dump = await captured(main, ["compile", file, "--dump", "kernels"]);
    expect(dump.code).toBe(0);
    expect(dump.out).toMatch(/cumprod along T/);
    expect(dump.out).toMatch(/= c\d+ \* v\d+/);
  });
});
