// The one IR builder (compiler/ir/builder.ts): types from the type rules, marks from the mark rule, hash-consing,
// origin inheritance; and what its users get from it (the elaborator's as_index, lowering's marks).
import { describe, expect, it } from "vitest";
import { compileFile } from "../../compiler/index.ts";
import { BuildError, NodeBuilder } from "../../compiler/ir/builder.ts";
import type { DimInfo, IRInput, IRProgram } from "../../compiler/ir/ir.ts";
import { verifyProgram } from "../../compiler/ir/verify.ts";
import { runPipeline } from "../../compiler/pipeline/index.ts";
import type { Span } from "../../grammar/ast.ts";
import { PIPELINES } from "../fuse/pipelines.ts";

const span = (line: number): Span => ({ file: "/virtual/x.rlp", start: line * 10, end: line * 10 + 5, line, col: 1 });

function env(dims: string[], inputs: IRInput[] = []): { dims: DimInfo[]; inputs: IRInput[]; marks: string[] } {
  return { dims: dims.map((name) => ({ name })), inputs, marks: ["policy"] };
}

function compile(src: string): IRProgram {
  const path = "/virtual/builder_case.rlp";
  const r = compileFile(path, { sources: new Map([[path, src]]) });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  expect(errors.map((d) => d.message)).toEqual([]);
  return r.programs[0]!;
}

