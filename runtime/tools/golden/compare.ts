// Compares a run's outputs with the expected ones, element by element, and describes the differences for people:
// which outputs are missing or extra, dims or sizes that disagree, and the first elements out of tolerance with
// their index (`[P=0, G=1]`), expected and actual values, absolute and relative error.
import type { Tensor } from "../../library/tensor.ts";
import { stridesOf } from "../../library/tensor.ts";

export interface Tolerance {
  /** |actual - expected| <= atol + rtol * |expected| (as numpy.allclose). NaN matches NaN; infinities match exactly. */
  rtol: number;
  atol: number;
}

export interface ElementDiff {
  /** Position along each of the expected tensor's dims. */
  index: number[];
  expected: number;
  actual: number;
  abs: number;
  /** abs / |expected| (Infinity when expected is 0). */
  rel: number;
}

export type OutputProblem =
  | { kind: "missing"; name: string }
  | { kind: "extra"; name: string }
  | { kind: "dims"; name: string; expected: string[]; actual: string[] }
  | { kind: "shape"; name: string; dim: string; expected: number; actual: number }
  | {
      kind: "values";
      name: string;
      dims: string[];
      total: number;
      count: number;
      first: ElementDiff[];
      maxAbs: number;
      maxRel: number;
    };

export interface Comparison {
  ok: boolean;
  /** Outputs compared (present on both sides). */
  compared: number;
  problems: OutputProblem[];
}

export interface CompareOptions {
  /** How many mismatching elements to keep per output (default 5). */
  maxDiffs?: number;
}

function close(e: number, a: number, tol: Tolerance): boolean {
  if (Number.isNaN(e) || Number.isNaN(a)) return Number.isNaN(e) && Number.isNaN(a);
  if (!Number.isFinite(e) || !Number.isFinite(a)) return e === a;
  return Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e);
}

/** Compares every output by name; tensors are matched by dim NAME (the actual one may hold its dims in another order). */
export function compareOutputs(
  expected: Record<string, Tensor>,
  actual: Record<string, Tensor>,
  tol: Tolerance,
  options: CompareOptions = {},
): Comparison {
  const maxDiffs = options.maxDiffs ?? 5;
  const problems: OutputProblem[] = [];
  let compared = 0;
  for (const [name, e] of Object.entries(expected)) {
    const a = actual[name];
    if (!a) {
      problems.push({ kind: "missing", name });
      continue;
    }
    compared++;
    const p = compareTensor(name, e, a, tol, maxDiffs);
    if (p) problems.push(p);
  }
  for (const name of Object.keys(actual)) if (!(name in expected)) problems.push({ kind: "extra", name });
  return { ok: problems.length === 0, compared, problems };
}

function compareTensor(name: string, e: Tensor, a: Tensor, tol: Tolerance, maxDiffs: number): OutputProblem | undefined {
  const sameSet = e.dims.length === a.dims.length && e.dims.every((d) => a.dims.includes(d));
  if (!sameSet) return { kind: "dims", name, expected: [...e.dims], actual: [...a.dims] };
  for (let i = 0; i < e.dims.length; i++) {
    const d = e.dims[i]!;
    const as = a.shape[a.dims.indexOf(d)]!;
    if (as !== e.shape[i]) return { kind: "shape", name, dim: d, expected: e.shape[i]!, actual: as };
  }
  // Walk the expected tensor in its row-major order; find the same element in the actual one by dim name.
  const aStrides = stridesOf(a.shape);
  const strideInA = e.dims.map((d) => aStrides[a.dims.indexOf(d)]!);
  const n = e.data.length;
  const index = new Array<number>(e.dims.length).fill(0);
  const first: ElementDiff[] = [];
  let count = 0;
  let maxAbs = 0;
  let maxRel = 0;
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let k = 0; k < index.length; k++) off += index[k]! * strideInA[k]!;
    const ev = e.data[i]!;
    const av = a.data[off]!;
    if (!close(ev, av, tol)) {
      count++;
      const abs = Number.isNaN(ev) || Number.isNaN(av) ? NaN : Math.abs(av - ev);
      const rel = ev === 0 ? (abs === 0 ? 0 : Infinity) : abs / Math.abs(ev);
      if (abs > maxAbs) maxAbs = abs;
      if (rel > maxRel) maxRel = rel;
      if (first.length < maxDiffs) first.push({ index: [...index], expected: ev, actual: av, abs, rel });
    }
    for (let k = index.length - 1; k >= 0; k--) {
      if (++index[k]! < e.shape[k]!) break;
      index[k] = 0;
    }
  }
  if (count === 0) return undefined;
  return { kind: "values", name, dims: [...e.dims], total: n, count, first, maxAbs, maxRel };
}

