// `rlp test --backend js,tfjs`: the fused-JS and tfjs golden backends (runtime/tools/golden/js_backend.ts,
// runtime/tools/golden/tfjs_backend.ts) check goldens recorded by the reference, at float32 tolerances — on a copy of
// examples/custom (custom TypeScript nodes) and of the GRPO fixture — and fail when a golden value is perturbed.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { testCommand } from "../../cli/test_command.ts";
import { loadGoldenBackend } from "../../runtime/tools/golden/backends.ts";
import { REPO, userProject } from "../emit/helpers.ts";
import { captured, type CliRun } from "../run_cli.ts";

async function rlpTest(...argv: string[]): Promise<CliRun> {
  return captured(testCommand, argv);
}

type Expected = Record<string, { dims: string[]; shape: number[]; data: number[] }>;

function perturb(file: string, name: string, index: number, by: number): void {
  const doc = JSON.parse(readFileSync(file, "utf8")) as Expected;
  doc[name]!.data[index]! += by;
  writeFileSync(file, JSON.stringify(doc));
}

/** examples/custom in a project where `rlpc/plugin` resolves, its golden recorded with the reference. */
async function customCaseDir(): Promise<string> {
  const dir = userProject("golden-custom");
  for (const f of ["rank_pg.rlp", "my_nodes.ts", "rank_pg.inputs.json"]) cpSync(join(REPO, "examples/custom", f), join(dir, f));
  const r = await rlpTest(dir, "--update");
  expect(r.out + r.err).toContain("wrote rank_pg");
  expect(r.code).toBe(0);
  return dir;
}

describe("the js and tfjs golden backends", () => {
  it("are provided, with float32 tolerances", async () => {
    for (const name of ["js", "tfjs"]) {
      const b = await loadGoldenBackend(name);
      expect(b.name).toBe(name);
      expect([b.rtol, b.atol]).toEqual([1e-4, 1e-5]);
    }
  });

  it("pass on a case with custom nodes (values and gradients), and fail when a golden gradient is perturbed", async () => {
    const dir = await customCaseDir();
    const ok = await rlpTest(dir, "--backend", "reference,js,tfjs");
    expect(ok.err).toBe("");
    expect(ok.out).toMatch(/^ok {4}rank_pg \[js\] \(\d+ ms\)$/m);
    expect(ok.out).toMatch(/^ok {4}rank_pg \[tfjs\] \(\d+ ms\)$/m);
    expect(ok.out.split("\n")).toContain("3 passed, 0 failed");
    expect(ok.code).toBe(0);

    perturb(join(dir, "rank_pg.expected.json"), "dL/dlogp", 0, 0.01);
    const bad = await rlpTest(dir, "--backend", "js,tfjs");
    expect(bad.code).toBe(1);
    for (const b of ["js", "tfjs"])
      expect(bad.out).toMatch(new RegExp(`^FAIL {2}rank_pg \\[${b}\\]: 1 output differs from .*rank_pg\\.expected\\.json$`, "m"));
    expect(bad.out).toContain("dL/dlogp: values differ at 1 of 24 elements (rtol 0.0001, atol 0.00001");
    expect(bad.out.split("\n")).toContain("0 passed, 2 failed");
  });

  it("pass on a copy of the GRPO fixture (its tight per-case tolerance dropped: it is meant for the reference)", async () => {
    const fixture = join(REPO, "test/fixtures/golden_cli");
    const dir = userProject("golden-grpo");
    cpSync(fixture, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, "rlp-test.json"), "utf8")) as { cases: Record<string, unknown>[] };
    for (const c of manifest.cases) {
      c.pipeline = resolve(fixture, c.pipeline as string);
      c.inputs = resolve(fixture, c.inputs as string);
      delete c.rtol;
      delete c.atol;
    }
    writeFileSync(join(dir, "rlp-test.json"), JSON.stringify(manifest, null, 2));
    const r = await rlpTest(dir, "--backend", "js,tfjs");
    expect(r.out.split("\n")).toContain("4 passed, 0 failed");
    expect(r.code).toBe(0);
    perturb(join(dir, "grpo.expected.json"), "L", 0, 1e-3);
    const bad = await rlpTest(dir, "--backend", "js,tfjs");
    expect(bad.out).toMatch(/^FAIL {2}grpo \[js\]: 1 output differs/m);
    expect(bad.out).toMatch(/^FAIL {2}grpo \[tfjs\]: 1 output differs/m);
    expect(bad.code).toBe(1);
  });
});
