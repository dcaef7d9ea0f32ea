/**
 * compare(): the alarm-fatigue gate at large n, real shifts, new categories, null floods, degenerate
 * columns and windows (never NaN) (Q4, Q26, Q27). Speed is measured by `pnpm bench drift`, not asserted here.
 */
import { describe, expect, it } from 'vitest';
import { compare, type DriftReport } from './detector.ts';
import { DriftInputError } from './errors.ts';
import { buildProfile } from './profile.ts';
import { makeRows, TEST_SCHEMA } from './testing/data.ts';

/** Every number anywhere in the report is finite (no NaN, no Infinity). */
function numbersIn(v: unknown, path = 'report', out: [string, number][] = []): [string, number][] {
  if (typeof v === 'number') out.push([path, v]);
  else if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) numbersIn(x, `${path}[${i}]`, out);
  } else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) numbersIn(x, `${path}.${k}`, out);
  return out;
}
function expectAllFinite(r: DriftReport) {
  const nums = numbersIn(r);
  expect(nums.length).toBeGreaterThan(10);
  expect(nums.filter(([, n]) => Number.isNaN(n) || !Number.isFinite(n))).toEqual([]);
}
const feature = (r: DriftReport, name: string) => r.features.find((f) => f.feature === name)!;

const reference = buildProfile(makeRows(1, 100_000), TEST_SCHEMA);

describe('compare: large windows', () => {
  it('same distribution at n = 100k: no drift anywhere', () => {
    const r = compare(reference, makeRows(2, 100_000));
    expect(r.drifted).toBe(false);
    expect(r.driftedFeatures).toEqual([]);
    expect(feature(r, 'x').test).toBe('ks');
    expect(feature(r, 'color').test).toBe('chi2');
    expect(r.reasons[0]).toMatch(/^no drift/);
    expectAllFinite(r);
  });

  it('a negligible shift (0.05 sd) is significant at n = 100k but gated out by effect size', () => {
    const r = compare(reference, makeRows(3, 100_000, { shift: 0.05 }));
    const x = feature(r, 'x');
    expect(x.pAdjusted).toBeLessThan(1e-6);
    expect(x.significant).toBe(true);
    expect(x.largeEffect).toBe(false);
    expect(x.effect).toBeLessThan(0.1);
    expect(x.drifted).toBe(false);
    expect(x.note).toMatch(/significant but negligible/);
    expect(r.drifted).toBe(false);
    expect(r.reasons[0]).toMatch(/1 feature\(s\) significant but below every effect threshold/);
  });

  it('a real shift (0.5 sd) is drifted with the test and effect in the reason', () => {
    const r = compare(reference, makeRows(4, 20_000, { shift: 0.5 }));
    const x = feature(r, 'x');
    expect(x.drifted).toBe(true);
    expect(x.effectName).toBe('wasserstein');
    expect(x.effect).toBeGreaterThan(0.4);
    expect(r.driftedFeatures).toEqual(['x']);
    expect(r.reasons[0]).toMatch(
      /^x: distribution changed: KS D = .* Wasserstein 0\.\d+ reference SDs \(threshold/,
    );
  });

  it('Bonferroni is available and never less conservative than BH', () => {
    const rows = makeRows(5, 5000, { shift: 0.08 });
    const bh = compare(reference, rows);
    const bonf = compare(reference, rows, { correction: 'bonferroni' });
    expect(bonf.settings.correction).toBe('bonferroni');
    for (const [i, f] of bonf.features.entries()) {
      expect(f.pAdjusted).toBeGreaterThanOrEqual(bh.features[i].pAdjusted);
    }
  });
});

describe('compare: categories and nulls', () => {
  it('names a category never seen in the reference and flags it when it carries mass', () => {
    const r = compare(reference, makeRows(6, 20_000, { newCategoryRate: 0.1 }));
    const c = feature(r, 'color');
    expect(c.newCategories).toEqual(['teal']);
    expect(c.drifted).toBe(true);
    expect(c.effectName).toBe('jensenShannon');
    expect(c.note).toMatch(/categories never seen in the reference: "teal"/);
  });

  it('a handful of rows of a new category is named but not an alarm', () => {
    const rows = makeRows(7, 20_000);
    rows[10].color = 'teal';
    rows[20].color = 'teal';
    const c = feature(compare(reference, rows), 'color');
    expect(c.newCategories).toEqual(['teal']);
    expect(c.drifted).toBe(false);
  });

  it('catches a null flood even though the remaining values look the same', () => {
    const r = compare(reference, makeRows(8, 20_000, { xNullRate: 0.3 }));
    const x = feature(r, 'x');
    expect(x.largeEffect).toBe(false);
    expect(x.nullRate.current).toBeGreaterThan(0.25);
    expect(x.nullRate.drifted).toBe(true);
    expect(x.drifted).toBe(true);
    expect(x.reasons[0]).toMatch(/^missing rate 0\.0% -> \d\d\.\d% \(\|change\| >= 5\.0%/);
    expect(r.reasons[0]).toMatch(/^x: missing rate/);
    expectAllFinite(r);
  });

  it('an all-null column in the window: test skipped with a reason, null jump flagged', () => {
    const rows = makeRows(9, 5000).map((r) => ({ ...r, x: null }));
    const x = feature(compare(reference, rows), 'x');
    expect(x.test).toBe('none');
    expect(x.reasons).toContain('test skipped: no non-missing values in the current window');
    expect(x.nullRate.current).toBe(1);
    expect(x.drifted).toBe(true);
  });

  it('a column null in reference and window alike: reason, no drift, no NaN', () => {
    const r = compare(reference, makeRows(10, 5000));
    const e = feature(r, 'empty');
    expect(e.test).toBe('none');
    expect(e.reasons).toContain('test skipped: the reference has no non-missing values');
    expect(e.drifted).toBe(false);
    expectAllFinite(r);
  });
});

describe('compare: degenerate inputs', () => {
  it('a constant column that stays constant is not drift; the reason says it is constant', () => {
    const k = feature(compare(reference, makeRows(11, 5000)), 'k');
    expect(k).toMatchObject({ statistic: 0, pValue: 1, drifted: false });
    expect(k.note).toMatch(/reference is constant \(7\)/);
  });

  it('a constant column that changes value is drift, scaled by |value| (no division by 0)', () => {
    const r = compare(reference, makeRows(12, 5000, { constant: 9 }));
    const k = feature(r, 'k');
    expect(k.drifted).toBe(true);
    expect(k.effect).toBeCloseTo(2 / 7, 12);
    expectAllFinite(r);
  });

  it('an empty window: a clear verdict, every feature explains itself, no NaN', () => {
    const r = compare(reference, []);
    expect(r.drifted).toBe(false);
    expect(r.reasons).toEqual(['current window is empty: no verdict possible, nothing flagged']);
    for (const f of r.features) expect(f.reasons).toEqual(['current window is empty: nothing to test']);
    expectAllFinite(r);
  });

  it('a value of the wrong type is a DriftInputError naming feature and row', () => {
    const rows: Record<string, unknown>[] = makeRows(13, 10);
    rows[4] = { ...rows[4], y: 'n/a' };
    expect(() => compare(reference, rows)).toThrow(DriftInputError);
    expect(() => compare(reference, rows)).toThrow(/feature "y" is numeric but row 4/);
  });
});
