// Lints of reductions over the dims of a bool input (dims that hold padding): RLP401, RLP406, RLP407.
import { defineLint, type ReductionFacts } from "./lint.ts";

const AVERAGING = new Set(["mean", "sum", "var", "std"]);

/** The reduced dims that a bool input of the pipeline could mask but no mask does; [] when none (or masked). */
function unmaskedPaddedDims(f: ReductionFacts): string[] {
  if (f.masked || f.x.flags.maskApplied || f.x.type.dtype === "bool") return [];
  // A bool input whose dims the value has could mask this reduction; over its dims, padding is mixed in.
  const fits = f.ctx.pipe!.maskDims.filter((ds) => ds.every((d) => f.operandDims.includes(d)));
  return f.over.filter((d) => fits.some((ds) => ds.includes(d)));
}

function hint(padded: readonly string[]): string {
  return `pass where=mask (or declare the mask with 'masks ${padded[padded.length - 1]}')`;
}

export const meanOverPadding = defineLint("RLP401", "reduction", (f) => {
  const padded = unmaskedPaddedDims(f);
  if (padded.length === 0 || !AVERAGING.has(f.call.name)) return;
  f.ctx.lint(
    "RLP401",
    `${f.call.name} over ${padded.join(",")} without a mask also counts padding positions; ${hint(padded)}`,
    f.call.span,
  );
});

export const maxOverPadding = defineLint("RLP406", "reduction", (f) => {
  const padded = unmaskedPaddedDims(f);
  if (padded.length === 0 || AVERAGING.has(f.call.name)) return;
  f.ctx.lint(
    "RLP406",
    `${f.call.name} over ${padded.join(",")} without a mask mixes padding positions into the result; ${hint(padded)}`,
    f.call.span,
  );
});

export const maskedMeanOfEmptyRow = defineLint("RLP407", "reduction", (f) => {
  if (!f.masked || f.call.name !== "mean") return;
  f.ctx.lint(
    "RLP407",
    "a row whose mask is all false has no elements: this mean gives 0 there, never NaN; check that 0 is the right value for an empty response",
    f.call.span,
  );
});
