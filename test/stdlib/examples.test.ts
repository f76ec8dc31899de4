// Golden tests of the example pipelines: each examples/<name>.rlp, run by the float64 reference evaluator on
// examples/data/<name>.json, must reproduce the catalog's worked example (test/golden/<name>.expected.json, format in
// test/golden/README.md) at the printed precision, and its gradients must match central differences.
// Every test/golden/*.expected.json is tested (discovered, not listed).
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import {
  at,
  compileOne,
  expectFinite,
  expectGradMatchesNumeric,
  expectPrinted,
  expectTensorPrinted,
  forEachNested,
  gradOf,
  inputsFile,
  numGradFrozenDetach,
  type Precision,
  repoPath,
  result,
  run,
} from "./harness.ts";

interface GoldenEntry {
  value?: number;
  dims?: string[];
  data?: unknown;
  expr?: string;
  atol?: number;
  digits?: number;
  decimals?: number;
  note?: string;
  derived?: string;
}

interface Golden {
  description: string;
  source: string;
  program: string;
  inputs: string;
  pipeline: string;
  /** `--set name=value` overrides the example is run with (values as written on the command line). */
  set?: Record<string, string>;
  precision: Precision;
  results: Record<string, GoldenEntry>;
  probes: Record<string, GoldenEntry>;
  gradients: Record<string, Record<string, GoldenEntry>>;
}

const EXAMPLES = readdirSync(repoPath("test/golden"))
  .filter((f) => f.endsWith(".expected.json"))
  .map((f) => f.slice(0, -".expected.json".length))
  .sort();

function loadGolden(name: string): Golden {
  return JSON.parse(readFileSync(repoPath(`test/golden/${name}.expected.json`), "utf8")) as Golden;
}

function precisionOf(g: Golden, e: GoldenEntry): Precision {
  return { digits: e.digits ?? g.precision.digits, decimals: e.decimals ?? g.precision.decimals };
}

function expectEntry(actual: Tensor, e: GoldenEntry, g: Golden, what: string): void {
  expectFinite(actual, what);
  const p = precisionOf(g, e);
  if (e.value !== undefined) {
    expect(actual.dims, `${what} should be a scalar`).toEqual([]);
    expectPrinted(actual.data[0]!, e.value, what, p, e.atol);
  } else {
    if (!e.dims || e.data === undefined) throw new Error(`golden entry ${what} has neither value nor dims/data`);
    expectTensorPrinted(actual, e.dims, e.data, what, p, e.atol);
  }
}

/** The example's source with `output <name> = <expr>` appended to its pipeline for each probe. */
function withProbes(source: string, probes: Record<string, GoldenEntry>): string {
  const names = Object.keys(probes);
  if (names.length === 0) return source;
  const end = source.lastIndexOf("}");
  if (end < 0) throw new Error("no closing brace in the example");
  const lines = names.map((n) => `  output __probe_${n} = ${probes[n]!.expr ?? n}\n`).join("");
  return source.slice(0, end) + lines + source.slice(end);
}

/** Every loss result of the program (the gradient checks cover all of them, printed in the golden or not). */
function lossesOf(program: IRProgram): string[] {
  return program.results.filter((r) => r.kind === "loss").map((r) => r.name);
}

describe("examples with golden files", () => {
  it("include every example pipeline", () => {
    const examples = readdirSync(repoPath("examples"))
      .filter((f) => f.endsWith(".rlp"))
      .map((f) => f.slice(0, -4))
      .sort();
    expect(EXAMPLES).toEqual(examples);
  });
});

