// The std-library catalog (stdlib/catalog.ts) and what is generated from it: every entry names std nodes that exist
// and that its example pipeline really uses, the example compiles and has a golden file, IDs are unique and sorted,
// every std node has a doc comment, and docs/stdlib.md is up to date (render_stdlib_doc.ts).
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "../../grammar/index.ts";
import { CATALOG, catalogEntry } from "../../stdlib/catalog.ts";
import { stdLibrary } from "../../stdlib/docs.ts";
import { compileOne, repoPath } from "./harness.ts";
import { REGENERATE_STDLIB_DOC, renderStdlibDoc, STDLIB_DOC_PATH } from "./render_stdlib_doc.ts";

/** Every method of shared/methods/G1-policy-gradient.md (its table of contents). */
const G1_IDS = [
  "PG.REINFORCE",
  "PG.GRPO",
  "PG.DR_GRPO",
  "PG.DAPO",
  "PG.RLOO",
  "PG.REINFORCE_PP",
  "PG.REMAX",
  "PG.PPO",
  "PG.GPPO",
  "PG.DCPO",
  "PG.CLIP_COV",
  "PG.KL_COV",
  "PG.GTPO",
  "PG.BNPO",
  "PG.DISCO",
  "PG.COPO",
  "PG.SPO_STREAM",
  "PG.TPPO",
  "PG.ENTROPY",
];

/** The std nodes a text calls, and the std nodes those call, transitively. */
function reachableNodes(text: string): Set<string> {
  const lib = stdLibrary();
  const seen = new Set<string>();
  const todo = [text];
  while (todo.length > 0) {
    const t = todo.pop()!;
    for (const m of t.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\b/g)) {
      const name = m[1]!;
      if (seen.has(name)) continue;
      const n = lib.nodes.get(name);
      if (n) {
        seen.add(name);
        todo.push(n.source);
      } else if (lib.enums.has(name)) seen.add(name);
    }
  }
  return seen;
}

describe("the catalog", () => {
  it("has unique IDs, sorted", () => {
    const ids = CATALOG.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort());
    for (const id of ids) expect(id).toMatch(/^[A-Z]{2,3}\.[A-Z0-9_]+$/);
  });

  it("lists every method of the policy-gradient family (G1)", () => {
    const ids = new Set(CATALOG.map((e) => e.id));
    expect(G1_IDS.filter((id) => !ids.has(id))).toEqual([]);
  });

  it("finds entries case-insensitively", () => {
    expect(catalogEntry("pg.grpo")?.id).toBe("PG.GRPO");
    expect(catalogEntry("PG.NOPE")).toBeUndefined();
  });

  describe.each(CATALOG.map((e) => [e.id, e] as const))("%s", (_id, e) => {
    it("has a name, a stage, a paper title and a summary", () => {
      for (const s of [e.name, e.stage, e.paper.title, e.summary]) expect(s.trim().length).toBeGreaterThan(0);
      if (e.paper.url !== undefined) expect(e.paper.url).toMatch(/^https:\/\//);
    });

    it("names std nodes (or std enums) that exist and that its example uses", () => {
      const lib = stdLibrary();
      expect(e.nodes.length).toBeGreaterThan(0);
      expect(
        e.nodes.filter((n) => !lib.nodes.has(n) && !lib.enums.has(n)),
        "unknown std names",
      ).toEqual([]);
      const used = reachableNodes(readFileSync(repoPath(e.example), "utf8"));
      expect(
        e.nodes.filter((n) => !used.has(n)),
        `listed but not used by ${e.example}`,
      ).toEqual([]);
    });

    it("has an example that compiles with every static choice (each label of an enum param, both values of a bool param)", () => {
      const path = repoPath(e.example);
      const lib = stdLibrary();
      for (const d of parse(readFileSync(path, "utf8"), path).ast.decls) {
        if (d.kind !== "pipeline") continue;
        for (const item of d.items) {
          if (item.kind !== "param") continue;
          const t = item.type;
          const values =
            t.kind === "enum"
              ? t.labels.map((l) => l.name)
              : t.kind === "named"
                ? (lib.enums.get(t.name.name)?.labels ?? [])
                : t.kind === "tensor" && t.dtype === "bool"
                  ? ["true", "false"]
                  : [];
          for (const v of values) compileOne(path, { pipeline: d.name.name, set: { [item.name.name]: v } });
        }
      }
    });

    it("has an example that compiles and a golden file for it", () => {
      expect(e.example).toMatch(/^examples\/[a-z0-9_]+\.rlp$/);
      expect(existsSync(repoPath(e.example)), e.example).toBe(true);
      compileOne(repoPath(e.example));
      const name = e.example.slice("examples/".length, -".rlp".length);
      expect(existsSync(repoPath(`test/golden/${name}.expected.json`)), `test/golden/${name}.expected.json`).toBe(true);
    });
  });
});

describe("the std library", () => {
  it("documents every node (a doc comment above each)", () => {
    const undocumented = [...stdLibrary().nodes.values()]
      .filter((n) => n.doc.trim() === "")
      .map((n) => `${n.file}:${n.line} ${n.name}`);
    expect(undocumented).toEqual([]);
  });

  it("names the catalog ID (or the shared section) in the doc of every policy-gradient node", () => {
    const lib = stdLibrary();
    const files = ["stdlib/reinforce.rlp", "stdlib/grpo.rlp", "stdlib/ppo.rlp"];
    const missing = [...lib.nodes.values()]
      .filter((n) => files.includes(n.file) && !/(PG\.[A-Z_]+|§0\.\d)/.test(n.doc))
      .map((n) => n.name);
    expect(missing).toEqual([]);
  });

  it("has unique names across nodes, enums, dims and builtins", () => {
    const lib = stdLibrary();
    const names = [...lib.nodes.keys(), ...lib.enums.keys(), ...lib.dims.keys(), ...lib.builtins.keys()];
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});

describe("docs/stdlib.md", () => {
  it(`is up to date (regenerate with ${REGENERATE_STDLIB_DOC})`, () => {
    const actual = existsSync(STDLIB_DOC_PATH) ? readFileSync(STDLIB_DOC_PATH, "utf8") : "";
    expect(actual === renderStdlibDoc(), `docs/stdlib.md is stale: run ${REGENERATE_STDLIB_DOC}`).toBe(true);
  });
});
