// `rlp test`: golden cases pass as recorded, fail with a readable diff when an expected value is perturbed,
// `--update` rewrites expected files, `--format junit` is XML with the right counts.
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { testCommand } from "../../cli/test_command.ts";
import { elements, parseXml } from "../graph/xml.ts";
import { captured, type CliRun } from "../run_cli.ts";

const FIXTURE = "test/fixtures/golden_cli";

async function rlpTest(...argv: string[]): Promise<CliRun> {
  return captured(testCommand, argv);
}

/** A copy of the fixture directory whose manifest points at the repository's example files by absolute path. */
function fixtureCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "rlp-test-cmd-"));
  cpSync(FIXTURE, dir, { recursive: true });
  const manifestPath = join(dir, "rlp-test.json");
  const m = JSON.parse(readFileSync(manifestPath, "utf8")) as { cases: { pipeline: string; inputs: string }[] };
  for (const c of m.cases) {
    c.pipeline = resolve(FIXTURE, c.pipeline);
    c.inputs = resolve(FIXTURE, c.inputs);
  }
  writeFileSync(manifestPath, JSON.stringify(m, null, 2));
  return dir;
}

type Expected = Record<string, { dims: string[]; shape: number[]; data: (number | boolean | string)[] }>;

function perturb(file: string, name: string, index: number, value: number): void {
  const doc = JSON.parse(readFileSync(file, "utf8")) as Expected;
  doc[name]!.data[index] = value;
  writeFileSync(file, JSON.stringify(doc));
}

/** The lines of the text output: the summary line stands alone. */
const lines = (s: string) => s.split("\n");

