/**
 * The two ways of building a training set from the payments world's feature views (defined once,
 * in @mlops-lab/payments, and used by every join below): the naive latest-value join the feature
 * store exists to prevent, and the point-in-time join (Q6, Q7).
 */
import { type EntityRow, type FeatureValue, getHistoricalFeatures } from '@mlops-lab/feature-store';
import { loadHistorySources, PAYMENTS_FEATURE_VIEWS } from '@mlops-lab/payments';
import type { Services } from '@mlops-lab/services';
import { DAY_MS, type World } from './world.ts';

export const VIEWS = PAYMENTS_FEATURE_VIEWS;
export const STORE_FEATURES = ['txn_count_7d', 'avg_amount_7d', 'disputes_30d', 'risk_score'] as const;

export async function loadSources(services: Services, world: World): Promise<void> {
  // The backfill wrote into the same table as the daily job, as backfills do.
  await loadHistorySources(services.pg, {
    activity: world.activity,
    risk: [...world.risk, ...world.riskBackfill],
  });
}

export type FeatureSet = Record<string, FeatureValue>[];

export interface JoinOptions {
  ttlOff: boolean;
  createdBeforeEntity: boolean;
  /** Entity timestamps rounded up to the end of their day before joining (a date-bucket bug). */
  dayBucket: boolean;
}

export const CORRECT: JoinOptions = { ttlOff: false, createdBeforeEntity: true, dayBucket: false };

export function bucketed(rows: EntityRow[], options: JoinOptions): EntityRow[] {
  if (!options.dayBucket) return rows;
  return rows.map((r) => ({ ...r, timestamp: Math.ceil((r.timestamp + 1) / DAY_MS) * DAY_MS - 1 }));
}

/** One SQL statement over both views; rows come back in entity-row order. */
export async function pointInTimeFeatures(
  services: Services,
  entityRows: EntityRow[],
  options: JoinOptions,
): Promise<FeatureSet> {
  const rows = await getHistoricalFeatures(services.pg, {
    entityRows: bucketed(entityRows, options),
    views: VIEWS,
    ...(options.ttlOff ? { ttlMs: null } : {}),
    createdBeforeEntity: options.createdBeforeEntity,
  });
  return rows.map((r) => r.values);
}

/**
 * The naive join: every entity row gets its customer's LATEST value as of the extraction time,
 * whatever the row's own timestamp. Written the way it usually is, a DISTINCT ON per table.
 */
export async function latestValueFeatures(
  services: Services,
  entityRows: EntityRow[],
  extractedAt: number,
): Promise<FeatureSet> {
  const latest = new Map<string, Record<string, FeatureValue>>();
  for (const view of VIEWS) {
    const columns = view.features.map((f) => f.name).join(', ');
    const { rows } = await services.pg.query(
      `SELECT DISTINCT ON (customer_id) customer_id, ${columns} FROM ${view.source.table}
       WHERE created_ts <= to_timestamp($1 / 1000.0)
       ORDER BY customer_id, event_ts DESC, created_ts DESC`,
      [extractedAt],
    );
    for (const row of rows) {
      const { customer_id, ...values } = row;
      latest.set(customer_id, { ...latest.get(customer_id), ...values });
    }
  }
  return entityRows.map((r) => {
    const values = latest.get(String(r.keys?.customer_id)) ?? {};
    return Object.fromEntries(STORE_FEATURES.map((f) => [f, values[f] ?? null]));
  });
}
