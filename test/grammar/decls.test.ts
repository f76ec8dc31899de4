import { describe, expect, it } from "vitest";
import type { NodeDecl, TypeExpr } from "../../grammar/ast.ts";
import { at, items, parseOk, show } from "./util.ts";

function node(text: string): NodeDecl {
  const d = parseOk(text).decls[0];
  if (d?.kind !== "node") throw new Error("not a node");
  return d;
}

/** A short rendering of a type as written. */
function ty(t: TypeExpr): string {
  switch (t.kind) {
    case "tensor": {
      const dims = t.dims?.map((d) =>
        d.kind === "dim" ? d.name.name : d.kind === "splice" ? `*${d.name.name}` : `...${d.name?.name ?? ""}`,
      );
      return `${t.dtype}${t.index ? `<${t.index.name}>` : ""}${dims ? `[${dims.join(",")}]` : ""}`;
    }
    case "table":
      return `table ${ty(t.value)}`;
    case "dim":
    case "dims":
      return t.kind;
    case "named":
      return `named ${t.name.name}`;
    case "enum":
      return `enum{${t.labels.map((l) => l.name).join(",")}}`;
  }
}

describe("top-level declarations", () => {
  it("parses import and enum (trailing comma allowed)", () => {
    const ast = parseOk('import "std/kl.rlp"\nenum agg_mode { token_mean, seq_mean_token_sum, }');
    expect(ast.decls[0]).toMatchObject({ kind: "import", path: "std/kl.rlp", span: { line: 1, col: 1, start: 0, end: 19 } });
    expect(ast.decls[1]).toMatchObject({ kind: "enum", name: { name: "agg_mode" }, span: { line: 2, col: 1 } });
    expect(ast.decls[1]!.kind === "enum" && ast.decls[1]!.labels.map((l) => l.name)).toEqual([
      "token_mean",
      "seq_mean_token_sum",
    ]);
  });

  it("parses dim and dims: plain, labelled, alias, static size", () => {
    const ast = parseOk("dims P, G, G2 = G, M = 4\ndim Y = {w, l}");
    expect(ast.decls).toMatchObject([
      { kind: "dimdecl", name: { name: "P" }, span: { line: 1, col: 6 } },
      { kind: "dimdecl", name: { name: "G" } },
      { kind: "dimdecl", name: { name: "G2" }, alias: { name: "G" } },
      { kind: "dimdecl", name: { name: "M" }, size: 4 },
      { kind: "dimdecl", name: { name: "Y" }, labels: [{ name: "w" }, { name: "l" }], span: { line: 2, col: 5 } },
    ]);
    expect(ast.decls[0]).not.toHaveProperty("alias");
  });

  it("parses a node with defaults, row variables, splices, dim params, an inline enum", () => {
    const n = node(
      "node f(x: f32[..., over], m: bool[...R, T], over: dim = G, ax: dims, y: f32[*ax, P], k: i32<V>[P,T],\n" +
        "       mode: enum {a, b} = a, t: table f32, s: f32[], agg: agg_mode = token_mean,) -> f32[..., over] { return x }",
    );
    expect(n).toMatchObject({ kind: "node", name: { name: "f" }, override: false });
    expect(n.params.map((p) => `${p.name.name}: ${ty(p.type)}${p.default ? ` = ${show(p.default)}` : ""}`)).toEqual([
      "x: f32[...,over]",
      "m: bool[...R,T]",
      "over: dim = G",
      "ax: dims",
      "y: f32[*ax,P]",
      "k: i32<V>[P,T]",
      "mode: enum{a,b} = a",
      "t: table f32",
      "s: f32[]",
      "agg: named agg_mode = token_mean",
    ]);
    expect(n.results.map(ty)).toEqual(["f32[...,over]"]);
    expect(n.body).toMatchObject([{ kind: "return", values: [{ kind: "name", name: "x" }] }]);
    expect(n.params[1]!.type).toMatchObject({
      kind: "tensor",
      dims: [{ kind: "row", name: { name: "R" }, span: { line: 1, col: 35 } }, { kind: "dim" }],
    });
    expect(n.params[0]!.type).toMatchObject({ dims: [{ kind: "row", span: { col: 15 } }, { kind: "dim" }] });
    expect(n.params[0]!.type.kind === "tensor" && n.params[0]!.type.dims![0]).not.toHaveProperty("name");
  });

  it("parses a results tuple, multiple return values and override", () => {
    const n = node(
      "override node pair(u: f32[..., Y]) -> (f32[...], f32[..., Y]) {\n  return u[Y=w] - u[Y=l], Y{w: u[Y=l], l: u[Y=w]}\n}",
    );
    expect(n.override).toBe(true);
    expect(n.span).toMatchObject({ line: 1, col: 1, start: 0 });
    expect(n.results.map(ty)).toEqual(["f32[...]", "f32[...,Y]"]);
    const ret = n.body[0]!;
    expect(ret.kind === "return" && ret.values.map(show)).toEqual(["(- u[Y=w] u[Y=l])", "Y{w: u[Y=l], l: u[Y=w]}"]);
    expect(ret.span).toMatchObject({ line: 2, col: 3 });
  });

  it("parses a node with no parameters and a scalar result", () => {
    const n = node("node one() -> f32 { let a = 1; return a; }");
    expect(n.params).toEqual([]);
    expect(n.results).toMatchObject([{ kind: "tensor", dtype: "f32", dims: null }]);
    expect(n.body.map((s) => s.kind)).toEqual(["let", "return"]);
  });
});

