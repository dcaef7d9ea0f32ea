/**
 * The known fraud rules: probabilities are valid for any input (nulls included) and each rule rewards
 * the risk factors it documents. That v1 -> v2 is concept drift a v1 model cannot survive (Q4: its AUC
 * falls by more than 0.1 while the inputs stay identical) is tested with the one AUC of the repository,
 * in @mlops-lab/evaluation (src/concept-drift.test.ts): datagen sits below it and may not import it.
 */
import { describe, expect, it } from 'vitest';
import { type FraudInputs, fraudProbability } from './labels.ts';
import { generatePayments } from './payments.ts';
import { DatagenInputError } from './rng.ts';
import { spec } from './test-helpers.ts';

const typical: FraudInputs = {
  amount: 40,
  hourOfDay: 13,
  deviceAgeDays: 200,
  distanceKm: 5,
  merchantCategory: 'grocery',
  channel: 'pos',
  country: 'US',
};
const allNull: FraudInputs = {
  amount: null,
  hourOfDay: null,
  deviceAgeDays: null,
  distanceKm: null,
  merchantCategory: null,
  channel: null,
  country: null,
};

describe('fraudProbability', () => {
  it('is a probability for every generated event and both rules', () => {
    const events = generatePayments(spec(31, 5000));
    for (const rule of ['v1', 'v2'] as const) {
      const invalid = events.map((e) => fraudProbability(e, rule)).filter((p) => !(p > 0 && p < 1));
      expect(invalid).toEqual([]);
    }
  });

  it('treats null inputs as missing: a finite probability, as if the risk factor were absent', () => {
    for (const rule of ['v1', 'v2'] as const) {
      const p = fraudProbability(allNull, rule);
      expect(Number.isFinite(p)).toBe(true);
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(0.1);
    }
    expect(fraudProbability({ ...typical, deviceAgeDays: null })).toBe(
      fraudProbability({ ...typical, deviceAgeDays: 200 }),
    );
  });

  it('uses v1 by default and rejects an unknown rule', () => {
    expect(fraudProbability(typical)).toBe(fraudProbability(typical, 'v1'));
    expect(() => fraudProbability(typical, 'v9' as 'v1')).toThrow(DatagenInputError);
  });

  it('v1 rises with its documented risk factors', () => {
    const base = fraudProbability(typical, 'v1');
    const risky: Partial<FraudInputs>[] = [
      { amount: 900 },
      { deviceAgeDays: 1 },
      { distanceKm: 2000 },
      { hourOfDay: 3 },
      { merchantCategory: 'electronics' },
      { channel: 'web' },
    ];
    for (const change of risky)
      expect(fraudProbability({ ...typical, ...change }, 'v1')).toBeGreaterThan(base);
  });

  it('v2 rises with its own, different factors', () => {
    const base = fraudProbability({ ...typical, hourOfDay: 21 }, 'v2');
    const risky: Partial<FraudInputs>[] = [
      { amount: 9 },
      { channel: 'app' },
      { deviceAgeDays: 800 },
      { hourOfDay: 11 },
    ];
    for (const change of risky) {
      expect(fraudProbability({ ...typical, hourOfDay: 21, ...change }, 'v2')).toBeGreaterThan(base);
    }
    expect(fraudProbability({ ...typical, amount: 900 }, 'v2')).toBeLessThan(fraudProbability(typical, 'v2'));
  });
});
