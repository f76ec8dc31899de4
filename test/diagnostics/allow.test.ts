// Every lint can be switched off by its code for a whole compilation (`--allow CODE`, CompileOptions.allow), leaving
// the other diagnostics as they were; only lint codes can be allowed.
import { writeFileSync } from "node:fs";
import { join, posix } from "node:path";
import { describe, expect, it } from "vitest";
import { main, type CliIO } from "../../cli/main.ts";
import { compileFile } from "../../compiler/index.ts";
import type { Diagnostic } from "../../grammar/diagnostic.ts";
import { ALL_CODES, isLintCode, type LintCode } from "../../grammar/diagnostic_codes.ts";
import { tempDir } from "../cli/helpers.ts";
import { cases, type DiagnosticCase } from "./cases.ts";
import { caseDir, findExpected, listDiagnostics, mainPath } from "./compile_case.ts";

function compileWith(c: DiagnosticCase, index: number, allow: LintCode[]): Diagnostic[] {
  const sources = new Map<string, string>([[mainPath(index), c.source]]);
  for (const [name, body] of Object.entries(c.files ?? {})) sources.set(posix.join(caseDir(index), name), body);
  return compileFile(mainPath(index), { sources, ...(c.set ? { set: c.set } : {}), allow }).diagnostics;
}

function shown(diags: readonly Diagnostic[]): string[] {
  return diags.map((d) => `${d.severity}[${d.code}] ${d.span.line}:${d.span.col} ${d.message}`);
}

const LINT_CASES = ALL_CODES.filter(isLintCode).map((code) => {
  const index = cases.findIndex((c) => c.code === code && !c.silenced);
  return [code, cases[index]!, index] as const;
});

describe("--allow CODE (CompileOptions.allow)", () => {
  it.each(LINT_CASES)("switches %s off and leaves the other diagnostics", (code, c, index) => {
    expect(c, `no case for ${code}`).toBeDefined();
    const loud = compileWith(c, index, []);
    expect(findExpected(loud, c, index), listDiagnostics(loud)).toBeDefined();
    const quiet = compileWith(c, index, [code]);
    expect(
      quiet.filter((d) => d.code === code),
      listDiagnostics(quiet),
    ).toEqual([]);
    expect(shown(quiet)).toEqual(shown(loud.filter((d) => d.code !== code)));
  });

  it("switches off only the codes it names", () => {
    const [code, c, index] = LINT_CASES[0]!;
    const other = ALL_CODES.filter(isLintCode).find((x) => x !== code)!;
    expect(findExpected(compileWith(c, index, [other]), c, index)).toBeDefined();
  });
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIO = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} };
  return { code: await main(argv, io), out, err };
}

describe("rlp check / rlp compile --allow", () => {
  const [code, c] = LINT_CASES.find(([k]) => k === "RLP401")!;
  const dir = tempDir();
  const file = join(dir, "main.rlp");
  writeFileSync(file, c.source);

  it("rlp check --allow CODE drops that lint (repeatable, any case of the letters)", async () => {
    const loud = await cli("check", "--format", "json", file);
    expect(loud.code).toBe(0);
    expect((JSON.parse(loud.out) as { code: string }[]).map((d) => d.code)).toContain(code);
    const quiet = await cli("check", "--format", "json", "--allow", code.toLowerCase(), "--allow", "RLP404", file);
    expect(quiet.code).toBe(0);
    expect((JSON.parse(quiet.out) as { code: string }[]).map((d) => d.code)).not.toContain(code);
  });

  it("rejects an error code and an unknown code with a usage error", async () => {
    const error = await cli("check", "--allow", "RLP201", file);
    expect(error.code).toBe(64);
    expect(error.err.split("\n")[0]).toMatch(
      /^rlp check: --allow RLP201: RLP201 is an error, and errors cannot be allowed; the lints are RLP401, /,
    );
    const unknown = await cli("check", "--allow", "RLP999", file);
    expect(unknown.code).toBe(64);
    expect(unknown.err.split("\n")[0]).toMatch(/^rlp check: --allow RLP999: not a diagnostic code; the lints are /);
  });

  it("rlp compile --allow CODE drops that warning from what it prints", async () => {
    const loud = await cli("compile", file, "--dump", "kernels");
    expect(loud.code).toBe(0);
    expect(loud.err).toContain(`warning[${code}]`);
    const quiet = await cli("compile", file, "--dump", "kernels", "--allow", code);
    expect(quiet.code).toBe(0);
    expect(quiet.err).not.toContain(`warning[${code}]`);
    const bad = await cli("compile", file, "--dump", "kernels", "--allow", "RLP303");
    expect(bad.code).toBe(64);
    expect(bad.err).toContain("rlp compile: --allow RLP303: RLP303 is an error");
  });
});
