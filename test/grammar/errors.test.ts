import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../grammar/diagnostic.ts";
import { parse } from "../../grammar/index.ts";

/** `line:col code` of each diagnostic, in source order. */
function where(ds: Diagnostic[]): string[] {
  return ds.map((d) => `${d.span.line}:${d.span.col} ${d.code}`);
}

function diags(text: string): Diagnostic[] {
  return parse(text, "bad.rlp").diagnostics;
}

describe("syntax errors are reported in plain words", () => {
  it("names the missing token, the place and what was found", () => {
    const [d, ...rest] = diags("pipeline p {\n  let x loss L = 1\n}");
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: "RLP002", severity: "error", span: { line: 2, col: 9, file: "bad.rlp" } });
    expect(d!.message).toBe("expected '=' after the name 'x' in a let statement, found 'loss'");
  });

  it("asks for an expression", () => {
    const [d] = diags("pipeline p {\n  loss L = f(1, , 2)\n}");
    expect(d!.message).toBe("expected an expression or ')' after ',' in a 'loss' statement, found ','");
    const [e] = diags("pipeline p {\n  let a = )\n}");
    expect(e).toMatchObject({ code: "RLP002", span: { line: 2, col: 11 } });
    expect(e!.message).toBe("expected an expression after '=' in a let statement, found ')'");
  });

  it("explains that a reserved word cannot be a name", () => {
    const [d] = diags("pipeline p {\n  let match = 1\n}");
    expect(d).toMatchObject({ code: "RLP002", span: { line: 2, col: 7 } });
    expect(d!.message).toContain("'match' is a reserved word");
  });

  it("never shows chevrotain's token class names", () => {
    const texts = [
      "pipeline p { input x f32 }",
      "node f(x: ) -> f32 {}",
      "pipeline { }",
      "pipeline p { optimize policy adam() }",
      "enum e {}",
    ];
    for (const t of texts) {
      for (const d of diags(t)) expect(d.message).not.toMatch(/Identifier|Kw_|Ctx_|LParen|RBrace|-->|<--|EOF/);
    }
  });

  it("reports an unknown character (RLP001), once", () => {
    const ds = diags("pipeline p {\n  let a = b # c\n}");
    expect(where(ds)).toEqual(["2:13 RLP001"]);
    expect(ds[0]!.message).toContain("'#'");
  });

  it("reports an unterminated string (RLP003) and still parses the rest", () => {
    const r = parse('pipeline p {\n  require a > 0, "oops\n  let b = 1\n}', "f.rlp");
    expect(where(r.diagnostics)).toEqual(["2:18 RLP003"]);
    expect(r.ast.decls[0]!.kind === "pipeline" && r.ast.decls[0]!.items.map((i) => i.kind)).toEqual(["require", "let"]);
  });

  it("reports an unterminated block comment (RLP004)", () => {
    expect(where(diags("pipeline p { }\n/* never\nclosed"))).toEqual(["2:1 RLP004"]);
  });

  it("reports malformed numbers (RLP005)", () => {
    const ds = diags("pipeline p {\n  let a = 1e + 2\n  let b = 3.5x\n}");
    expect(where(ds)).toEqual(["2:11 RLP005", "3:11 RLP005"]);
    expect(ds[0]!.message).toContain("'1e'");
  });

  it("reports an unclosed brace at end of file (RLP006) with a note on the opener, and keeps the declaration", () => {
    const r = parse("pipeline p {\n  let a = 1\n", "f.rlp");
    expect(where(r.diagnostics)).toEqual(["1:12 RLP006"]);
    const d = r.diagnostics[0]!;
    expect(d.message).toBe("'{' opened here is never closed");
    expect(d.notes[0]).toMatchObject({ span: { line: 1, col: 12 } });
    expect(d.notes[1]).toMatchObject({ span: { line: 3, col: 1 } });
    expect(r.ast.decls[0]!.kind === "pipeline" && r.ast.decls[0]!.items).toHaveLength(1);
  });

  it("reports an unclosed brace before the next declaration (RLP006), and parses that declaration", () => {
    const r = parse("pipeline p {\n  let a = f(1\nnode g() -> f32 { return 1 }", "f.rlp");
    expect(where(r.diagnostics)).toEqual(["1:12 RLP006", "2:12 RLP006"]);
    expect(r.ast.decls.map((d) => d.kind)).toEqual(["pipeline", "node"]);
  });

  it("reports a non-integer dim size and a non-dtype with dims", () => {
    expect(where(diags("dims M = 2.5"))).toEqual(["1:10 RLP002"]);
    expect(where(diags("node f(x: agg_mode[P]) -> f32 { return 1 }"))).toEqual(["1:11 RLP002"]);
  });
});

