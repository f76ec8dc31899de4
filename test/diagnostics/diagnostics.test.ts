// The diagnostics catalog (cases.ts) against the compiler: each broken program must be reported with its code, at
// exactly its line:col, with a matching message; its fixed version must compile; docs/diagnostics.md must be the
// catalog as rendered by render_docs.ts.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Span } from "../../grammar/ast.ts";
import type { Diagnostic } from "../../grammar/diagnostic.ts";
import { severityOf } from "../../grammar/diagnostic_codes.ts";
import { InputCode } from "../../runtime/library/io/errors.ts";
import { cases, inputCases, type DiagnosticCase } from "./cases.ts";
import { compileCase, findExpected, listDiagnostics } from "./compile_case.ts";
import { pluginRuntimeCases } from "./plugin_runtime_cases.ts";
import { DOC_PATH, inputCodeMeanings, REGENERATE, renderDiagnosticsDoc, runInputCase } from "./render_docs.ts";
import { CLI_CODES, cliCases, runCliCase } from "./cli_cases.ts";

import { PLUGIN_RUNTIME_CODES, pluginRuntimeLines } from "./render_plugin_runtime.ts";

/** 1-based line and column of `offset` in `text` (lines end at \n, \r\n or a lone \r, as the lexer counts them). */
function positionOf(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 || (ch === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start + 1 };
}

function expectSpanInside(span: Span, sources: ReadonlyMap<string, string>, what: string): void {
  const text = sources.get(span.file);
  expect(text, `${what}: its file ${span.file} is not one of the sources read`).toBeDefined();
  expect(span.start, `${what}: start`).toBeGreaterThanOrEqual(0);
  expect(span.end, `${what}: end`).toBeGreaterThanOrEqual(span.start);
  expect(span.end, `${what}: end past the end of the file`).toBeLessThanOrEqual(text!.length);
  expect({ line: span.line, col: span.col }, `${what}: line:col of offset ${span.start}`).toEqual(positionOf(text!, span.start));
}

function expectWellFormed(diags: readonly Diagnostic[], sources: ReadonlyMap<string, string>): void {
  for (const d of diags) {
    const what = `${d.code} '${d.message}'`;
    expect(d.message.trim(), `${d.code}: empty message`).not.toBe("");
    expect(d.code).toMatch(/^RLP\d{3}$/);
    expect(["error", "warning", "info"]).toContain(d.severity);
    expectSpanInside(d.span, sources, what);
    for (const n of d.notes) {
      expect(n.message.trim(), `${what}: empty note`).not.toBe("");
      if (n.span) expectSpanInside(n.span, sources, `${what}, note '${n.message}'`);
    }
  }
}

function label(c: DiagnosticCase, i: number): string {
  return `#${i} ${c.code} ${c.title}`;
}