describe.each(EXAMPLES)("example %s", (name) => {
  const golden = loadGolden(name);
  const path = repoPath(golden.program);

  const setup = (): { program: IRProgram; inputs: Record<string, Tensor> } => {
    const source = readFileSync(path, "utf8");
    const program = compileOne(path, {
      pipeline: golden.pipeline,
      set: golden.set ?? {},
      sources: new Map([[path, withProbes(source, golden.probes)]]),
    });
    const inputs = inputsFile(program, repoPath(golden.inputs));
    return { program, inputs };
  };

  it("compiles as written, without errors", () => {
    const program = compileOne(path, { pipeline: golden.pipeline, set: golden.set ?? {} });
    expect(program.pipeline).toBe(golden.pipeline);
    for (const r of Object.keys(golden.results)) expect(program.results.map((x) => x.name)).toContain(r);
  });

  it("reproduces the catalog's values at the printed precision", () => {
    const { program, inputs } = setup();
    const ev = run(program, inputs);
    for (const [r, e] of Object.entries(golden.results)) expectEntry(result(ev, r), e, golden, `${name}: result ${r}`);
    for (const [p, e] of Object.entries(golden.probes))
      expectEntry(result(ev, `__probe_${p}`), e, golden, `${name}: probe ${p} (${e.expr})`);
  });

  it("reproduces the catalog's gradients at the printed precision", () => {
    const { program, inputs } = setup();
    const ev = run(program, inputs);
    for (const [loss, byInput] of Object.entries(golden.gradients)) {
      const grads = gradOf(program, ev, loss);
      for (const [input, e] of Object.entries(byInput)) {
        const g = grads[input];
        expect(g, `${name}: no gradient of ${loss} w.r.t. ${input} (got ${Object.keys(grads).join(", ")})`).toBeDefined();
        expectEntry(g!, e, golden, `${name}: d${loss}/d${input}`);
      }
    }
  });

  it("gives exactly 0 gradient at masked positions", () => {
    const { program, inputs } = setup();
    const ev = run(program, inputs);
    const maskName = program.inputs.find((i) => i.type.dtype === "bool")?.name;
    expect(maskName).toBeDefined();
    const mask = inputs[maskName!]!;
    for (const loss of lossesOf(program)) {
      const grads = gradOf(program, ev, loss);
      for (const [input, g] of Object.entries(grads)) {
        if (g.dims.length !== mask.dims.length) continue;
        const pos: Record<string, number> = {};
        const sizes = g.dims.map((d, i) => [d, g.shape[i]!] as const);
        const walk = (k: number): void => {
          if (k === sizes.length) {
            if (at(mask, pos) === 0) expect(at(g, pos), `${name}: d${loss}/d${input} at masked ${JSON.stringify(pos)}`).toBe(0);
            return;
          }
          for (let i = 0; i < sizes[k]![1]; i++) {
            pos[sizes[k]![0]] = i;
            walk(k + 1);
          }
        };
        walk(0);
      }
    }
  });

  it("has gradients that match central finite differences (relative error < 1e-6; detach held fixed)", () => {
    const { program, inputs } = setup();
    const ev = run(program, inputs);
    for (const loss of lossesOf(program)) {
      const grads = gradOf(program, ev, loss);
      for (const input of program.inputs.filter((i) => i.mark !== undefined).map((i) => i.name)) {
        const numeric = numGradFrozenDetach(program, inputs, loss, input);
        const analytic = grads[input];
        if (analytic === undefined) {
          // a loss that does not reach this input (e.g. the policy loss and @critic): the numeric gradient is 0
          for (const v of numeric.data) expect(v, `${name}: d${loss}/d${input} should be 0`).toBe(0);
          continue;
        }
        expectGradMatchesNumeric(analytic, numeric, `${name}: d${loss}/d${input}`);
      }
    }
  });
});

describe("golden files", () => {
  it.each(EXAMPLES)("%s.expected.json is well-formed", (name) => {
    const g = loadGolden(name);
    for (const key of ["description", "source", "program", "inputs", "pipeline"] as const) expect(typeof g[key]).toBe("string");
    expect(g.precision.digits).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(g.set ?? {})) expect(typeof v, `set.${k}`).toBe("string");
    expect(g.program).toBe(`examples/${name}.rlp`);
    const entries: [string, GoldenEntry][] = [
      ...Object.entries(g.results),
      ...Object.entries(g.probes),
      ...Object.values(g.gradients).flatMap((m) => Object.entries(m)),
    ];
    for (const [k, e] of entries) {
      if (e.value !== undefined) expect(typeof e.value, k).toBe("number");
      else {
        expect(Array.isArray(e.dims), `${k}: dims`).toBe(true);
        let n = 0;
        forEachNested(e.dims!, e.data, (v) => {
          expect(v === null || typeof v === "number", `${k}: ${String(v)}`).toBe(true);
          n++;
        });
        expect(n, `${k}: empty data`).toBeGreaterThan(0);
      }
    }
  });
});
