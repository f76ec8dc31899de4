// Acceptance (issue 3): `rlp compile examples/grpo.rlp -o DIR`, then `tsc --noEmit` in DIR passes, and the emitted
// evaluateWithGrad equals `rlp eval --grad` on examples/data/grpo.json (relative 1e-4, absolute 1e-5). DIR is a user
// project with only rlpc installed; the module runs in-process (vitest) and in a separate `tsx` process.
// Then the command's errors: one line each, exit 1 (compile), 64 (usage), 74 (cannot write).
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { inputsSchema } from "../../runtime/library/io/schema.ts";
import { tensor, type Tensor } from "../../runtime/library/tensor.ts";
import { expectClose } from "./compare.ts";
import { exampleProgram, importModule, REPO, tsc, userProject } from "./helpers.ts";
import { captured, type CliRun } from "../run_cli.ts";

async function rlp(...argv: string[]): Promise<CliRun> {
  return captured(main, argv);
}

interface JsonTensor {
  dims: string[];
  shape: number[];
  data: (number | boolean | string)[];
}

function fromJson(t: JsonTensor): Tensor {
  return tensor(
    "f32",
    t.dims,
    t.shape,
    t.data.map((x) => (typeof x === "boolean" ? Number(x) : Number(x))),
  );
}

interface GrpoModule {
  evaluateWithGrad(inputs: unknown): Promise<Record<string, number | Tensor>>;
}

// What the user's own code looks like: typed inputs from a file, typed results (tsc checks this file too).
const USER_SCRIPT = `import { readFileSync } from "node:fs";
import { close, evaluateWithGrad, type GrpoInputs, type GrpoOutputs } from "./grpo.ts";

const inputs = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as GrpoInputs;
const r = await evaluateWithGrad(inputs, { beta: 0.04 });
const loss: number = r.L;
const A: GrpoOutputs["A"] = r.A;
const grad: Float64Array = r["dL/dlogp"].data;
const dims: ["P", "G", "T"] = r["dL/dlogp"].dims;
process.stdout.write(JSON.stringify({ L: loss, A: Array.from(A.data), grad: Array.from(grad), dims }));
await close();
`;

describe("acceptance: rlp compile examples/grpo.rlp -o DIR", () => {
  const dir = userProject("grpo");

  it("writes DIR/grpo.ts and DIR/grpo.schema.json (the schema rlp eval validates against), nothing else", async () => {
    const r = await rlp("compile", join(REPO, "examples/grpo.rlp"), "-o", dir);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toBe(`wrote ${join(dir, "grpo.ts")}\nwrote ${join(dir, "grpo.schema.json")}\n`);
    expect(readdirSync(dir).sort()).toEqual(["grpo.schema.json", "grpo.ts", "node_modules", "package.json", "tsconfig.json"]);
    const schema = JSON.parse(readFileSync(join(dir, "grpo.schema.json"), "utf8")) as unknown;
    expect(schema).toEqual(inputsSchema(exampleProgram("grpo").program));
    const text = readFileSync(join(dir, "grpo.ts"), "utf8");
    expect(text).not.toMatch(/from "(\.\.?\/)+(compiler|runtime)\//); // only rlpc/runtime
    expect([...text.matchAll(/^import .* from "([^"]+)";$|^} from "([^"]+)";$/gm)].map((m) => m[1] ?? m[2])).toEqual([
      "rlpc/runtime",
    ]);
  });

  it("tsc --noEmit in DIR passes (the module and a user script that uses its types)", () => {
    writeFileSync(join(dir, "use_grpo.ts"), USER_SCRIPT);
    const r = tsc(dir);
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  }, 60_000);

  it("evaluateWithGrad equals rlp eval --grad on examples/data/grpo.json (f32 tolerance)", async () => {
    const ev = await rlp("eval", "examples/grpo.rlp", "--inputs", "examples/data/grpo.json", "--grad");
    expect(ev.code).toBe(0);
    const want = JSON.parse(ev.out) as Record<string, JsonTensor>;
    expect(Object.keys(want).sort()).toEqual(["A", "L", "clip_frac", "dL/dlogp"]);
    const mod = await importModule<GrpoModule>(dir, "grpo");
    const got = await mod.evaluateWithGrad(JSON.parse(readFileSync(join(REPO, "examples/data/grpo.json"), "utf8")));
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const [name, t] of Object.entries(want)) expectClose(got[name], fromJson(t), name);
  });

  it("runs in its own process with tsx, resolving rlpc/runtime through DIR/node_modules", async () => {
    const ev = await rlp("eval", "examples/grpo.rlp", "--inputs", "examples/data/grpo.json", "--grad");
    const want = JSON.parse(ev.out) as Record<string, JsonTensor>;
    const out = execFileSync(join(REPO, "node_modules/.bin/tsx"), ["use_grpo.ts", join(REPO, "examples/data/grpo.json")], {
      cwd: dir,
      encoding: "utf8",
    });
    const got = JSON.parse(out) as { L: number; A: number[]; grad: number[]; dims: string[] };
    expect(got.dims).toEqual(["P", "G", "T"]);
    expectClose(got.L, fromJson(want.L!), "L");
    expectClose(tensor("f32", ["P", "G"], want.A!.shape, got.A), fromJson(want.A!), "A");
    expectClose(tensor("f32", ["P", "G", "T"], want["dL/dlogp"]!.shape, got.grad), fromJson(want["dL/dlogp"]!), "dL/dlogp");
  }, 60_000);
});

