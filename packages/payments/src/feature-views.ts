/**
 * The payments world's feature views, defined once (Q6, Q7, Q8): the customer aggregates and the
 * daily risk score that datagen's customer-history pipeline (customer-history.ts) computes, as
 * feature-store views, and how the pipeline's rows land in their sources. Labs and tests import
 * these instead of declaring their own copy: two copies of one view drift apart in features, ttl
 * and types, and a join or an online read then disagrees with what the pipeline wrote (Q6's
 * "a second team finds the feature instead of rebuilding it").
 * Reference: Feast feature repositories (one `FeatureView` per source, imported by every consumer).
 */
import type { HistoryFeatureRow } from '@mlops-lab/datagen';
import {
  createSourceTable,
  defineFeatureView,
  insertFeatureRows,
  type OnlineRow,
  type Queryable,
  secondsSinceLastEvent,
} from '@mlops-lab/feature-store';

const DAY_MS = 24 * 3600 * 1000;
const customer = { name: 'customer', joinKeys: ['customer_id'] };
const timestamps = { eventTimestampColumn: 'event_ts', createdTimestampColumn: 'created_ts' };

/**
 * Written after every payment and dispute. One ttl for the view: 30 days, the longest window it
 * holds (`disputes_30d`); a customer silent longer has no value in either store.
 */
export const customerActivityView = defineFeatureView({
  name: 'customer_activity',
  entity: customer,
  source: { table: 'customer_activity', ...timestamps },
  features: [
    { name: 'txn_count_7d', type: 'int', description: 'payments in the last 7 days' },
    { name: 'avg_amount_7d', type: 'float', description: 'mean amount of those payments' },
    { name: 'disputes_30d', type: 'int', description: 'disputes filed by the cardholder in 30 days' },
    { name: 'last_event_at', type: 'float', description: 'time of the last payment or dispute (ms)' },
  ],
  ttlMs: 30 * DAY_MS,
  owner: 'risk-platform',
  description: 'Rolling customer aggregates, updated after every payment and dispute',
  tags: { domain: 'payments', pii: 'no' },
});

/** Computed at the end of each day for the customers who paid that day; stale after two days. */
export const customerRiskView = defineFeatureView({
  name: 'customer_risk',
  entity: customer,
  source: { table: 'customer_risk', ...timestamps },
  features: [
    { name: 'risk_score', type: 'int', description: 'disputes in the 30 days before the day ended' },
  ],
  ttlMs: 2 * DAY_MS,
  owner: 'fraud-analytics',
  description: 'Daily risk score per active customer, computed at the end of each day',
  tags: { domain: 'payments', pii: 'no' },
});

/** Every view of the payments world, for registering and listing them together. */
export const PAYMENTS_FEATURE_VIEWS = [customerActivityView, customerRiskView] as const;

/** Keyed by the view's join key, so a row goes to the offline source and the online store alike. */
const keyed = (r: HistoryFeatureRow): OnlineRow => ({
  keys: { customer_id: r.entityId },
  eventTimestamp: r.eventTimestamp,
  createdTimestamp: r.createdTimestamp,
  values: r.values,
});

/**
 * Activity rows of the pipeline as `customer_activity` source rows. `last_event_at` is the row's
 * event time: the pipeline writes a row exactly when a payment or dispute changed the customer.
 */
export function activitySourceRows(rows: readonly HistoryFeatureRow[]): OnlineRow[] {
  return rows.map((r) => {
    const row = keyed(r);
    return { ...row, values: { ...row.values, last_event_at: r.eventTimestamp } };
  });
}

/** Risk rows (daily or backfilled) as `customer_risk` source rows. */
export function riskSourceRows(rows: readonly HistoryFeatureRow[]): OnlineRow[] {
  return rows.map(keyed);
}

/**
 * A customer history into the views' offline sources: both tables created, the pipeline's activity
 * and risk rows written. A lab that ran a backfill passes its rows with the daily ones: a backfill
 * writes into the same table as the daily job.
 */
export async function loadHistorySources(
  pool: Queryable,
  history: { activity: readonly HistoryFeatureRow[]; risk: readonly HistoryFeatureRow[] },
): Promise<void> {
  for (const view of PAYMENTS_FEATURE_VIEWS) await createSourceTable(pool, view);
  await insertFeatureRows(pool, customerActivityView, activitySourceRows(history.activity));
  await insertFeatureRows(pool, customerRiskView, riskSourceRows(history.risk));
}

/** Seconds from the customer's last payment or dispute to the request: computed on demand (Q10). */
export const secondsSinceLastActivity = secondsSinceLastEvent(`${customerActivityView.name}:last_event_at`);
