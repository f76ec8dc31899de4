import { describe, expect, it } from "vitest";
import { parse } from "../../grammar/index.ts";
import { expr, show } from "./util.ts";

const s = (src: string) => show(expr(src));

describe("operator precedence", () => {
  it("binds * tighter than +, and both left-associative", () => {
    expect(s("a + b * c")).toBe("(+ a (* b c))");
    expect(s("a * b + c")).toBe("(+ (* a b) c)");
    expect(s("a - b - c")).toBe("(- (- a b) c)");
    expect(s("a / b % c")).toBe("(% (/ a b) c)");
  });

  it("makes ** right-associative and tighter than unary minus", () => {
    expect(s("-x**2")).toBe("(- (** x 2))");
    expect(s("a ** b ** c")).toBe("(** a (** b c))");
    expect(s("2 ** -1")).toBe("(** 2 (- 1))");
    expect(s("-a * b")).toBe("(* (- a) b)");
    expect(s("--a")).toBe("(- (- a))");
  });

  it("orders not, and, or, comparisons", () => {
    expect(s("not a and b")).toBe("(and (not a) b)");
    expect(s("a or b and c")).toBe("(or a (and b c))");
    expect(s("!a & b | c")).toBe("(or (and (not a) b) c)");
    expect(s("not a < b")).toBe("(not (< a b))");
    expect(s("a + 1 >= b * 2 and c != d")).toBe("(and (>= (+ a 1) (* b 2)) (!= c d))");
    expect(s("x == y")).toBe("(== x y)");
  });

  it("keeps the written operator span and maps | & to or/and", () => {
    const e = expr("a | b");
    expect(e.kind === "binary" && e.op).toBe("or");
    expect(e.kind === "binary" && [e.opSpan.line, e.opSpan.col, e.opSpan.end - e.opSpan.start]).toEqual([2, 13, 1]);
  });

  it("rejects chained comparisons (not associative)", () => {
    const { diagnostics } = parse("pipeline p {\n  let v = a < b < c\n}", "f.rlp");
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: "RLP002", severity: "error", span: { line: 2, col: 17 } });
    expect(diagnostics[0]!.message).toContain("cannot be chained");
  });

  it("parses if/then/else as the loosest form, and parentheses", () => {
    expect(s("if a > 0 then 1.0 else b + 1")).toBe("(if (> a 0) 1.0 (+ b 1))");
    expect(s("(a + b) * c")).toBe("(* (+ a b) c)");
    expect(s("1 + (if c then 2 else 3)")).toBe("(+ 1 (if c 2 3))");
  });
});

describe("calls and arguments", () => {
  it("tells keyword from positional arguments", () => {
    const e = expr("group_norm(reward, over=G, eps=1e-6)");
    expect(show(e)).toBe("group_norm(reward, over=G, eps=1e-6)");
    if (e.kind !== "call") throw new Error();
    expect(e.args.map((a) => a.name?.name)).toEqual([undefined, "over", "eps"]);
    expect(s("f(a == b)")).toBe("f((== a b))");
  });

  it("accepts a trailing comma, no arguments, lists and ... as values", () => {
    expect(s("f(x,)")).toBe("f(x)");
    expect(s("f()")).toBe("f()");
    expect(s("sum(x, over=[P, G], where=mask)")).toBe("sum(x, over=[P, G], where=mask)");
    expect(s("sum(x, over=...)")).toBe("sum(x, over=...)");
    expect(s("[]")).toBe("[]");
  });

  it("chains calls, fields and brackets", () => {
    expect(s("r.logp(1)[T=0].x")).toBe("r.logp(1)[T=0].x");
    expect(s("f32(clipped)")).toBe("f32(clipped)");
  });
});

describe("literals", () => {
  it("reads numbers", () => {
    const nums = ["1", "0.5", ".5", "2.", "1e-6", "3.0E+2", "42"].map((t) => expr(t));
    expect(nums.map((n) => n.kind === "number" && n.value)).toEqual([1, 0.5, 0.5, 2, 1e-6, 300, 42]);
    expect(nums.map((n) => n.kind === "number" && n.isInt)).toEqual([true, false, false, false, false, false, true]);
    expect(nums.map((n) => n.kind === "number" && n.text)).toEqual(["1", "0.5", ".5", "2.", "1e-6", "3.0E+2", "42"]);
  });

  it("reads strings with escapes, booleans", () => {
    expect(expr(String.raw`"a\"b\\c\nd\te"`)).toMatchObject({ kind: "string", value: 'a"b\\c\nd\te' });
    expect(expr("true")).toMatchObject({ kind: "bool", value: true });
    expect(expr("false")).toMatchObject({ kind: "bool", value: false });
  });
});

describe("bracket forms, labelled literals, match", () => {
  it("parses select, rename and keyed index", () => {
    expect(expr("u[Y=w]")).toMatchObject({ kind: "select", dim: { name: "Y" }, label: { kind: "name", name: "w" } });
    expect(expr("x[T=0]")).toMatchObject({ kind: "select", dim: { name: "T" }, label: { kind: "number", value: 0 } });
    expect(expr("x[G as G2]")).toMatchObject({ kind: "rename", from: { name: "G" }, to: { name: "G2" } });
    expect(expr("vhat[prompt_id]")).toMatchObject({ kind: "index", index: { kind: "name", name: "prompt_id" } });
    expect(s("x[G as G2] * 2 ** -1")).toBe("(* x[G as G2] (** 2 (- 1)))");
  });

  it("parses a labelled literal", () => {
    const e = expr("Y{w: u[Y=l], l: u[Y=w],}");
    expect(show(e)).toBe("Y{w: u[Y=l], l: u[Y=w]}");
    expect(e.span).toMatchObject({ line: 2, col: 11, end: e.span.start + "Y{w: u[Y=l], l: u[Y=w],}".length });
  });

  it("parses match on a name (not a labelled literal) with or without commas", () => {
    const e = expr("match mode {\n token_mean => sum(x, over=...) / 2,\n other => 1.0 last => 2.0 }");
    expect(show(e)).toBe("(match mode token_mean=>(/ sum(x, over=...) 2) other=>1.0 last=>2.0)");
    if (e.kind !== "match") throw new Error();
    expect(e.arms[1]!.span).toMatchObject({ line: 4, col: 2 });
  });

  it("keeps parentheses in the span of a parenthesised expression", () => {
    const e = expr("(x - mu) / (sd + eps)");
    expect(e.span).toMatchObject({ line: 2, col: 11 });
    expect(e.span.end - e.span.start).toBe("(x - mu) / (sd + eps)".length);
  });
});
