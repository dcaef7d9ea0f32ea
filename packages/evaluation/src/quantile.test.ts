/** quantile against numpy.quantile, methods linear (type 7) and inverted_cdf (type 1, nearest rank). */
import { describe, expect, it } from 'vitest';
import { EvaluationInputError } from './errors.ts';
import { quantile } from './quantile.ts';
import { readGolden, rel } from './testing/golden.ts';

interface Case {
  name: string;
  values: number[];
  qs: number[];
  linear: number[];
  inverted_cdf: number[];
}
const golden = readGolden<{ cases: Case[] }>('quantile.json');

describe('quantile matches numpy.quantile', () => {
  it.each(golden.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const sorted = Float64Array.from(c.values).sort();
    c.qs.forEach((q, i) => {
      const linear = quantile(c.values, q);
      expect(rel(linear, c.linear[i]), `linear q=${q}: ours ${linear} numpy ${c.linear[i]}`).toBeLessThan(
        1e-12,
      );
      expect(quantile(sorted, q, { sorted: true })).toBe(linear);
      // Nearest rank returns one of the values, exactly (abs: numpy may return 0 where we return -0).
      const nearest = quantile(c.values, q, { method: 'inverted_cdf' });
      expect(Math.abs(nearest - c.inverted_cdf[i]), `inverted_cdf q=${q}: ours ${nearest}`).toBe(0);
    });
  });
});

describe('quantile', () => {
  it('does not reorder its input', () => {
    const xs = [3, 1, 2];
    quantile(xs, 0.5);
    expect(xs).toEqual([3, 1, 2]);
  });

  it('is NaN for an empty sample and refuses q outside [0, 1]', () => {
    expect(quantile([], 0.5)).toBeNaN();
    expect(() => quantile([1, 2], 1.5)).toThrow(EvaluationInputError);
    expect(() => quantile([1, 2], Number.NaN)).toThrow(/q NaN must be in \[0, 1\]/);
  });
});
