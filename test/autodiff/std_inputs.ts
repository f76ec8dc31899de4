// Seeded inputs for the std-node pipelines (std_cases.ts), by conventional input name. Edge cases are built in:
// masks have an all-masked row and a length-1 row; rewards have a zero-variance group (exact values, so its mean is
// exact); the TINY sizes give singleton groups (G = 1) and length-1 responses (T = 1).
import type { IRProgram } from "../../compiler/ir/ir.ts";
import { tensor, type Tensor } from "../../runtime/library/tensor.ts";
import { uniform as rand } from "../kit/index.ts";

export const MAIN: Record<string, number> = { C: 2, P: 3, G: 4, Y: 2, T: 5, V: 3 };
export const TINY: Record<string, number> = { C: 1, P: 2, G: 1, Y: 2, T: 1, V: 2 };

/** How masks are filled: with an all-masked row (edge), every row at least one token (nonempty), or all true. */
export type MaskMode = "edge" | "nonempty" | "full";

interface Gen {
  /** The type written in the pipeline (`f32[P,G,T] @policy`). */
  decl: string;
  /** Values in canonical order, given the element count and what was generated before. */
  gen(n: number, g: GenCtx): number[];
}

interface GenCtx {
  shape: number[];
  uniform(lo: number, hi: number): number[];
  before: Record<string, number[]>;
  mask: MaskMode;
}

const u =
  (lo: number, hi: number): Gen["gen"] =>
  (_n, g) =>
    g.uniform(lo, hi);
/** `base`'s values (or log-prob-like ones when the pipeline has no `base`) plus noise in ±spread. */
const near =
  (base: string, spread: number): Gen["gen"] =>
  (n, g) => {
    const b = g.before[base] ?? rand(n, 4242, -2, -0.1);
    return g.uniform(-spread, spread).map((d, i) => b[i]! + d);
  };

/** Rows = every slice of the leading dims; the last dim is the token dim. */
function rows(shape: number[]): { rows: number; len: number } {
  const len = shape[shape.length - 1] ?? 1;
  return { rows: shape.slice(0, -1).reduce((a, s) => a * s, 1), len };
}

function maskData(shape: number[], mode: MaskMode, seed: number): number[] {
  const { rows: nr, len } = rows(shape);
  const lengths = rand(nr, seed, 0, 1).map((v, r) =>
    mode === "full" ? len : r === 0 ? (mode === "edge" ? 0 : 1) : r === 1 ? 1 : 2 + Math.floor(v * (len - 1)),
  );
  return Array.from({ length: nr * len }, (_, i) => (i % len < Math.min(lengths[Math.floor(i / len)]!, len) ? 1 : 0));
}

/** [.., G]-shaped rewards: row 1 constant (zero variance), the others from `draw`. */
function perGroup(shape: number[], draw: (i: number) => number, constant: number): number[] {
  const { rows: nr, len } = rows(shape);
  return Array.from({ length: nr * len }, (_, i) => (Math.floor(i / len) === 1 && len > 1 ? constant : draw(i)));
}

