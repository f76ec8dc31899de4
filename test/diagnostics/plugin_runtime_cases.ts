// The run-time codes of custom nodes (RLP520-RLP524, runtime/library/plugin/registry.ts and host.ts), for docs/diagnostics.md:
// each is a plugin that compiles but fails when `rlp eval` runs it. runPluginRuntimeCase writes the case into a
// throwaway project (rlpc installed as a symlink to this repo), runs the CLI and returns what it printed, with the
// project's directory taken out of the paths.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { main, type CliIO } from "../../cli/main.ts";
import { rlp, ts } from "./program_text.ts";
import type { DiagnosticCode } from "../../grammar/diagnostic_codes.ts";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface PluginRuntimeCase {
  code: DiagnosticCode;
  /** A short name of the problem. */
  title: string;
  /** The text of my_nodes.ts (defines `twice`, used by PLUGIN_RUNTIME_PROGRAM). */
  plugin: string;
  /** One sentence: how to fix it. */
  fix: string;
}

export const PLUGIN_RUNTIME_PROGRAM = rlp`
  import "./my_nodes.ts"

  pipeline p {
    dims B, T
    input logp: f32[B,T] @policy
    input mask: bool[B,T]
    loss L = token_mean(twice(logp), mask)
  }
`;

export const PLUGIN_RUNTIME_INPUTS = `{ "logp": [[-0.5, -1.2, -0.3], [-2.0, 0.1, -0.7]], "mask": [[true, true, false], [true, true, true]] }`;

/** my_nodes.ts with `twice`, whose forward and gradient bodies (lines) are given, after `prelude` lines. */
function twice(forward: string[], gradient = ["return { x: dy.data.map((g) => 2 * g) };"], prelude: string[] = []): string {
  return [
    `import { defineNode, type Result, type Tensor } from "rlpc/plugin";`,
    ...prelude,
    "",
    "export const twice = defineNode({",
    `  forward(x: Tensor<"f32", ["..."]>): Result<"f32", ["..."]> {`,
    ...forward.map((l) => `    ${l}`),
    "  },",
    `  gradient(dy: Tensor<"f32", ["..."]>, x: Tensor<"f32", ["..."]>) {`,
    ...gradient.map((l) => `    ${l}`),
    "  },",
    "});",
    "",
  ].join("\n");
}

export const pluginRuntimeCases: PluginRuntimeCase[] = [
  {
    code: "RLP520",
    title: "a plugin that throws while it is loaded",
    plugin: twice(["return x.data.map((v) => SCALE * v);"], undefined, [
      `import { readFileSync } from "node:fs";`,
      "",
      `const SCALE = JSON.parse(readFileSync(new URL("./scale.json", import.meta.url), "utf8")) as number;`,
    ]),
    fix: "Make the module importable on its own (`npx tsx my_nodes.ts` shows the same error): ship the files it reads, install what it imports.",
  },
  {
    code: "RLP521",
    title: "an export that is not a node made with defineNode",
    plugin: ts`
      import type { Result, Tensor } from "rlpc/plugin";

      // A helper of its own instead of rlpc/plugin's defineNode: the runtime does not recognise the result.
      function defineNode<T>(def: T): T {
        return def;
      }

      export const twice = defineNode({
        forward(x: Tensor<"f32", ["..."]>): Result<"f32", ["..."]> {
          return x.data.map((v) => 2 * v);
        },
        gradient(dy: Tensor<"f32", ["..."]>, x: Tensor<"f32", ["..."]>) {
          return { x: dy.data.map((g) => 2 * g) };
        },
      });
    `,
    fix: "Import `defineNode` from `rlpc/plugin`; after renaming an export, compile the pipeline again.",
  },
  {
    code: "RLP522",
    title: "forward returns too few values",
    plugin: twice([
      "const out: number[] = [];",
      "for (let i = 1; i < x.data.length; i++) out.push(2 * x.data[i]!); // starts at 1: one short",
      "return out;",
    ]),
    fix: "Return `rows × inner` values: one per element of the declared result, row dims first (`x.data.map(...)` keeps the layout).",
  },
  {
    code: "RLP523",
    title: "forward throws",
    plugin: twice([
      `if (x.data.some((v) => v > 0)) throw new RangeError("a log-probability must be <= 0");`,
      "return x.data.map((v) => 2 * v);",
    ]),
    fix: "Fix the plugin, or check the inputs before running (a `require` in the pipeline reports bad data with its own message).",
  },
  {
    code: "RLP524",
    title: "gradient names the caller's variable instead of the parameter",
    plugin: twice(["return x.data.map((v) => 2 * v);"], ["return { logp: dy.data.map((g) => 2 * g) };"]),
    fix: 'Key the gradient by forward\'s parameter names (`{ x: ... }`), one entry per f32 parameter that is not "const".',
  },
];

/** Runs `rlp eval main.rlp --inputs inputs.json --grad` on the case: the exit code and stderr, paths shortened. */
export async function runPluginRuntimeCase(rc: PluginRuntimeCase): Promise<{ exit: number; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), "rlp-diag-plugin-"));
  try {
    writeFileSync(join(dir, "package.json"), `{ "type": "module" }\n`);
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(REPO, join(dir, "node_modules/rlpc"), "dir");
    writeFileSync(join(dir, "main.rlp"), PLUGIN_RUNTIME_PROGRAM);
    writeFileSync(join(dir, "inputs.json"), PLUGIN_RUNTIME_INPUTS);
    writeFileSync(join(dir, "my_nodes.ts"), rc.plugin);
    let stderr = "";
    const io: CliIO = { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, env: {} };
    const exit = await main(["eval", join(dir, "main.rlp"), "--inputs", join(dir, "inputs.json"), "--grad"], io);
    return { exit, stderr: stderr.split(`file://${dir}/`).join("").split(`${dir}/`).join("") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
