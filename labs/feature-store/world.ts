/**
 * The feature-store lab's data: four weeks of customer history (datagen), the one feature view
 * defined over it, the raw payments table a team without a feature store would query instead, and
 * the daily materialization schedule (Q6, Q8, Q9).
 */
import { type CustomerHistory, generateCustomerHistory } from '@mlops-lab/datagen';
import {
  createSourceTable,
  defineFeatureView,
  type FeatureRow,
  featureRegistryMigrations,
  insertFeatureRows,
  registerFeatureViews,
} from '@mlops-lab/feature-store';
import type { Services } from '@mlops-lab/services';

export const DAY_MS = 24 * 3600 * 1000;
export const START_MS = Date.UTC(2026, 2, 2);
export const WEEKS = 4;
/** Serving happens at the end of the history; the daily job ran at each midnight before it. */
export const NOW_MS = START_MS + WEEKS * 7 * DAY_MS;

export const activityView = defineFeatureView({
  name: 'customer_activity',
  entity: { name: 'customer', joinKeys: ['customer_id'] },
  source: {
    table: 'customer_activity',
    eventTimestampColumn: 'event_ts',
    createdTimestampColumn: 'created_ts',
  },
  features: [
    { name: 'txn_count_7d', type: 'int', description: 'payments in the last 7 days' },
    { name: 'avg_amount_7d', type: 'float', description: 'mean amount of those payments' },
    { name: 'disputes_30d', type: 'int', description: 'disputes filed in the last 30 days' },
    { name: 'last_event_at', type: 'float', description: 'time of the last payment or dispute (ms)' },
  ],
  ttlMs: 30 * DAY_MS,
  owner: 'risk-platform',
  description: 'Rolling customer aggregates, updated after every payment and dispute',
  tags: { domain: 'payments', pii: 'no' },
});

export const FEATURES = activityView.features.map((f) => f.name);

export function buildHistory(seed: number, quick: boolean): CustomerHistory {
  return generateCustomerHistory({
    seed,
    start: START_MS,
    weeks: WEEKS,
    customers: quick ? 3000 : 12000,
    paymentsPerWeek: quick ? 4000 : 20000,
    backfillAt: NOW_MS,
  });
}

/** Registers the view (so other teams find it), loads its source, and the raw payments table. */
export async function loadAll(services: Services, history: CustomerHistory): Promise<void> {
  await services.migrate('feature-registry', featureRegistryMigrations);
  await registerFeatureViews(services.pg, [activityView]);
  await createSourceTable(services.pg, activityView);
  // The world as of now: disputes filed after it have not happened yet, so they are not in the source.
  const rows: FeatureRow[] = history.activity
    .filter((r) => r.eventTimestamp < NOW_MS)
    .map((r) => ({
      keys: { customer_id: r.entityId },
      eventTimestamp: r.eventTimestamp,
      createdTimestamp: r.createdTimestamp,
      values: { ...r.values, last_event_at: r.eventTimestamp },
    }));
  await insertFeatureRows(services.pg, activityView, rows);
  await services.pg.query(
    `CREATE TABLE payments (customer_id text NOT NULL, ts timestamptz NOT NULL, amount float8);
     CREATE INDEX payments_customer_ts ON payments (customer_id, ts)`,
  );
  await services.pg.query(
    `INSERT INTO payments SELECT c, to_timestamp(t / 1000.0), a
     FROM unnest($1::text[], $2::float8[], $3::float8[]) AS x(c, t, a)`,
    [
      history.payments.map((p) => p.customerId),
      history.payments.map((p) => p.timestamp),
      history.payments.map((p) => p.amount),
    ],
  );
}
