/**
 * The skew detector (Q5): joins each logged request to the training pipeline's recompute for the same
 * payment (same entity, same time) and compares the two feature vectors value by value. Per feature:
 * rows compared, the share that differ beyond a tolerance, the mean absolute difference, an example,
 * and the shape of the differences. Skew is a bug, so its differences are systematic: a handful of
 * exact values (whole hours, one fill value) or an exact affine map (another scaler), present from
 * the first request. Drift never looks like that: it moves distributions, not row-level equality.
 *
 * This is the "log served features, join them back to the training definition" practice; the feature
 * store's consistency check does the same for stored features (packages/feature-store/src/consistency.ts).
 */
import type { Services } from '@mlops-lab/services';
import { rocAuc } from '@mlops-lab/training';
import { FEATURES, type FeatureName, type FeatureVector, type Model, score } from './model.ts';
import { type OfflineRow, offlineFeatures } from './offline.ts';
import { DAY_MS, SERVE_START } from './world.ts';

/**
 * Two engines computing one formula (Postgres `ln` in SQL, V8 `Math.log`) may disagree in the last
 * bits of a double, about 1e-15 here; 1e-9 is far above that and far below any difference that matters.
 */
export const TOLERANCE = 1e-9;

export interface Pair {
  requestId: string;
  day: number;
  served: FeatureVector;
  servedScore: number;
  offline: OfflineRow;
}

export async function loadPairs(services: Services, model: Model): Promise<Pair[]> {
  // The served rows of the prediction log (@mlops-lab/monitoring); the request id is the payment's id.
  const { rows } = await services.pg.query<{
    request_id: string;
    at_ms: number;
    features: FeatureVector;
    score: number;
  }>(
    `SELECT request_id, (extract(epoch FROM at) * 1000)::float8 AS at_ms, features, score
       FROM prediction_log WHERE role = 'served' ORDER BY at, request_id`,
  );
  const recomputed = await offlineFeatures(
    services,
    { eventIds: rows.map((r) => r.request_id) },
    model.artifactVersion,
  );
  const byEvent = new Map(recomputed.map((o) => [o.eventId, o]));
  return rows.flatMap((r) => {
    const offline = byEvent.get(r.request_id);
    if (!offline) return []; // a request for a payment the raw log never recorded: counted by the caller
    const day = Math.floor((r.at_ms - SERVE_START) / DAY_MS) + 1;
    return [{ requestId: r.request_id, day, served: r.features, servedScore: r.score, offline }];
  });
}

/** served - offline; the hour is on a circle, so 23 vs 0 is one hour, not 23. */
function difference(name: FeatureName, served: number, offline: number): number {
  const d = served - offline;
  return name === 'hour_of_day' ? ((((d + 12) % 24) + 24) % 24) - 12 : d;
}

function differs(name: FeatureName, a: FeatureVector, b: FeatureVector): boolean {
  const x = a[name];
  const y = b[name];
  if (x === null || y === null) return x !== y;
  if (typeof x === 'string' || typeof y === 'string') return x !== y;
  return Math.abs(difference(name, x, y)) > TOLERANCE * Math.max(1, Math.abs(y));
}

export interface FeatureSkew {
  feature: FeatureName;
  compared: number;
  differing: number;
  meanAbsDiff: number | null;
  example: string;
  pattern: string;
}

const signed = (x: number, digits: number) => `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(digits)}`;

