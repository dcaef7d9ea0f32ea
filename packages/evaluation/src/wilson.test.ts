/** The Wilson interval against scipy's binomtest(...).proportion_ci(method='wilson'), and its refusals. */
import { describe, expect, it } from 'vitest';
import { EvaluationInputError } from './errors.ts';
import { readGolden } from './testing/golden.ts';
import { wilson, Z95 } from './wilson.ts';

const golden = readGolden<{
  cases: { successes: number; trials: number; level: number; z: number; ci: [number, number] }[];
}>('wilson.json');

describe('wilson', () => {
  it.each(golden.cases.map((c) => [c.successes, c.trials, c.level, c] as const))(
    '%i of %i at %d matches scipy',
    (k, n, _level, c) => {
      const [lo, hi] = wilson(k, n, c.z);
      expect(Math.abs(lo - c.ci[0])).toBeLessThan(1e-12);
      expect(Math.abs(hi - c.ci[1])).toBeLessThan(1e-12);
    },
  );

  it('defaults to 95% and stays inside [0, 1]', () => {
    expect(Z95).toBe(golden.cases[0].z);
    expect(wilson(20, 400)).toEqual(wilson(20, 400, Z95));
    expect(wilson(0, 5)[0]).toBe(0);
    expect(wilson(5, 5)[1]).toBe(1);
  });

  it('refuses no trials, impossible counts and a non-positive z', () => {
    expect(() => wilson(0, 0)).toThrow(EvaluationInputError);
    expect(() => wilson(5, 4)).toThrow(/successes 5 must be an integer in \[0, trials = 4\]/);
    expect(() => wilson(1.5, 4)).toThrow(/successes 1.5/);
    expect(() => wilson(1, 4, 0)).toThrow(/z 0/);
  });
});
