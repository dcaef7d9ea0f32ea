/** chiSquaredTest: scipy.stats.chi2_contingency golden values, input forms, conventions, order invariance (Q27). */

import { mulberry32 } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import { chiSquaredTest } from './chi2.ts';
import { DriftInputError } from './errors.ts';
import { closeTo, readGolden } from './testing/golden.ts';

interface Chi2Case {
  ref: number[];
  cur: number[];
  statistic: number;
  pvalue: number;
  dof: number;
}

const asRecord = (counts: number[]) => Object.fromEntries(counts.map((c, i) => [`c${i}`, c]));

describe('chiSquaredTest matches scipy.stats.chi2_contingency(correction=False)', () => {
  const { cases } = readGolden<{ cases: Chi2Case[] }>('chi2.json');
  it.each(cases.map((c, i) => [i, c.ref.length, c] as const))('case %i (%i categories)', (_i, _k, c) => {
    const r = chiSquaredTest(asRecord(c.ref), asRecord(c.cur));
    expect(Math.abs(r.statistic - c.statistic)).toBeLessThanOrEqual(1e-6 * Math.max(1, c.statistic));
    expect(closeTo(r.pValue, c.pvalue), `p ours ${r.pValue} scipy ${c.pvalue}`).toBe(true);
    expect(r.dof).toBe(c.dof);
  });
});

describe('chiSquaredTest inputs and conventions', () => {
  it('accepts raw category arrays, Maps and records alike; null counts as "<null>"', () => {
    const fromArrays = chiSquaredTest(['a', 'a', 'b', null], ['a', 'b', 'b', null, null]);
    const fromMaps = chiSquaredTest(
      new Map([
        ['a', 2],
        ['b', 1],
        ['<null>', 1],
      ]),
      { a: 1, b: 2, '<null>': 2 },
    );
    expect(fromArrays.categories).toEqual(['a', 'b', '<null>']);
    expect(fromArrays.statistic).toBeCloseTo(fromMaps.statistic, 14);
    expect(fromArrays.pValue).toBeCloseTo(fromMaps.pValue, 14);
  });

  it('a category seen on one side only is part of the table', () => {
    const r = chiSquaredTest({ a: 10, b: 10 }, { a: 10, b: 5, c: 5 });
    expect(r.categories).toEqual(['a', 'b', 'c']);
    expect(r.observed.reference).toEqual([10, 10, 0]);
    expect(r.dof).toBe(2);
    expect(r.pValue).toBeLessThan(0.05);
  });

  it('zero-total categories are dropped; one category left gives statistic 0, p 1, dof 0', () => {
    const r = chiSquaredTest({ a: 5, b: 0 }, { a: 7, b: 0 });
    expect(r).toMatchObject({ statistic: 0, pValue: 1, dof: 0, categories: ['a'] });
  });

  it('an empty side is a clear error', () => {
    expect(() => chiSquaredTest({}, { a: 1 })).toThrow(/reference is empty/);
    expect(() => chiSquaredTest(['x'], [])).toThrow(DriftInputError);
    expect(() => chiSquaredTest({ a: -1 }, { a: 1 })).toThrow(/counts must be finite and >= 0/);
  });
});

describe('chiSquaredTest properties', () => {
  it('is invariant to category order', () => {
    const rnd = mulberry32(5);
    for (let t = 0; t < 40; t++) {
      const k = 2 + Math.floor(rnd() * 9);
      const keys = Array.from({ length: k }, (_, i) => `k${i}`);
      const ref = keys.map((key) => [key, Math.floor(rnd() * 50)] as const);
      const cur = keys.map((key) => [key, 1 + Math.floor(rnd() * 50)] as const);
      const a = chiSquaredTest(new Map(ref), new Map(cur));
      const b = chiSquaredTest(new Map([...ref].reverse()), new Map([...cur].sort(() => rnd() - 0.5)));
      expect(Math.abs(a.statistic - b.statistic)).toBeLessThan(1e-10 * Math.max(1, a.statistic));
      expect(Math.abs(a.pValue - b.pValue)).toBeLessThan(1e-12);
      expect(a.pValue).toBeGreaterThanOrEqual(0);
      expect(a.pValue).toBeLessThanOrEqual(1);
    }
  });
});