/** The shape of the differences: a few exact values, an exact affine map, or just a range. */
function pattern(name: FeatureName, rows: Pair[]): string {
  const pts = rows
    .map((p) => [p.offline.features[name], p.served[name]])
    .filter((v): v is [number, number] => typeof v[0] === 'number' && typeof v[1] === 'number');
  if (pts.length === 0) return rows.length ? 'categories differ' : '-';
  const diffs = pts.map(([o, s]) => difference(name, s, o));
  const digits = diffs.every(Number.isInteger) ? 0 : 2;
  const counts = new Map<string, number>();
  for (const d of diffs) counts.set(signed(d, digits), (counts.get(signed(d, digits)) ?? 0) + 1);
  if (counts.size <= 12) {
    const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3);
    const rest = counts.size > 3 ? `, ${counts.size - 3} more values` : '';
    return `${top.map(([d, n]) => `${d} (${((100 * n) / pts.length).toFixed(0)}%)`).join(', ')}${rest}`;
  }
  // Least squares served = a * offline + b; R^2 = 1 means one exact formula maps one onto the other.
  const n = pts.length;
  const mx = pts.reduce((s, [o]) => s + o, 0) / n;
  const my = pts.reduce((s, [, v]) => s + v, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const [o, v] of pts) {
    sxx += (o - mx) ** 2;
    sxy += (o - mx) * (v - my);
    syy += (v - my) ** 2;
  }
  const a = sxy / sxx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  if (r2 > 0.999)
    return `served = ${a.toFixed(3)} x offline ${signed(my - a * mx, 3)} (R^2 ${r2.toFixed(4)})`;
  return `from ${Math.min(...diffs).toFixed(2)} to ${Math.max(...diffs).toFixed(2)}`;
}

function show(v: number | string | null): string {
  return typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : String(v);
}

export function compareFeatures(pairs: Pair[]): FeatureSkew[] {
  return FEATURES.map(({ name }) => {
    const bad = pairs.filter((p) => differs(name, p.served, p.offline.features));
    let sum = 0;
    let n = 0;
    for (const p of pairs) {
      const s = p.served[name];
      const o = p.offline.features[name];
      if (typeof s === 'number' && typeof o === 'number') {
        sum += Math.abs(difference(name, s, o));
        n++;
      }
    }
    const first = bad[0];
    const example = first
      ? `${first.requestId} ${first.offline.customerId} ${first.offline.country} ` +
        `${new Date(first.offline.timestamp).toISOString().slice(5, 16)}Z: ` +
        `offline ${show(first.offline.features[name])}, served ${show(first.served[name])}`
      : '-';
    return {
      feature: name,
      compared: pairs.length,
      differing: bad.length,
      meanAbsDiff: n > 0 ? sum / n : null,
      example,
      pattern: bad.length ? pattern(name, bad) : '-',
    };
  });
}

/** Share of rows of each day with at least one differing feature. */
export function skewByDay(pairs: Pair[], days: number): number[] {
  return Array.from({ length: days }, (_, i) => {
    const today = pairs.filter((p) => p.day === i + 1);
    const bad = today.filter((p) => FEATURES.some(({ name }) => differs(name, p.served, p.offline.features)));
    return today.length ? bad.length / today.length : 0;
  });
}

export interface Cost {
  aucServed: number;
  aucOffline: number;
  /** Standard error of either AUC at this sample size (Hanley & McNeil 1982). */
  aucStdError: number;
  /** Share of requests sent to review (score >= the model's threshold), on each side. */
  flaggedServed: number;
  flaggedOffline: number;
  /** Requests whose review decision differs between the two. */
  decisionsChanged: number;
}

/** SE of an AUC from its value and class sizes: the yardstick for "is this gap worth noticing". */
function hanleyMcNeil(auc: number, positives: number, negatives: number): number {
  if (positives === 0 || negatives === 0) return 0;
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const variance =
    (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) /
    (positives * negatives);
  return Math.sqrt(Math.max(variance, 0));
}

/** What the skew costs: the same model on the same requests, served features vs offline features. */
export function cost(model: Model, pairs: Pair[]): Cost {
  const labels = pairs.map((p) => p.offline.label);
  const served = pairs.map((p) => p.servedScore);
  const offline = pairs.map((p) => score(model, p.offline.features));
  const positives = labels.filter((y) => y === 1).length;
  const flagged = (s: number[]) => s.filter((x) => x >= model.threshold).length / Math.max(1, s.length);
  const aucOffline = rocAuc(offline, labels) ?? 0.5;
  return {
    aucServed: rocAuc(served, labels) ?? 0.5,
    aucOffline,
    aucStdError: hanleyMcNeil(aucOffline, positives, labels.length - positives),
    flaggedServed: flagged(served),
    flaggedOffline: flagged(offline),
    decisionsChanged: served.filter((s, i) => s >= model.threshold !== offline[i] >= model.threshold).length,
  };
}
