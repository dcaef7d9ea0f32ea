import { describe, expect, it } from 'vitest';
import { expectedCalibrationError } from './calibration.ts';
import { featureNames, fitPaymentStats, type PaymentInput, preprocessPayment } from './features.ts';

const row = (over: Partial<PaymentInput> = {}): PaymentInput => ({
  amount: 40,
  hourOfDay: 3,
  deviceAgeDays: 100,
  distanceKm: 5,
  merchantCategory: 'grocery',
  channel: 'web',
  ...over,
});

describe('preprocessPayment', () => {
  const stats = fitPaymentStats([
    row(),
    row({ amount: 400, channel: 'app', merchantCategory: 'travel' }),
    row({ amount: null }),
  ]);

  it('fits vocabularies and standardizes on the training rows', () => {
    expect(stats.channel).toEqual(['app', 'web']);
    expect(stats.merchantCategory).toEqual(['grocery', 'travel']);
    expect(stats.numeric.amount.mean).toBeCloseTo((Math.log(40) + Math.log(400)) / 2, 12);
  });

  it('gives one position per feature name, the night flag, and zeros for null or unseen values', () => {
    const x = preprocessPayment(row(), stats);
    const names = featureNames(stats);
    expect(x).toHaveLength(names.length);
    expect(x[names.indexOf('night')]).toBe(1);
    expect(x[names.indexOf('channel=web')]).toBe(1);
    const odd = preprocessPayment(row({ amount: null, merchantCategory: 'new_kind', channel: null }), stats);
    expect(odd[names.indexOf('log_amount')]).toBe(0);
    expect(odd.slice(names.indexOf('merchant=grocery'))).toEqual([0, 0, 0, 0]);
  });

  it('refuses stats from another transform version', () => {
    expect(() => preprocessPayment(row(), { ...stats, transformVersion: 2 as 1 })).toThrow(/transform v2/);
  });
});

describe('expectedCalibrationError', () => {
  it('is 0 when each bin’s mean score equals its positive rate, and |p - y| for one bin', () => {
    expect(expectedCalibrationError([0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0])).toBeCloseTo(0, 12);
    expect(expectedCalibrationError([0.9, 0.9], [0, 0])).toBeCloseTo(0.9, 12);
    expect(expectedCalibrationError([0.05, 0.95], [0, 1])).toBeCloseTo(0.05, 12);
  });
});
