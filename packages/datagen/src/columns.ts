/**
 * Column-oriented views of a window, for statistics that scan one feature at a time (the two-sample
 * tests of Q27 compare a reference column with a current one).
 *
 * `toColumns` keeps nulls as null in plain arrays (nothing is lost; a null-rate monitor can count them).
 * `numericColumn` gives a Float64Array with NaN for null, the form numeric code wants: filter NaN out
 * (or count it) before a KS test, since NaN compares false with everything.
 */
import type { PaymentEvent } from './types.ts';
import type { CategoricalFeature, NumericFeature } from './world.ts';

export type PaymentColumns = { [F in NumericFeature]: (number | null)[] } & {
  [F in CategoricalFeature]: (string | null)[];
} & { label: number[]; timestamp: number[]; eventId: string[]; customerId: string[] };

export function toColumns(events: PaymentEvent[]): PaymentColumns {
  const n = events.length;
  const cols: PaymentColumns = {
    amount: new Array(n),
    hourOfDay: new Array(n),
    deviceAgeDays: new Array(n),
    distanceKm: new Array(n),
    merchantCategory: new Array(n),
    channel: new Array(n),
    country: new Array(n),
    label: new Array(n),
    timestamp: new Array(n),
    eventId: new Array(n),
    customerId: new Array(n),
  };
  for (let i = 0; i < n; i++) {
    const e = events[i];
    cols.amount[i] = e.amount;
    cols.hourOfDay[i] = e.hourOfDay;
    cols.deviceAgeDays[i] = e.deviceAgeDays;
    cols.distanceKm[i] = e.distanceKm;
    cols.merchantCategory[i] = e.merchantCategory;
    cols.channel[i] = e.channel;
    cols.country[i] = e.country;
    cols.label[i] = e.label;
    cols.timestamp[i] = e.timestamp;
    cols.eventId[i] = e.eventId;
    cols.customerId[i] = e.customerId;
  }
  return cols;
}

/** One numeric feature as a Float64Array; null becomes NaN. */
export function numericColumn(events: PaymentEvent[], feature: NumericFeature): Float64Array {
  const out = new Float64Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const v = events[i][feature];
    out[i] = v === null ? Number.NaN : v;
  }
  return out;
}