export const STD_INPUTS: Record<string, Gen> = {
  logp: { decl: "f32[P,G,T] @policy", gen: u(-2, -0.1) },
  old_logp: { decl: "f32[P,G,T]", gen: near("logp", 0.35) },
  ref_logp: { decl: "f32[P,G,T]", gen: near("logp", 0.5) },
  mask: { decl: "bool[P,G,T]", gen: (_n, g) => maskData(g.shape, g.mask, 11) },
  x: { decl: "f32[P,G,T] @policy", gen: u(-1, 1) },
  s: { decl: "f32[P,G] @policy", gen: u(-1, 1) },
  r: {
    decl: "f32[P,G] @policy",
    gen: (_n, g) => {
      const d = g.uniform(0.05, 0.95);
      return perGroup(g.shape, (i) => d[i]!, 0.5);
    },
  },
  reward: { decl: "f32[P,G]", gen: (_n, g) => perGroup(g.shape, (i) => (i % 3 === 0 ? 0 : 1), 1) },
  A: { decl: "f32[P,G]", gen: (_n, g) => g.uniform(-1.5, 1.5).map((v, i) => (i === 2 ? 0 : v)) },
  At: { decl: "f32[P,G,T]", gen: u(-1.5, 1.5) },
  Ag: { decl: "f32[P]", gen: u(-1, 1) },
  wt: { decl: "f32[P,G,T]", gen: u(0.5, 1.5) },
  wq: { decl: "f32[P,G]", gen: u(0.5, 1.5) },
  u01: { decl: "f32[P,G]", gen: u(0, 1) },
  values: { decl: "f32[P,G,T] @critic", gen: u(-1, 1) },
  old_values: { decl: "f32[P,G,T]", gen: near("values", 0.8) },
  returns: { decl: "f32[P,G,T]", gen: u(-1, 1) },
  tr: { decl: "f32[P,G,T] @policy", gen: u(-1, 1) },
  done: { decl: "bool[P,G,T]", gen: (_n, g) => g.uniform(0, 1).map((v) => (v < 0.2 ? 1 : 0)) },
  fin: { decl: "bool[P,G]", gen: (_n, g) => g.uniform(0, 1).map((v) => (v < 0.5 ? 1 : 0)) },
  logits: { decl: "f32[P,G,T,V] @policy", gen: u(-2, 2) },
  ids: { decl: "i32[P,G,T]", gen: (_n, g) => g.uniform(0, 3).map(Math.floor) },
  answer: { decl: "id[P,G]", gen: (_n, g) => g.uniform(0, 2).map(Math.floor) },
  H: { decl: "f32[P,G] @policy", gen: u(0.2, 1.5) },
  len: { decl: "f32[P,G] @policy", gen: u(2, 14) },
  prob: { decl: "f32[P,G] @policy", gen: u(0.05, 0.95) },
  ab: { decl: "f32[P] @policy", gen: u(0.5, 3) },
  bb: { decl: "f32[P] @policy", gen: u(0.5, 3) },
  az: { decl: "f32[P]", gen: (_n, g) => g.uniform(0.5, 3).map((v, i) => (i === 0 ? 0 : v)) },
  rp: { decl: "f32[P]", gen: u(0, 1) },
  rho: { decl: "f32[P]", gen: u(0.85, 0.95) },
  D: { decl: "f32[P] @policy", gen: u(0.01, 0.2) },
  greedy: { decl: "f32[P,G] @policy", gen: u(0, 1) },
  times: { decl: "f32[P]", gen: (n) => Array.from({ length: n }, (_, i) => [0, 2, 5][i % 3]!) },
  mo: { decl: "f32[P]", gen: u(0, 1) },
  so: { decl: "f32[P]", gen: u(0.1, 0.5) },
  klv: { decl: "f32[P,G,T] @policy", gen: u(0.05, 0.2) },
  kb: { decl: "f32 @policy", gen: u(0.5, 1.5) },
  lp: { decl: "f32[P,Y,T] @policy", gen: u(-2, -0.1) },
  rlp: { decl: "f32[P,Y,T]", gen: near("lp", 0.5) },
  m: { decl: "bool[P,Y,T]", gen: (_n, g) => maskData(g.shape, g.mask, 13) },
  cr: { decl: "f32[C,P,G] @policy", gen: u(0.05, 0.95) },
};

/** The `input` lines for the conventional names a pipeline body uses. */
export function inputDecls(body: string): string {
  return Object.entries(STD_INPUTS)
    .filter(([name]) => new RegExp(`\\b${name}\\b`).test(body))
    .map(([name, g]) => `  input ${name}: ${g.decl}`)
    .join("\n");
}

/** Seeded values for every input of the program, at the given sizes. */
export function stdInputs(program: IRProgram, sizes: Record<string, number>, mask: MaskMode, seed = 1): Record<string, Tensor> {
  const before: Record<string, number[]> = {};
  const out: Record<string, Tensor> = {};
  let k = seed;
  for (const [name, g] of Object.entries(STD_INPUTS)) {
    const decl = program.inputs.find((i) => i.name === name);
    if (!decl) continue;
    const shape = decl.type.dims.map((d) => sizes[d]!);
    const n = shape.reduce((a, s) => a * s, 1);
    const s = k++ * 7919;
    const values = g.gen(n, { shape, mask, before, uniform: (lo, hi) => rand(n, s, lo, hi) });
    before[name] = values;
    out[name] = tensor(decl.type.dtype, decl.type.dims, shape, values);
  }
  return out;
}
