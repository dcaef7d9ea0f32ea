/** Incomplete gamma and chi-squared survival: scipy golden values and published table values. */
import { describe, expect, it } from 'vitest';
import { DriftInputError } from './errors.ts';
import { chi2Sf, gammainc, gammaincc } from './gamma.ts';
import { readGolden } from './testing/golden.ts';

describe('incomplete gamma matches scipy.special.gammaincc / gammainc', () => {
  const { cases } = readGolden<{ cases: [number, number, number, number][] }>('igamc.json');
  it(`agrees to 1e-12 relative on ${cases.length} (a, x) points, tails included`, () => {
    const rel = (ours: number, ref: number) =>
      ref > 1e-300 ? Math.abs(ours - ref) / ref : Math.abs(ours - ref);
    const bad = cases.filter(
      ([a, x, q, p]) => rel(gammaincc(a, x), q) > 5e-12 || rel(gammainc(a, x), p) > 5e-11,
    );
    expect(bad).toEqual([]);
  });

  it('P + Q = 1', () => {
    for (const [a, x] of [
      [0.5, 0.2],
      [3, 2],
      [50, 60],
      [700, 650],
    ]) {
      expect(gammainc(a, x) + gammaincc(a, x)).toBeCloseTo(1, 14);
    }
  });
});

describe('chi-squared survival function', () => {
  it('reproduces published critical values (upper 5% and 1% points)', () => {
    // Standard chi-squared tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.4), 3 decimals.
    const table: [number, number, number][] = [
      [3.841, 1, 0.05],
      [5.991, 2, 0.05],
      [18.307, 10, 0.05],
      [6.635, 1, 0.01],
      [15.086, 5, 0.01],
      [37.566, 20, 0.01],
    ];
    for (const [x, dof, p] of table) expect(Math.abs(chi2Sf(x, dof) - p)).toBeLessThan(5e-5);
  });

  it('dof 2 has the closed form exp(-x/2)', () => {
    for (const x of [0.1, 1, 7, 40, 300]) expect(chi2Sf(x, 2) / Math.exp(-x / 2)).toBeCloseTo(1, 12);
  });

  it('refuses invalid arguments', () => {
    expect(() => chi2Sf(1, 0)).toThrow(DriftInputError);
    expect(() => gammaincc(-1, 1)).toThrow(DriftInputError);
    expect(() => chi2Sf(Number.NaN, 3)).toThrow(DriftInputError);
  });
});
