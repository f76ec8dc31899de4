// The import-boundary rules (.dependency-cruiser.cjs, run by `npm test` as `npm run lint:layers`) catch wrong
// imports: a throw-away tree laid out like ours, once clean and once with one deliberately wrong import per rule,
// cruised with the repository's own config.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CONFIG = join(ROOT, ".dependency-cruiser.cjs");
const DEPCRUISE = join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");

/** A minimal tree with the allowed imports of each layer. */
const CLEAN: Record<string, string> = {
  "grammar/ast.ts": "export type Span = { line: number };\n",
  "compiler/ir/ir.ts": 'import type { Span } from "../../grammar/ast.ts";\nexport type Node = { span: Span };\n',
  "compiler/elaborate/expr.ts": 'import type { Node } from "../ir/ir.ts";\nexport const build = (n: Node): Node => n;\n',
  "compiler/autodiff/index.ts": 'import { build } from "../elaborate/expr.ts";\nexport const grad = build;\n',
  "runtime/library/tensor.ts": 'import type { Node } from "../../compiler/ir/ir.ts";\nexport type T = Node;\n',
  "runtime/backends/reference/evaluate.ts":
    'import { grad } from "../../../compiler/autodiff/index.ts";\nexport const run = grad;\n',
  "runtime/tools/train/trainer.ts": 'import { run } from "../../backends/reference/evaluate.ts";\nexport const train = run;\n',
  "cli/main.ts": 'import { train } from "../runtime/tools/train/trainer.ts";\nexport const main = train;\n',
  "test/kit.ts": 'import { main } from "../cli/main.ts";\nexport const kit = main;\n',
  "tsconfig.json": JSON.stringify({
    compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", allowImportingTsExtensions: true, noEmit: true },
  }),
};

/** One wrong import per rule: file -> an extra import line. */
const WRONG: Record<string, { file: string; line: string }> = {
  "grammar-is-the-bottom": { file: "grammar/ast.ts", line: 'import "../compiler/ir/ir.ts";\n' },
  "ir-is-data": { file: "compiler/ir/ir.ts", line: 'import "../elaborate/expr.ts";\n' },
  "compiler-does-not-run": { file: "compiler/elaborate/expr.ts", line: 'import "../../runtime/library/tensor.ts";\n' },
  "runtime-library-imports-only-ir": { file: "runtime/library/tensor.ts", line: 'import "../../compiler/autodiff/index.ts";\n' },
  "backends-below-tools": { file: "runtime/backends/reference/evaluate.ts", line: 'import "../../tools/train/trainer.ts";\n' },
  "compiler-through-its-entry-points": {
    file: "runtime/tools/train/trainer.ts",
    line: 'import "../../../compiler/elaborate/expr.ts";\n',
  },
  "nothing-imports-tests": { file: "cli/main.ts", line: 'import "../test/kit.ts";\n' },
};

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function cruise(tree: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "rlp-layers-"));
  dirs.push(dir);
  for (const [file, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  const r = spawnSync(process.execPath, [DEPCRUISE, "grammar", "compiler", "runtime", "cli", "test", "--config", CONFIG], {
    cwd: dir,
    encoding: "utf8",
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("import boundaries (dependency-cruiser)", () => {
  it("pass on a tree whose imports follow the layers", () => {
    const r = cruise(CLEAN);
    expect(r.output).toMatch(/no dependency violations found/);
    expect(r.status).toBe(0);
  });

  it("fail on each deliberately wrong import, naming the rule and the file", () => {
    const tree = { ...CLEAN };
    for (const { file, line } of Object.values(WRONG)) tree[file] = line + CLEAN[file];
    const r = cruise(tree);
    expect(r.status).not.toBe(0);
    for (const [rule, { file }] of Object.entries(WRONG)) expect(r.output).toContain(`error ${rule}: ${file}`);
  });
});
