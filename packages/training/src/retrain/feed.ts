/**
 * The pipeline's upstream data (Q14): labelled payments in `retrain_feed`, and the customer aggregates
 * of @mlops-lab/payments' `customer_activity` view in the feature store's offline source. `seedFeed`
 * fills both from the datagen world, week by week: the fraud pattern changes at `shiftWeek` (concept
 * drift, the reason to retrain), and the weeks in `emptyWeeks` deliver nothing (an upstream outage).
 */
import {
  customerActivityRows,
  fraudDisputes,
  generatePayments,
  mixSeed,
  type PaymentEvent,
} from '@mlops-lab/datagen';
import { createSourceTable, insertFeatureRows } from '@mlops-lab/feature-store';
import { activitySourceRows, customerActivityView } from '@mlops-lab/payments';
import type pg from 'pg';
import { WEEK_MS } from './clock.ts';

export interface FeedSpec {
  seed: number;
  simStart: number;
  weeks: number;
  paymentsPerWeek: number;
  /** From this week on, fraud follows datagen's v2 rule. */
  shiftWeek: number;
  emptyWeeks?: readonly number[];
  customers?: number;
}

export interface SeededFeed {
  payments: number;
  activityRows: number;
  perWeek: number[];
}

export function feedPayments(spec: FeedSpec): PaymentEvent[][] {
  const empty = new Set(spec.emptyWeeks ?? []);
  return Array.from({ length: spec.weeks }, (_, week) =>
    empty.has(week)
      ? []
      : generatePayments({
          seed: mixSeed(spec.seed, 'retrain-feed', week),
          size: spec.paymentsPerWeek,
          start: spec.simStart + week * WEEK_MS,
          durationMs: WEEK_MS,
          customers: spec.customers ?? 1500,
          drift: week >= spec.shiftWeek ? { labelRule: 'v2' } : {},
        }),
  );
}

/** Writes the feed and the activity view's source rows (the tables must exist: migrateRetrain). */
export async function seedFeed(pool: pg.Pool, spec: FeedSpec): Promise<SeededFeed> {
  const weeks = feedPayments(spec);
  const payments = weeks.flat();
  const BATCH = 5000;
  for (let i = 0; i < payments.length; i += BATCH) {
    const b = payments.slice(i, i + BATCH);
    await pool.query(
      `INSERT INTO retrain_feed (event_id, customer_id, ts, amount, hour_of_day, device_age_days, distance_km,
         merchant_category, channel, label)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::float8[], $5::int[], $6::float8[],
         $7::float8[], $8::text[], $9::text[], $10::smallint[])`,
      [
        b.map((p) => p.eventId),
        b.map((p) => p.customerId),
        b.map((p) => p.timestamp),
        b.map((p) => p.amount),
        b.map((p) => p.hourOfDay),
        b.map((p) => p.deviceAgeDays),
        b.map((p) => p.distanceKm),
        b.map((p) => p.merchantCategory),
        b.map((p) => p.channel),
        b.map((p) => p.label),
      ],
    );
  }
  // The aggregates come from the same payments and the disputes their frauds cause.
  const activity = activitySourceRows(customerActivityRows(payments, fraudDisputes(payments, spec.seed)));
  await createSourceTable(pool, customerActivityView);
  await insertFeatureRows(pool, customerActivityView, activity);
  return { payments: payments.length, activityRows: activity.length, perWeek: weeks.map((w) => w.length) };
}
