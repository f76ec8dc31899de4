import { describe, expect, it } from "vitest";
import type { Span } from "../../grammar/ast.ts";
import { diag, type Diagnostic } from "../../grammar/diagnostic.ts";
import {
  positionOf,
  renderDiagnostic,
  renderDiagnostics,
  renderJson,
  renderSummary,
  shouldColor,
  toJsonDiagnostics,
} from "../../cli/render.ts";

const SRC = [
  "pipeline grpo {", //             1
  "  dim P, G, T", //               2
  "  input logp: f32[P,G,T] @policy", // 3
  "  input mask: bool[P,G,T]", //   4
  "  loss L = mean(logp * mask, over=[P, G])", // 5
  "}", //                           6
].join("\n");

/** The span of the `nth` occurrence of `text` in SRC. */
function spanOf(text: string, nth = 0, file = "grpo.rlp"): Span {
  let start = -1;
  for (let k = 0; k <= nth; k++) start = SRC.indexOf(text, start + 1);
  if (start < 0) throw new Error(`no ${text}`);
  const { line, col } = positionOf(SRC, start);
  return { file, start, end: start + text.length, line, col };
}

const sources = new Map([["grpo.rlp", SRC]]);

function example(): Diagnostic {
  return diag("RLP201", "mean over [P, G] leaves dim T in a loss", spanOf("mean(logp * mask, over=[P, G])"), [
    { message: "logp has dims [P, G, T]", span: spanOf("logp: f32[P,G,T]") },
    { message: "reduce over T too, or use sum" },
  ]);
}

describe("render", () => {
  it("prints location, code, source line with gutter, caret under the span, and notes", () => {
    const out = renderDiagnostic(example(), sources).split("\n");
    expect(out[0]).toBe("grpo.rlp:5:12: error[RLP201]: mean over [P, G] leaves dim T in a loss");
    expect(out[1]).toBe("  5 |   loss L = mean(logp * mask, over=[P, G])");
    expect(out[2]).toBe("    |" + " ".repeat(12) + "^" + "~".repeat(29));
    // the caret starts exactly under the span's first column
    expect(out[2]!.indexOf("^") - out[2]!.indexOf("|") - 2).toBe(11); // col 12, 1-based
    expect(out[3]).toBe("grpo.rlp:3:9: note: logp has dims [P, G, T]");
    expect(out[4]).toBe("  3 |   input logp: f32[P,G,T] @policy");
    expect(out[5]).toBe("    |" + " ".repeat(9) + "^" + "~".repeat("logp: f32[P,G,T]".length - 1));
    expect(out[6]).toBe("  note: reduce over T too, or use sum");
    expect(out).toHaveLength(7);
  });

  it("clips a multi-line span to its first line and handles zero-width spans", () => {
    const start = SRC.indexOf("input mask");
    const s: Span = { file: "grpo.rlp", start, end: SRC.indexOf("}"), ...positionOf(SRC, start) };
    const lines = renderDiagnostic(diag("RLP100", "x", s), sources).split("\n");
    expect(lines[2]).toBe("    |   " + "^" + "~".repeat("input mask: bool[P,G,T]".length - 1));
    const z: Span = { file: "grpo.rlp", start: SRC.indexOf("}"), end: SRC.indexOf("}"), line: 6, col: 1 };
    expect(renderDiagnostic(diag("RLP100", "x", z), sources).split("\n")[2]).toBe("    | ^");
  });

  it("omits the excerpt when the source is unknown, and colors only when asked", () => {
    const d = example();
    expect(renderDiagnostic(d, new Map()).split("\n")).toHaveLength(3); // head + 2 notes
    expect(renderDiagnostic(d, sources)).not.toContain("\x1b[");
    expect(renderDiagnostic(d, sources, { color: true })).toContain("\x1b[31m");
    expect(shouldColor({ isTTY: true }, {})).toBe(true);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(shouldColor({ isTTY: false }, {})).toBe(false);
  });

  it("ends with a summary line", () => {
    const w = diag("RLP401", "unused", spanOf("mask", 0), [], "warning");
    expect(renderSummary([example(), w, w])).toBe("1 error, 2 warnings");
    expect(renderDiagnostics([example(), w], sources).trimEnd().split("\n").at(-1)).toBe("1 error, 1 warning");
    expect(renderDiagnostics([], sources)).toBe("0 errors, 0 warnings\n");
  });

  it("renders JSON with end positions and notes", () => {
    const j = toJsonDiagnostics([example()], sources);
    expect(j).toEqual([
      {
        code: "RLP201",
        severity: "error",
        message: "mean over [P, G] leaves dim T in a loss",
        file: "grpo.rlp",
        line: 5,
        col: 12,
        endLine: 5,
        endCol: 42,
        notes: [
          { message: "logp has dims [P, G, T]", file: "grpo.rlp", line: 3, col: 9 },
          { message: "reduce over T too, or use sum" },
        ],
      },
    ]);
    expect(JSON.parse(renderJson([example()], sources))).toEqual(j);
  });
});
