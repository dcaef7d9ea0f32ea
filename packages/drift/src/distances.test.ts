/** Effect sizes: Wasserstein and Jensen–Shannon against scipy golden values, PSI against hand-computed values. */
import { describe, expect, it } from 'vitest';
import { jensenShannon, wassersteinDistance, wassersteinNormalized } from './distances.ts';
import { DriftInputError } from './errors.ts';
import { psi } from './psi.ts';
import { readGolden, type SampleSpec, sample } from './testing/golden.ts';

interface Effects {
  wasserstein: { a: SampleSpec; b: SampleSpec; distance: number }[];
  jensenshannon: { p: number[]; q: number[]; distance: number }[];
}
const golden = readGolden<Effects>('effects.json');

describe('wassersteinDistance matches scipy.stats.wasserstein_distance', () => {
  it.each(golden.wasserstein.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    expect(Math.abs(wassersteinDistance(sample(c.a), sample(c.b)) - c.distance)).toBeLessThanOrEqual(1e-9);
  });

  it('is the mean shift for a translated sample', () => {
    expect(wassersteinDistance([1, 2, 3, 4], [3, 4, 5, 6])).toBeCloseTo(2, 14);
  });
});

describe('wassersteinNormalized', () => {
  it('divides by the reference population standard deviation', () => {
    const r = wassersteinNormalized([0, 2, 4, 6], [1, 3, 5, 7]);
    expect(r.scaleBasis).toBe('std');
    expect(r.scale).toBeCloseTo(Math.sqrt(5), 14);
    expect(r.normalized).toBeCloseTo(1 / Math.sqrt(5), 14);
  });

  it('IQR option uses the reference interquartile range', () => {
    const r = wassersteinNormalized([0, 1, 2, 3, 4], [1, 2, 3, 4, 5], { scale: 'iqr' });
    expect(r.scaleBasis).toBe('iqr');
    expect(r.normalized).toBeCloseTo(1 / 2, 14);
  });

  it('constant reference: falls back to |value|, then to 1, never NaN', () => {
    const a = wassersteinNormalized([5, 5, 5], [5, 6]);
    expect(a).toMatchObject({ scaleBasis: 'abs-mean', scale: 5 });
    expect(a.normalized).toBeCloseTo(0.5 / 5, 14);
    const b = wassersteinNormalized([0, 0], [0, 0, 1]);
    expect(b.scaleBasis).toBe('unit');
    expect(b.normalized).toBeCloseTo(1 / 3, 14);
    expect(wassersteinNormalized([0, 0], [0]).normalized).toBe(0);
  });

  it('refuses infinite values', () => {
    expect(() => wassersteinDistance([1, Number.POSITIVE_INFINITY], [1])).toThrow(DriftInputError);
  });
});

describe('jensenShannon matches scipy.spatial.distance.jensenshannon(base=2)', () => {
  it.each(golden.jensenshannon.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    expect(Math.abs(jensenShannon(c.p, c.q) - c.distance)).toBeLessThanOrEqual(1e-12);
  });

  it('aligns categorical data over the union of categories', () => {
    const d = jensenShannon({ a: 1 }, { b: 1 });
    expect(d).toBeCloseTo(1, 14);
    expect(
      jensenShannon(
        ['x', 'y', 'y'],
        new Map([
          ['y', 2],
          ['x', 1],
        ]),
      ),
    ).toBe(0);
  });

  it('refuses mismatched or massless histograms', () => {
    expect(() => jensenShannon([1, 2], [1, 2, 3])).toThrow(/differ in length/);
    expect(() => jensenShannon([0, 0], [1, 1])).toThrow(/sums to 0/);
  });
});

describe('psi (hand-computed values)', () => {
  it('numeric: quantile bins of the reference, right-closed', () => {
    // Reference 1..10, 2 bins: cut at the median 5.5 -> reference (0.5, 0.5).
    // Current [1,2,3,6,7,8,9,10,11,12]: 3 of 10 <= 5.5 -> (0.3, 0.7).
    // PSI = (0.3-0.5) ln(0.3/0.5) + (0.7-0.5) ln(0.7/0.5) = 0.2 ln(5/3) + 0.2 ln(1.4)
    const ref = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const r = psi(ref, [1, 2, 3, 6, 7, 8, 9, 10, 11, 12], { bins: 2 });
    expect(r.value).toBeCloseTo(0.2 * Math.log(5 / 3) + 0.2 * Math.log(1.4), 14);
    expect(r.bins.map((b) => b.label)).toEqual(['(-inf, 5.5]', '(5.5, +inf)']);
    expect(psi(ref, ref).value).toBe(0);
  });

  it('an empty bin is floored at epsilon = 1e-4 instead of producing Infinity', () => {
    // Reference 1..4 in 2 bins cut at 2.5; current all above: (0, 1) -> (1e-4, 1).
    const r = psi([1, 2, 3, 4], [5, 6], { bins: 2 });
    const expected = (1e-4 - 0.5) * Math.log(1e-4 / 0.5) + (1 - 0.5) * Math.log(1 / 0.5);
    expect(r.value).toBeCloseTo(expected, 12);
    expect(Number.isFinite(r.value)).toBe(true);
  });

  it('categorical: one bin per category of the union', () => {
    // ref a:0.5 b:0.5 ; cur a:0.25 b:0.5 c:0.25 (c absent in ref -> 1e-4)
    const r = psi(['a', 'b'], ['a', 'b', 'b', 'c']);
    const expected = (0.25 - 0.5) * Math.log(0.25 / 0.5) + 0 + (0.25 - 1e-4) * Math.log(0.25 / 1e-4);
    expect(r.value).toBeCloseTo(expected, 12);
    expect(r.bins.map((b) => b.label)).toEqual(['a', 'b', 'c']);
  });

  it('a constant reference collapses to two bins', () => {
    expect(psi([3, 3, 3, 3], [3, 4]).bins).toHaveLength(2);
  });
});
