// The runtime package surface (`rlpc/runtime`, runtime/library/index.ts): what emitted modules import. Loading it must not
// load the compiler (parser, checker, autodiff, planner, code generators, ts-morph) nor tfjs: its value imports reach
// runtime/ files, compiler/ir/suggest.ts (did-you-mean in messages) and ajv, and nothing else. Type-only imports of
// compiler/ (the IR and plan metadata types) are erased.
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import * as runtime from "../../runtime/library/index.ts";
import { REPO } from "./helpers.ts";

/** The module specifiers a file imports or re-exports at run time (not `import type`, `export type`, all-`type` lists). */
function valueImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?([\s\S]*?)\s*from\s+"([^"]+)";/gm)) {
    if (m[1]) continue;
    const braces = /^\{([\s\S]*)\}$/.exec(m[2]!.trim());
    if (braces) {
      const names = braces[1]!
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      if (names.length > 0 && names.every((n) => n.startsWith("type "))) continue;
    }
    out.push(m[3]!);
  }
  for (const m of text.matchAll(/^import\s+"([^"]+)";/gm)) out.push(m[1]!);
  return out;
}

function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of valueImports(readFileSync(file, "utf8"))) {
      if (spec.startsWith(".")) visit(resolve(dirname(file), spec));
      else if (!spec.startsWith("node:")) packages.add(spec.split("/")[0]!);
    }
  };
  visit(entry);
  return { files, packages };
}

describe("rlpc/runtime", () => {
  it("package.json exports ./runtime -> runtime/library/index.ts", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { name: string; exports: Record<string, string> };
    expect(pkg.name).toBe("rlpc");
    expect(pkg.exports["./runtime"]).toBe("./runtime/library/index.ts");
  });

  // compiler/ir/ is data and pure functions (the op registry's tables, suggestions for messages): the one part of the
  // compiler the runtime library may load (the import-boundary rule runtime-library-imports-only-ir).
  it("loads no part of the compiler but compiler/ir's registry and suggestions, and no tfjs: runtime/library/ files and ajv", () => {
    const { files, packages } = reachable(join(REPO, "runtime/library/index.ts"));
    const outside = [...files].map((f) => relative(REPO, f)).filter((f) => !f.startsWith("runtime/library/"));
    expect(outside.sort()).toEqual(["compiler/ir/functions.ts", "compiler/ir/ops.ts", "compiler/ir/suggest.ts"]);
    expect([...files].map((f) => relative(REPO, f))).not.toContain("runtime/backends/js/compiled.ts");
    expect([...packages]).toEqual(["ajv"]);
  });

  it("exports what emitted modules use", () => {
    for (const name of [
      "createPipeline",
      "InputValidationError",
      "EvalError",
      "pipelineInputsSchema",
      "validateInputs",
      "validateParams",
      "bindInputs",
      "allocateArray",
      "library",
      "runKernels",
      "KernelPool",
      "tensor",
      "scalar",
      "InputCode",
    ]) {
      expect(runtime, name).toHaveProperty(name);
    }
  });
});
