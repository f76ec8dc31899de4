import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main, type CliIO } from "../../cli/main.ts";
import { tempDir } from "./helpers.ts";

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIO = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
  };
  const code = await main(argv, io);
  return { code, out, err };
}

describe("rlp main", () => {
  it("--help prints usage to stdout", async () => {
    const r = await cli("--help");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: rlp <command>/);
    expect(r.out).toContain("check FILE...");
    expect(r.err).toBe("");
  });

  it("help COMMAND and COMMAND --help", async () => {
    const a = await cli("help", "eval");
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/^usage: rlp eval FILE --inputs/);
    const b = await cli("check", "--help");
    expect(b.code).toBe(0);
    expect(b.out).toMatch(/^usage: rlp check FILE\.\.\./);
  });

  it("--version prints the package version", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    const r = await cli("--version");
    expect(r.code).toBe(0);
    expect(r.out).toBe(`rlp ${pkg.version}\n`);
  });

  it("an unknown command or flag is a one-line error plus usage, exit 64", async () => {
    const a = await cli("frobnicate");
    expect(a.code).toBe(64);
    expect(a.err.split("\n")[0]).toBe("rlp: unknown command 'frobnicate'");
    expect(a.err).toContain("usage: rlp");
    const b = await cli("check", "--frob", "x.rlp");
    expect(b.code).toBe(64);
    expect(b.err.split("\n")[0]).toBe("rlp check: unknown option '--frob'");
    expect(b.err.split("\n")[1]).toMatch(/^usage: rlp check/);
    const c = await cli("eval", "x.rlp");
    expect(c.code).toBe(64);
    expect(c.err.split("\n")[0]).toBe("rlp eval: --inputs FILE is required");
    const d = await cli("check", "--format", "xml", "x.rlp");
    expect(d.code).toBe(64);
    const e = await cli("check", "--set", "novalue", "x.rlp");
    expect(e.code).toBe(64);
    expect(e.err).toContain("error[RLP509]");
  });

  it("a missing source file is a one-line error, exit 1, no stack trace", async () => {
    const path = join(tempDir(), "nope.rlp");
    const a = await cli("check", path);
    expect(a.code).toBe(1);
    expect(a.err).toContain(`${path}:1:1: error[RLP104]: cannot read '${path}': no such file`);
    expect(a.err).not.toMatch(/\n\s+at /);
    const b = await cli("eval", path, "--inputs", "in.json");
    expect(b.code).toBe(1);
    expect(b.err).not.toMatch(/\n\s+at /);
    const c = await cli("check", "--format", "json", path);
    expect(c.code).toBe(1);
    expect(JSON.parse(c.out)).toMatchObject([{ code: "RLP104", file: path, line: 1, col: 1 }]);
  });

  it("never throws: a failure inside becomes one 'internal error' line, exit 70", async () => {
    let err = "";
    const io: CliIO = {
      stdout: {
        write: () => {
          throw new Error("disk on fire\nsecond line");
        },
      },
      stderr: { write: (s: string) => (err += s) },
      env: {},
    };
    expect(await main(["--help"], io)).toBe(70);
    expect(err).toBe("rlp: internal error: disk on fire\n");
  });

  it("no arguments prints usage, exit 64", async () => {
    const r = await cli();
    expect(r.code).toBe(64);
    expect(r.err).toMatch(/^usage: rlp/);
  });

  it("check renders a real compile error with a caret; eval runs a real pipeline", async () => {
    const dir = tempDir();
    const src = join(dir, "t.rlp");
    writeFileSync(src, "pipeline p {\n  dims P\n  input x: f32[P]\n  output y = x + nope\n}\n");
    const a = await cli("check", src);
    expect(a.code).toBe(1);
    const lines = a.err.split("\n");
    expect(lines[0]).toMatch(/t\.rlp:4:18: error\[RLP\d+\]: .*'nope'/);
    expect(lines[1]).toBe("  4 |   output y = x + nope");
    expect(lines[2]).toBe("    |                  ^~~~");
    writeFileSync(src, "pipeline p {\n  dims P\n  input x: f32[P]\n  output y = x * 2\n}\n");
    expect((await cli("check", src)).code).toBe(0);
    const inputs = join(dir, "in.json");
    writeFileSync(inputs, JSON.stringify({ x: [1, 2.5] }));
    const b = await cli("eval", src, "--inputs", inputs);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.out)).toEqual({ y: { dims: ["P"], shape: [2], data: [2, 5] } });
    // --set may name an input: a scalar broadcast to its dims (the compiler only sees param overrides)
    const c = await cli("eval", src, "--inputs", inputs, "--set", "x=4");
    expect(c.code).toBe(0);
    expect(JSON.parse(c.out).y.data).toEqual([8, 8]);
    const d = await cli("eval", src, "--inputs", inputs, "--set", "x=abc");
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/^rlp eval: error\[RLP509\]: --set x=abc: input 'x' expects a finite number/);
  });
});
