/** ks2Sample and kstwoSf: scipy golden values, textbook values, properties against an ECDF oracle, input errors (Q27). */

import { mulberry32 } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import { DriftInputError } from './errors.ts';
import { kstwoSf } from './kolmogorov.ts';
import { ks2Sample, ksStatisticSorted, roundHalfEven } from './ks.ts';
import { closeTo, readGolden, type SampleSpec, sample } from './testing/golden.ts';

interface KsCase {
  name: string;
  a: SampleSpec;
  b: SampleSpec;
  method: 'auto' | 'exact' | 'asymp';
  statistic: number;
  pvalue: number;
  used: 'exact' | 'asymp';
}

describe('ks2Sample matches scipy.stats.ks_2samp', () => {
  const { cases } = readGolden<{ cases: KsCase[] }>('ks.json');
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = ks2Sample(sample(c.a), sample(c.b), { method: c.method });
    expect(Math.abs(r.statistic - c.statistic)).toBeLessThanOrEqual(1e-12);
    expect(closeTo(r.pValue, c.pvalue), `p ours ${r.pValue} scipy ${c.pvalue}`).toBe(true);
    expect(r.method).toBe(c.used);
  });

  it('reports the fallback when an exact request is impossible', () => {
    const c = cases.find((x) => x.name.startsWith('exact falls back'))!;
    const r = ks2Sample(sample(c.a), sample(c.b), { method: 'exact' });
    expect(r.method).toBe('asymp');
    expect(r.warning).toMatch(/switched to asymptotic/);
  });
});

describe('kstwoSf matches scipy.stats.kstwo.sf', () => {
  const { cases } = readGolden<{ cases: [number, number, number][] }>('kstwo.json');
  it(`agrees on ${cases.length} (n, x) points across every algorithm branch`, () => {
    const bad = cases.filter(([n, x, p]) => !closeTo(kstwoSf(x, n), p, 1e-9, 1e-6));
    expect(bad).toEqual([]);
  });

  it('n = 1 has the closed form P(D_1 >= x) = 2(1 - x) for x >= 1/2', () => {
    for (const x of [0.5, 0.6, 0.75, 0.9]) expect(kstwoSf(x, 1)).toBeCloseTo(2 * (1 - x), 14);
    expect(kstwoSf(0.3, 1)).toBe(1);
  });

  it('Smirnov critical value 1.358/sqrt(n) gives p ~ 0.05 for large n (published table)', () => {
    expect(Math.abs(kstwoSf(1.358 / Math.sqrt(2e6), 2e6) - 0.05)).toBeLessThan(1e-3);
    expect(Math.abs(kstwoSf(1.628 / Math.sqrt(2e6), 2e6) - 0.01)).toBeLessThan(3e-4);
  });
});

describe('ks2Sample textbook values', () => {
  it('fully separated samples: p = 2 / C(m+n, n) exactly', () => {
    const a = [1, 2, 3, 4, 5];
    const b = [6, 7, 8, 9, 10];
    expect(ks2Sample(a, b).pValue).toBeCloseTo(2 / 252, 14);
    const r = ks2Sample([1, 2, 3], [4, 5, 6, 7]);
    expect(r.statistic).toBe(1);
    expect(r.pValue).toBeCloseTo(2 / 35, 14);
  });

  it('np.round semantics: halves go to even', () => {
    expect(roundHalfEven(5000.5)).toBe(5000);
    expect(roundHalfEven(5001.5)).toBe(5002);
    expect(roundHalfEven(2.4)).toBe(2);
  });
});

function bruteForceD(a: number[], b: number[]): number {
  let d = 0;
  for (const v of [...a, ...b]) {
    const fa = a.filter((x) => x <= v).length / a.length;
    const fb = b.filter((x) => x <= v).length / b.length;
    d = Math.max(d, Math.abs(fa - fb));
  }
  return d;
}

