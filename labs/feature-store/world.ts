/**
 * The feature-store lab's data: four weeks of customer history (datagen), loaded into the payments
 * world's `customer_activity` view (defined once in @mlops-lab/payments), the raw payments table a
 * team without a feature store would query instead, and the daily materialization schedule (Q6, Q8, Q9).
 */
import { type CustomerHistory, generateCustomerHistory } from '@mlops-lab/datagen';
import {
  createSourceTable,
  featureRegistryMigrations,
  insertFeatureRows,
  registerFeatureViews,
} from '@mlops-lab/feature-store';
import { activitySourceRows, customerActivityView } from '@mlops-lab/payments';
import type { Services } from '@mlops-lab/services';

export const DAY_MS = 24 * 3600 * 1000;
export const START_MS = Date.UTC(2026, 2, 2);
export const WEEKS = 4;
/** Serving happens at the end of the history; the daily job ran at each midnight before it. */
export const NOW_MS = START_MS + WEEKS * 7 * DAY_MS;

export const FEATURES = customerActivityView.features.map((f) => f.name);

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
  await registerFeatureViews(services.pg, [customerActivityView]);
  await createSourceTable(services.pg, customerActivityView);
  // The world as of now: disputes filed after it have not happened yet, so they are not in the source.
  const rows = activitySourceRows(history.activity.filter((r) => r.eventTimestamp < NOW_MS));
  await insertFeatureRows(services.pg, customerActivityView, rows);
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
