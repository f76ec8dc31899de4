// Finding golden cases (docs/testing.md). A directory holds either a manifest `rlp-test.json`
//   { "rtol"?, "atol"?, "grad"?, "cases": [ { "name", "pipeline", "inputs", "expected"?, "pipelineName"?, "grad"?,
//     "rtol"?, "atol"?, "set"? } ] }                       (paths relative to the manifest)
// or, without a manifest, cases by file name: `NAME.rlp` with `NAME.inputs.json` (or `.safetensors`) and the
// expected outputs `NAME.expected.json` (or `.safetensors`). Directories are searched recursively (not
// node_modules or dot-directories).
import AjvImport from "ajv";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

export const MANIFEST = "rlp-test.json";

export interface GoldenCase {
  name: string;
  /** The manifest that declares it, or the `.rlp` file of a case found by name. */
  source: string;
  /** Absolute paths. */
  pipeline: string;
  inputs: string;
  expected: string;
  /** The pipeline to run when the file declares several. */
  pipelineName?: string;
  /** Also compare `dL/dx` gradients (default true). */
  grad: boolean;
  /** Tolerances; absent: the backend's defaults. */
  rtol?: number;
  atol?: number;
  /** `--set name=value` pairs: params, or inputs set to a scalar. */
  set: Record<string, string>;
}

export interface CaseError {
  /** The manifest or file at fault. */
  source: string;
  message: string;
}

export interface Discovery {
  cases: GoldenCase[];
  errors: CaseError[];
}

const toleranceSchema = { type: "number", minimum: 0 };
const manifestSchema = {
  type: "object",
  additionalProperties: false,
  required: ["cases"],
  properties: {
    $schema: { type: "string" },
    description: { type: "string" },
    rtol: toleranceSchema,
    atol: toleranceSchema,
    grad: { type: "boolean" },
    cases: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "pipeline", "inputs"],
        properties: {
          name: { type: "string", minLength: 1 },
          description: { type: "string" },
          pipeline: { type: "string", minLength: 1 },
          pipelineName: { type: "string", minLength: 1 },
          inputs: { type: "string", minLength: 1 },
          expected: { type: "string", minLength: 1 },
          grad: { type: "boolean" },
          rtol: toleranceSchema,
          atol: toleranceSchema,
          set: { type: "object", additionalProperties: { anyOf: [{ type: "number" }, { type: "string" }, { type: "boolean" }] } },
        },
      },
    },
  },
} as const;

interface ManifestCase {
  name: string;
  pipeline: string;
  pipelineName?: string;
  inputs: string;
  expected?: string;
  grad?: boolean;
  rtol?: number;
  atol?: number;
  set?: Record<string, number | string | boolean>;
}

interface Manifest {
  rtol?: number;
  atol?: number;
  grad?: boolean;
  cases: ManifestCase[];
}

const Ajv = AjvImport.default;
let validate: ReturnType<InstanceType<typeof Ajv>["compile"]> | undefined;

/** Reads one manifest. Paths in it are relative to its directory. */
export function readManifest(path: string): Discovery {
  const source = resolve(path);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(source, "utf8"));
  } catch (e) {
    return {
      cases: [],
      errors: [{ source, message: `cannot read the manifest: ${String((e as Error).message).split("\n")[0]}` }],
    };
  }
  validate ??= new Ajv({ allErrors: false, strict: true }).compile(manifestSchema);
  if (!validate(doc)) {
    const err = validate.errors?.[0];
    const where = err?.instancePath ? `at ${err.instancePath}` : "at the top level";
    const extra =
      err?.keyword === "additionalProperties"
        ? ` ('${String((err.params as { additionalProperty?: unknown }).additionalProperty)}')`
        : "";
    return {
      cases: [],
      errors: [{ source, message: `invalid manifest ${where}: ${err?.message ?? "does not match the schema"}${extra}` }],
    };
  }
  const m = doc as Manifest;
  const dir = dirname(source);
  const cases: GoldenCase[] = [];
  const errors: CaseError[] = [];
  const seen = new Set<string>();
  for (const c of m.cases) {
    if (seen.has(c.name)) {
      errors.push({ source, message: `case '${c.name}' is declared twice` });
      continue;
    }
    seen.add(c.name);
    const g: GoldenCase = {
      name: c.name,
      source,
      pipeline: resolve(dir, c.pipeline),
      inputs: resolve(dir, c.inputs),
      expected: resolve(dir, c.expected ?? `${c.name}.expected.json`),
      grad: c.grad ?? m.grad ?? true,
      set: Object.fromEntries(Object.entries(c.set ?? {}).map(([k, v]) => [k, String(v)])),
    };
    if (c.pipelineName !== undefined) g.pipelineName = c.pipelineName;
    const rtol = c.rtol ?? m.rtol;
    const atol = c.atol ?? m.atol;
    if (rtol !== undefined) g.rtol = rtol;
    if (atol !== undefined) g.atol = atol;
    cases.push(g);
  }
  return { cases, errors };
}

/** Cases by file name in one directory without a manifest. */
function casesByName(dir: string, files: string[]): GoldenCase[] {
  const cases: GoldenCase[] = [];
  const names = new Set(files);
  for (const f of files) {
    if (!f.endsWith(".rlp")) continue;
    const name = f.slice(0, -".rlp".length);
    const inputs = [`${name}.inputs.json`, `${name}.inputs.safetensors`].find((x) => names.has(x));
    if (!inputs) continue;
    const expected =
      [`${name}.expected.json`, `${name}.expected.safetensors`].find((x) => names.has(x)) ?? `${name}.expected.json`;
    cases.push({
      name,
      source: join(dir, f),
      pipeline: join(dir, f),
      inputs: join(dir, inputs),
      expected: join(dir, expected),
      grad: true,
      set: {},
    });
  }
  return cases;
}

/**
 * The cases under `target`: a manifest file, a `.rlp` file (its case by name), or a directory searched
 * recursively. Sorted by path, then by order in the manifest.
 */
export function discoverCases(target: string): Discovery {
  const root = resolve(target);
  let st;
  try {
    st = statSync(root);
  } catch {
    return { cases: [], errors: [{ source: root, message: `no such file or directory: '${target}'` }] };
  }
  if (st.isFile()) {
    if (basename(root).endsWith(".rlp"))
      return {
        cases: casesByName(dirname(root), readdirSync(dirname(root)).sort()).filter((c) => c.pipeline === root),
        errors: [],
      };
    return readManifest(root);
  }
  const out: Discovery = { cases: [], errors: [] };
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      out.errors.push({ source: dir, message: `cannot read the directory: ${String((e as Error).message).split("\n")[0]}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const files = entries.filter((e) => e.isFile()).map((e) => e.name);
    if (files.includes(MANIFEST)) {
      const d = readManifest(join(dir, MANIFEST));
      out.cases.push(...d.cases);
      out.errors.push(...d.errors);
    } else out.cases.push(...casesByName(dir, files));
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules") walk(join(dir, e.name));
    }
  };
  walk(root);
  return out;
}

/** True when the case's expected file exists. */
export function hasExpected(c: GoldenCase): boolean {
  return existsSync(c.expected);
}