describe("rlp compile -o: pipelines and params", () => {
  it("writes one module per pipeline of FILE (or the one --pipeline names); --set fixes a param's value", async () => {
    const dir = userProject("two");
    const file = join(dir, "two.rlp");
    writeFileSync(
      file,
      [
        "pipeline first {",
        "  dims B",
        "  param scale: f32 = 2.0",
        "  input x: f32[B] @policy",
        "  loss L = mean(scale * x * x, over=B)",
        "}",
        "pipeline second_one {",
        "  dims B",
        "  param scale: f32 = 1.0",
        "  input y: f32[B] @policy",
        "  loss M = sum(scale * y, over=B)",
        "}",
        "",
      ].join("\n"),
    );
    const out = join(dir, "out");
    const r = await rlp("compile", file, "-o", out, "--set", "scale=3");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["first.schema.json", "first.ts", "second_one.schema.json", "second_one.ts"]);
    expect(readFileSync(join(out, "first.ts"), "utf8")).toContain('params: [{ name: "scale", value: 3, runtime: true }]');
    expect(readFileSync(join(out, "second_one.ts"), "utf8")).toContain("export interface SecondOneInputs {");
    expect(readFileSync(join(out, "second_one.ts"), "utf8")).toContain('params: [{ name: "scale", value: 3, runtime: true }]');
    // arithmetic on a param stays a run-time value (`1.0 - beta` is not folded), so it can be overridden...
    const mix = join(dir, "mix.rlp");
    writeFileSync(
      mix,
      "pipeline mix {\n  dims B\n  param beta: f32 = 0.25\n  input x: f32[B] @policy\n  loss L = sum((1.0 - beta) * x + beta * x * x, over=B)\n}\n",
    );
    expect((await rlp("compile", mix, "-o", out)).code).toBe(0);
    expect(readFileSync(join(out, "mix.ts"), "utf8")).toContain('params: [{ name: "beta", value: 0.25, runtime: true }]');
    // ...but a param that decides something when compiling (an `if`) is compiled in
    const decided = join(dir, "decided.rlp");
    writeFileSync(
      decided,
      "pipeline decided {\n  dims B\n  param beta: f32 = 0.25\n  input x: f32[B] @policy\n  loss L = if beta > 0.5 then sum(x, over=B) else sum(x * x, over=B)\n}\n",
    );
    expect((await rlp("compile", decided, "-o", out)).code).toBe(0);
    expect(readFileSync(join(out, "decided.ts"), "utf8")).toContain('params: [{ name: "beta", value: 0.25, runtime: false }]');
    const only = join(dir, "only");
    expect((await rlp("compile", file, "--pipeline", "second_one", "-o", only)).code).toBe(0);
    expect(readdirSync(only).sort()).toEqual(["second_one.schema.json", "second_one.ts"]);
  });
});

