/**
 * A tiny seeded PRNG (mulberry32) for deterministic subsampling of reference profiles. Not for
 * cryptography; chosen because it is 32-bit integer only (bit-identical on every JS engine) and small.
 */

/** Returns a function yielding uniform floats in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
