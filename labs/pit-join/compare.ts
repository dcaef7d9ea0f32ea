/**
 * What serving saw, recomputed by the in-memory oracle (`pointInTimeJoin`, the reference semantics
 * the SQL join is property-tested against), and two comparisons: a training set against it, and the
 * SQL join against the oracle under the same options.
 */
import type { EntityRow, FeatureValue } from '@mlops-lab/feature-store';
import { pointInTimeJoin } from '@mlops-lab/feature-store';
import { customerActivityView, customerRiskView } from '@mlops-lab/payments';
import { bucketed, CORRECT, type FeatureSet, type JoinOptions, STORE_FEATURES } from './views.ts';
import type { FeatureRow, World } from './world.ts';

/** The oracle over both views with the given join options; rows in entity-row order. */
export function oracleFeatures(world: World, entityRows: EntityRow[], options: JoinOptions): FeatureSet {
  const rows = bucketed(entityRows, options).map((r) => ({
    entityId: String(r.keys?.customer_id),
    timestamp: r.timestamp,
  }));
  const join = (featureRows: FeatureRow[], ttlMs: number | null) =>
    pointInTimeJoin(rows, featureRows, {
      ...(options.ttlOff || ttlMs === null ? {} : { ttlMs }),
      createdBeforeEntity: options.createdBeforeEntity,
    });
  const activity = join(world.activity, customerActivityView.ttlMs);
  const risk = join([...world.risk, ...world.riskBackfill], customerRiskView.ttlMs);
  return rows.map((_, i) => {
    const values: Record<string, FeatureValue> = {};
    for (const f of STORE_FEATURES) values[f] = activity[i].values?.[f] ?? risk[i].values?.[f] ?? null;
    return values;
  });
}

/** What serving saw: the correct point-in-time semantics at each payment's own time. */
export const servedFeatures = (world: World, entityRows: EntityRow[]) =>
  oracleFeatures(world, entityRows, CORRECT);

export interface Mismatches {
  rows: number;
  compared: number;
  byFeature: Record<string, number>;
  example: string | null;
}

/** Numbers compared by value (pg hands bigints back as strings); null only equals null. */
export function compareSets(actual: FeatureSet, expected: FeatureSet, entityRows: EntityRow[]): Mismatches {
  const same = (a: FeatureValue | undefined, b: FeatureValue | undefined) =>
    (a ?? null) === null || (b ?? null) === null ? (a ?? null) === (b ?? null) : Number(a) === Number(b);
  const byFeature: Record<string, number> = Object.fromEntries(STORE_FEATURES.map((f) => [f, 0]));
  let rows = 0;
  let example: string | null = null;
  actual.forEach((values, i) => {
    const bad = STORE_FEATURES.filter((f) => !same(values[f], expected[i][f]));
    if (bad.length === 0) return;
    rows++;
    for (const f of bad) byFeature[f]++;
    if (!example) {
      const f = bad[0];
      const at = new Date(entityRows[i].timestamp).toISOString();
      example = `${entityRows[i].keys?.customer_id} at ${at}: ${f} = ${values[f]} in training, ${expected[i][f]} served`;
    }
  });
  return { rows, compared: actual.length, byFeature, example };
}
