/**
 * Online/offline consistency check (Q8, Q5): for sampled (entity, time) points, the value the
 * offline point-in-time join gives for training against the value the online path serves at that
 * time, per feature, with counts and examples. Skew is a bug (Q5): a second code path writing the
 * online store, a unit change on one side, a ttl read differently. The reference is the usual
 * skew audit (log what serving returned, join it back to the training features for the same
 * entity and time, count disagreements); Feast leaves it to the user.
 *
 * The comparison (`compareServedToOffline`) is pure; the two readers are injected, so a test or a
 * lab can put any path behind either side. Concrete readers: `offlineReader` (the Postgres join) and
 * `replayOnlineReader`, which rebuilds the online store in a scratch key space by materializing up
 * to each sampled time and reading at that time (what serving would have returned then).
 */
import { randomBytes } from 'node:crypto';
import { FeatureStoreError } from './errors.ts';
import { type MaterializeTarget, materializeIncremental } from './materialize.ts';
import { getHistoricalFeatures } from './offline.ts';
import { getOnlineFeatures } from './online.ts';
import { checkTime } from './online-keys.ts';
import { keyedObject, ownValue } from './safe-keys.ts';
import type { FeatureValue, FeatureView } from './types.ts';
import type { EntityKeys, Queryable } from './validate.ts';

export interface SamplePoint {
  keys: EntityKeys;
  /** The prediction time: offline joins as of it, online is read at it. */
  timestamp: number;
}

/** Values per sample point, in sample order; null or absent = no value. */
export type OfflineReader = (sample: readonly SamplePoint[]) => Promise<Record<string, FeatureValue>[]>;
/** What serving returned for `keys` at `now` (an `OnlineFeatureRow` fits). Called in ascending `now`. */
export type OnlineReader = (
  keys: readonly EntityKeys[],
  now: number,
) => Promise<{ values: Record<string, FeatureValue>; missing?: Record<string, string> }[]>;

export interface Mismatch {
  keys: EntityKeys;
  timestamp: number;
  offline: FeatureValue;
  online: FeatureValue;
  /** Why online served nothing, when it did not. */
  onlineReason?: string;
}

export interface FeatureConsistency {
  compared: number;
  mismatches: number;
  /** Points where neither side had a value (never seen, or beyond the ttl): agreement. */
  bothAbsent: number;
  examples: Mismatch[];
}

export interface ConsistencyReport {
  sampled: number;
  mismatches: number;
  consistent: boolean;
  features: Record<string, FeatureConsistency>;
}

export interface CompareOptions {
  /** Relative tolerance for numbers (float8 round trips are exact, so the default is tight). */
  tolerance?: number;
  maxExamples?: number;
}

/** Equal values: null with null, strings exactly, numbers within `tolerance` (NaN equals NaN). */
export function sameValue(a: FeatureValue, b: FeatureValue, tolerance = 1e-9): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    return a === b || Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return a === b; // a string against a number is a type skew, and a mismatch
}

/** Pure: per feature, how often the online row disagrees with the offline row at the same point. */
export function compareServedToOffline(
  sample: readonly SamplePoint[],
  features: readonly string[],
  offline: readonly (Record<string, FeatureValue> | null | undefined)[],
  online: readonly ({ values: Record<string, FeatureValue>; missing?: Record<string, string> } | undefined)[],
  options: CompareOptions = {},
): ConsistencyReport {
  const maxExamples = options.maxExamples ?? 5;
  // Keyed by caller-given names: no prototype, and own values only, so `__proto__` or `constructor`
  // is a feature like any other instead of a lost key or Object's inherited constructor.
  const report: ConsistencyReport = {
    sampled: sample.length,
    mismatches: 0,
    consistent: true,
    features: keyedObject(),
  };
  for (const f of features) report.features[f] = { compared: 0, mismatches: 0, bothAbsent: 0, examples: [] };
  sample.forEach((point, i) => {
    for (const f of features) {
      const stats = report.features[f];
      const off = ownValue(offline[i], f) ?? null;
      const on = ownValue(online[i]?.values, f) ?? null;
      stats.compared++;
      if (off === null && on === null) stats.bothAbsent++;
      if (sameValue(off, on, options.tolerance)) continue;
      stats.mismatches++;
      report.mismatches++;
      if (stats.examples.length < maxExamples) {
        const reason = ownValue(online[i]?.missing, f);
        stats.examples.push({
          ...point,
          offline: off,
          online: on,
          ...(reason ? { onlineReason: reason } : {}),
        });
      }
    }
  });
  report.consistent = report.mismatches === 0;
  return report;
}

/**
 * Reads both sides for the sample and compares them. The online reader is called once per distinct
 * timestamp, in ascending order (a replaying reader can only move forward).
 */
export async function checkConsistency(options: {
  offline: OfflineReader;
  online: OnlineReader;
  sample: readonly SamplePoint[];
  features: readonly string[];
  tolerance?: number;
  maxExamples?: number;
}): Promise<ConsistencyReport> {
  const { sample, features } = options;
  if (features.length === 0) throw new FeatureStoreError('checkConsistency needs at least one feature');
  if (sample.length === 0) throw new FeatureStoreError('checkConsistency needs at least one sample point');
  sample.forEach((p, i) => {
    checkTime(`sample[${i}].timestamp`, p.timestamp);
  });
  const offline = await options.offline(sample);
  if (offline.length !== sample.length) {
    throw new FeatureStoreError(`offline reader returned ${offline.length} rows for ${sample.length} points`);
  }
  const byTime = new Map<number, number[]>();
  sample.forEach((p, i) => {
    byTime.set(p.timestamp, [...(byTime.get(p.timestamp) ?? []), i]);
  });
  const online: Awaited<ReturnType<OnlineReader>> = new Array(sample.length);
  for (const t of [...byTime.keys()].sort((a, b) => a - b)) {
    const indices = byTime.get(t) ?? [];
    const rows = await options.online(
      indices.map((i) => sample[i].keys),
      t,
    );
    indices.forEach((i, j) => {
      online[i] = rows[j];
    });
  }
  return compareServedToOffline(sample, features, offline, online, options);
}

/** The training path: the Postgres point-in-time join with the view's ttl. */
export function offlineReader(
  pool: Queryable,
  view: FeatureView,
  features?: readonly string[],
): OfflineReader {
  return async (sample) => {
    const rows = await getHistoricalFeatures(pool, {
      view,
      features,
      entityRows: sample.map((p) => ({ keys: p.keys, timestamp: p.timestamp })),
    });
    return rows.map((r) => r.values);
  };
}

/**
 * The serving path replayed: a scratch online store (its own key space and watermark) that, for each
 * `now`, is materialized incrementally up to and including `now`, then read at `now`.
 */
export function replayOnlineReader(
  target: MaterializeTarget,
  view: FeatureView,
  options: { features?: readonly string[]; scope?: string } = {},
): OnlineReader {
  const scope = options.scope ?? `consistency:${randomBytes(4).toString('hex')}`;
  // Built field by field: `services` keeps pg and redis as getters on its prototype, which a spread drops.
  const scratch: MaterializeTarget = {
    pg: target.pg,
    redis: target.redis,
    key: (name) => target.key(`${scope}:${name}`),
    ...(target.migrate ? { migrate: (owner, migrations) => target.migrate!(owner, migrations) } : {}),
  };
  return async (keys, now) => {
    await materializeIncremental(scratch, view, now + 1); // [watermark, now]: events at `now` count
    return getOnlineFeatures(scratch, view, keys, { features: options.features, now });
  };
}
