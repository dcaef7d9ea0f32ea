/**
 * Unit tests for mixSeed and createRng: determinism, ranges, and that each draw has the distribution
 * it claims (tolerances are several standard errors wide, so they fail only on a real defect).
 */
import { describe, expect, it } from 'vitest';
import { createRng, DatagenInputError, mixSeed } from './rng.ts';

describe('mixSeed', () => {
  it('is deterministic and returns an unsigned 32-bit integer', () => {
    const a = mixSeed(42, 'labels');
    expect(mixSeed(42, 'labels')).toBe(a);
    expect(Number.isInteger(a)).toBe(true);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(2 ** 32);
  });

  it('depends on order, type and part boundaries', () => {
    const seeds = [
      mixSeed(1, 2),
      mixSeed(2, 1),
      mixSeed(1),
      mixSeed('1'),
      mixSeed('ab'),
      mixSeed('a', 'b'),
      mixSeed(),
    ];
    expect(new Set(seeds).size).toBe(seeds.length);
  });

  it('spreads neighbouring seeds over the whole range', () => {
    const seeds = Array.from({ length: 1000 }, (_, i) => mixSeed(i));
    expect(new Set(seeds).size).toBe(1000);
    const highBitSet = seeds.filter((s) => s >= 2 ** 31).length;
    expect(highBitSet).toBeGreaterThan(430);
    expect(highBitSet).toBeLessThan(570);
  });

  it('rejects non-finite numbers', () => {
    expect(() => mixSeed(Number.NaN)).toThrow(DatagenInputError);
    expect(() => mixSeed(1, Number.POSITIVE_INFINITY)).toThrow(/finite/);
  });
});

describe('createRng', () => {
  it('replays the same sequence for the same seed, another for another seed', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const xs = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(xs);
  });

  it('next() is uniform on [0, 1)', () => {
    const rng = createRng(1);
    const n = 100_000;
    const bins = new Array(10).fill(0);
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      min = Math.min(min, u);
      max = Math.max(max, u);
      bins[Math.floor(u * 10)]++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    for (const count of bins) expect(Math.abs(count / n - 0.1)).toBeLessThan(0.006);
  });

  it('normal() has mean 0 and sd 1', () => {
    const rng = createRng(2);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    let beyond2 = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sumSq += z * z;
      if (Math.abs(z) > 1.96) beyond2++;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.015);
    expect(Math.abs(Math.sqrt(sumSq / n) - 1)).toBeLessThan(0.015);
    expect(Math.abs(beyond2 / n - 0.05)).toBeLessThan(0.005);
  });

  it('int(lo, hi) covers both ends evenly and rejects bad bounds', () => {
    const rng = createRng(3);
    const counts = new Map<number, number>();
    for (let i = 0; i < 60_000; i++) {
      const k = rng.int(1, 6);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    for (const c of counts.values()) expect(Math.abs(c / 60_000 - 1 / 6)).toBeLessThan(0.01);
    expect(rng.int(5, 5)).toBe(5);
    expect(() => rng.int(3, 2)).toThrow(DatagenInputError);
    expect(() => rng.int(0.5, 2)).toThrow(DatagenInputError);
  });

  it('pick(weights) follows the weights and never picks a zero weight', () => {
    const rng = createRng(4);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 50_000; i++) counts[rng.pick([1, 0, 3, 6])]++;
    expect(counts[1]).toBe(0);
    expect(Math.abs(counts[0] / 50_000 - 0.1)).toBeLessThan(0.008);
    expect(Math.abs(counts[2] / 50_000 - 0.3)).toBeLessThan(0.012);
    expect(Math.abs(counts[3] / 50_000 - 0.6)).toBeLessThan(0.012);
    expect(() => rng.pick([])).toThrow(/positive/);
    expect(() => rng.pick([1, -1])).toThrow(DatagenInputError);
    expect(() => rng.pick([Number.NaN])).toThrow(DatagenInputError);
  });
});
