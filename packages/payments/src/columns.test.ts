/** The columns of a payments table read back under the payment's field names, nulls kept as null. */
import { describe, expect, it } from 'vitest';
import { paymentFeatures } from './columns.ts';

describe('paymentFeatures', () => {
  it('names each column after its field and keeps nulls', () => {
    const row = {
      event_id: 'e_1',
      amount: 12.5,
      hour_of_day: 3,
      device_age_days: null,
      distance_km: 0.4,
      merchant_category: null,
      channel: 'web',
    };
    expect(paymentFeatures(row)).toEqual({
      amount: 12.5,
      hourOfDay: 3,
      deviceAgeDays: null,
      distanceKm: 0.4,
      merchantCategory: null,
      channel: 'web',
    });
  });
});