describe("rlp test on test/fixtures/golden_cli", () => {
  it("passes as recorded", async () => {
    const r = await rlpTest(FIXTURE);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok {4}grpo \(\d+ ms\)$/m);
    expect(r.out).toMatch(/^ok {4}grpo_no_kl \(\d+ ms\)$/m);
    expect(lines(r.out)).toContain("2 passed, 0 failed");
  });

  it("the fixture's goldens are what rlp eval --grad prints for examples/grpo.rlp", () => {
    const g = JSON.parse(readFileSync(join(FIXTURE, "grpo.expected.json"), "utf8")) as Expected;
    expect(Object.keys(g)).toEqual(["A", "L", "clip_frac", "dL/dlogp"]);
    expect(g["L"]!.data[0]).toBeCloseTo(0.420531, 6); // the catalog's worked example (test/golden/grpo.expected.json)
    expect(g["dL/dlogp"]!.dims).toEqual(["P", "G", "T"]);
  });

  it("fails with a readable diff when an expected value is perturbed: index with dim names, expected, actual, errors", async () => {
    const dir = fixtureCopy();
    const expectedFile = join(dir, "grpo.expected.json");
    const before = JSON.parse(readFileSync(expectedFile, "utf8")) as Expected;
    const actual = before["dL/dlogp"]!.data[4] as number; // [P=0, G=1, T=1]
    perturb(expectedFile, "dL/dlogp", 4, 0.25);
    const r = await rlpTest(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL {2}grpo: 1 output differs? from .*grpo\.expected\.json$/m);
    expect(r.out).toContain("dL/dlogp: values differ at 1 of 12 elements");
    const row = lines(r.out).find((l) => l.includes("dL/dlogp[P=0, G=1, T=1]"))!;
    expect(row).toBeDefined();
    const cells = row.trim().split(/\s{2,}/);
    expect(cells[0]).toBe("dL/dlogp[P=0, G=1, T=1]");
    expect(Number(cells[1])).toBe(0.25); // expected
    expect(Number(cells[2])).toBe(actual); // actual, in full precision
    expect(Number(cells[3])).toBeCloseTo(Math.abs(actual - 0.25), 2); // abs error
    expect(Number(cells[4])).toBeCloseTo(Math.abs(actual - 0.25) / 0.25, 2); // rel error
    // the header names the columns
    expect(lines(r.out).some((l) => /index\s+expected\s+actual\s+abs err\s+rel err/.test(l))).toBe(true);
    expect(r.out).toMatch(/^ok {4}grpo_no_kl/m);
    expect(lines(r.out)).toContain("1 passed, 1 failed");
  });

  it("shows the first mismatching elements only, and how many more there are", async () => {
    const dir = fixtureCopy();
    const expectedFile = join(dir, "grpo.expected.json");
    for (let i = 0; i < 12; i++) perturb(expectedFile, "dL/dlogp", i, 100 + i);
    const r = await rlpTest(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain("dL/dlogp: values differ at 12 of 12 elements");
    expect(r.out).toContain("dL/dlogp[P=0, G=0, T=0]");
    expect(r.out).not.toContain("dL/dlogp[P=0, G=3, T=2]");
    expect(r.out).toContain("... and 7 more");
  });

  it("reports outputs missing from the run and outputs missing from the expected file", async () => {
    const dir = fixtureCopy();
    const expectedFile = join(dir, "grpo.expected.json");
    const doc = JSON.parse(readFileSync(expectedFile, "utf8")) as Expected;
    doc["ghost"] = doc["L"]!;
    delete doc["clip_frac"];
    writeFileSync(expectedFile, JSON.stringify(doc));
    const r = await rlpTest(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain("ghost: expected, but the pipeline did not produce it");
    expect(r.out).toContain("clip_frac: produced, but not in the expected file (record it with rlp test --update)");
  });

  it("--update rewrites the expected file (atomically) and the case passes again", async () => {
    const dir = fixtureCopy();
    const expectedFile = join(dir, "grpo.expected.json");
    const original = readFileSync(expectedFile, "utf8");
    perturb(expectedFile, "L", 0, 1.5);
    const u = await rlpTest(dir, "--update");
    expect(u.code).toBe(0);
    expect(u.out).toMatch(/^wrote grpo -> .*grpo\.expected\.json$/m);
    expect(u.out).toMatch(/^same {2}grpo_no_kl/m);
    expect(lines(u.out)).toContain("1 updated, 1 unchanged, 0 failed");
    expect(readFileSync(expectedFile, "utf8")).toBe(original);
    const r = await rlpTest(dir);
    expect(r.code).toBe(0);
    expect(lines(r.out)).toContain("2 passed, 0 failed");
  });

  it("--update records missing expected files; an unwritable one is exit 74", async () => {
    const dir = fixtureCopy();
    const manifestPath = join(dir, "rlp-test.json");
    const m = JSON.parse(readFileSync(manifestPath, "utf8")) as { cases: { name: string; expected?: string }[] };
    m.cases[0]!.expected = "new/place.expected.json"; // the directory does not exist
    m.cases[1]!.expected = "fresh.expected.json";
    writeFileSync(manifestPath, JSON.stringify(m));
    const before = await rlpTest(dir);
    expect(before.code).toBe(1);
    expect(before.out).toContain("no such file (record it with rlp test --update)");
    const u = await rlpTest(dir, "--update");
    expect(u.code).toBe(74);
    expect(u.out).toMatch(/^ERROR grpo: cannot write '.*place\.expected\.json': no such directory$/m);
    expect(existsSync(join(dir, "fresh.expected.json"))).toBe(true);
  });

  it("--format junit writes JUnit XML with the right counts to stdout", async () => {
    const dir = fixtureCopy();
    perturb(join(dir, "grpo.expected.json"), "A", 1, -0.4);
    const r = await rlpTest(dir, "--format", "junit");
    expect(r.code).toBe(1);
    expect(r.err).toBe("1 passed, 1 failed\n");
    const doc = parseXml(r.out);
    const suites = doc.documentElement!;
    expect(suites.tagName).toBe("testsuites");
    expect(suites.getAttribute("tests")).toBe("2");
    expect(suites.getAttribute("failures")).toBe("1");
    expect(suites.getAttribute("errors")).toBe("0");
    const suite = elements(doc, "testsuite");
    expect(suite).toHaveLength(1);
    expect(suite[0]!.getAttribute("name")).toBe("rlp test (reference)");
    const cases = elements(doc, "testcase");
    expect(cases.map((c) => c.getAttribute("name"))).toEqual(["grpo", "grpo_no_kl"]);
    const failure = elements(cases[0]!, "failure")[0]!;
    expect(failure.getAttribute("type")).toBe("mismatch");
    expect(failure.textContent).toContain("A[P=0, G=1]");
    expect(failure.textContent).toContain("-0.4");
    expect(elements(cases[1]!, "failure")).toHaveLength(0);
    expect(Number(cases[0]!.getAttribute("time"))).toBeGreaterThanOrEqual(0);
  });

  it("a case that cannot run is an error (not a mismatch), in text and JUnit", async () => {
    const dir = fixtureCopy();
    const manifestPath = join(dir, "rlp-test.json");
    const m = JSON.parse(readFileSync(manifestPath, "utf8")) as { cases: { pipeline: string }[] };
    const broken = join(dir, "broken.rlp");
    writeFileSync(broken, "pipeline p {\n  dims B\n  loss L = mean(nope, over=B)\n}\n");
    m.cases[1]!.pipeline = broken;
    writeFileSync(manifestPath, JSON.stringify(m));
    const r = await rlpTest(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^ERROR grpo_no_kl: .*broken\.rlp does not compile \(\d+ errors?\)$/m);
    expect(r.out).toMatch(/broken\.rlp:3:\d+: error\[RLP\d+\]/);
    const j = await rlpTest(dir, "--format", "junit");
    const doc = parseXml(j.out);
    expect(doc.documentElement!.getAttribute("errors")).toBe("1");
    expect(doc.documentElement!.getAttribute("failures")).toBe("0");
  });
});

describe("rlp test: cases by file name, arguments, backends", () => {
  it("finds NAME.rlp + NAME.inputs.json, records NAME.expected.json with --update, then passes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rlp-test-byname-"));
    cpSync("examples/grpo.rlp", join(dir, "mine.rlp"));
    cpSync("examples/data/grpo.json", join(dir, "mine.inputs.json"));
    const u = await rlpTest(dir, "--update");
    expect(u.code).toBe(0);
    expect(existsSync(join(dir, "mine.expected.json"))).toBe(true);
    const r = await rlpTest(dir);
    expect(r.code).toBe(0);
    expect(lines(r.out)).toContain("1 passed, 0 failed");
    // a .safetensors expected file works the same way
    const st = mkdtempSync(join(tmpdir(), "rlp-test-st-"));
    cpSync(join(dir, "mine.rlp"), join(st, "m.rlp"));
    cpSync(join(dir, "mine.inputs.json"), join(st, "m.inputs.json"));
    writeFileSync(
      join(st, "rlp-test.json"),
      JSON.stringify({ cases: [{ name: "m", pipeline: "m.rlp", inputs: "m.inputs.json", expected: "m.expected.safetensors" }] }),
    );
    expect((await rlpTest(st, "--update")).code).toBe(0);
    expect(readFileSync(join(st, "m.expected.safetensors")).subarray(8, 9).toString()).toBe("{");
    const s = await rlpTest(join(st, "rlp-test.json"));
    expect(s.code).toBe(0);
  });

  it("no cases: exit 2 with a hint; a missing directory: exit 2", async () => {
    const empty = mkdtempSync(join(tmpdir(), "rlp-test-empty-"));
    const a = await rlpTest(empty);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/^rlp test: no test cases under '.*' \(write an rlp-test\.json manifest/);
    const b = await rlpTest(join(empty, "missing"));
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/no such file or directory/);
  });

  it("an invalid manifest is reported as a failure naming the manifest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rlp-test-badmanifest-"));
    writeFileSync(
      join(dir, "rlp-test.json"),
      JSON.stringify({ cases: [{ name: "x", pipeline: "x.rlp", inputs: "x.json", tolerance: 1 }] }),
    );
    const r = await rlpTest(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /^ERROR .*rlp-test\.json: invalid manifest at \/cases\/0: must NOT have additional properties \('tolerance'\)$/m,
    );
    expect(lines(r.out)).toContain("0 passed, 1 failed");
  });

  it("usage errors: exit 64", async () => {
    expect((await rlpTest("--format", "xml")).code).toBe(64);
    expect((await rlpTest("a", "b")).code).toBe(64);
    expect((await rlpTest("--update", "--backend", "js")).code).toBe(64);
    const h = await rlpTest("--help");
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/^usage: rlp test/);
  });

  it("--backend NAME: an unknown backend is exit 2, naming the backends there are", async () => {
    const u = await rlpTest(FIXTURE, "--backend", "cuda");
    expect(u.code).toBe(2);
    expect(u.err).toContain("unknown backend 'cuda' (backends: reference, js, tfjs)");
  });
});
