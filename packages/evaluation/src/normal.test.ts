/** normalSf against scipy.stats.norm.sf on both tails and across the series / continued-fraction seam. */
import { describe, expect, it } from 'vitest';
import { normalSf } from './normal.ts';
import { readGolden, rel } from './testing/golden.ts';

const golden = readGolden<{ cases: { z: number; sf: number }[] }>('normal.json');

describe('normalSf', () => {
  it.each(golden.cases.map((c) => [c.z, c.sf] as const))('z = %d matches scipy', (z, sf) => {
    expect(rel(normalSf(z), sf), `ours ${normalSf(z)} scipy ${sf}`).toBeLessThan(1e-12);
  });

  it('is exactly 1/2 at 0 and NaN for NaN', () => {
    expect(normalSf(0)).toBe(0.5);
    expect(normalSf(Number.NaN)).toBeNaN();
  });
});
