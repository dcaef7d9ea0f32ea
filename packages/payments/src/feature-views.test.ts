/**
 * The catalogue against the generator (Q6, Q7): every row datagen's customer-history pipeline writes
 * fits its view (declared features, declared types), and the point-in-time join over the loaded
 * sources answers what the in-memory oracle answers on the same rows, on a real Postgres.
 */
import { generateCustomerHistory } from '@mlops-lab/datagen';
import { describeFeatureViews, getHistoricalFeatures, pointInTimeJoin } from '@mlops-lab/feature-store';
import { testServices } from '@mlops-lab/services/vitest';
import { describe, expect, it } from 'vitest';
import {
  activitySourceRows,
  customerActivityView,
  customerRiskView,
  loadHistorySources,
  PAYMENTS_FEATURE_VIEWS,
} from './feature-views.ts';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 5);
const history = generateCustomerHistory({
  seed: 11,
  start: START,
  weeks: 3,
  customers: 200,
  paymentsPerWeek: 400,
  backfillAt: START + 2 * 7 * DAY,
});
const services = testServices({
  needs: ['postgres'],
  namespace: 'payments-views',
  // The daily risk rows only (no backfill): the oracle below joins the same rows.
  // insertFeatureRows refuses a feature the view does not declare and a value of another type.
  prepare: (s) => loadHistorySources(s.pg, history),
});

describe('payments feature views', () => {
  it('declare every feature the pipeline writes, with its type', () => {
    const listed = describeFeatureViews(PAYMENTS_FEATURE_VIEWS);
    const typeOf = new Map(listed.map((f) => [f.feature, f.type]));
    for (const row of [...history.activity, ...history.risk]) {
      for (const [name, value] of Object.entries(row.values)) {
        const type = typeOf.get(name);
        expect(type, name).toBeDefined();
        if (value !== null && type === 'int') expect(Number.isSafeInteger(value), name).toBe(true);
      }
    }
    expect(activitySourceRows(history.activity.slice(0, 1))[0].values.last_event_at).toBe(
      history.activity[0].eventTimestamp,
    );
  });

  it('join point-in-time as the oracle does, each view with its own ttl', async () => {
    const payments = history.payments.filter((_, i) => i % 7 === 0);
    const entityRows = payments.map((p) => ({ keys: { customer_id: p.customerId }, timestamp: p.timestamp }));
    const sql = await getHistoricalFeatures(services.pg, { entityRows, views: PAYMENTS_FEATURE_VIEWS });
    const oracle = (rows: typeof history.activity, ttlMs: number | null) =>
      pointInTimeJoin(
        payments.map((p) => ({ entityId: p.customerId, timestamp: p.timestamp })),
        rows,
        ttlMs === null ? {} : { ttlMs },
      );
    const activity = oracle(history.activity, customerActivityView.ttlMs);
    const risk = oracle(history.risk, customerRiskView.ttlMs);
    expect(sql.length).toBe(payments.length);
    let matched = 0;
    sql.forEach((row, i) => {
      expect(row.values.txn_count_7d).toBe(activity[i].values?.txn_count_7d ?? null);
      expect(row.values.disputes_30d).toBe(activity[i].values?.disputes_30d ?? null);
      expect(row.values.risk_score).toBe(risk[i].values?.risk_score ?? null);
      if (row.values.txn_count_7d !== null) matched++;
    });
    // Most payments follow an earlier one of the same customer: the comparison is not all nulls.
    expect(matched).toBeGreaterThan(payments.length / 2);
  });
});
