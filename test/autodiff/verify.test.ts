// The IR verifier: it accepts what the elaborator, autodiff and simplify produce (every compiling ```rlp block of
// docs/language.md, differentiated and simplified), and it reports each kind of broken invariant.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { gradientProgram } from "../../compiler/pipeline/index.ts";
import { compileSource } from "../kit/index.ts";
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { verifyProgram } from "../../compiler/ir/verify.ts";
import { IRBuilder } from "../helpers/ir_builder.ts";
import { evaluate } from "../../runtime/backends/reference/index.ts";
import { compileText, inlinePath, inputsFrom, repoPath } from "../stdlib/harness.ts";
import { checkGradients } from "./harness.ts";

/** The programs of the plain (not `fails`/`warns`) ```rlp blocks of a markdown file. */
function docPrograms(rel: string): { line: number; program: IRProgram }[] {
  const out: { line: number; program: IRProgram }[] = [];
  const lines = readFileSync(repoPath(rel), "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== "```rlp") continue;
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trim().startsWith("```")) j++;
    const path = inlinePath(`doc_${i}`);
    const r = compileSource(lines.slice(i + 1, j).join("\n"), { path });
    for (const program of r.programs) out.push({ line: i + 1, program });
    i = j;
  }
  return out;
}

describe("the verifier accepts well-formed programs", () => {
  it("every compiling block of docs/language.md, before and after gradientProgram", () => {
    const programs = docPrograms("docs/language.md");
    expect(programs.length).toBeGreaterThan(5);
    for (const { line, program } of programs) {
      expect(verifyProgram(program), `docs/language.md:${line}`).toEqual([]);
      expect(verifyProgram(gradientProgram(program)), `docs/language.md:${line} differentiated`).toEqual([]);
    }
  });
});

describe("elaborator output the verifier caught", () => {
  it("consts +inf, -inf (and NaN) are distinct nodes: clamp(x, lo=0.0) does not share clamp(x, hi=1.0)'s -inf", () => {
    const p = compileText(
      "pipeline t {\n  dims T\n  input x: f32[T]\n  output a = clamp(x, hi=1.0)\n  output b = clamp(x, lo=0.0)\n}\n",
      "inf_consts",
    );
    const ev = evaluate(p, inputsFrom(p, { x: { dims: ["T"], data: [-2, 0.5, 3] } }));
    expect(Array.from(ev.results["a"]!.data)).toEqual([-2, 0.5, 1]);
    expect(Array.from(ev.results["b"]!.data)).toEqual([0, 0.5, 3]);
  });

  it("take passes the fill's marks (gradient reaches the fill where the index is invalid)", () => {
    const text =
      "pipeline t {\n  dims B, V\n  input x: f32[B,V]\n  input tok: i32<V>[B]\n  input f: f32[B] @policy\n  loss L = sum(take(x, tok, along=V, fill=f) * f, over=B)\n}\n";
    const p = compileText(text, "take_fill");
    expect(verifyProgram(p)).toEqual([]);
    const inputs = inputsFrom(p, {
      x: {
        dims: ["B", "V"],
        data: [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
      },
      tok: { dims: ["B"], data: [1, -1, 5] },
      f: { dims: ["B"], data: [0.5, 2, -1] },
    });
    const { grads } = checkGradients(p, inputs, "take fill");
    expect(Array.from(grads["dL/df"]!.data)).toEqual([2, 4, -2]);
  });
});

describe("the verifier reports broken invariants", () => {
  /** x: f32[A,B] @policy, m: bool[A,B]; out = sum(x, over=B, where=m) as node 2. */
  function base(): IRProgram {
    const b = new IRBuilder(["A", "B"]);
    const x = b.input("x", "f32", ["A", "B"], { mark: "policy" });
    const m = b.input("m", "bool", ["A", "B"]);
    b.result("L", "loss", b.reduce("sum", b.reduce("sum", x, ["B"], { where: m }), ["A"]));
    return b.build();
  }
  const broken = (edit: (p: IRProgram) => void): string[] => {
    const p = structuredClone(base());
    edit(p);
    return verifyProgram(p);
  };

  it("accepts the base program", () => {
    expect(verifyProgram(base())).toEqual([]);
  });

  it.each([
    ["an arg that does not precede its user", (p: IRProgram) => (p.nodes[2]!.args[0] = 3), /do not precede/],
    ["a wrong number of args", (p: IRProgram) => p.nodes[2]!.args.pop(), /takes 2 args/],
    ["dims out of canonical order", (p: IRProgram) => (p.nodes[0]!.type.dims = ["B", "A"]), /canonical order/],
    ["an undeclared dim", (p: IRProgram) => (p.nodes[2]!.type.dims = ["Z"]), /not in the program's dim table/],
    ["a reduction keeping a reduced dim", (p: IRProgram) => (p.nodes[2]!.type.dims = ["A", "B"]), /type rule gives f32\[A\]/],
    ["a bool where the rule wants f32", (p: IRProgram) => (p.nodes[2]!.type.dtype = "bool"), /type rule/],
    ["a where= mask that is not bool", (p: IRProgram) => (p.nodes[1]!.type.dtype = "f32"), /where= must be bool/],
    ["grad marks that are not the union of the args'", (p: IRProgram) => (p.nodes[2]!.grad = []), /grad marks/],
    ["marks on a const-by-construction value", (p: IRProgram) => (p.nodes[1]!.grad = ["policy"]), /grad marks/],
    ["ids that are not dense", (p: IRProgram) => (p.nodes[3]!.id = 7), /dense/],
    ["an input pointing at another node", (p: IRProgram) => (p.inputs[1]!.node = 0), /is not listed|not that input/],
    ["a result at a missing node", (p: IRProgram) => (p.results[0]!.node = 99), /does not exist/],
    ["a loss that is not a scalar", (p: IRProgram) => (p.results[0]!.node = 2), /f32 scalar/],
    ["an indexOf on an f32", (p: IRProgram) => (p.nodes[0]!.type.indexOf = "A"), /indexOf/],
    ["a require on a non-bool", (p: IRProgram) => p.requires.push({ cond: 0, message: "m" }), /not bool/],
    [
      "a grad result of the wrong type",
      (p: IRProgram) => p.results.push({ name: "dL/dx", kind: "grad", node: 2, of: "L", wrt: "x" }),
      /the input is f32\[A, B\]/,
    ],
  ])("%s", (_what, edit, message) => {
    const errors = broken(edit);
    expect(errors.length, errors.join("\n")).toBeGreaterThan(0);
    expect(errors.join("\n")).toMatch(message);
  });
});
