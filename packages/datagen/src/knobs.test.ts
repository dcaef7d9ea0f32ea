/**
 * Each drift knob does what it says, and the label follows the inputs only for knobs that change the
 * world (Q4), not for pipeline bugs (Q5). Drifted windows are compared with their healthy twin (same
 * seed), which shares every random draw, so differences come from the knob alone.
 */
import { describe, expect, it } from 'vitest';
import { fraudProbability } from './labels.ts';
import { generatePayments, referenceStats } from './payments.ts';
import { DatagenInputError } from './rng.ts';
import { baseRate, inputsOf, mean, share, spec, std } from './test-helpers.ts';
import type { DriftKnobs, PaymentEvent } from './types.ts';
import { CATEGORY_PROFILES, NUMERIC_FEATURES } from './world.ts';

const N = 20_000;
const healthy = generatePayments(spec(21, N));
const drifted = (drift: DriftKnobs): PaymentEvent[] => generatePayments(spec(21, N, drift));
const isCategory = (c: string) => (e: PaymentEvent) => e.merchantCategory === c;

describe('numericShift', () => {
  const sigma = referenceStats();

  it.each([
    ['amount', 1],
    ['deviceAgeDays', 0.5],
    ['distanceKm', 0.3],
  ] as const)('moves the mean of %s by k reference standard deviations (k = %s)', (feature, k) => {
    const moved = mean(drifted({ numericShift: { [feature]: k } }), feature) - mean(healthy, feature);
    expect(Math.abs(moved / sigma[feature].std - k)).toBeLessThan(0.02 * k);
  });

  it('moves hourOfDay by about k sigma, a little less where the clamp at 23 bites', () => {
    const moved =
      mean(drifted({ numericShift: { hourOfDay: 0.4 } }), 'hourOfDay') - mean(healthy, 'hourOfDay');
    const k = moved / sigma.hourOfDay.std;
    expect(k).toBeGreaterThan(0.3);
    expect(k).toBeLessThanOrEqual(0.4);
    expect(drifted({ numericShift: { hourOfDay: 0.4 } }).every((e) => e.hourOfDay! <= 23)).toBe(true);
  });

  it('measures sigma on a reference window that matches a fresh healthy window', () => {
    // Amount and distance are heavy-tailed, so their sample sd wanders more between windows.
    const tolerance = { amount: 0.15, hourOfDay: 0.03, deviceAgeDays: 0.05, distanceKm: 0.15 };
    for (const f of NUMERIC_FEATURES)
      expect(Math.abs(std(healthy, f) / sigma[f].std - 1)).toBeLessThan(tolerance[f]);
  });

  it('changes the labels, because the world changed', () => {
    const far = drifted({ numericShift: { distanceKm: 1 } });
    expect(baseRate(far)).toBeGreaterThan(baseRate(healthy) + 0.05);
  });

  it('keeps non-negative features non-negative under a negative shift', () => {
    const down = drifted({ numericShift: { amount: -1, distanceKm: -1 } });
    expect(down.every((e) => e.amount! >= 0.01 && e.distanceKm! >= 0)).toBe(true);
  });
});

describe('categoryMix', () => {
  it('sets the relative weight of the listed categories and keeps the others', () => {
    const mixed = drifted({ categoryMix: { travel: 20, fuel: 0 } });
    const total = 100 - CATEGORY_PROFILES.travel.weight - CATEGORY_PROFILES.fuel.weight + 20;
    expect(Math.abs(share(mixed, isCategory('travel')) - 20 / total)).toBeLessThan(0.012);
    expect(share(mixed, isCategory('fuel'))).toBe(0);
    expect(Math.abs(share(mixed, isCategory('grocery')) - 24 / total)).toBeLessThan(0.012);
  });

  it('treats an explicit undefined weight as not listed', () => {
    const small = (drift?: DriftKnobs) => generatePayments(spec(21, 2000, drift));
    expect(small({ categoryMix: { travel: undefined } })).toEqual(small());
    expect(small({ categoryMix: { travel: 0 } })).not.toEqual(small());
  });
});

