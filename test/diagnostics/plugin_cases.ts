// The diagnostics catalog's cases for custom nodes written in TypeScript (plugins, docs/custom-nodes.md): a module
// that does not parse (RLP120), a node that cannot be read (RLP121), a module without nodes (RLP122), a static
// argument its JSON Schema rejects (RLP123), and the naming rules shared with .rlp nodes (RLP106, RLP107).
// The run-time codes of plugins (RLP520-RLP524) are in plugin_runtime_cases.ts.
import type { DiagnosticCase } from "./cases.ts";
import { rlp, ts } from "./program_text.ts";

/** A pipeline whose loss uses the custom node `twice` of my_nodes.ts. */
const USES_TWICE = rlp`
  import "./my_nodes.ts"

  pipeline p {
    dims B, T
    input logp: f32[B,T] @policy
    input mask: bool[B,T]
    loss L = token_mean(twice(logp), mask)
  }
`;

/** `twice(x) = 2x`, as it should be written. */
const TWICE = ts`
  import { defineNode, type Result, type Tensor } from "rlpc/plugin";

  export const twice = defineNode({
    forward(x: Tensor<"f32", ["..."]>): Result<"f32", ["..."]> {
      return x.data.map((v) => 2 * v);
    },
    gradient(dy: Tensor<"f32", ["..."]>, x: Tensor<"f32", ["..."]>) {
      return { x: dy.data.map((g) => 2 * g) };
    },
  });
`;

