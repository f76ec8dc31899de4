// Helpers of the `rlp compile -o` tests (no vitest here: update_golden.ts uses them too): a throwaway user project
// (DIR) in which the emitted modules are type-checked with the repo's TypeScript and imported, the examples' modules
// as the goldens hold them, and the reference results (`rlp eval --grad`). Comparisons: compare.ts.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compileFile } from "../../compiler/index.ts";
import { emitModule, type EmittedModule } from "../../compiler/emit/index.ts";
import { isDifferentiable, type IRProgram } from "../../compiler/ir/ir.ts";
import { readInputs } from "../../runtime/library/io/read_inputs.ts";
import { evaluate, type StateValue } from "../../runtime/backends/reference/index.ts";
import { gradients } from "../oracle/reverse_mode.ts";
import { filled, type Tensor } from "../../runtime/library/tensor.ts";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The compiler options a strict user project might use (all pass on the emitted modules). */
export const STRICT_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noEmit: true,
    // rlpc ships TypeScript sources (run with tsx): its runtime imports its own files with `.ts` extensions
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    types: ["node"],
    // the project's own @types/node would do; this one is the repo's
    typeRoots: [join(REPO, "node_modules/@types")],
    noUnusedLocals: true,
    noUnusedParameters: true,
    noImplicitReturns: true,
    noImplicitOverride: true,
    noFallthroughCasesInSwitch: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
  },
  include: ["*.ts"],
};

/**
 * A user project: DIR with package.json, a strict tsconfig.json and only rlpc installed (node_modules/rlpc, a
 * symlink to this repo, so `rlpc/runtime` resolves through package.json "exports").
 */
export function userProject(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `rlp-emit-${prefix}-`));
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "user-project", private: true, type: "module" }, null, 2)}\n`,
  );
  writeFileSync(join(dir, "tsconfig.json"), `${JSON.stringify(STRICT_TSCONFIG, null, 2)}\n`);
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules/rlpc"), "dir");
  return dir;
}

/** `tsc --noEmit -p DIR` with the repo's TypeScript: exit status and output. */
export function tsc(dir: string): { status: number; output: string } {
  try {
    const out = execFileSync(process.execPath, [join(REPO, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", dir], {
      encoding: "utf8",
      stdio: "pipe",
    });
    return { status: 0, output: out };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { status: err.status ?? 1, output: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

/** Imports an emitted module from DIR (vitest transforms it; `rlpc/runtime` resolves through DIR/node_modules). */
export async function importModule<M>(dir: string, pipeline: string): Promise<M> {
  return (await import(pathToFileURL(join(dir, `${pipeline}.ts`)).href)) as M;
}

/** The one program of an example. */
export function exampleProgram(
  name: string,
  set: Record<string, string> = {},
): { program: IRProgram; sources: ReadonlyMap<string, string> } {
  const r = compileFile(join(REPO, "examples", `${name}.rlp`), { set });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`${name}: ${errors.map((d) => d.message).join("; ")}`);
  return { program: r.programs[0]!, sources: r.sources };
}

/** The module `rlp compile examples/NAME.rlp -o DIR` writes, run from the repo root (what the goldens hold). */
export function emitExample(name: string, set: Record<string, string> = {}): EmittedModule {
  const { program, sources } = exampleProgram(name, set);
  return emitModule(program, { source: `examples/${name}.rlp`, sources, recompile: recompileExample(name, set) });
}

/** What `rlp compile` passes as EmitOptions.recompile for an example. */
export function recompileExample(
  name: string,
  set: Record<string, string> = {},
): (extra: Record<string, string>) => IRProgram | undefined {
  return (extra) => {
    const r = compileFile(join(REPO, "examples", `${name}.rlp`), { set: { ...set, ...extra } });
    return r.diagnostics.some((d) => d.severity === "error") ? undefined : r.programs[0];
  };
}

/** An example's inputs file, as parsed JSON (what a user hands to the emitted module) and as checked tensors. */
export function exampleInputs(
  name: string,
  program: IRProgram,
): { doc: Record<string, unknown>; tensors: Record<string, Tensor> } {
  const path = join(REPO, "examples/data", `${name}.json`);
  const read = readInputs(path, program);
  if (read.errors.length > 0) throw new Error(`${name}: ${read.errors.map((e) => e.message).join("; ")}`);
  return { doc: JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>, tensors: read.tensors };
}

const RESULT_KINDS = new Set(["loss", "output", "metric", "advantage"]);

/** What `rlp eval --grad` computes (float64 reference): results, gradients, and the state after the step. */
export function reference(
  program: IRProgram,
  inputs: Record<string, Tensor>,
  state: Record<string, StateValue> = {},
): { values: Record<string, Tensor>; state: Record<string, StateValue> } {
  const ev = evaluate(program, inputs, { state });
  const values: Record<string, Tensor> = {};
  for (const r of program.results) if (RESULT_KINDS.has(r.kind)) values[r.name] = ev.results[r.name] ?? ev.values[r.node]!;
  const marked = program.inputs.filter((i) => isDifferentiable(program, i));
  for (const loss of program.results.filter((r) => r.kind === "loss")) {
    const g = marked.length > 0 ? gradients(program, ev, loss.node) : {};
    for (const x of marked)
      values[`d${loss.name}/d${x.name}`] =
        g[x.name] ??
        filled(
          "f32",
          x.type.dims,
          x.type.dims.map((d) => ev.dimSizes[d]!),
          0,
        );
  }
  return { values, state: { ...state, ...ev.stateUpdates } };
}
