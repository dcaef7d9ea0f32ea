/**
 * Tests of the healthy payments world: determinism, window shape, the fixed population, the feature
 * domains, the base rate, and input validation. Knobs are tested in knobs.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { generatePayments } from './payments.ts';
import { DatagenInputError } from './rng.ts';
import { baseRate, spec } from './test-helpers.ts';
import type { PaymentEvent } from './types.ts';
import { CHANNELS, COUNTRIES, MERCHANT_CATEGORIES } from './world.ts';

const healthy = generatePayments(spec(11, 30_000));

describe('determinism', () => {
  it('gives deep-equal output for the same spec', () => {
    expect(generatePayments(spec(5, 3000))).toEqual(generatePayments(spec(5, 3000)));
  });

  it('gives different data for a different seed', () => {
    const a = generatePayments(spec(5, 3000));
    const b = generatePayments(spec(6, 3000));
    const differentAmounts = a.filter((e, i) => e.amount !== b[i].amount).length;
    expect(differentAmounts / a.length).toBeGreaterThan(0.9);
    expect(new Set([...a, ...b].map((e) => e.eventId)).size).toBe(6000);
  });
});

describe('window shape', () => {
  it('returns exactly `size` events', () => {
    for (const size of [0, 1, 1234]) expect(generatePayments(spec(1, size))).toHaveLength(size);
  });

  it('keeps integer timestamps inside [start, start + durationMs), in time order', () => {
    const start = 1_700_000_000_000;
    const events = generatePayments({ seed: 2, size: 5000, start, durationMs: 3_600_000 });
    const bad = events.filter(
      (e, i) =>
        !Number.isInteger(e.timestamp) ||
        e.timestamp < start ||
        e.timestamp >= start + 3_600_000 ||
        (i > 0 && e.timestamp < events[i - 1].timestamp),
    );
    expect(bad).toEqual([]);
    // Spread over the window, not bunched: each quarter holds about a quarter of the events.
    const firstQuarter = events.filter((e) => e.timestamp < start + 900_000).length / events.length;
    expect(Math.abs(firstQuarter - 0.25)).toBeLessThan(0.03);
  });

  it('gives unique event ids', () => {
    expect(new Set(healthy.map((e) => e.eventId)).size).toBe(healthy.length);
  });
});

describe('population', () => {
  it('draws customers from one fixed population shared by all windows of a world', () => {
    const other = generatePayments({ ...spec(99, 30_000), start: Date.UTC(2024, 5, 1) });
    for (const e of healthy.slice(0, 100)) expect(e.customerId).toMatch(/^c_\d{5}$/);
    const ids = new Set(healthy.map((e) => e.customerId));
    const shared = other.filter((e) => ids.has(e.customerId)).length / other.length;
    expect(shared).toBeGreaterThan(0.95);
  });

  it('has a few much more active customers', () => {
    const counts = new Map<string, number>();
    for (const e of healthy) counts.set(e.customerId, (counts.get(e.customerId) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    const top1pct = sorted.slice(0, 50).reduce((a, b) => a + b, 0) / healthy.length; // 1% of 5000
    expect(top1pct).toBeGreaterThan(0.08);
  });

  it('changes with worldSeed', () => {
    const a = generatePayments({ ...spec(3, 2000), worldSeed: 1 });
    const b = generatePayments({ ...spec(3, 2000), worldSeed: 2 });
    const sameCustomer = a.filter((e, i) => e.customerId === b[i].customerId).length;
    expect(sameCustomer / a.length).toBeLessThan(0.2);
  });
});

describe('features', () => {
  it('stay in their domains', () => {
    const countries = new Set(COUNTRIES.map((c) => c.code));
    const outside = (e: PaymentEvent): string | null => {
      if (!(e.amount! > 0) || Math.round(e.amount! * 100) / 100 !== e.amount) return 'amount';
      if (!Number.isInteger(e.hourOfDay) || e.hourOfDay! < 0 || e.hourOfDay! > 23) return 'hourOfDay';
      if (!Number.isInteger(e.deviceAgeDays) || e.deviceAgeDays! < 0) return 'deviceAgeDays';
      if (!(e.distanceKm! >= 0)) return 'distanceKm';
      if (!MERCHANT_CATEGORIES.includes(e.merchantCategory!)) return 'merchantCategory';
      if (!(CHANNELS as readonly string[]).includes(e.channel!)) return 'channel';
      if (!countries.has(e.country!)) return 'country';
      return e.label === 0 || e.label === 1 ? null : 'label';
    };
    expect(healthy.map(outside).filter((x) => x !== null)).toEqual([]);
    // hourOfDay is an integer with many ties: all 24 values occur.
    expect(new Set(healthy.map((e) => e.hourOfDay)).size).toBe(24);
  });

  it('follow a daily cycle: evenings are busier than the small hours', () => {
    const at = (h: number) => healthy.filter((e) => e.hourOfDay === h).length;
    expect(at(19)).toBeGreaterThan(5 * at(3));
  });

  it('make amount depend on the category', () => {
    const median = (cat: string) => {
      const xs = healthy.filter((e) => e.merchantCategory === cat).map((e) => e.amount!);
      return xs.sort((a, b) => a - b)[xs.length >> 1];
    };
    expect(median('travel')).toBeGreaterThan(4 * median('grocery'));
  });

  it('make online retail never happen at a point of sale', () => {
    expect(healthy.some((e) => e.merchantCategory === 'online_retail' && e.channel === 'pos')).toBe(false);
  });
});

describe('labels', () => {
  it('have a base rate between 8% and 15% under both rules', () => {
    expect(baseRate(healthy)).toBeGreaterThan(0.08);
    expect(baseRate(healthy)).toBeLessThan(0.15);
    const v2 = generatePayments(spec(11, 30_000, { labelRule: 'v2' }));
    expect(baseRate(v2)).toBeGreaterThan(0.08);
    expect(baseRate(v2)).toBeLessThan(0.15);
  });
});

describe('validation', () => {
  it.each([
    ['negative size', { ...spec(1, -1) }],
    ['fractional size', { ...spec(1, 2.5) }],
    ['NaN seed', { ...spec(Number.NaN, 10) }],
    ['fractional start', { ...spec(1, 10), start: 0.5 }],
    ['zero duration', { ...spec(1, 10), durationMs: 0 }],
    ['no customers', { ...spec(1, 10), customers: 0 }],
  ])('rejects %s with a typed error', (_name, bad) => {
    expect(() => generatePayments(bad)).toThrow(DatagenInputError);
  });

  it('accepts a one-millisecond window', () => {
    const events = generatePayments({ seed: 1, size: 10, start: 5, durationMs: 1 });
    expect(events.every((e) => e.timestamp === 5)).toBe(true);
  });
});
