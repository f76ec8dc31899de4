// Scalar helpers the generated JS may call, as source text (the generated module is self-contained: it defines the
// ones it uses). Each is the definition of compiler/ir/scalar.ts (uniformAt: runtime/library/ops/select.ts), kept as
// text and checked against it on edge values by test/reference/scalar_semantics_js.test.ts.
export const HELPERS: Record<string, string> = {
  sigmoid: `function sigmoid(x) {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}`,
  softplus: `function softplus(x) {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}`,
  roundHalfEven: `function roundHalfEven(x) {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 && x < 0 ? -0 : r;
}`,
  pymod: `function pymod(a, b) {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}`,
  lgamma: `const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
function lgamma(x) {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity || x === -Infinity) return Infinity;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}`,
  uniformAt: `function fmix32(h) {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
function uniformAt(seed, step, i) {
  let h = fmix32((seed >>> 0) + 0x9e3779b9);
  h = fmix32(((h ^ (step >>> 0)) + 0x7f4a7c15) >>> 0);
  h = fmix32(((h ^ (i >>> 0)) + 0x165667b1) >>> 0);
  return (h >>> 8) / 16777216;
}`,
};

/** Helper names in a fixed order (deterministic output). */
export const HELPER_ORDER = ["sigmoid", "softplus", "roundHalfEven", "pymod", "lgamma", "uniformAt"];