describe("error recovery", () => {
  it("reports two independent broken statements in one pipeline, and keeps the good ones", () => {
    const r = parse("pipeline p {\n  let a = \n  let b = f(x)\n  loss L = x +* a\n  metric m = b\n}", "f.rlp");
    expect(where(r.diagnostics)).toEqual(["3:3 RLP002", "4:15 RLP002"]);
    const p = r.ast.decls[0]!;
    expect(
      p.kind === "pipeline" && p.items.map((i) => (i.kind === "let" || i.kind === "stage" ? i.names[0]!.name : i.kind)),
    ).toEqual(["b", "m"]);
  });

  it("finds three separate mistakes across a node and two pipelines", () => {
    const text = [
      "node f(x: f32) -> f32 {", // 1
      "  return x +", // 2: missing operand
      "}", // 3
      "pipeline p {", // 4
      "  input x: f32[P] @", // 5: missing mark name
      "  let y = x", // 6
      "}", // 7
      "pipeline q {", // 8
      "  optimize policy adam(lr=1e-3)", // 9: missing 'with'
      "}", // 10
    ].join("\n");
    const ds = diags(text);
    expect(ds.length).toBeGreaterThanOrEqual(2);
    expect(where(ds)).toEqual(["3:1 RLP002", "6:3 RLP002", "9:19 RLP002"]);
    expect(ds.every((d) => d.severity === "error")).toBe(true);
    expect(ds[2]!.message).toBe("expected 'with' after the name 'policy' in an optimize statement, found 'adam'");
  });

  it("does not let a broken node hide an error in a later pipeline", () => {
    const ds = diags("node f(x: f32 -> f32 { return ( }\npipeline p {\n  let = 1\n}");
    expect(ds.some((d) => d.span.line === 3 && d.code === "RLP002")).toBe(true);
  });
});

describe("parse never throws", () => {
  const garbage = [
    "",
    " ",
    "}",
    "{",
    "(((((",
    "]]]]",
    "pipeline",
    "node f(",
    "override",
    "import",
    '"',
    "/*",
    "1e",
    "@@@",
    "pipeline p { let x = -(-(-",
    "node f() -> (f32, { }",
    "pipeline p {;;;}",
    "\u0000\uffff\ud800",
    "let x = 1",
    "pipeline p { let x = match { } }",
    "dim Y = {",
    "enum",
    "pipeline p { input x: f32[...R, *] }",
    "\\",
    "`~$^?'",
    "pipeline p { loss L for = 1 } } } pipeline q { x[ }",
    "node n() -> f32 { return if if then else }",
  ];
  it("returns diagnostics for garbage", () => {
    for (const g of garbage) {
      const r = parse(g, "g.rlp");
      expect(r.ast.file).toBe("g.rlp");
      for (const d of r.diagnostics) {
        expect(d.code).toMatch(/^RLP00[1-6]$/);
        expect(d.span.start).toBeGreaterThanOrEqual(0);
        expect(d.span.end).toBeLessThanOrEqual(g.length);
      }
    }
  });

  it("turns an internal failure into an RLP009 diagnostic", () => {
    const hostile = {
      toString: (): string => {
        throw new Error("boom");
      },
    };
    const r = parse(hostile as unknown as string, "u.rlp");
    expect(r.ast).toMatchObject({ file: "u.rlp", decls: [] });
    expect(r.diagnostics).toMatchObject([{ code: "RLP009", severity: "error", span: { file: "u.rlp", line: 1, col: 1 } }]);
    expect(r.diagnostics[0]!.message).toContain("boom");
  });

  it("refuses absurdly deep nesting with a diagnostic, and still parses the other declarations", () => {
    const deep = "pipeline p { let x = " + "(".repeat(5000) + "1" + ")".repeat(5000) + " }\nnode f() -> f32 { return 1 }";
    const r = parse(deep, "deep.rlp");
    expect(where(r.diagnostics)).toEqual(["1:85 RLP002"]);
    expect(r.ast.decls.map((d) => d.kind)).toEqual(["node"]);
    const pow = parse(
      "pipeline p { let x = " + Array(3000).fill("2").join(" ** ") + " }\nnode f() -> f32 { return 1 }",
      "pow.rlp",
    );
    expect(pow.ast.decls.map((d) => d.kind)).toContain("node");
  });

  it("never throws on random token soup", () => {
    const words = [
      "pipeline",
      "node",
      "let",
      "loss",
      "input",
      "dims",
      "x",
      "f32",
      "1",
      "1e-6",
      '"s"',
      "(",
      ")",
      "[",
      "]",
      "{",
      "}",
      ",",
      ":",
      "=",
      "==",
      "<",
      "+",
      "-",
      "*",
      "**",
      "->",
      "=>",
      "@",
      ".",
      "...",
      "if",
      "then",
      "else",
      "match",
      "masks",
      "for",
      "as",
      "table",
      "//c\n",
      "#",
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...words), { maxLength: 60 }), fc.constantFrom(" ", "\n"), (ws, sep) => {
        const text = ws.join(sep);
        const r = parse(text, "soup.rlp");
        for (const d of r.diagnostics) {
          expect(d.code).not.toBe("RLP009");
          expect(d.span.end).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it("never throws on random strings", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        expect(parse(text, "s.rlp").diagnostics.every((d) => d.code !== "RLP009")).toBe(true);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
