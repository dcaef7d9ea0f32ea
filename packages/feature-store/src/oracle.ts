/**
 * The in-memory point-in-time join (Q7): the specification the Postgres offline store is tested
 * against, and the baseline its benchmark is timed against. Feast get_historical_features semantics,
 * with three fixes: full ties are broken by a documented rule instead of arbitrarily, ttl 0 means
 * "only a value stamped exactly at the entity time" (Feast reads 0 as "no ttl"), and an opt-in cut
 * on the created timestamp keeps backfilled rows out of training sets.
 *
 * Rules, for each entity row (entityId, timestamp = t):
 * 1. Candidates: feature rows of the same entity with eventTimestamp <= t (never the future), and with
 *    a ttl also eventTimestamp >= t - ttl (both bounds inclusive).
 * 2. With createdBeforeEntity, candidates also need createdTimestamp <= t: a row written after t (a
 *    backfill, a late correction) did not exist when the prediction was made, so it cannot be used.
 * 3. The winner is the greatest (eventTimestamp, createdTimestamp, position in featureRows): newest
 *    event; for equal events the latest written; for full ties the later row in `featureRows`
 *    (the SQL path stores that order as an ingestion sequence, so both agree).
 * 4. No candidate: values null, the row is kept. Output is in input order, duplicates kept.
 *
 * Cost: O(M log M) to group and sort the feature rows once, then O(log k) per entity row (binary
 * search in its entity's k rows), plus a backward scan past rows skipped by rule 2.
 */
import { checkTtl } from './definitions.ts';
import { FeatureStoreError } from './errors.ts';
import type { FeatureValue } from './types.ts';

export interface OracleEntityRow {
  entityId: string;
  timestamp: number;
}

export interface OracleFeatureRow {
  entityId: string;
  eventTimestamp: number;
  createdTimestamp: number;
  values: Record<string, FeatureValue>;
}

export interface OracleOptions {
  /** Max age of a value at the entity time, inclusive; omitted = no limit. */
  ttlMs?: number;
  /** Ignore feature rows created after the entity time (no backfill leakage). */
  createdBeforeEntity?: boolean;
}

export interface OracleResultRow {
  entityId: string;
  timestamp: number;
  /** A copy of the winning row's values, or null when no row qualifies. */
  values: Record<string, FeatureValue> | null;
}

/** One entity's feature rows, ascending by (event, created, position). */
interface History {
  events: Float64Array;
  rows: Int32Array;
}

function finite(value: unknown, what: string, code: 'BAD_ENTITY_ROW' | 'BAD_FEATURE_ROW'): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new FeatureStoreError(
      `${what} must be a finite number (ms since epoch), got ${String(value)}`,
      code,
    );
  }
  return value;
}

function buildHistories(featureRows: readonly OracleFeatureRow[]): Map<string, History> {
  const byEntity = new Map<string, number[]>();
  featureRows.forEach((row, i) => {
    finite(row.eventTimestamp, `featureRows[${i}].eventTimestamp`, 'BAD_FEATURE_ROW');
    finite(row.createdTimestamp, `featureRows[${i}].createdTimestamp`, 'BAD_FEATURE_ROW');
    const list = byEntity.get(row.entityId);
    if (list) list.push(i);
    else byEntity.set(row.entityId, [i]);
  });
  const histories = new Map<string, History>();
  for (const [entityId, list] of byEntity) {
    // Array.prototype.sort is stable, and `list` is in position order, so equal (event, created)
    // pairs stay in position order: rule 3's last tiebreak comes for free.
    list.sort((a, b) => {
      const x = featureRows[a];
      const y = featureRows[b];
      return x.eventTimestamp - y.eventTimestamp || x.createdTimestamp - y.createdTimestamp;
    });
    histories.set(entityId, {
      events: Float64Array.from(list, (i) => featureRows[i].eventTimestamp),
      rows: Int32Array.from(list),
    });
  }
  return histories;
}

/** Number of events <= t (index of the first event > t). */
function upperBound(events: Float64Array, t: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Point-in-time join of `entityRows` against `featureRows`; see the rules at the top of this file. */
export function pointInTimeJoin(
  entityRows: readonly OracleEntityRow[],
  featureRows: readonly OracleFeatureRow[],
  options: OracleOptions = {},
): OracleResultRow[] {
  const ttl = options.ttlMs === undefined ? null : checkTtl(options.ttlMs, 'pointInTimeJoin');
  const createdBefore = options.createdBeforeEntity === true;
  entityRows.forEach((row, i) => {
    finite(row?.timestamp, `entityRows[${i}].timestamp`, 'BAD_ENTITY_ROW');
  });
  const histories = buildHistories(featureRows);
  return entityRows.map(({ entityId, timestamp: t }) => {
    const history = histories.get(entityId);
    let values: Record<string, FeatureValue> | null = null;
    if (history) {
      const oldest = ttl === null ? Number.NEGATIVE_INFINITY : t - ttl;
      for (let j = upperBound(history.events, t) - 1; j >= 0 && history.events[j] >= oldest; j--) {
        const row = featureRows[history.rows[j]];
        if (createdBefore && row.createdTimestamp > t) continue;
        values = { ...row.values };
        break;
      }
    }
    return { entityId, timestamp: t, values };
  });
}
