// `rlp compile -o` for a pipeline that calls custom TypeScript nodes (examples/custom/rank_pg.rlp): the module
// imports its plugin statically by a path relative to the output directory (no absolute path in the text), type-checks
// in a strict user project, and its evaluate / evaluateWithGrad agree with `rlp eval --grad` — on one thread and with
// kernels split over a worker (library kernels, custom nodes among them, stay on the calling thread).
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.ts";
import { compileFile } from "../../compiler/index.ts";
import { emitModule } from "../../compiler/emit/index.ts";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { readInputs } from "../../runtime/library/io/read_inputs.ts";
import { loadPlugins } from "../../runtime/library/plugin/registry.ts";
import type { Tensor } from "../../runtime/library/tensor.ts";
import { expectClose } from "./compare.ts";
import { importModule, reference, REPO, tsc, userProject } from "./helpers.ts";
import { captured, type CliRun } from "../run_cli.ts";

interface RankPgModule {
  evaluate(inputs: unknown, params?: unknown, options?: unknown): Promise<Record<string, number | Tensor>>;
  evaluateWithGrad(inputs: unknown, params?: unknown, options?: unknown): Promise<Record<string, number | Tensor>>;
  close(): Promise<void>;
}

async function rlp(...argv: string[]): Promise<CliRun> {
  return captured(main, argv);
}

function compiled(path: string): IRProgram {
  const r = compileFile(path, {});
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join("; "));
  return r.programs[0]!;
}

/** What `rlp eval --grad` prints for the pipeline on its inputs file. */
async function evalGrad(program: IRProgram, inputsFile: string): Promise<{ doc: unknown; want: Record<string, Tensor> }> {
  await loadPlugins(program);
  const read = readInputs(inputsFile, program);
  expect(read.errors).toEqual([]);
  return { doc: JSON.parse(readFileSync(inputsFile, "utf8")), want: reference(program, read.tensors).values };
}

// A user project: the pipeline and its plugin in src/, the module compiled into the project's root.
const project = userProject("custom");
const src = join(project, "src");

beforeAll(async () => {
  mkdirSync(src);
  for (const f of ["rank_pg.rlp", "my_nodes.ts", "rank_pg.inputs.json"]) cpSync(join(REPO, "examples/custom", f), join(src, f));
  const r = await rlp("compile", join(src, "rank_pg.rlp"), "-o", project);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
}, 60_000);

describe("rlp compile -o on a pipeline with custom nodes", () => {
  it("imports the plugin by a path relative to the output directory, not by its absolute path", () => {
    const text = readFileSync(join(project, "rank_pg.ts"), "utf8");
    expect(text).toContain('import * as plugin_my_nodes from "./src/my_nodes.ts";');
    expect(text).toContain('plugin: "./src/my_nodes.ts"');
    expect(text).toContain("moduleUrl: import.meta.url");
    // (the .rlp file is named as given on the command line: absolute here)
    expect(text).not.toContain(join(src, "my_nodes.ts"));
    expect(text).not.toContain(REPO);
  });

  it("type-checks with tsc --noEmit under strict options, the plugin included", () => {
    const r = tsc(project);
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  }, 60_000);

  it("evaluateWithGrad and evaluate agree with rlp eval --grad (1 thread, and split over a worker)", async () => {
    const { doc, want } = await evalGrad(compiled(join(src, "rank_pg.rlp")), join(src, "rank_pg.inputs.json"));
    expect(Object.keys(want).sort()).toEqual(["A", "L", "dL/dlogp", "ratio_mean"]);
    const mod = await importModule<RankPgModule>(project, "rank_pg");
    try {
      const got = await mod.evaluateWithGrad(doc);
      for (const [k, t] of Object.entries(want)) expectClose(got[k], t, `rank_pg ${k}`);
      const fwd = await mod.evaluate(doc);
      for (const [k, t] of Object.entries(want)) if (!k.includes("/")) expectClose(fwd[k], t, `rank_pg forward ${k}`);
      const threaded = await mod.evaluateWithGrad(doc, {}, { threads: 2, minParallelWork: 1 });
      for (const [k, t] of Object.entries(want)) expectClose(threaded[k], t, `rank_pg (2 threads) ${k}`);
    } finally {
      await mod.close();
    }
  });

  it("a module written outside the plugin's tree imports it by a ../ path, type-checks and runs it", async () => {
    const other = userProject("custom-out");
    const program = compiled(join(REPO, "examples/custom/rank_pg.rlp"));
    const r = compileFile(join(REPO, "examples/custom/rank_pg.rlp"), {});
    const m = emitModule(program, { source: "examples/custom/rank_pg.rlp", sources: r.sources, outDir: other });
    expect(m.module).toMatch(/^import \* as plugin_my_nodes from "(\.\.\/)+.*examples\/custom\/my_nodes\.ts";$/m);
    expect(m.module).not.toContain(`"${join(REPO, "examples/custom/my_nodes.ts")}"`);
    writeFileSync(join(other, m.moduleFile), m.module);
    expect(tsc(other)).toEqual({ status: 0, output: "" });
    const { doc, want } = await evalGrad(program, join(REPO, "examples/custom/rank_pg.inputs.json"));
    const mod = await importModule<RankPgModule>(other, "rank_pg");
    const got = await mod.evaluateWithGrad(doc);
    for (const [k, t] of Object.entries(want)) expectClose(got[k], t, `rank_pg ${k}`);
  });
});
