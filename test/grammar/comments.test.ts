import { describe, expect, it } from "vitest";
import { parse } from "../../grammar/index.ts";
import { parseOk } from "./util.ts";

const EXAMPLE = `// GRPO with a k3 KL penalty
pipeline grpo {
  dims P, G, T
  param clip_eps: f32 = 0.2
  param beta: f32 = 0.04
  input logp:     f32[P,G,T] @policy
  input old_logp: f32[P,G,T]
  input ref_logp: f32[P,G,T]
  input mask:     bool[P,G,T] masks T
  input reward:   f32[P,G]
  advantage A = group_norm(reward, over=G, eps=1e-6)
  let pg, clipped = ppo_clip(logp, old_logp, A, eps=clip_eps)
  loss L = seq_mean_token_mean(pg + beta * kl_k3(logp, ref_logp), mask)
  metric clip_frac = token_mean(f32(clipped), mask)
}
enum agg_mode { token_mean, seq_mean_token_sum, seq_mean_token_mean, seq_mean_token_sum_norm }
dim Y = {w, l}
node group_norm(x: f32[..., over], over: dim = G, eps: f32 = 1e-6) -> f32[..., over] {
  let n = count(x, over=over)
  let mu = where(n > 1, mean(x, over=over), 0.0)
  let sd = where(n > 1, std(x, over=over, ddof=1), 1.0)
  return (x - mu) / (sd + eps)
}
node agg(x: f32[...R, T], mask: bool[...R, T], mode: agg_mode = token_mean) -> f32 {
  return match mode {
    token_mean => sum(x, over=..., where=mask) / count(mask, over=...),
    seq_mean_token_sum => 1.0, seq_mean_token_mean => 2.0, seq_mean_token_sum_norm => 3.0
  }
}
node pair(u: f32[..., Y]) -> (f32[...], f32[..., Y]) { return u[Y=w] - u[Y=l], Y{w: u[Y=l], l: u[Y=w]} }
pipeline spo { dims P, G, G2 = G, T
  input prompt_id: id[P]
  input x: f32[P,G]
  state vhat: table f32 = 0.5
  model ref = frozen(policy)
  let y = x[G as G2] * 2 ** -1
  update vhat[prompt_id] = vhat[prompt_id] + 0.1 * (mean(x, over=G) - vhat[prompt_id])
  require clip_eps > 0, "clip_eps must be positive"
  loss L for policy = if beta > 0 then 1.0 else 0.0;
  optimize policy with adam(lr=1e-3)
}
`;

describe("the example program", () => {
  it("parses cleanly into the expected declarations", () => {
    const ast = parseOk(EXAMPLE, "grpo.rlp");
    expect(ast.file).toBe("grpo.rlp");
    expect(ast.decls.map((d) => `${d.kind}:${"name" in d ? d.name.name : ""}`)).toEqual([
      "pipeline:grpo",
      "enum:agg_mode",
      "dimdecl:Y",
      "node:group_norm",
      "node:agg",
      "node:pair",
      "pipeline:spo",
    ]);
    const grpo = ast.decls[0]!;
    expect(grpo.kind === "pipeline" && grpo.items.length).toBe(14);
    expect(grpo).toMatchObject({ doc: "GRPO with a k3 KL penalty", span: { line: 2, col: 1 } });
    const spo = ast.decls[6]!;
    expect(spo.kind === "pipeline" && spo.items.map((i) => i.kind)).toEqual([
      "dimdecl",
      "dimdecl",
      "dimdecl",
      "dimdecl",
      "input",
      "input",
      "state",
      "model",
      "let",
      "update",
      "require",
      "stage",
      "optimize",
    ]);
    expect(spo).not.toHaveProperty("doc");
    // spans of a few nodes
    expect(ast.decls[3]).toMatchObject({ span: { line: 18, col: 1 }, name: { span: { line: 18, col: 6 } } });
    const agg = ast.decls[4]!;
    expect(agg.kind === "node" && agg.body[0]).toMatchObject({
      kind: "return",
      span: { line: 25, col: 3 },
      values: [{ kind: "match", span: { line: 25, col: 10 } }],
    });
    expect(spo.kind === "pipeline" && spo.items[11]).toMatchObject({
      span: { line: 39, col: 3 },
      value: { kind: "if", span: { line: 39, col: 23 } },
    });
    // the `;` is not part of the statement
    const loss = spo.kind === "pipeline" ? spo.items[11]! : undefined;
    expect(EXAMPLE.slice(loss!.span.start, loss!.span.end)).toBe("loss L for policy = if beta > 0 then 1.0 else 0.0");
  });

  it("skips comments anywhere", () => {
    const ast = parseOk("pipeline /* a */ p { // x\n let a = /* inline */ 1 // trailing\n /* multi\n line */ }");
    expect(ast.decls[0]!.kind === "pipeline" && ast.decls[0]!.items).toHaveLength(1);
  });
});

describe("doc comments", () => {
  it("joins the // lines directly above a node or pipeline", () => {
    const ast = parseOk(`// not a doc: a blank line follows

// Normalise within groups.
//   eps guards a zero std.
//no space
override node f() -> f32 { return 1 }
// doc of p
// rlp-allow RLP401
pipeline p { }
enum e { a } // not a doc target
// above a dim
dims Q
node g() -> f32 { return 1 } // trailing comment is not a doc
`);
    expect(ast.decls[0]).toMatchObject({ kind: "node", doc: "Normalise within groups.\n  eps guards a zero std.\nno space" });
    expect(ast.decls[1]).toMatchObject({ kind: "pipeline", doc: "doc of p" });
    expect(ast.decls[4]).toMatchObject({ kind: "node" });
    expect(ast.decls[4]).not.toHaveProperty("doc");
  });
});

describe("suppressions", () => {
  it("maps each rlp-allow comment to its own line and the next", () => {
    const { ast } = parse(
      "// rlp-allow RLP401 RLP404\npipeline p {\n  let a = 1 // rlp-allow RLP410\n  let b = 2\n}\n// a plain comment\n",
      "f.rlp",
    );
    expect([...ast.suppressions.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [1, ["RLP401", "RLP404"]],
      [2, ["RLP401", "RLP404"]],
      [3, ["RLP410"]],
      [4, ["RLP410"]],
    ]);
  });

  it("merges codes when two comments cover the same line", () => {
    const { ast } = parse("// rlp-allow RLP401\n// rlp-allow RLP402\n", "f.rlp");
    expect(ast.suppressions.get(2)).toEqual(["RLP401", "RLP402"]);
  });
});
