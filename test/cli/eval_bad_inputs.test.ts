// `rlp eval` on a bad inputs file: one line per problem, naming the input (and the dim), exit code 2, no stack trace.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main, type CliIO } from "../../cli/main.ts";

const good = JSON.parse(readFileSync("examples/data/grpo.json", "utf8")) as Record<string, { dims: string[]; data: unknown }>;
const dir = mkdtempSync(join(tmpdir(), "rlp-bad-inputs-"));

async function evalWith(doc: unknown, name: string, raw?: string): Promise<{ code: number; err: string; out: string }> {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, raw ?? JSON.stringify(doc));
  let out = "";
  let err = "";
  const io: CliIO = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} };
  const code = await main(["eval", "examples/grpo.rlp", "--inputs", path], io);
  return { code, err, out };
}

function variant(edit: (d: Record<string, { dims?: string[]; data: unknown }>) => void): unknown {
  const d = structuredClone(good) as Record<string, { dims?: string[]; data: unknown }>;
  edit(d);
  return d;
}

const cases: { name: string; code: string; doc?: unknown; raw?: string; mentions: string[] }[] = [
  { name: "missing", code: "RLP501", doc: variant((d) => delete d.mask), mentions: ["'mask'"] },
  {
    name: "rank",
    code: "RLP502",
    doc: variant((d) => {
      d.reward = { data: [1, 0, 0, 0] };
    }),
    mentions: ["'reward'", "[P,G]"],
  },
  {
    name: "size",
    code: "RLP503",
    doc: variant((d) => {
      d.mask = {
        dims: ["P", "G", "T"],
        data: [
          [
            [1, 1],
            [1, 1],
            [1, 1],
            [1, 0],
          ],
        ],
      };
    }),
    mentions: ["'mask'", "T"],
  },
  {
    name: "nonfinite",
    code: "RLP504",
    doc: variant((d) => {
      (d.logp!.data as number[][][])[0]![1]![2] = "NaN" as unknown as number;
    }),
    mentions: ["'logp'", "NaN"],
  },
  {
    name: "dtype",
    code: "RLP505",
    doc: variant((d) => {
      (d.mask!.data as number[][][])[0]![0]![1] = 0.5;
    }),
    mentions: ["'mask'", "bool"],
  },
  {
    name: "dims",
    code: "RLP506",
    doc: variant((d) => {
      d.logp!.dims = ["P", "G", "X"];
    }),
    mentions: ["'logp'", "X"],
  },
  { name: "file", code: "RLP507", raw: "{ not json", mentions: ["json"] },
];

describe("rlp eval with a bad inputs file", () => {
  for (const c of cases) {
    it(`${c.code}: ${c.name}`, async () => {
      const r = await evalWith(c.doc, c.name, c.raw);
      expect(r.code).toBe(2);
      expect(r.out).toBe("");
      const lines = r.err.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(c.code);
      for (const m of c.mentions) expect(lines[0]!.toLowerCase()).toContain(m.toLowerCase());
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    });
  }
});