// ---------------------------------------------------------------- text

/** A number as the shortest text that reads back as the same double (as in the goldens), or NaN/Infinity. */
export function formatValue(x: number): string {
  if (Object.is(x, -0)) return "-0";
  return String(x);
}

/** An error in 3 significant digits (`1.23e-7`, `0.5`, `inf`). */
export function formatError(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === 0) return "0";
  const ax = Math.abs(x);
  return ax >= 1e-3 && ax < 1e4 ? String(Number(x.toPrecision(3))) : x.toExponential(2);
}

/** `[P=0, G=1]`: the position along each dim, by name (`[]` for a scalar). */
export function formatIndex(dims: readonly string[], index: readonly number[]): string {
  return `[${dims.map((d, i) => `${d}=${index[i]}`).join(", ")}]`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

/** The first differing elements of a "values" problem as an aligned table, then "... and N more". */
export function differenceTable(
  p: Extract<OutputProblem, { kind: "values" }>,
  headers: readonly [string, string],
  cells: (d: (typeof p.first)[number]) => [number, number],
  indent: string,
): string[] {
  const rows = [
    ["index", ...headers, "abs err", "rel err"],
    ...p.first.map((d) => [
      `${p.name}${formatIndex(p.dims, d.index)}`,
      ...cells(d).map(formatValue),
      formatError(d.abs),
      formatError(d.rel),
    ]),
  ];
  const widths = rows[0]!.map((_, k) => Math.max(...rows.map((r) => r[k]!.length)));
  const lines = rows.map((r) =>
    `${indent}${r.map((cell, k) => (k === r.length - 1 ? cell : pad(cell, widths[k]!))).join("  ")}`.trimEnd(),
  );
  if (p.count > p.first.length) lines.push(`${indent}... and ${p.count - p.first.length} more`);
  return lines;
}

/** The problems as indented text lines (no trailing newline), one block per output. */
export function formatComparison(c: Comparison, tol: Tolerance, indent = "  "): string[] {
  const lines: string[] = [];
  for (const p of c.problems) {
    switch (p.kind) {
      case "missing":
        lines.push(`${indent}${p.name}: expected, but the pipeline did not produce it`);
        break;
      case "extra":
        lines.push(`${indent}${p.name}: produced, but not in the expected file (record it with rlp test --update)`);
        break;
      case "dims":
        lines.push(`${indent}${p.name}: expected dims [${p.expected.join(", ")}], got [${p.actual.join(", ")}]`);
        break;
      case "shape":
        lines.push(`${indent}${p.name}: dim ${p.dim} has size ${p.actual}, expected ${p.expected}`);
        break;
      case "values": {
        lines.push(
          `${indent}${p.name}: values differ at ${p.count} of ${p.total} element${p.total === 1 ? "" : "s"} (rtol ${tol.rtol}, atol ${tol.atol}; largest abs error ${formatError(p.maxAbs)}, rel ${formatError(p.maxRel)})`,
        );
        lines.push(...differenceTable(p, ["expected", "actual"], (d) => [d.expected, d.actual], `${indent}  `));
        break;
      }
    }
  }
  return lines;
}
