/**
 * Column views keep every value in place (nulls as null in toColumns, NaN in numericColumn).
 */
import { describe, expect, it } from 'vitest';
import { numericColumn, toColumns } from './columns.ts';
import { generatePayments } from './payments.ts';
import { spec } from './test-helpers.ts';
import { PAYMENT_FEATURES } from './world.ts';

const events = generatePayments(spec(51, 2000, { nullFlood: { amount: 0.2, country: 0.1 } }));

describe('toColumns', () => {
  it('has one column per feature plus label, timestamp and ids, each as long as the window', () => {
    const cols = toColumns(events);
    const expected = [...PAYMENT_FEATURES.map((f) => f.name), 'label', 'timestamp', 'eventId', 'customerId'];
    expect(Object.keys(cols).sort()).toEqual(expected.sort());
    for (const column of Object.values(cols)) expect(column).toHaveLength(events.length);
  });

  it('puts each value where its event is, nulls included', () => {
    const cols = toColumns(events);
    expect(cols.amount).toEqual(events.map((e) => e.amount));
    expect(cols.country).toEqual(events.map((e) => e.country));
    expect(cols.label).toEqual(events.map((e) => e.label));
    expect(cols.timestamp).toEqual(events.map((e) => e.timestamp));
    expect(cols.customerId).toEqual(events.map((e) => e.customerId));
    expect(cols.amount.filter((x) => x === null).length).toBe(events.filter((e) => e.amount === null).length);
    expect(cols.amount.some((x) => x === null)).toBe(true);
  });
});

describe('numericColumn', () => {
  it('is a Float64Array with NaN exactly where the feature is null', () => {
    const col = numericColumn(events, 'amount');
    expect(col).toBeInstanceOf(Float64Array);
    const misplaced = events.filter((e, i) =>
      e.amount === null ? !Number.isNaN(col[i]) : col[i] !== e.amount,
    );
    expect(misplaced).toEqual([]);
    expect(col.some(Number.isNaN)).toBe(true);
  });
});
