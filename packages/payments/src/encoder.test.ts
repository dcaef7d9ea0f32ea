/** The payment encoder (Q5, Q16): fitted stats, one position per feature name, missing and unseen values. */
import { describe, expect, it } from 'vitest';
import { encodePayment, featureNames, fitPaymentStats, type PaymentInput } from './encoder.ts';

const row = (over: Partial<PaymentInput> = {}): PaymentInput => ({
  amount: 40,
  hourOfDay: 3,
  deviceAgeDays: 100,
  distanceKm: 5,
  merchantCategory: 'grocery',
  channel: 'web',
  ...over,
});

describe('encodePayment', () => {
  const stats = fitPaymentStats([
    row(),
    row({ amount: 400, channel: 'app', merchantCategory: 'travel' }),
    row({ amount: null }),
  ]);

  it('fits vocabularies and standardizes on the training rows', () => {
    expect(stats.channel).toEqual(['app', 'web']);
    expect(stats.merchantCategory).toEqual(['grocery', 'travel']);
    expect(stats.numeric.amount.mean).toBeCloseTo((Math.log(40) + Math.log(400)) / 2, 12);
    expect(stats.numeric.distanceKm.mean).toBeCloseTo(Math.log1p(5), 12);
  });

  it('gives one position per feature name, the night flag, and zeros for null or unseen values', () => {
    const x = encodePayment(row(), stats);
    const names = featureNames(stats);
    expect(x).toHaveLength(names.length);
    expect(x[names.indexOf('night')]).toBe(1);
    expect(x[names.indexOf('channel=web')]).toBe(1);
    expect(x[names.indexOf('log_amount')]).toBeCloseTo(-1, 12); // log 40 is one std below the mean
    const odd = encodePayment(row({ amount: null, merchantCategory: 'new_kind', channel: null }), stats);
    expect(odd[names.indexOf('log_amount')]).toBe(0);
    expect(odd.slice(names.indexOf('merchant=grocery'))).toEqual([0, 0, 0, 0]);
  });

  it('floors amounts at a cent and reads an absent category like a missing one', () => {
    const names = featureNames(stats);
    const at = names.indexOf('log_amount');
    expect(encodePayment(row({ amount: 0 }), stats)[at]).toBe(
      encodePayment(row({ amount: 0.01 }), stats)[at],
    );
    const { merchantCategory: _, ...request } = row();
    expect(encodePayment(request, stats)).toEqual(encodePayment(row({ merchantCategory: null }), stats));
  });

  it('refuses stats from another transform version', () => {
    expect(() => encodePayment(row(), { ...stats, transformVersion: 2 as 1 })).toThrow(/transform v2/);
  });
});