describe("NodeBuilder", () => {
  it("infers types from the type rule: dims in canonical order whatever the args' order, comparisons are bool", () => {
    const b = new NodeBuilder(env(["B", "T"]));
    const t = b.emit({ op: "const", value: 1 }, [], { declared: { dtype: "f32", dims: ["T"] } });
    const x = b.emit({ op: "const", value: 2 }, [], { declared: { dtype: "f32", dims: ["B"] } });
    const sum = b.emit({ op: "binary", fn: "add" }, [t, x]);
    expect(b.type(sum)).toEqual({ dtype: "f32", dims: ["B", "T"] });
    expect(b.type(b.emit({ op: "binary", fn: "lt" }, [t, x])).dtype).toBe("bool");
    const total = b.emit({ op: "reduce", fn: "sum", over: ["T"], hasWhere: false, empty: 0 }, [sum]);
    expect(b.type(total)).toEqual({ dtype: "f32", dims: ["B"] });
  });

  it("refuses a node its rule rejects, with the rule's reason", () => {
    const b = new NodeBuilder(env(["T"]));
    const i = b.emit({ op: "const", value: 1 }, [], { declared: { dtype: "i32", dims: [] } });
    const f = b.emit({ op: "const", value: 1 }, [], { declared: { dtype: "f32", dims: [] } });
    expect(() => b.emit({ op: "binary", fn: "add" }, [i, f])).toThrow(BuildError);
    expect(() => b.emit({ op: "binary", fn: "add" }, [i, f])).toThrow(/add of i32 and f32/);
  });

  it("shares equal pure nodes, never inputs; `unshared` and `share: false` keep nodes apart", () => {
    const inputs: IRInput[] = [{ name: "x", node: 0, type: { dtype: "f32", dims: ["T"] } }];
    const b = new NodeBuilder(env(["T"], inputs));
    const x1 = b.emit({ op: "input", name: "x" }, []);
    const x2 = b.emit({ op: "input", name: "x" }, []);
    expect(x1).not.toBe(x2);
    const e1 = b.emit({ op: "unary", fn: "exp" }, [x1]);
    expect(b.emit({ op: "unary", fn: "exp" }, [x1])).toBe(e1);
    expect(b.emit({ op: "unary", fn: "exp" }, [x2])).not.toBe(e1);
    // -0 and 0 are different constants
    const zero = b.emit({ op: "const", value: 0 }, [], { declared: { dtype: "f32", dims: [] } });
    expect(b.emit({ op: "const", value: -0 }, [], { declared: { dtype: "f32", dims: [] } })).not.toBe(zero);

    const draws = new NodeBuilder(env(["T"]), { unshared: (op) => op.op === "uniform" });
    const step = draws.emit({ op: "const", value: 0 }, [], { declared: { dtype: "i32", dims: [] } });
    const u = { op: "uniform", seed: 1 } as const;
    const draw = () => draws.emit(u, [step], { declared: { dtype: "f32", dims: ["T"] } });
    expect(draw()).not.toBe(draw());

    const plain = new NodeBuilder(env(["T"]), { share: false });
    const c = () => plain.emit({ op: "const", value: 3 }, [], { declared: { dtype: "f32", dims: [] } });
    expect(c()).not.toBe(c());
  });

  it("starts from a program's nodes: new equal nodes reuse them", () => {
    const first = new NodeBuilder(env(["T"]));
    const one = first.emit({ op: "const", value: 1 }, [], { declared: { dtype: "f32", dims: ["T"] } });
    const next = new NodeBuilder(env(["T"]), { from: first.nodes });
    expect(next.emit({ op: "const", value: 1 }, [], { declared: { dtype: "f32", dims: ["T"] } })).toBe(one);
    expect(next.nodes).not.toBe(first.nodes);
  });

  it("computes marks from the mark rule; an input not listed yet takes the marks it is given", () => {
    const b = new NodeBuilder(env(["T"]));
    const x = b.emit({ op: "input", name: "x" }, [], { declared: { dtype: "f32", dims: ["T"] }, marks: ["policy"] });
    const two = b.emit({ op: "const", value: 2 }, [], { declared: { dtype: "f32", dims: [] } });
    expect(b.node(x).grad).toEqual(["policy"]);
    expect(b.node(b.emit({ op: "binary", fn: "mul" }, [x, two])).grad).toEqual(["policy"]);
    expect(b.node(b.emit({ op: "binary", fn: "gt" }, [x, two])).grad).toEqual([]);
    expect(b.node(b.emit({ op: "detach" }, [x])).grad).toEqual([]);
  });

  it("new nodes inherit the default origin, which emit overrides field by field; copy keeps the node's own", () => {
    const site = { node: "f", span: span(1) };
    const b = new NodeBuilder(env(["T"]), { origin: () => ({ site, span: span(2) }) });
    const c = b.emit({ op: "const", value: 1 }, [], { declared: { dtype: "f32", dims: [] }, origin: { span: span(3) } });
    expect(b.node(c).span).toEqual(span(3));
    expect(b.node(c).site).toBe(site);
    const d = b.emit({ op: "const", value: 2 }, [], { declared: { dtype: "f32", dims: [] } });
    expect(b.node(d).span).toEqual(span(2));

    const target = new NodeBuilder(env(["T"]));
    const copied = target.copy(b.node(c), []);
    expect(target.node(copied)).toMatchObject({ span: span(3), site, type: { dtype: "f32", dims: [] } });
  });

  it("places a dim the order does not have yet last (a program being built meets it first)", () => {
    const dims: DimInfo[] = [{ name: "B" }];
    const b = new NodeBuilder({
      get dims() {
        return dims;
      },
      inputs: [],
      marks: [],
    });
    const t = b.emit({ op: "const", value: 0 }, [], { declared: { dtype: "f32", dims: ["T", "B"] } });
    expect(b.dims(t)).toEqual(["B", "T"]);
    dims.unshift({ name: "T" });
    expect(b.dims(b.emit({ op: "const", value: 1 }, [], { declared: { dtype: "f32", dims: ["B", "T"] } }))).toEqual(["T", "B"]);
  });
});

describe("the builder's users", () => {
  it("the elaborator lets the rule type as_index: a cast to i32 that addresses the dim", () => {
    const p = compile(`pipeline p {
  dims B, T
  input n: i32[B]
  input x: f32[B,T] @policy
  output y = take(x, as_index(n, T), along=T)
  loss L = sum(x, over=[B,T])
}`);
    const cast = p.nodes.find((n) => n.op.op === "cast")!;
    expect(cast.op).toEqual({ op: "cast", to: "i32", indexOf: "T" });
    expect(cast.type).toEqual({ dtype: "i32", dims: ["B"], indexOf: "T" });
    expect(verifyProgram(p)).toEqual([]);
  });

  it("lowering's nodes carry the marks the rule gives, so lowered programs verify", () => {
    for (const [name, src] of Object.entries(PIPELINES)) {
      const path = `/virtual/lower_${name}.rlp`;
      const r = compileFile(path, { sources: new Map([[path, src]]) });
      for (const program of r.programs) {
        const { lowered } = runPipeline(program, { grad: true, until: "lower", verify: false });
        expect(verifyProgram(lowered!), name).toEqual([]);
      }
    }
  });
});
