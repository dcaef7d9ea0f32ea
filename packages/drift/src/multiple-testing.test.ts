/** BH against scipy.stats.false_discovery_control, its monotonicity properties, and Bonferroni (Q27). */

import { mulberry32 } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import { DriftInputError } from './errors.ts';
import { benjaminiHochberg, bonferroni } from './multiple-testing.ts';
import { readGolden } from './testing/golden.ts';

const { bh } = readGolden<{ bh: { p: number[]; adjusted: number[] }[] }>('effects.json');

describe('benjaminiHochberg matches scipy.stats.false_discovery_control(method="bh")', () => {
  it.each(bh.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    const r = benjaminiHochberg(c.p);
    expect(r.adjusted).toHaveLength(c.adjusted.length);
    for (const [j, v] of r.adjusted.entries()) expect(Math.abs(v - c.adjusted[j])).toBeLessThanOrEqual(1e-12);
  });

  it('textbook example: rejects the smallest p-values up to the largest k with p(k) <= k*q/m', () => {
    const p = [0.01, 0.04, 0.03, 0.2, 0.5];
    // sorted 0.01,0.03,0.04,0.2,0.5 vs k*0.05/5 = 0.01,0.02,0.03,0.04,0.05 -> only 0.01 qualifies
    expect(benjaminiHochberg(p, 0.05).rejected).toEqual([true, false, false, false, false]);
  });
});

describe('benjaminiHochberg properties', () => {
  it('adjusted p >= raw p, <= 1, and monotone in the raw p', () => {
    const rnd = mulberry32(17);
    for (let t = 0; t < 50; t++) {
      const m = 1 + Math.floor(rnd() * 30);
      const p = Array.from({ length: m }, () => (rnd() < 0.3 ? rnd() * 1e-4 : rnd()));
      const { adjusted } = benjaminiHochberg(p);
      const idx = p.map((_, i) => i).sort((a, b) => p[a] - p[b]);
      for (let k = 0; k < m; k++) {
        expect(adjusted[k]).toBeGreaterThanOrEqual(p[k]);
        expect(adjusted[k]).toBeLessThanOrEqual(1);
        if (k > 0) expect(adjusted[idx[k]]).toBeGreaterThanOrEqual(adjusted[idx[k - 1]]);
      }
    }
  });
});

describe('bonferroni', () => {
  it('multiplies by m and caps at 1', () => {
    const r = bonferroni([0.01, 0.2, 0.004], 0.05);
    expect(r.adjusted[0]).toBeCloseTo(0.03, 15);
    expect(r.adjusted[1]).toBeCloseTo(0.6, 15);
    expect(r.rejected).toEqual([true, false, true]);
    expect(bonferroni([0.5, 0.5, 0.5]).adjusted).toEqual([1, 1, 1]);
  });

  it('is never less conservative than BH', () => {
    const p = [0.001, 0.01, 0.02, 0.03, 0.2];
    const b = bonferroni(p).adjusted;
    const h = benjaminiHochberg(p).adjusted;
    for (const [i, v] of b.entries()) expect(v).toBeGreaterThanOrEqual(h[i]);
  });

  it('refuses p-values outside [0, 1] naming the index', () => {
    expect(() => bonferroni([0.1, Number.NaN])).toThrow(/index 1/);
    expect(() => benjaminiHochberg([1.2])).toThrow(DriftInputError);
  });
});
