/**
 * A payment's features as a Postgres table of payments names them (snake_case columns), and the one
 * mapping back to the payment's field names (Q7, Q30). Every table of payments in the workspace (the
 * retraining feed, the debugging lab's raw payments) reads its rows back through it, so a column
 * cannot land under the wrong field on one path only.
 */

/** The feature columns of a payments table; a table may declare them NOT NULL (narrower types). */
export interface PaymentFeatureColumns {
  amount: number | null;
  hour_of_day: number | null;
  device_age_days: number | null;
  distance_km: number | null;
  merchant_category: string | null;
  channel: string | null;
}

/** A payment's feature fields, typed after the columns they come from: a NOT NULL column, a non-null field. */
export interface PaymentFeatures<C extends PaymentFeatureColumns = PaymentFeatureColumns> {
  amount: C['amount'];
  hourOfDay: C['hour_of_day'];
  deviceAgeDays: C['device_age_days'];
  distanceKm: C['distance_km'];
  merchantCategory: C['merchant_category'];
  channel: C['channel'];
}

/** The feature columns under the payment's field names. */
export function paymentFeatures<C extends PaymentFeatureColumns>(c: C): PaymentFeatures<C> {
  return {
    amount: c.amount,
    hourOfDay: c.hour_of_day,
    deviceAgeDays: c.device_age_days,
    distanceKm: c.distance_km,
    merchantCategory: c.merchant_category,
    channel: c.channel,
  };
}