describe('newCategory', () => {
  it('gives an unseen category the requested share and scales the others down', () => {
    const withNew = drifted({ newCategory: { value: 'crypto', share: 0.15 } });
    expect(Math.abs(share(withNew, isCategory('crypto')) - 0.15)).toBeLessThan(0.01);
    const groceryRatio = share(withNew, isCategory('grocery')) / share(healthy, isCategory('grocery'));
    expect(Math.abs(groceryRatio - 0.85)).toBeLessThan(0.04);
    expect(withNew.every((e) => Number.isFinite(fraudProbability(e)))).toBe(true);
  });
});

describe('nullFlood', () => {
  const flooded = drifted({ nullFlood: { amount: 0.3, channel: 0.05 } });

  it('nulls the requested fraction of each feature and nothing else', () => {
    expect(Math.abs(share(flooded, (e) => e.amount === null) - 0.3)).toBeLessThan(0.015);
    expect(Math.abs(share(flooded, (e) => e.channel === null) - 0.05)).toBeLessThan(0.006);
    expect(flooded.some((e) => e.country === null || e.hourOfDay === null)).toBe(false);
  });

  it('leaves labels and the surviving values of the healthy twin untouched', () => {
    expect(flooded.map((e) => e.label)).toEqual(healthy.map((e) => e.label));
    const changed = flooded.filter(
      (e, i) =>
        (e.amount !== null && e.amount !== healthy[i].amount) || e.distanceKm !== healthy[i].distanceKm,
    );
    expect(changed).toEqual([]);
  });
});

describe('unitChange', () => {
  const cents = drifted({ unitChange: { feature: 'amount', factor: 100 } });

  it('multiplies the feature exactly and leaves the other inputs alone', () => {
    expect(cents.map((e) => e.amount)).toEqual(healthy.map((e) => e.amount! * 100));
    expect(cents.map((e) => ({ ...inputsOf(e), amount: 0 }))).toEqual(
      healthy.map((e) => ({ ...inputsOf(e), amount: 0 })),
    );
  });

  it('keeps the labels of the unbroken run but breaks predictions', () => {
    expect(cents.map((e) => e.label)).toEqual(healthy.map((e) => e.label));
    const meanScore = (events: PaymentEvent[]) => events.reduce((a, e) => a + fraudProbability(e), 0) / N;
    expect(meanScore(cents)).toBeGreaterThan(2 * meanScore(healthy));
  });
});

describe('labelRule', () => {
  it('v2 leaves the inputs bit-identical to v1 and changes the labels', () => {
    const v2 = drifted({ labelRule: 'v2' });
    expect(v2.map(inputsOf)).toEqual(healthy.map(inputsOf));
    const changed = v2.filter((e, i) => e.label !== healthy[i].label).length / N;
    expect(changed).toBeGreaterThan(0.1);
  });
});

describe('season', () => {
  it('is the reference world at phase 0', () => {
    expect(drifted({ season: 0 })).toEqual(healthy);
  });

  it('raises amounts and the travel share around 0.5, smoothly', () => {
    const quarter = drifted({ season: 0.25 });
    const holiday = drifted({ season: 0.5 });
    expect(mean(holiday, 'amount')).toBeGreaterThan(1.2 * mean(healthy, 'amount'));
    const travel = [healthy, quarter, holiday].map((w) => share(w, isCategory('travel')));
    // Expected shares 5.0%, 8.0%, 10.5%: rising all the way to the peak, not a jump.
    expect(travel[1]).toBeGreaterThan(travel[0] * 1.3);
    expect(travel[2]).toBeGreaterThan(travel[1] * 1.15);
    expect(share(holiday, isCategory('online_retail'))).toBeGreaterThan(
      share(healthy, isCategory('online_retail')),
    );
  });
});

describe('knob validation', () => {
  it.each([
    ['an unknown knob', { numericShfit: { amount: 1 } }],
    ['an unknown category in categoryMix', { categoryMix: { crypto: 3 } }],
    ['a known value as newCategory', { newCategory: { value: 'travel', share: 0.1 } }],
    ['a share above 1', { newCategory: { value: 'x', share: 1.5 } }],
    ['a null rate above 1', { nullFlood: { amount: 2 } }],
    ['a categorical unitChange', { unitChange: { feature: 'channel', factor: 2 } }],
    ['season 1', { season: 1 }],
    ['an unknown rule', { labelRule: 'v3' }],
    ['a NaN shift', { numericShift: { amount: Number.NaN } }],
  ])('rejects %s', (_name, knobs) => {
    expect(() => generatePayments(spec(1, 10, knobs as DriftKnobs))).toThrow(DatagenInputError);
  });
});