export const pluginCases: DiagnosticCase[] = [
  {
    code: "RLP120",
    title: "a plugin that does not parse",
    source: USES_TWICE,
    files: {
      "my_nodes.ts": ts`
        import { defineNode, type Result, type Tensor } from "rlpc/plugin";

        export const twice = defineNode({
          forward(x: Tensor<"f32", ["..."]>): Result<"f32", ["..."]> {
            return x.data.map((v) => 2 * v);
          }
          gradient(dy: Tensor<"f32", ["..."]>, x: Tensor<"f32", ["..."]>) {
            return { x: dy.data.map((g) => 2 * g) };
          },
        });
      `,
    },
    file: "my_nodes.ts",
    line: 7,
    col: 3,
    message: /^plugin \S+my_nodes\.ts does not parse: ',' expected\.$/,
    fix: "Fix the TypeScript syntax error the message points at (`tsc --noEmit` shows the same error).",
    fixedFiles: { "my_nodes.ts": TWICE },
  },
  {
    code: "RLP121",
    title: "a custom node without a gradient",
    source: USES_TWICE,
    files: {
      "my_nodes.ts": ts`
        import { defineNode, type Result, type Tensor } from "rlpc/plugin";

        export const twice = defineNode({
          forward(x: Tensor<"f32", ["..."]>): Result<"f32", ["..."]> {
            return x.data.map((v) => 2 * v);
          },
        });
      `,
    },
    file: "my_nodes.ts",
    line: 3,
    col: 33,
    message: "node 'twice': it has no gradient; write gradient(dy, ...same parameters as forward)",
    fix: "Write `gradient(dy, ...forward's parameters)` returning `{ name: values }` for each f32 argument, or declare `differentiable: false` when the node has no gradient (its results are then const).",
    fixedFiles: { "my_nodes.ts": TWICE },
  },
  {
    code: "RLP121",
    title: "a forward parameter of a type rlp cannot pass",
    source: USES_TWICE,
    files: {
      "my_nodes.ts": ts`
        import { defineNode } from "rlpc/plugin";

        export const twice = defineNode({
          differentiable: false,
          forward(x: Float64Array): Float64Array {
            return x.map((v) => 2 * v);
          },
        });
      `,
    },
    file: "my_nodes.ts",
    line: 5,
    col: 14,
    message: 'node \'twice\': forward\'s parameter \'x\': the type must be Tensor<"f32", ["...", "G"]>',
    fix: "Declare each parameter as `Tensor<dtype, [dims]>`, `Dim`, `number`, `boolean` or a union of string literals, and the result as `Result<dtype, [dims]>` (or a tuple of them): the compiler reads the node's signature from these types.",
    fixedFiles: { "my_nodes.ts": TWICE },
  },
  {
    code: "RLP121",
    title: "a custom node that is not exported",
    source: USES_TWICE,
    files: { "my_nodes.ts": TWICE.replace("export const twice", "const twice") },
    file: "my_nodes.ts",
    line: 3,
    col: 7,
    message: "node 'twice': it is not exported, so a pipeline cannot use it",
    fix: "Export it: `export const twice = defineNode({...})`; the export's name is the node's name in .rlp.",
    fixedFiles: { "my_nodes.ts": TWICE },
  },
  {
    code: "RLP121",
    title: "a params schema that is not valid JSON Schema",
    source: USES_TWICE.replace("twice(logp)", "scaled(logp, k=2.0)"),
    files: {
      "my_nodes.ts": ts`
        import { defineNode, type Result, type Tensor } from "rlpc/plugin";

        export const scaled = defineNode({
          params: { k: { type: "float", default: 1 } },
          forward(x: Tensor<"f32", ["..."]>, k: number): Result<"f32", ["..."]> {
            return x.data.map((v) => k * v);
          },
          gradient(dy: Tensor<"f32", ["..."]>, x: Tensor<"f32", ["..."]>, k: number) {
            return { x: dy.data.map((g) => k * g) };
          },
        });
      `,
    },
    file: "my_nodes.ts",
    line: 3,
    col: 14,
    message:
      /the params schema of 'scaled' \(plugin \S+my_nodes\.ts\) is not a valid JSON Schema: schema is invalid: data\/properties\/k\/type must be equal to one of the allowed values/,
    fix: 'Write each parameter\'s schema in JSON Schema (draft-07, as ajv reads it): `{ type: "number", default: 1, minimum: 0 }`.',
    fixedFiles: {
      "my_nodes.ts": ts`
        import { defineNode, type Result, type Tensor } from "rlpc/plugin";

        export const scaled = defineNode({
          params: { k: { type: "number", default: 1 } },
          forward(x: Tensor<"f32", ["..."]>, k: number): Result<"f32", ["..."]> {
            return x.data.map((v) => k * v);
          },
          gradient(dy: Tensor<"f32", ["..."]>, x: Tensor<"f32", ["..."]>, k: number) {
            return { x: dy.data.map((g) => k * g) };
          },
        });
      `,
    },
  },
  {
    code: "RLP122",
    title: "a plugin that exports no node",
    source: USES_TWICE,
    files: {
      "my_nodes.ts": ts`
        export function twice(x: Float64Array): Float64Array {
          return x.map((v) => 2 * v);
        }
      `,
    },
    file: "my_nodes.ts",
    line: 1,
    col: 1,
    message: "exports no nodes: define them with 'export const NAME = defineNode(",
    fix: "Wrap each node in `defineNode({ forward(...) {...}, ... })` (from `rlpc/plugin`) and export the result.",
    fixedFiles: { "my_nodes.ts": TWICE },
  },
  {
    code: "RLP123",
    title: "a static argument that the node's JSON Schema rejects",
    source: USES_TWICE.replace("twice(logp)", "scaled(logp, k=-1.0)"),
    files: {
      "my_nodes.ts": ts`
        import { defineNode, type Result, type Tensor } from "rlpc/plugin";

        export const scaled = defineNode({
          params: { k: { type: "number", default: 1, exclusiveMinimum: 0 } },
          forward(x: Tensor<"f32", ["..."]>, k: number): Result<"f32", ["..."]> {
            return x.data.map((v) => k * v);
          },
          gradient(dy: Tensor<"f32", ["..."]>, x: Tensor<"f32", ["..."]>, k: number) {
            return { x: dy.data.map((g) => k * g) };
          },
        });
      `,
    },
    line: 7,
    col: 38,
    message: "the argument 'k' of scaled must be > 0 (the schema of 'scaled' (plugin ",
    fix: "Pass a value the schema allows (its `params` entry in the plugin says which), or leave the argument out to use its default.",
    fixed: USES_TWICE.replace("twice(logp)", "scaled(logp, k=0.5)"),
  },
  {
    code: "RLP106",
    title: "a TypeScript node with a std node's name",
    source: USES_TWICE.replace("twice(logp)", "kl_k3(logp, logp)"),
    files: {
      "my_nodes.ts": ts`
        import { defineNode, type Result, type Tensor } from "rlpc/plugin";

        export const kl_k3 = defineNode({
          forward(logp: Tensor<"f32", ["..."]>, ref_logp: Tensor<"f32", ["..."], "const">): Result<"f32", ["..."]> {
            return logp.data.map((v, i) => v - ref_logp.data[i]!);
          },
          gradient(dy: Tensor<"f32", ["..."]>, logp: Tensor<"f32", ["..."]>, ref_logp: Tensor<"f32", ["..."], "const">) {
            return { logp: dy.data };
          },
        });
      `,
    },
    file: "my_nodes.ts",
    line: 3,
    col: 14,
    message: "node 'kl_k3' has the same name as a std node; rename it, or add 'override: true' to its defineNode({...})",
    fix: "Rename the export, or add `override: true` to its definition to replace the std node on purpose.",
    fixedFiles: {
      "my_nodes.ts": ts`
        import { defineNode, type Result, type Tensor } from "rlpc/plugin";

        export const kl_k3 = defineNode({
          override: true,
          forward(logp: Tensor<"f32", ["..."]>, ref_logp: Tensor<"f32", ["..."], "const">): Result<"f32", ["..."]> {
            return logp.data.map((v, i) => v - ref_logp.data[i]!);
          },
          gradient(dy: Tensor<"f32", ["..."]>, logp: Tensor<"f32", ["..."]>, ref_logp: Tensor<"f32", ["..."], "const">) {
            return { logp: dy.data };
          },
        });
      `,
    },
  },
  {
    code: "RLP107",
    title: "'override: true' on a TypeScript node that overrides nothing",
    source: USES_TWICE,
    files: { "my_nodes.ts": TWICE.replace("defineNode({\n", "defineNode({\n  override: true,\n") },
    file: "my_nodes.ts",
    line: 3,
    col: 14,
    message: "'override: true' on node 'twice' overrides nothing: there is no std node of that name",
    fix: "Drop `override: true`, or spell the std node's name correctly.",
    fixedFiles: { "my_nodes.ts": TWICE },
  },
];
