// `rlp list` and `rlp explain` (cli/list.ts), called directly with an in-memory CliIO.
import { describe, expect, it } from "vitest";
import { EXPLAIN_HELP, explainCommand, LIST_HELP, listCommand } from "../../cli/list.ts";
import type { CliIO } from "../../cli/main.ts";
import { CATALOG } from "../../stdlib/catalog.ts";

function cli(fn: (argv: string[], io: CliIO) => number, ...argv: string[]): { code: number; out: string; err: string } {
  let out = "";
  let err = "";
  const io: CliIO = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} };
  const code = fn(argv, io);
  return { code, out, err };
}

describe("rlp list", () => {
  it("prints a table with every catalog entry: ID, name, stage, paper title", () => {
    const r = cli(listCommand);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const lines = r.out.split("\n");
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STAGE\s+PAPER$/);
    for (const e of CATALOG) {
      const line = lines.find((l) => l.startsWith(e.id + " "));
      expect(line, e.id).toBeDefined();
      expect(line).toContain(e.name);
      expect(line).toContain(e.stage);
      expect(line).toContain(e.paper.title);
    }
    expect(r.out).toContain(`${CATALOG.length} methods`);
  });

  it("--format json gives the catalog entries", () => {
    const r = cli(listCommand, "--format", "json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { id: string; nodes: string[]; paper: { title: string } }[];
    expect(doc.map((e) => e.id)).toEqual(CATALOG.map((e) => e.id));
    expect(doc.find((e) => e.id === "PG.GRPO")?.nodes).toContain("group_norm");
  });

  it("rejects a bad format, an unknown option or an argument with exit 64", () => {
    for (const argv of [["--format", "xml"], ["--frmat", "json"], ["PG.GRPO"]]) {
      const r = cli(listCommand, ...argv);
      expect(r.code, argv.join(" ")).toBe(64);
      expect(r.err).toMatch(/^rlp list: /);
      expect(r.err).toContain("usage: rlp list");
    }
  });

  it("--help prints its help", () => {
    const r = cli(listCommand, "--help");
    expect(r.code).toBe(0);
    expect(r.out).toBe(LIST_HELP + "\n");
  });
});

describe("rlp explain", () => {
  it("explains a catalog ID: paper, stage, example and each node's signature", () => {
    const r = cli(explainCommand, "PG.GRPO");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PG\.GRPO — GRPO/);
    expect(r.out).toContain("DeepSeekMath");
    expect(r.out).toContain("examples/grpo.rlp");
    expect(r.out).toContain("group_norm(x: f32[..., over], over: dim = G, eps: f32 = 1e-6) -> f32[..., over]");
    expect(cli(explainCommand, "pg.grpo").out).toBe(r.out);
  });

  it("explains a std node: signature, parameters with defaults, definition, users and source", () => {
    const r = cli(explainCommand, "dcpo_clip_bounds");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^dcpo_clip_bounds — std node \(stdlib\/ppo\.rlp:\d+\)/);
    expect(r.out).toContain(
      "dcpo_clip_bounds(old_logp: f32[...], eps_low: f32 = 0.2, eps_high: f32 = 0.28, dual_clip: f32 = 10.0) -> (f32[...], f32[...])",
    );
    expect(r.out).toMatch(/eps_high\s+f32\s+default 0\.28/);
    expect(r.out).toMatch(/old_logp\s+f32\[\.\.\.\]\s+required/);
    expect(r.out).toContain("definition:");
    expect(r.out).toContain("derived from bounding");
    expect(r.out).toContain("used by: PG.DCPO");
    expect(r.out).toContain("source:");
    expect(r.out).toContain("let q = exp(old_logp)");
  });

  it("explains a std enum, a std dim and a builtin", () => {
    const e = cli(explainCommand, "baseline_kind");
    expect(e.code).toBe(0);
    expect(e.out).toContain("labels: none, batch_mean, group_mean, ema, given");
    expect(e.out).toContain("parameter type of: reinforce_advantage");
    const d = cli(explainCommand, "Y");
    expect(d.code).toBe(0);
    expect(d.out).toContain("labels: w, l");
    const b = cli(explainCommand, "safe_div");
    expect(b.code).toBe(0);
    expect(b.out).toMatch(/^safe_div — builtin/);
    expect(b.out).toContain("safe_div(a, b, ok, fill=)");
    expect(b.out).toContain("the unselected quotient is never computed");
  });

  it("says what is close when nothing has the name (exit 1)", () => {
    const r = cli(explainCommand, "grop_norm");
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toContain("'grop_norm'");
    expect(r.err).toContain("did you mean 'group_norm'?");
  });

  it("needs exactly one NAME (exit 64), and --help prints its help", () => {
    expect(cli(explainCommand).code).toBe(64);
    expect(cli(explainCommand, "a", "b").code).toBe(64);
    expect(cli(explainCommand, "--help").out).toBe(EXPLAIN_HELP + "\n");
  });

  it("explains every catalog ID, node, enum and builtin without error", () => {
    for (const e of CATALOG) expect(cli(explainCommand, e.id).code, e.id).toBe(0);
    for (const name of ["token_mean", "gae", "agg_mode", "kl_estimator", "where", "linrec", "take"])
      expect(cli(explainCommand, name).code, name).toBe(0);
  });
});
