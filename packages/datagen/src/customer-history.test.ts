/** The customer-history world: deterministic, and its timestamps say what a feature store needs. */
import { describe, expect, it } from 'vitest';
import { customerActivityRows, fraudDisputes, generateCustomerHistory } from './customer-history.ts';

const DAY = 24 * 3600 * 1000;
const spec = { seed: 3, start: Date.UTC(2026, 0, 5), weeks: 3, customers: 300, paymentsPerWeek: 500 };
const history = generateCustomerHistory({ ...spec, backfillAt: spec.start + 2 * 7 * DAY });

describe('generateCustomerHistory', () => {
  it('is deterministic for a seed', () => {
    const again = generateCustomerHistory({ ...spec, backfillAt: spec.start + 2 * 7 * DAY });
    expect(again.activity).toEqual(history.activity);
    expect(again.riskBackfill).toEqual(history.riskBackfill);
  });

  it('writes one activity row per payment or dispute, after it, created after its event time', () => {
    expect(history.payments).toHaveLength(3 * 500);
    expect(history.activity.length).toBeGreaterThan(history.payments.length);
    for (const row of history.activity) expect(row.createdTimestamp).toBeGreaterThan(row.eventTimestamp);
    const disputes = history.activity.length - history.payments.length;
    const frauds = history.payments.filter((p) => p.label === 1).length;
    expect(disputes).toBeLessThanOrEqual(frauds);
    expect(disputes).toBeGreaterThan(frauds * 0.7);
  });

  it('runs the same activity pipeline on its own, given the same payments and disputes', () => {
    const disputes = fraudDisputes(history.payments, spec.seed);
    expect(disputes.length).toBe(history.activity.length - history.payments.length);
    expect(customerActivityRows(history.payments, disputes)).toEqual(history.activity);
  });

  it('backfilled risk rows are created at backfill time for days before it', () => {
    expect(history.riskBackfill.length).toBeGreaterThan(0);
    for (const row of history.riskBackfill) {
      expect(row.createdTimestamp).toBe(history.backfillAt);
      expect(row.eventTimestamp).toBeLessThan(history.backfillAt);
    }
  });
});
