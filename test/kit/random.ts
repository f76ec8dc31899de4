// Deterministic pseudo-random streams for tests. Each stream is kept bit for bit as the tests first used it, so
// seeded inputs (and the numbers tests print or compare) do not change when a test moves onto the kit.

/** A linear congruential generator, values in [0, 1) (24 bits). The fusion tests' and the IR builder's stream. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 8) / 2 ** 24;
  };
}

/** The same LCG started from a scrambled seed (Knuth's multiplicative hash): the agreement tests' stream. */
export function hashedLcg(seed: number): () => number {
  return lcg((seed * 2654435761) >>> 0);
}

/** mulberry32, values in [0, 1) (32 bits): the per-method property tests' stream. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` values of `lcg(seed)` scaled to [lo, hi). */
export function uniform(n: number, seed: number, lo = -1, hi = 1): number[] {
  const r = lcg(seed);
  return Array.from({ length: n }, () => lo + r() * (hi - lo));
}
