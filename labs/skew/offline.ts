/**
 * The training pipeline's feature code (Q5): batch SQL over the raw payments in Postgres, plus the
 * feature store's point-in-time join for the customer aggregate. It builds the training set, and the
 * skew detector calls the very same function to recompute what serving should have logged: one
 * definition of "correct", the offline one, because it is what the model learned from.
 *
 * The feature artifact (the amount scaler and the distance fill value) is fitted here and stored as
 * a versioned row in `feature_artifacts`; a model records the version its training set used.
 */
import type { Services } from '@mlops-lab/services';
import type { FeatureVector } from './model.ts';
import { historicalCounts } from './store.ts';

export const offlineMigrations = [
  {
    id: '001_feature_artifacts',
    sql: `
      CREATE TABLE feature_artifacts (
        version int PRIMARY KEY, fitted_from timestamptz NOT NULL, fitted_to timestamptz NOT NULL,
        rows int NOT NULL, amount_log_mean float8 NOT NULL, amount_log_std float8 NOT NULL,
        distance_median float8 NOT NULL, note text NOT NULL);`,
  },
];

export interface Artifact {
  version: number;
  rows: number;
  amount_log_mean: number;
  amount_log_std: number;
  distance_median: number;
  note: string;
}

/** Fits the scaler and the fill value on the payments of [fromMs, toMs) and stores them as `version`. */
export async function fitArtifact(
  services: Services,
  version: number,
  fromMs: number,
  toMs: number,
  note: string,
): Promise<Artifact> {
  const { rows } = await services.pg.query<Artifact>(
    `INSERT INTO feature_artifacts
     SELECT $1, to_timestamp($2 / 1000.0), to_timestamp($3 / 1000.0), count(*),
            avg(ln(greatest(amount, 0.01))), stddev_samp(ln(greatest(amount, 0.01))),
            percentile_cont(0.5) WITHIN GROUP (ORDER BY distance_km), $4
     FROM payments WHERE ts >= to_timestamp($2 / 1000.0) AND ts < to_timestamp($3 / 1000.0)
     RETURNING version, rows, amount_log_mean, amount_log_std, distance_median, note`,
    [version, fromMs, toMs, note],
  );
  return rows[0];
}

export async function loadArtifact(services: Services, version: number): Promise<Artifact> {
  const { rows } = await services.pg.query<Artifact>(
    'SELECT version, rows, amount_log_mean, amount_log_std, distance_median, note FROM feature_artifacts WHERE version = $1',
    [version],
  );
  if (!rows[0]) throw new Error(`feature artifact version ${version} is not in feature_artifacts`);
  return rows[0];
}

/** One payment with its features as the training pipeline computes them. */
export interface OfflineRow {
  eventId: string;
  customerId: string;
  timestamp: number;
  country: string | null;
  label: number;
  features: FeatureVector;
}

/** Which payments: a time range (training set) or explicit ids (the recompute of logged requests). */
export type Selection = { fromMs: number; toMs: number } | { eventIds: string[] };

/**
 * The local hour comes from the UTC timestamp shifted by the country's offset, read back in UTC:
 * `AT TIME ZONE 'UTC'` makes it independent of the session's TimeZone setting (itself a classic
 * source of skew between a notebook and a server).
 */
const FEATURE_SQL = `
  SELECT p.event_id, p.customer_id, (extract(epoch FROM p.ts) * 1000)::float8 AS ts_ms, p.country, p.label,
         extract(hour FROM (p.ts + make_interval(mins => o.utc_offset_min)) AT TIME ZONE 'UTC')::int
           AS hour_of_day,
         (ln(greatest(p.amount, 0.01)) - a.amount_log_mean) / a.amount_log_std AS amount_z,
         coalesce(p.distance_km, a.distance_median) AS distance_km,
         p.device_age_days, p.merchant_category, p.channel
  FROM payments p
  LEFT JOIN country_offsets o ON o.country = p.country
  JOIN feature_artifacts a ON a.version = $1`;

/** A row of FEATURE_SQL: the payment's keys and label, and every feature but the feature store's. */
type SqlRow = Omit<FeatureVector, 'txn_count_7d'> & {
  event_id: string;
  customer_id: string;
  ts_ms: number;
  country: string | null;
  label: number;
};

/** Rows in time order (then event id): deterministic whatever order Postgres scans in. */
export async function offlineFeatures(
  services: Services,
  selection: Selection,
  artifactVersion: number,
): Promise<OfflineRow[]> {
  const { rows } =
    'eventIds' in selection
      ? await services.pg.query<SqlRow>(
          `${FEATURE_SQL} WHERE p.event_id = ANY($2::text[]) ORDER BY p.ts, p.event_id`,
          [artifactVersion, selection.eventIds],
        )
      : await services.pg.query<SqlRow>(
          `${FEATURE_SQL} WHERE p.ts >= to_timestamp($2 / 1000.0) AND p.ts < to_timestamp($3 / 1000.0)
           ORDER BY p.ts, p.event_id`,
          [artifactVersion, selection.fromMs, selection.toMs],
        );
  const counts = await historicalCounts(
    services,
    rows.map((r) => ({ customerId: r.customer_id, timestamp: r.ts_ms })),
  );
  return rows.map(({ event_id, customer_id, ts_ms, country, label, ...computed }, i) => ({
    eventId: event_id,
    customerId: customer_id,
    timestamp: ts_ms,
    country,
    label: Number(label),
    // Both stores answer "missing" for a customer silent longer than the ttl: no payments, 0.
    features: { ...computed, txn_count_7d: counts[i] ?? 0 },
  }));
}
