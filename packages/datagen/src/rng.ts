/**
 * Seeded randomness for every package: `mixSeed` derives 32-bit sub-seeds from named parts, and
 * `createRng` wraps pure-rand's xoroshiro128+ generator with the few draws a simulation needs.
 * Determinism is a design principle of the lab (same seed, same output), so nothing here reads
 * Math.random or the clock. Used by the drift, feature-store and training labs (Q4, Q5, Q27).
 *
 * From pure-rand 8: the xoroshiro128+ generator (mutable, `next()` yields an int32), `uniformFloat64`
 * (53-bit float in [0, 1)) and `uniformInt` (unbiased integers). Hand-written: seed hashing,
 * the warm-up, Box-Muller normals and weighted picks.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { FNV32_OFFSET, fmix32, fnv1a32 } from './hash.ts';

/** Thrown for inputs that cannot describe a valid draw or window (the message names the fix). */
export class DatagenInputError extends Error {
  override readonly name = 'DatagenInputError';
}

/** Hashed after every part of `mixSeed` (ASCII unit separator): ('ab') and ('a', 'b') differ. */
const PART_SEPARATOR = '\x1f';

/**
 * Hash parts (numbers or strings) into an unsigned 32-bit seed. Order matters and the type of each
 * part matters (`mixSeed(1)` differs from `mixSeed('1')`), so `mixSeed(seed, 'labels')` and
 * `mixSeed(seed, 'inputs')` give unrelated streams. FNV-1a over a tagged encoding, then the murmur3
 * finalizer to spread nearby inputs (seed 1 vs 2) over the whole 32-bit range (hash.ts).
 */
export function mixSeed(...parts: (number | string)[]): number {
  let h = FNV32_OFFSET;
  for (const part of parts) {
    if (typeof part === 'number' && !Number.isFinite(part)) {
      throw new DatagenInputError(`mixSeed: parts must be finite numbers or strings, got ${part}`);
    }
    h = fnv1a32(typeof part === 'number' ? `n${part}` : `s${part}`, h);
    h = fnv1a32(PART_SEPARATOR, h);
  }
  return fmix32(h);
}

export interface Rng {
  /** Uniform in [0, 1), 53 bits. */
  next(): number;
  /** Standard normal (mean 0, sd 1). */
  normal(): number;
  /** Uniform integer in [lo, hi], both included. */
  int(lo: number, hi: number): number;
  /** Index i with probability weights[i] / sum(weights). */
  pick(weights: readonly number[]): number;
}

/**
 * A freshly seeded xoroshiro128+ starts from the state (-1, ~seed, seed, 0), so its first outputs are
 * nearly linear in the seed (seeds 1, 2, 3 give -2, -3, -4). Hashing the seed and discarding a few
 * outputs lets the state diffuse before anything is used.
 */
const WARM_UP = 16;

class XoroshiroRng implements Rng {
  private readonly gen: RandomGenerator;
  /** Box-Muller yields normals in pairs; the second is kept for the next call. */
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    this.gen = xoroshiro128plus(mixSeed(seed, 'xoroshiro128plus'));
    for (let i = 0; i < WARM_UP; i++) this.gen.next();
  }

  next(): number {
    return uniformFloat64(this.gen);
  }

  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    // 1 - u lies in (0, 1], so the log is finite.
    const r = Math.sqrt(-2 * Math.log(1 - this.next()));
    const theta = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(theta);
    this.hasSpare = true;
    return r * Math.cos(theta);
  }

  int(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo > hi) {
      throw new DatagenInputError(`int(lo, hi) needs safe integers with lo <= hi, got (${lo}, ${hi})`);
    }
    return uniformInt(this.gen, lo, hi);
  }

  pick(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) {
      if (!(w >= 0) || !Number.isFinite(w)) {
        throw new DatagenInputError(`pick(weights) needs finite weights >= 0, got ${w}`);
      }
      total += w;
    }
    if (!(total > 0)) throw new DatagenInputError('pick(weights) needs at least one positive weight');
    let u = this.next() * total;
    let last = 0;
    for (let i = 0; i < weights.length; i++) {
      if (weights[i] <= 0) continue;
      last = i;
      u -= weights[i];
      if (u < 0) return i;
    }
    return last; // rounding left u a hair above 0: the last positive weight takes it
  }
}

/** One independent, deterministic random stream. Same seed, same sequence. */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed))
    throw new DatagenInputError(`createRng(seed) needs a finite number, got ${seed}`);
  return new XoroshiroRng(seed);
}

/**
 * mulberry32: a tiny 32-bit seeded PRNG, integer-only so it is bit-identical on every JS engine.
 * For cheap reproducible draws outside the world generator (subsamples, permutations, bootstraps,
 * simulations); the world itself uses createRng. Not for cryptography.
 */
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
