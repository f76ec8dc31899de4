// docs/custom-nodes.md is a tutorial whose commands must work: every `npx rlp ...` line of its ```sh blocks runs (on a
// copy of examples/custom, so `--update` cannot touch the repository) and exits 0; its ```ts and ```rlp blocks are
// excerpts of examples/custom, so the code it walks through is the code that is tested. README.md and
// docs/testing.md link to it.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, REPO } from "../plugin/helpers.ts";

const DOC = readFileSync(join(REPO, "docs/custom-nodes.md"), "utf8");

function blocks(lang: string): string[] {
  return [...DOC.matchAll(/^```(\S*)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === lang).map((m) => m[2]!);
}

/** `npx rlp check examples/custom/rank_pg.rlp` -> ["check", ...] with examples/custom moved to `dir`. */
function argv(line: string, dir: string): string[] {
  return line
    .replace(/^npx rlp /, "")
    .split(/\s+/)
    .filter((w) => w !== "")
    .map((w) => w.replace(/^examples\/custom/, join(dir, "examples/custom")));
}

describe("docs/custom-nodes.md", () => {
  const commands = blocks("sh")
    .flatMap((b) => b.split("\n"))
    .map((l) => l.trim())
    .filter((l) => l.startsWith("npx rlp "))
    // training is test/plugin/train_custom.test.ts's (a run here would need the warm start and write runs/)
    .filter((l) => !l.startsWith("npx rlp train "));

  it("walks through check, eval --grad, test --update, test, --gradcheck and compile", () => {
    for (const c of ["rlp check", "rlp eval", "--grad", "--update", "rlp test examples/custom", "--gradcheck", "rlp compile"]) {
      expect(
        commands.some((l) => l.includes(c)),
        c,
      ).toBe(true);
    }
  });

  it.each(commands.map((c) => [c] as const))("`%s` exits 0", async (line) => {
    const dir = mkdtempSync(join(tmpdir(), "rlp-doc-custom-"));
    writeFileSync(join(dir, "package.json"), `{ "type": "module" }\n`);
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(REPO, join(dir, "node_modules/rlpc"), "dir");
    cpSync(join(REPO, "examples/custom"), join(dir, "examples/custom"), { recursive: true });
    const r = await cli(...argv(line, dir));
    expect(r.code, `${line}\n${r.out}${r.err}`).toBe(0);
    expect(r.err).not.toMatch(/error\[/);
  });

  it("shows code that is examples/custom's own", () => {
    const ts = readFileSync(join(REPO, "examples/custom/my_nodes.ts"), "utf8");
    const rlp = readFileSync(join(REPO, "examples/custom/rank_pg.rlp"), "utf8");
    expect(blocks("ts").length).toBeGreaterThanOrEqual(2);
    for (const b of blocks("ts")) expect(ts, b).toContain(b);
    expect(blocks("rlp").length).toBeGreaterThanOrEqual(1);
    for (const b of blocks("rlp")) expect(rlp, b).toContain(b);
  });

  it("is linked from README.md and docs/testing.md", () => {
    expect(readFileSync(join(REPO, "README.md"), "utf8")).toContain("(docs/custom-nodes.md)");
    expect(readFileSync(join(REPO, "docs/testing.md"), "utf8")).toContain("(custom-nodes.md)");
  });
});
