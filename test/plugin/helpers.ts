// Shared pieces of the custom-node (TypeScript plugin) tests: a throwaway user project with rlpc installed, the CLI
// run in-process with its output captured, and the checks every user-facing error must pass.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { main } from "../../cli/main.ts";
import { captured, type CliRun } from "../run_cli.ts";

export type { CliRun };

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The first line of every plugin: the API as a user imports it. */
export const HEADER = `import { defineNode, type Dim, type Result, type Tensor } from "rlpc/plugin";\n`;

/**
 * A user project in a fresh temporary directory: package.json ("type": `packageType`), node_modules/rlpc (a symlink
 * to this repo, so `rlpc/plugin` resolves through package.json "exports") and `files` (name -> text). Returns the
 * directory.
 */
export function project(files: Record<string, string>, packageType: "module" | "commonjs" = "module"): string {
  const dir = mkdtempSync(join(tmpdir(), "rlp-plugin-"));
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "user-project", private: true, type: packageType })}\n`);
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules/rlpc"), "dir");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** `rlp ARGV...` in-process (cli/main.ts), with stdout and stderr captured. */
export async function cli(...argv: string[]): Promise<CliRun> {
  return captured(main, argv);
}

/**
 * A user error as the CLI reports it: a non-zero exit, no stack trace, and one `error[CODE]` line that names the
 * plugin file and (when given) the node. Returns that line.
 */
export function expectUserError(r: CliRun, code: string, pluginFile: string, node?: string): string {
  expect(r.code, r.err).not.toBe(0);
  expect(r.code, r.err).not.toBe(70); // an internal error is a bug, not a user error
  expect(r.err, "no stack trace").not.toMatch(/\n\s+at /);
  const lines = r.err.split("\n").filter((l) => l.includes(`error[${code}]`));
  expect(lines, r.err).toHaveLength(1);
  const line = lines[0]!;
  expect(line, "the message names the plugin file").toContain(pluginFile);
  if (node !== undefined) expect(line, "the message names the node").toContain(`node '${node}'`);
  return line;
}

/** A pipeline `p` that imports ./nodes.ts and uses `call` (an expression of x: f32[B,T] @policy) as its loss. */
export function pipelineUsing(call: string, extra = ""): string {
  return `import "./nodes.ts"

pipeline p {
  dims B, T
  input x: f32[B,T] @policy
  input mask: bool[B,T]
${extra}  loss L = token_mean(${call}, mask)
}
`;
}

/** B=2, T=3 inputs for pipelineUsing. */
export const INPUTS = JSON.stringify({
  x: {
    dims: ["B", "T"],
    data: [
      [0.5, -1.0, 2.0],
      [0.1, 0.3, -0.7],
    ],
  },
  mask: {
    dims: ["B", "T"],
    data: [
      [1, 1, 0],
      [1, 1, 1],
    ],
  },
});

/** An elementwise node `NAME(x) = 2x` with a correct gradient. */
export function doubleNode(name = "double"): string {
  return `export const ${name} = defineNode({
  forward(x: Tensor<"f32", ["..."]>): Result<"f32", ["..."]> {
    return x.data.map((v) => 2 * v);
  },
  gradient(dy: Tensor<"f32", ["..."]>, x: Tensor<"f32", ["..."]>) {
    return { x: dy.data.map((g) => 2 * g) };
  },
});
`;
}
