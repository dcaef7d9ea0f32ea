/**
 * Seeded random point-in-time cases for property tests (Q7): the Postgres join against the oracle on
 * data built to hit every rule at once: many equal event times, full ties, ttl windows whose edge falls
 * exactly on an event, backfills (created far after event), entity rows with no history, and composite
 * keys that collide under naive concatenation (('a|b', 'c') vs ('a', 'b|c'), ('ab', 'c') vs ('a', 'bc')).
 * Shared, read-only, with the online tests. Uses @mlops-lab/datagen's createRng.
 */
import { createRng, type Rng } from '@mlops-lab/datagen';
import { defineFeatureView } from '../definitions.ts';
import type { EntityRow } from '../offline.ts';
import type { FeatureRow } from '../offline-source.ts';
import type { OracleEntityRow, OracleFeatureRow } from '../oracle.ts';
import type { FeatureView } from '../types.ts';

/** Key parts chosen so that joining them with '|', ',' or nothing makes equal strings. */
const PARTS = ['a', 'b', 'c', 'ab', 'bc', 'a|b', 'b|c', 'a,b', '', 'é', '"q"'];
/** Pairs that concatenate to the same text: each must still be a separate entity. */
const COLLIDING: string[][] = [
  ['a|b', 'c'],
  ['a', 'b|c'],
  ['ab', 'c'],
  ['a', 'bc'],
];

/** A test view over `table`: features x (float), n (int: the row's position, so a match names its row), s. */
export function testView(table: string, joinKeys: string[], ttlMs: number | null = null): FeatureView {
  return defineFeatureView({
    name: table,
    entity: { name: joinKeys.join('_'), joinKeys },
    source: { table, eventTimestampColumn: 'event_ts', createdTimestampColumn: 'created_ts' },
    features: [
      { name: 'x', type: 'float' },
      { name: 'n', type: 'int' },
      { name: 's', type: 'string' },
    ],
    ttlMs,
    owner: 'tests',
    description: 'random point-in-time cases',
  });
}

export interface PitCase {
  /** Join keys: one or two. */
  joinKeys: string[];
  featureRows: FeatureRow[];
  entityRows: EntityRow[];
  ttlMs: number | null;
  createdBeforeEntity: boolean;
}

export interface PitCaseOptions {
  /** Two join keys with colliding pairs (default: one key). */
  composite?: boolean;
  /** Upper bounds of the sizes (defaults 40 feature rows, 30 entity rows). */
  maxFeatureRows?: number;
  maxEntityRows?: number;
  /** Time origin in ms (default 1.7e12: a real date; small offsets keep ties frequent). */
  origin?: number;
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(0, xs.length - 1)];
}

/** One random case; the same seed gives the same case. */
export function randomPitCase(seed: number, options: PitCaseOptions = {}): PitCase {
  const rng = createRng(seed);
  const composite = options.composite === true;
  const joinKeys = composite ? ['k1', 'k2'] : ['k1'];
  const origin = options.origin ?? 1_700_000_000_000;
  const span = rng.int(3, 25);
  const entities: string[][] = [];
  if (composite) entities.push(...COLLIDING.slice(0, rng.int(2, 4)));
  for (let i = rng.int(1, 4); i > 0; i--) {
    entities.push(composite ? [pick(rng, PARTS), pick(rng, PARTS)] : [pick(rng, PARTS)]);
  }
  const keysOf = (parts: string[]) => Object.fromEntries(joinKeys.map((k, j) => [k, parts[j]]));

  const featureRows: FeatureRow[] = [];
  const nFeatures = rng.int(0, options.maxFeatureRows ?? 40);
  for (let i = 0; i < nFeatures; i++) {
    const prior = featureRows.length > 0 && rng.next() < 0.2 ? pick(rng, featureRows) : null;
    // 20%: a full tie with an earlier row (same entity, event and created), different values.
    const keys = prior ? prior.keys! : keysOf(pick(rng, entities));
    const event = prior ? prior.eventTimestamp : origin + rng.int(0, span);
    const backfill = rng.next() < 0.15;
    const created = prior ? prior.createdTimestamp : event + (backfill ? rng.int(5, 40) : rng.int(0, 2));
    featureRows.push({
      keys,
      eventTimestamp: event,
      createdTimestamp: created,
      values: {
        x: rng.next() < 0.1 ? null : rng.int(-400, 400) / 4,
        n: i,
        s: rng.next() < 0.1 ? null : `v${i}`,
      },
    });
  }

  const ttlMs = pick(rng, [null, null, 0, 1, 2, 3, 7]);
  const entityRows: EntityRow[] = [];
  const nEntities = rng.int(0, options.maxEntityRows ?? 30);
  for (let i = 0; i < nEntities; i++) {
    const u = rng.next();
    let keys: Record<string, string>;
    let timestamp: number;
    if (u < 0.4 && featureRows.length > 0) {
      // On an event, or exactly at (or one past) the ttl edge of an event.
      const row = pick(rng, featureRows);
      keys = row.keys as Record<string, string>;
      timestamp = row.eventTimestamp + pick(rng, [0, ttlMs ?? 0, (ttlMs ?? 0) + 1, -1]);
    } else {
      // 10% of these ask for an entity that has no history at all.
      keys = keysOf(rng.next() < 0.1 ? joinKeys.map((_, j) => `missing${j}`) : pick(rng, entities));
      timestamp = origin + rng.int(-3, span + 5);
    }
    entityRows.push({ keys, timestamp });
    if (rng.next() < 0.1) entityRows.push({ keys, timestamp }); // an exact duplicate
  }
  return { joinKeys, featureRows, entityRows, ttlMs, createdBeforeEntity: rng.next() < 0.4 };
}

/** Collision-free entity id for the oracle: JSON of the key values in join-key order. */
export function oracleEntityId(keys: Record<string, string | number>, joinKeys: readonly string[]): string {
  return JSON.stringify(joinKeys.map((k) => String(keys[k])));
}

export function toOracleFeatureRows(
  rows: readonly FeatureRow[],
  joinKeys: readonly string[],
): OracleFeatureRow[] {
  return rows.map((r) => ({
    entityId: oracleEntityId(r.keys!, joinKeys),
    eventTimestamp: r.eventTimestamp,
    createdTimestamp: r.createdTimestamp,
    values: r.values,
  }));
}

export function toOracleEntityRows(
  rows: readonly EntityRow[],
  joinKeys: readonly string[],
): OracleEntityRow[] {
  return rows.map((r) => ({ entityId: oracleEntityId(r.keys!, joinKeys), timestamp: r.timestamp }));
}

/** Splits `rows` into 1-3 consecutive chunks (several insert calls must keep ingestion order). */
export function randomChunks<T>(seed: number, rows: readonly T[]): T[][] {
  const rng = createRng(seed);
  const cuts = [0, rng.int(0, rows.length), rng.int(0, rows.length), rows.length].sort((a, b) => a - b);
  return [0, 1, 2].map((i) => rows.slice(cuts[i], cuts[i + 1])).filter((c) => c.length > 0);
}