describe("pipeline items", () => {
  it("parses params, inputs (mark, masks, default), state and models", () => {
    const its = items(`pipeline p {
  dims P, G, T
  param clip_eps: f32 = 0.2
  param n: i32
  input logp: f32[P,G,T] @policy
  input mask: bool[P,G,T] masks T
  input m2: bool[P,G,T] masks [G, T] = true
  input r: f32[P] @critic masks P = 0.0
  state vhat: table f32 = 0.5
  model ref = frozen(policy)
  model rm
}`);
    expect(its.map((i) => i.kind)).toEqual([
      "dimdecl",
      "dimdecl",
      "dimdecl",
      "param",
      "param",
      "input",
      "input",
      "input",
      "input",
      "state",
      "model",
      "model",
    ]);
    expect(its[3]).toMatchObject({
      kind: "param",
      name: { name: "clip_eps" },
      default: { value: 0.2 },
      span: { line: 3, col: 3 },
    });
    expect(its[4]).not.toHaveProperty("default");
    expect(its[5]).toMatchObject({ kind: "input", mark: { name: "policy" } });
    expect(its[5]).not.toHaveProperty("masks");
    expect(its[6]).toMatchObject({ masks: [{ name: "T" }] });
    expect(its[7]).toMatchObject({ masks: [{ name: "G" }, { name: "T" }], default: { kind: "bool", value: true } });
    expect(its[8]).toMatchObject({ mark: { name: "critic" }, masks: [{ name: "P" }], default: { value: 0 } });
    expect(its[9]).toMatchObject({
      kind: "state",
      type: { kind: "table", value: { kind: "tensor", dtype: "f32" } },
      init: { value: 0.5 },
    });
    expect(its[10]).toMatchObject({ kind: "model", name: { name: "ref" }, value: { kind: "call" } });
    expect(its[11]).toMatchObject({ kind: "model", name: { name: "rm" } });
    expect(its[11]).not.toHaveProperty("value");
  });

  it("parses every stage kind, multiple results and 'for'", () => {
    const its = items(`pipeline p {
  rollout r = sample(policy, n=4)
  reward R = score(r)
  advantage A = group_norm(R, over=G)
  let pg, clipped = ppo_clip(logp, old_logp, A, eps=clip_eps)
  loss L for policy = if beta > 0 then 1.0 else 0.0;
  loss Lv, Lx for critic = 1
  metric clip_frac = 2
  output o = 3
}`);
    expect(its.map((i) => (i.kind === "stage" ? i.stage : i.kind))).toEqual([
      "rollout",
      "reward",
      "advantage",
      "let",
      "loss",
      "loss",
      "metric",
      "output",
    ]);
    expect(its[3]).toMatchObject({ kind: "let", names: [{ name: "pg" }, { name: "clipped" }], span: { line: 5, col: 3 } });
    expect(its[4]).toMatchObject({ kind: "stage", names: [{ name: "L" }], forModel: { name: "policy" }, value: { kind: "if" } });
    expect(its[5]).toMatchObject({ names: [{ name: "Lv" }, { name: "Lx" }], forModel: { name: "critic" } });
    expect(its[0]).not.toHaveProperty("forModel");
  });

  it("parses require, update (with and without key) and optimize", () => {
    const its = items(`pipeline p {
  require clip_eps > 0, "clip_eps must be positive"
  update vhat[prompt_id] = vhat[prompt_id] + 0.1 * (mean(x, over=G) - vhat[prompt_id])
  update count = count + 1
  optimize policy with adam(lr=1e-3)
  optimize policy, critic with sgd(lr=0.1)
}`);
    expect(its[0]).toMatchObject({ kind: "require", message: "clip_eps must be positive", cond: { kind: "binary", op: ">" } });
    expect(its[1]).toMatchObject({ kind: "update", target: { name: "vhat" }, key: { kind: "name", name: "prompt_id" } });
    expect(its[2]).toMatchObject({ kind: "update", target: { name: "count" } });
    expect(its[2]).not.toHaveProperty("key");
    expect(its[3]).toMatchObject({ kind: "optimize", models: [{ name: "policy" }], optimizer: { kind: "call" } });
    expect(its[3]!.kind === "optimize" && show(its[3]!.optimizer)).toBe("adam(lr=1e-3)");
    expect(its[4]).toMatchObject({ models: [{ name: "policy" }, { name: "critic" }] });
    expect(its[4]!.span).toMatchObject({ line: 6, col: 3 });
  });

  it("lets contextual words be names", () => {
    const its = items(`pipeline p {
  dims P, G
  input reward: f32[P,G]
  input loss: f32[P]
  input table: f32
  advantage A = reward - 1
  let dim, input = split(loss * 2, table)
  metric for = dim + input + masks + with + as + model
  let letter = inputs + dims2 + notable
}`);
    expect(its[2]).toMatchObject({ kind: "input", name: { name: "reward" } });
    expect(its[5]).toMatchObject({
      kind: "stage",
      stage: "advantage",
      value: { kind: "binary", left: { kind: "name", name: "reward" } },
    });
    expect(its[6]).toMatchObject({ kind: "let", names: [{ name: "dim" }, { name: "input" }] });
    expect(its[7]!.kind === "stage" && [its[7]!.names[0]!.name, show(its[7]!.value)]).toEqual([
      "for",
      "(+ (+ (+ (+ (+ dim input) masks) with) as) model)",
    ]);
    expect(its[8]!.kind === "let" && show(its[8]!.value)).toBe("(+ (+ inputs dims2) notable)");
  });

  it("parses the pipeline-level spans", () => {
    const ast = parseOk("\n\n  pipeline grpo {\n  let a = 1\n}\n");
    const p = ast.decls[0]!;
    expect(p).toMatchObject({
      kind: "pipeline",
      name: { name: "grpo", span: { line: 3, col: 12 } },
      span: { line: 3, col: 3, start: 4 },
    });
    expect(p.span.end).toBe(ast.decls.length && "\n\n  pipeline grpo {\n  let a = 1\n}".length);
    expect(at((p as { items: { span: { line: number; col: number } }[] }).items[0]!)).toBe("4:3");
  });
});
