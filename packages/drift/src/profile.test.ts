/** buildProfile: counts, null rates, deterministic capped samples, rows vs columns, schema errors. */
import { describe, expect, it } from 'vitest';
import { DriftInputError } from './errors.ts';
import { buildProfile, type NumericFeatureProfile } from './profile.ts';
import { makeRows, TEST_SCHEMA } from './testing/data.ts';

const numeric = (p: ReturnType<typeof buildProfile>, name: string) =>
  p.features.find((f) => f.name === name) as NumericFeatureProfile;

describe('buildProfile', () => {
  const rows = makeRows(1, 3000, { xNullRate: 0.1 });

  it('keeps counts, null rates and an ascending sample of every numeric value under the cap', () => {
    const p = buildProfile(rows, TEST_SCHEMA);
    const x = numeric(p, 'x');
    const values = rows.map((r) => r.x).filter((v): v is number => v !== null);
    expect(p.rowCount).toBe(3000);
    expect(x.nullCount).toBe(3000 - values.length);
    expect(x.nullRate).toBeCloseTo(x.nullCount / 3000, 15);
    expect(x.sampled).toBe(false);
    expect([...x.sample]).toEqual([...values].sort((a, b) => a - b));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(x.summary?.mean).toBeCloseTo(mean, 12);
    expect(x.summary?.min).toBe(Math.min(...values));
  });

  it('counts categories without nulls, and records an all-null column as such', () => {
    const p = buildProfile(rows, TEST_SCHEMA);
    const color = p.features.find((f) => f.name === 'color');
    if (color?.type !== 'categorical') throw new Error('expected categorical');
    const nonNull = rows.filter((r) => r.color !== null).length;
    expect(Object.values(color.counts).reduce((a, b) => a + b, 0)).toBe(nonNull);
    expect(color.counts['<null>']).toBeUndefined();
    const empty = numeric(p, 'empty');
    expect(empty).toMatchObject({ nullRate: 1, nonNullCount: 0, summary: null });
    expect(empty.sample.length).toBe(0);
  });

  it('subsamples above the cap: deterministic per seed, a subset of the data, sorted', () => {
    const a = numeric(buildProfile(rows, TEST_SCHEMA, { sampleSize: 500, seed: 3 }), 'y');
    const b = numeric(buildProfile(rows, TEST_SCHEMA, { sampleSize: 500, seed: 3 }), 'y');
    const c = numeric(buildProfile(rows, TEST_SCHEMA, { sampleSize: 500, seed: 4 }), 'y');
    expect(a.sampled).toBe(true);
    expect(a.sample.length).toBe(500);
    expect([...a.sample]).toEqual([...b.sample]);
    expect([...a.sample]).not.toEqual([...c.sample]);
    const all = new Set(rows.map((r) => r.y));
    expect([...a.sample].every((v) => all.has(v))).toBe(true);
    expect([...a.sample].every((v, i, s) => i === 0 || s[i - 1] <= v)).toBe(true);
    // Summary statistics still use every value, not the sample.
    expect(a.summary?.max).toBe(Math.max(...rows.map((r) => r.y)));
  });

  it('accepts columns as well as rows, with the same result', () => {
    const cols = {
      x: rows.map((r) => r.x),
      y: Float64Array.from(rows.map((r) => r.y)),
      color: rows.map((r) => r.color),
      k: rows.map((r) => r.k),
      empty: rows.map(() => null),
    };
    const fixed = { createdAt: new Date(0) };
    const fromRows = buildProfile(rows, TEST_SCHEMA, fixed);
    const fromCols = buildProfile(cols, TEST_SCHEMA, fixed);
    expect(fromCols).toEqual(fromRows);
  });

  it('refuses a bad schema or a value of the wrong type, naming feature and row', () => {
    expect(() => buildProfile(rows, [])).toThrow(DriftInputError);
    expect(() =>
      buildProfile(rows, [
        { name: 'x', type: 'numeric' },
        { name: 'x', type: 'numeric' },
      ]),
    ).toThrow(/appears twice/);
    const bad = [{ v: 1 }, { v: 'oops' }];
    expect(() => buildProfile(bad, [{ name: 'v', type: 'numeric' }])).toThrow(/row 1 holds "oops"/);
  });
});