describe("rlp compile -o: errors", () => {
  const base = userProject("errors");

  it("a missing file: the RLP104 diagnostic as rlp eval prints it, exit 1, nothing written", async () => {
    const out = join(base, "missing");
    const file = join(base, "nope.rlp");
    const r = await rlp("compile", file, "-o", out);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`${file}:1:1: error[RLP104]: cannot read '${file}': no such file\n\n1 error, 0 warnings\n`);
    expect(r.err).toBe((await rlp("eval", file, "--inputs", "x.json")).err);
    expect(existsSync(out)).toBe(false);
  });

  it("compile errors: the diagnostics, exit 1, nothing written", async () => {
    const file = join(base, "bad.rlp");
    writeFileSync(file, "pipeline bad {\n  dims B\n  input x: f32[B] @policy\n  loss L = mean(y, over=B)\n}\n");
    const out = join(base, "bad_out");
    const r = await rlp("compile", file, "-o", out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error\[RLP1\d\d\]/);
    expect(existsSync(out)).toBe(false);
  });

  it("an unknown --pipeline: RLP119, exit 1", async () => {
    const r = await rlp("compile", "examples/grpo.rlp", "--pipeline", "nope", "-o", join(base, "p"));
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[RLP119]: no pipeline named 'nope'");
    expect(existsSync(join(base, "p"))).toBe(false);
  });

  it("DIR is a file: one line, exit 74", async () => {
    const file = join(base, "a_file");
    writeFileSync(file, "x");
    const r = await rlp("compile", "examples/grpo.rlp", "-o", file);
    expect(r.code).toBe(74);
    expect(r.err).toBe(`rlp compile: cannot write to '${file}': not a directory\n`);
    const under = await rlp("compile", "examples/grpo.rlp", "-o", join(file, "sub"));
    expect(under.code).toBe(74);
    expect(under.err.split("\n")).toHaveLength(2);
    expect(under.err).toMatch(/^rlp compile: cannot write to '.*sub': /);
  });

  it.skipIf(process.getuid?.() === 0)("an unwritable DIR: one line, exit 74, no temp files left", async () => {
    const ro = join(base, "read_only");
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    try {
      const r = await rlp("compile", "examples/grpo.rlp", "-o", ro);
      expect(r.code).toBe(74);
      expect(r.err).toBe(`rlp compile: cannot write '${join(ro, "grpo.ts")}': permission denied\n`);
      expect(readdirSync(ro)).toEqual([]);
    } finally {
      chmodSync(ro, 0o755);
    }
  });

  it("usage errors: exit 64 with the usage line", async () => {
    for (const argv of [
      ["compile", "examples/grpo.rlp"],
      ["compile", "examples/grpo.rlp", "-o", base, "--dump", "js"],
      ["compile", "examples/grpo.rlp", "-o", base, "--no-grad"],
      ["compile", "-o", base],
    ]) {
      const r = await rlp(...argv);
      expect(r.code, argv.join(" ")).toBe(64);
      expect(r.err.split("\n")[1]).toMatch(/^usage: rlp compile FILE/);
    }
  });

  it("writes atomically: overwriting leaves only the new files", async () => {
    const out = join(base, "twice");
    expect((await rlp("compile", "examples/dpo.rlp", "-o", out)).code).toBe(0);
    writeFileSync(join(out, "dpo.ts"), "stale");
    expect((await rlp("compile", "examples/dpo.rlp", "-o", out)).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["dpo.schema.json", "dpo.ts"]);
    expect(readFileSync(join(out, "dpo.ts"), "utf8")).toMatch(/^\/\/ Generated by `rlp compile`/);
  });
});