describe('ks2Sample properties (seeded random data)', () => {
  const rnd = mulberry32(99);
  const draw = (n: number, ties: boolean) =>
    Array.from({ length: n }, () => (ties ? Math.floor(rnd() * 8) : rnd() * 3 + (rnd() < 0.3 ? 1 : 0)));
  const trials = Array.from({ length: 60 }, (_, i) => {
    const ties = i % 2 === 0;
    return [draw(1 + Math.floor(rnd() * 70), ties), draw(1 + Math.floor(rnd() * 70), ties)] as const;
  });

  it('statistic equals the O(n*m) ECDF oracle, with and without ties', () => {
    for (const [a, b] of trials) {
      const x = Float64Array.from(a).sort();
      const y = Float64Array.from(b).sort();
      expect(ksStatisticSorted(x, y)).toBe(bruteForceD(a, b));
    }
  });

  it('among points with the same exact difference, D is the largest rounded one (scipy 1.17 values)', () => {
    // Equal i/n1 - j/n2 in exact arithmetic can round apart; scipy takes the max over the rounded values.
    const cases: [number[], number[], number][] = [
      [
        [0, 0, 1, 2, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 10, 10, 11],
        [0, 0, 0, 0, 1, 3, 3, 3, 4, 4, 4, 5, 6, 6, 9, 10, 10, 10],
        0.11111111111111116,
      ],
      [
        [0, 0, 1, 1, 1, 2, 3, 3, 3, 3, 4, 4, 5, 5, 5, 7, 8, 9, 10, 10, 10],
        [0, 0, 1, 2, 2, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 8, 8, 9, 10],
        0.23809523809523814,
      ],
      [[0, 1, 1, 1, 3, 4, 4, 4, 5, 5, 6], [0, 0, 0, 1, 1, 2, 3, 4, 4, 4, 5], 0.18181818181818182],
    ];
    for (const [a, b, scipyD] of cases) {
      expect(ksStatisticSorted(Float64Array.from(a), Float64Array.from(b))).toBe(scipyD);
      expect(ksStatisticSorted(Float64Array.from(b), Float64Array.from(a))).toBe(scipyD);
    }
  });

  it('p in [0, 1], symmetric in a and b, for both methods', () => {
    for (const [a, b] of trials) {
      for (const method of ['exact', 'asymp'] as const) {
        const ab = ks2Sample(a, b, { method });
        const ba = ks2Sample(b, a, { method });
        expect(ab.pValue).toBeGreaterThanOrEqual(0);
        expect(ab.pValue).toBeLessThanOrEqual(1);
        expect(ba.statistic).toBe(ab.statistic);
        expect(Math.abs(ba.pValue - ab.pValue)).toBeLessThan(1e-12);
      }
    }
  });

  it('identical samples give D = 0 and p = 1', () => {
    for (const [a] of trials.slice(0, 10)) {
      for (const method of ['auto', 'exact', 'asymp'] as const) {
        const r = ks2Sample(a, [...a].reverse(), { method });
        expect(r.statistic).toBe(0);
        expect(r.pValue).toBe(1);
      }
    }
  });

  it('does not reorder the caller arrays', () => {
    const a = [3, 1, 2];
    const f = Float64Array.from([9, 7, 8]);
    ks2Sample(a, f);
    expect(a).toEqual([3, 1, 2]);
    expect([...f]).toEqual([9, 7, 8]);
  });
});

describe('ks2Sample input errors', () => {
  it('NaN is a DriftInputError naming sample and index', () => {
    expect(() => ks2Sample([1, 2, 3], [4, Number.NaN, 6])).toThrow(DriftInputError);
    expect(() => ks2Sample([1, 2, 3], [4, Number.NaN, 6])).toThrow(/sample b has NaN at index 1/);
  });

  it("nan: 'drop' drops NaN like a missing value", () => {
    const r = ks2Sample([1, Number.NaN, 2, 3], [1, 2, 3], { nan: 'drop' });
    expect(r.n1).toBe(3);
    expect(r.statistic).toBe(0);
  });

  it('an empty sample (or all NaN after dropping) is a clear error', () => {
    expect(() => ks2Sample([], [1])).toThrow(/sample a is empty/);
    expect(() => ks2Sample([1], [Number.NaN], { nan: 'drop' })).toThrow(/only NaN/);
  });

  it('an unknown method is refused', () => {
    expect(() => ks2Sample([1], [2], { method: 'fast' as never })).toThrow(DriftInputError);
  });
});