describe("the diagnostics catalog", () => {
  // That every registered code has a case is registry.test.ts's check.
  it("has at least 45 cases, silenced ones and a case with two syntax errors among them", () => {
    expect(cases.length).toBeGreaterThanOrEqual(45);
    expect(cases.some((c) => c.silenced)).toBe(true);
    expect(cases.some((c) => c.code === "RLP002" && (c.also ?? []).some((a) => a.code === "RLP002"))).toBe(true);
  });

  it("gives every case a title, a fix sentence and a distinct program", () => {
    for (const c of cases) {
      expect(c.title.trim(), c.code).not.toBe("");
      expect(c.fix.trim(), c.title).toMatch(/\.$/);
    }
    const keys = cases.map((c) => `${c.code}|${c.title}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe.each(cases.map((c, i) => [label(c, i), c, i] as const))("%s", (_name, c, i) => {
  it("is reported at its line:col with its message", () => {
    const r = compileCase(c, i);
    expectWellFormed(r.diagnostics, r.sources);
    const report = `diagnostics:\n${listDiagnostics(r.diagnostics)}`;
    if (c.silenced) {
      expect(
        r.diagnostics.filter((d) => d.code === c.code),
        `${c.code} should be silenced; ${report}`,
      ).toEqual([]);
      // Without the comment, the same line reports it.
      const loud = compileCase(c, i, c.source.replace(/rlp-allow/g, "rlp-allowed"));
      const loudFound = findExpected(loud.diagnostics, c, i);
      expect(loudFound, `without rlp-allow: ${listDiagnostics(loud.diagnostics)}`).toBeDefined();
      expect(loudFound!.severity, `the registered severity of ${c.code}`).toBe(severityOf(c.code));
      return;
    }
    const found = findExpected(r.diagnostics, c, i);
    expect(
      found,
      `expected ${c.code} at ${c.file ?? "main.rlp"}:${c.line}:${c.col} matching ${String(c.message)}; ${report}`,
    ).toBeDefined();
    expect(found!.severity, `the registered severity of ${c.code}`).toBe(severityOf(c.code));
    for (const more of c.also ?? []) {
      expect(
        findExpected(r.diagnostics, more, i),
        `expected also ${more.code} at ${more.line}:${more.col} matching ${String(more.message)}; ${report}`,
      ).toBeDefined();
    }
    if (found!.severity === "error") {
      expect(r.programs, "a program with errors yields no programs").toEqual([]);
    } else {
      // A lint example is otherwise a valid program: it compiles.
      expect(
        r.diagnostics.filter((d) => d.severity === "error"),
        report,
      ).toEqual([]);
      expect(r.programs.length).toBeGreaterThan(0);
    }
  });

  it.skipIf(c.fixed === undefined && c.fixedFiles === undefined)("compiles without errors (or warnings) once fixed", () => {
    const r = compileCase(c, i, c.fixed ?? c.source, { ...c.files, ...c.fixedFiles });
    expectWellFormed(r.diagnostics, r.sources);
    expect(
      r.diagnostics.filter((d) => d.severity !== "info"),
      listDiagnostics(r.diagnostics),
    ).toEqual([]);
    expect(
      r.diagnostics.filter((d) => d.code === c.code),
      `the fixed program still reports ${c.code}`,
    ).toEqual([]);
  });
});

describe("robustness", () => {
  it("never throws on a broken program cut off at any line, and reports well-formed diagnostics", () => {
    for (const [i, c] of cases.entries()) {
      const lines = c.source.split("\n");
      for (let n = 1; n < lines.length; n++) {
        const cut = lines.slice(0, n).join("\n");
        let r: ReturnType<typeof compileCase> | undefined;
        expect(() => (r = compileCase(c, i, cut)), `${label(c, i)} cut after line ${n}`).not.toThrow();
        expectWellFormed(r!.diagnostics, r!.sources);
      }
    }
  });
});

describe("input-file codes (RLP5xx)", () => {
  it("documents every code of runtime/library/io/errors.ts with its meaning (the registry's doc) and an example", () => {
    const meanings = inputCodeMeanings();
    for (const code of Object.values(InputCode)) {
      expect(meanings.get(code), `no doc for ${code} in grammar/diagnostic_codes.ts`).toBeTruthy();
      expect(
        inputCases.some((ic) => ic.code === code),
        `no example for ${code}`,
      ).toBe(true);
    }
  });

  it.each(inputCases.map((ic) => [ic.code, ic] as const))("%s: the example is rejected with its code", (_code, ic) => {
    const errors = runInputCase(ic);
    expect(
      errors.map((e) => e.code),
      JSON.stringify(errors),
    ).toContain(ic.code);
  });
});

describe("custom-node run-time codes (RLP52x)", () => {
  it("documents every code with an example", () => {
    expect(PLUGIN_RUNTIME_CODES).toEqual(["RLP520", "RLP521", "RLP522", "RLP523", "RLP524"]);
    for (const code of PLUGIN_RUNTIME_CODES) {
      expect(
        pluginRuntimeCases.some((rc) => rc.code === code),
        `no example for ${code}`,
      ).toBe(true);
    }
  });

  it.each(pluginRuntimeCases.map((rc) => [rc.code, rc] as const))(
    "%s: the example fails with its code, one line naming the plugin and node",
    async (code, rc) => {
      const lines = await pluginRuntimeLines(rc);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^rlp eval: error\\[${code}\\]: plugin my_nodes\\.ts[,: ]`));
      if (code !== "RLP520") expect(lines[0]).toContain("'twice'");
    },
  );
});

describe("command-line codes (RLP6xx)", () => {
  it("documents every code with an example", () => {
    for (const code of CLI_CODES)
      expect(
        cliCases.some((c) => c.code === code),
        `no example for ${code}`,
      ).toBe(true);
  });

  it.each(cliCases.map((c) => [c.code, c] as const))(
    "%s: the example fails with its code, one line, exit 64",
    async (code, c) => {
      const r = await runCliCase(c);
      expect(r.code).toBe(64);
      expect(r.lines).toHaveLength(1);
      expect(r.lines[0]).toMatch(new RegExp(`^rlp \\w+: error\\[${code}\\]: `));
    },
  );
});

describe("docs/diagnostics.md", () => {
  it("is the catalog as rendered", async () => {
    const expected = await renderDiagnosticsDoc(cases, inputCases);
    const actual = existsSync(DOC_PATH) ? readFileSync(DOC_PATH, "utf8") : "";
    expect(actual === expected, `docs/diagnostics.md is out of date: run \`${REGENERATE}\` to regenerate it`).toBe(true);
  });
});
