// The diagnostic-code registry (grammar/diagnostic_codes.ts) against its users: every registered code is reported
// somewhere in the source, is documented in docs/diagnostics.md and has an example case (or a reason here why it
// cannot have one); every code the docs and the cases name is registered; the lints are exactly the lint codes.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ALL_CODES,
  DIAGNOSTIC_CODES,
  isDiagnosticCode,
  isLintCode,
  type DiagnosticCode,
} from "../../grammar/diagnostic_codes.ts";
import { LINTS } from "../../compiler/elaborate/lints/index.ts";
import { cases, inputCases } from "./cases.ts";
import { cliCases } from "./cli_cases.ts";
import { pluginRuntimeCases } from "./plugin_runtime_cases.ts";
import { DOC_PATH, REPO } from "./render_docs.ts";

/** Registered codes that no example program can show, and why. */
const NO_CASE: Partial<Record<DiagnosticCode, string>> = {
  RLP009: "an internal parser failure is a bug in rlp, not a property of a program (test/grammar/errors.test.ts forces one)",
};

/** The layers that report diagnostics (everything but test/ and the registry itself). */
const SOURCE_DIRS = ["grammar", "compiler", "cli", "runtime", "stdlib"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|rlp)$/.test(e.name) ? [p] : [];
  });
}

/** Code -> the source files (outside test/ and the registry) that name it as a string literal. */
function codesUsedInSource(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const file of SOURCE_DIRS.flatMap((d) => sourceFiles(join(REPO, d)))) {
    const rel = relative(REPO, file);
    if (rel === join("grammar", "diagnostic_codes.ts")) continue;
    for (const m of readFileSync(file, "utf8").matchAll(/"(RLP\d{3})"/g)) used.set(m[1]!, [...(used.get(m[1]!) ?? []), rel]);
  }
  return used;
}

function codesWithCases(): Set<string> {
  const expected = cases.filter((c) => !c.silenced).flatMap((c) => [c, ...(c.also ?? [])]);
  return new Set([
    ...expected.map((c) => c.code),
    ...inputCases.map((c) => c.code),
    ...pluginRuntimeCases.map((c) => c.code),
    ...cliCases.map((c) => c.code),
  ]);
}

/** The codes that have an entry (an anchor and a heading) in docs/diagnostics.md. */
function documentedCodes(doc: string): Set<string> {
  const entries = new Set<string>();
  for (const m of doc.matchAll(/<a id="(rlp\d{3})"><\/a>\n### (RLP\d{3})\b/g)) {
    expect(m[1], `the anchor of ${m[2]}`).toBe(m[2]!.toLowerCase());
    entries.add(m[2]!);
  }
  return entries;
}

describe("the diagnostic-code registry", () => {
  it("registers codes of the form RLPddd, each with a title and a one-line doc", () => {
    expect(ALL_CODES.length).toBeGreaterThanOrEqual(70);
    for (const code of ALL_CODES) {
      const info = DIAGNOSTIC_CODES[code];
      expect(code).toMatch(/^RLP\d{3}$/);
      expect(info.title.trim(), code).not.toBe("");
      expect(info.doc.trim(), code).toMatch(/\.$/);
      expect(info.doc, code).not.toContain("\n");
    }
  });

  it("makes the lints exactly the RLP4xx codes (warnings and infos); every other code is an error", () => {
    for (const code of ALL_CODES)
      expect(isLintCode(code), `${code} is ${DIAGNOSTIC_CODES[code].severity}`).toBe(code.startsWith("RLP4"));
  });

  it("has a registered check for every lint code, and nothing else (compiler/elaborate/lints)", () => {
    expect(Object.keys(LINTS).sort()).toEqual(ALL_CODES.filter(isLintCode).sort());
    for (const [code, lint] of Object.entries(LINTS)) {
      expect(lint.code).toBe(code);
      expect(lint.title).toBe(DIAGNOSTIC_CODES[lint.code].title);
    }
  });

  it("registers only codes that the source reports", () => {
    const used = codesUsedInSource();
    expect(
      ALL_CODES.filter((c) => !used.has(c)),
      "registered but never reported: remove them from grammar/diagnostic_codes.ts",
    ).toEqual([]);
    const unregistered = [...used.keys()].filter((c) => !isDiagnosticCode(c));
    expect(
      unregistered.map((c) => `${c} (${used.get(c)!.join(", ")})`),
      "reported but not registered",
    ).toEqual([]);
  });
});

describe("docs/diagnostics.md and the cases against the registry", () => {
  const doc = readFileSync(DOC_PATH, "utf8");

  it("documents every registered code with an entry of its own", () => {
    const documented = documentedCodes(doc);
    expect(
      ALL_CODES.filter((c) => !documented.has(c)),
      `undocumented: regenerate with npx tsx test/diagnostics/render_docs.ts`,
    ).toEqual([]);
  });

  it("names no code that is not registered", () => {
    const named = new Set([...doc.matchAll(/RLP\d{3}/g)].map((m) => m[0]));
    expect([...named].filter((c) => !isDiagnosticCode(c)).sort()).toEqual([]);
  });

  it("has an example case for every registered code, except the few listed with a reason", () => {
    const withCases = codesWithCases();
    expect(
      ALL_CODES.filter((c) => !withCases.has(c) && NO_CASE[c] === undefined),
      "no case in test/diagnostics/cases.ts (or inputCases, pluginRuntimeCases, cliCases)",
    ).toEqual([]);
    for (const [code, why] of Object.entries(NO_CASE)) {
      expect(isDiagnosticCode(code), `${code} in NO_CASE is not registered`).toBe(true);
      expect(withCases.has(code), `${code} has a case now: take it out of NO_CASE`).toBe(false);
      expect(why.trim()).not.toBe("");
    }
  });

  it("uses only registered codes in the cases", () => {
    expect([...codesWithCases()].filter((c) => !isDiagnosticCode(c))).toEqual([]);
    expect(cases.filter((c) => !isDiagnosticCode(c.code)).map((c) => c.code)).toEqual([]);
  });
});
