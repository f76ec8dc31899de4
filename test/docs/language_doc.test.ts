// The code blocks of the language reference are programs: each ```rlp block of docs/language.md (and of README.md,
// when it has any) must compile. A plain block compiles with no errors and no warnings; a block whose fence says
// `rlp fails RLP201` must report that error code, and one that says `rlp warns RLP405` that warning (and no error).
// The table of reference values of `uniform` must match the evaluator's hash.
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compileSource } from "../kit/index.ts";
import type { Diagnostic } from "../../grammar/diagnostic.ts";
import { uniformAt } from "../../runtime/library/ops/select.ts";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

interface Block {
  /** The doc it comes from and the 1-based line of its opening fence. */
  doc: string;
  line: number;
  expect: { kind: "ok" } | { kind: "fails" | "warns"; codes: string[] };
  text: string;
}

/** Every fenced block whose info string starts with the word `rlp`. */
function rlpBlocks(doc: string, markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(```+|~~~+)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const info = open[3]!.trim().split(/\s+/);
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trim().startsWith(fence)) j++;
    if (info[0] === "rlp") {
      const mode = info[1];
      const codes = info.slice(2);
      let expectation: Block["expect"];
      if (mode === undefined) expectation = { kind: "ok" };
      else if ((mode === "fails" || mode === "warns") && codes.length > 0 && codes.every((c) => /^RLP\d{3}$/.test(c))) {
        expectation = { kind: mode, codes };
      } else
        throw new Error(`${doc}:${i + 1}: unknown fence '${lines[i]!.trim()}' (write rlp, rlp fails RLPnnn or rlp warns RLPnnn)`);
      blocks.push({ doc, line: i + 1, expect: expectation, text: lines.slice(i + 1, j).join("\n") + "\n" });
    }
    i = j;
  }
  return blocks;
}

function show(ds: readonly Diagnostic[]): string {
  return ds.map((d) => `  ${d.severity} ${d.code} ${d.span.line}:${d.span.col} ${d.message}`).join("\n") || "  (none)";
}

const DOCS = ["docs/language.md", "README.md"].filter((d) => existsSync(resolve(REPO, d)));
const blocks = DOCS.flatMap((d) => rlpBlocks(d, readFileSync(resolve(REPO, d), "utf8")));

describe("rlp code blocks in the docs", () => {
  it("docs/language.md has code blocks", () => {
    expect(blocks.filter((b) => b.doc === "docs/language.md").length).toBeGreaterThan(10);
  });

  blocks.forEach((b, n) => {
    const label = b.expect.kind === "ok" ? "compiles cleanly" : `${b.expect.kind} ${b.expect.codes.join(" ")}`;
    it(`${b.doc}:${b.line} ${label}`, () => {
      const path = `/virtual/doc_block_${n}.rlp`;
      const r = compileSource(b.text, { path });
      const errors = r.diagnostics.filter((d) => d.severity === "error");
      const warnings = r.diagnostics.filter((d) => d.severity === "warning");
      const where = `${b.doc}:${b.line}; diagnostics:\n${show(r.diagnostics)}`;
      switch (b.expect.kind) {
        case "ok":
          expect(errors, `errors in the block at ${where}`).toEqual([]);
          expect(warnings, `warnings in the block at ${where}`).toEqual([]);
          expect(r.programs.length > 0 || !/\bpipeline\b/.test(b.text), `no program from the block at ${where}`).toBe(true);
          break;
        case "fails":
          for (const code of b.expect.codes) {
            expect(
              errors.some((d) => d.code === code),
              `expected error ${code} from the block at ${where}`,
            ).toBe(true);
          }
          break;
        case "warns":
          expect(errors, `errors in the block at ${where}`).toEqual([]);
          for (const code of b.expect.codes) {
            expect(
              warnings.some((d) => d.code === code),
              `expected warning ${code} from the block at ${where}`,
            ).toBe(true);
          }
          break;
      }
    });
  });
});

describe("the uniform reference values in docs/language.md", () => {
  const text = readFileSync(resolve(REPO, "docs/language.md"), "utf8");
  const table = /<!-- uniform-vectors -->([\s\S]*?)<!-- \/uniform-vectors -->/.exec(text)?.[1] ?? "";
  const rows = [...table.matchAll(/^\|\s*(-?\d+)\s*\|\s*(-?\d+)\s*\|\s*(\d+)\s*\|\s*([0-9.e-]+)\s*\|$/gm)];

  it("lists some", () => {
    expect(rows.length).toBeGreaterThan(3);
  });
  for (const [, seed, step, i, u] of rows) {
    it(`uniform(seed=${seed}, step=${step}) at ${i} is ${u}`, () => {
      expect(uniformAt(Number(seed), Number(step), Number(i))).toBe(Number(u));
    });
  }
});
