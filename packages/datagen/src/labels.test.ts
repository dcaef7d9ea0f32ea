/**
 * The known fraud rules: probabilities are valid for any input (nulls included), each rule rewards the
 * risk factors it documents, and v1 -> v2 is concept drift a v1 model cannot survive (Q4): its AUC
 * falls by more than 0.1 while the inputs stay identical.
 */
import { describe, expect, it } from 'vitest';
import { type FraudInputs, fraudProbability } from './labels.ts';
import { generatePayments } from './payments.ts';
import { DatagenInputError } from './rng.ts';
import { auc, spec } from './test-helpers.ts';

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

describe('concept drift v1 -> v2', () => {
  it('computes AUC like scikit-learn on a known example', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(auc([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0.5);
  });

  it('costs the v1 rule more than 0.1 AUC on v2 labels', () => {
    const v1 = generatePayments(spec(41, 40_000));
    const v2 = generatePayments(spec(41, 40_000, { labelRule: 'v2' }));
    const score = v1.map((e) => fraudProbability(e, 'v1'));
    const onV1 = auc(
      score,
      v1.map((e) => e.label),
    );
    const onV2 = auc(
      score,
      v2.map((e) => e.label),
    );
    expect(onV1).toBeGreaterThan(0.75); // the rule is learnable: a good model exists
    expect(onV1 - onV2).toBeGreaterThan(0.1);
    // and v2 is learnable too: its own rule ranks its labels well
    const fresh = v2.map((e) => fraudProbability(e, 'v2'));
    expect(
      auc(
        fresh,
        v2.map((e) => e.label),
      ),
    ).toBeGreaterThan(0.75);
  });
});
