/**
 * The pipeline's pull step (Q7, Q14): the labelled payments of a window from the feed, each joined with
 * the customer aggregates as they were at the payment's time (the feature store's point-in-time join,
 * `createdBeforeEntity`: a value written after the payment cannot leak into its row), and the
 * snapshot that identifies exactly what a run trained and evaluated on (a hash of its rows).
 */
import { createHash } from 'node:crypto';
import type { PaymentEvent } from '@mlops-lab/datagen';
import { getHistoricalFeatures } from '@mlops-lab/feature-store';
import { customerActivityView, type PaymentFeatureColumns, paymentFeatures } from '@mlops-lab/payments';
import type pg from 'pg';
import { WEEK_MS } from './clock.ts';

export const ACTIVITY_FEATURES = ['txn_count_7d', 'avg_amount_7d', 'disputes_30d'] as const;

/** A payment of the feed (the world's payment without its country, which the feed does not keep). */
export type FeedRow = Omit<PaymentEvent, 'country'> & {
  /** The aggregates as of the payment (null: no activity in the view's ttl). */
  activity: Record<(typeof ACTIVITY_FEATURES)[number], number | null>;
  /** Week index relative to the clock's week 0. */
  week: number;
};

/** A feed row as Postgres returns it (the feed's columns, ts as text: bigint). */
export interface FeedColumns extends PaymentFeatureColumns {
  event_id: string;
  customer_id: string;
  ts: string;
  label: number;
}

/** A payment of the feed, as the training code and the data gate read it (camelCase, label 0/1). */
export function feedPayment(r: FeedColumns): Omit<FeedRow, 'activity' | 'week'> {
  return {
    eventId: r.event_id,
    customerId: r.customer_id,
    timestamp: Number(r.ts),
    ...paymentFeatures(r),
    label: r.label === 1 ? 1 : 0,
  };
}

/** Feed rows with `fromMs <= ts < toMs`, time-ordered, with point-in-time activity features. */
export async function pullWindow(
  pool: pg.Pool,
  simStart: number,
  fromMs: number,
  toMs: number,
): Promise<FeedRow[]> {
  const { rows } = await pool.query<FeedColumns>(
    'SELECT * FROM retrain_feed WHERE ts >= $1 AND ts < $2 ORDER BY ts, event_id',
    [fromMs, toMs],
  );
  if (rows.length === 0) return [];
  const joined = await getHistoricalFeatures(pool, {
    view: customerActivityView,
    entityRows: rows.map((r) => ({ keys: { customer_id: r.customer_id }, timestamp: Number(r.ts) })),
    features: [...ACTIVITY_FEATURES],
    createdBeforeEntity: true,
  });
  return rows.map((r, i) => {
    const v = joined[i].values;
    const num = (x: unknown) => (typeof x === 'number' ? x : null);
    const payment = feedPayment(r);
    return {
      ...payment,
      activity: {
        txn_count_7d: num(v.txn_count_7d),
        avg_amount_7d: num(v.avg_amount_7d),
        disputes_30d: num(v.disputes_30d),
      },
      week: Math.floor((payment.timestamp - simStart) / WEEK_MS),
    };
  });
}

/** sha256 over the rows' ids, labels and features, in order: equal snapshots, equal hashes. */
export function snapshotHash(rows: readonly FeedRow[]): string {
  const h = createHash('sha256');
  for (const r of rows) h.update(`${r.eventId}|${r.label}|${JSON.stringify(r.activity)}\n`);
  return h.digest('hex');
}
