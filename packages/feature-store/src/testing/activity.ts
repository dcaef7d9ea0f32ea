/**
 * The feature store's own test fixture (Q6, Q8): one activity view (one join key, every feature
 * type, a 2-hour ttl) that the definition, registry, online, on-demand and consistency tests share,
 * a view with two text join keys whose naive concatenations collide, a bigint-keyed source table, a
 * seeded history with backfills, and the materialization oracle (latest row per entity in a window).
 * A library test keeps a fixture of its own: the payments world's real views live above this
 * package (@mlops-lab/payments) and a test here must not depend on them.
 */
import { createRng } from '@mlops-lab/datagen';
import type pg from 'pg';
import { defineFeatureView, INGEST_SEQ_COLUMN } from '../definitions.ts';
import { createSourceIndex, quoteIdent, quoteTable } from '../offline-source.ts';
import type { OnlineRow } from '../online.ts';
import type { FeatureView } from '../types.ts';

export const T0 = Date.UTC(2024, 0, 1);
export const HOUR = 3_600_000;

/** The activity view as written, before defineFeatureView: tests of the checks patch it. */
export const activitySpec: FeatureView = {
  name: 'customer_activity',
  entity: { name: 'customer', joinKeys: ['customer_id'] },
  source: {
    table: 'customer_activity_src',
    eventTimestampColumn: 'event_ts',
    createdTimestampColumn: 'created_ts',
  },
  features: [
    { name: 'amount_7d', type: 'float' },
    { name: 'txn_count_7d', type: 'int' },
    { name: 'segment', type: 'string' },
    { name: 'last_event_at', type: 'float', description: 'ms since epoch of the latest transaction' },
  ],
  ttlMs: 2 * HOUR,
  owner: 'payments-ml',
  description: 'rolling spend per customer',
  tags: { domain: 'payments', tier: 'gold' },
};

export const activityView: Readonly<FeatureView> = defineFeatureView(activitySpec);

export const pairView: Readonly<FeatureView> = defineFeatureView({
  name: 'pair_stats',
  entity: { name: 'pair', joinKeys: ['a', 'b'] },
  source: { table: 'pair_stats_src', eventTimestampColumn: 'event_ts', createdTimestampColumn: 'created_ts' },
  features: [{ name: 'score', type: 'float' }],
  ttlMs: null,
  owner: 'payments-ml',
  description: 'composite key whose naive concatenations collide',
});

/**
 * A source table made outside the offline store, as a warehouse table would be: bigint join keys
 * (so key order is numeric, unlike the text keys of `createSourceTable`), the ingestion sequence the
 * shared newest-first order needs, and the offline store's index.
 */
export async function createBigintSource(pool: pg.Pool, view: FeatureView): Promise<void> {
  const sqlType = { float: 'double precision', int: 'bigint', string: 'text' } as const;
  const cols = [
    ...view.entity.joinKeys.map((k) => `${quoteIdent(k)} bigint NOT NULL`),
    `${quoteIdent(view.source.eventTimestampColumn)} timestamptz NOT NULL`,
    `${quoteIdent(view.source.createdTimestampColumn)} timestamptz NOT NULL`,
    `${quoteIdent(INGEST_SEQ_COLUMN)} bigint GENERATED ALWAYS AS IDENTITY`,
    ...view.features.map((f) => `${quoteIdent(f.name)} ${sqlType[f.type]}`),
  ];
  await pool.query(`CREATE TABLE ${quoteTable(view.source.table)} (${cols.join(', ')})`);
  await createSourceIndex(pool, view);
}

/** An activity row: amount and count derived from `n` so every version of an entity differs. */
export function activityRow(id: number, event: number, n: number, created = event): OnlineRow {
  return {
    keys: { customer_id: id },
    eventTimestamp: event,
    createdTimestamp: created,
    values: { amount_7d: n * 1.5, txn_count_7d: n, segment: n % 2 ? 'odd' : 'even', last_event_at: event },
  };
}

/**
 * `entities` customers with `versions` events each in [T0, T0 + 6h); every third entity also gets a
 * backfill: the same event time written again later with another value (created breaks the tie).
 */
export function activityHistory(seed: number, entities: number, versions: number): OnlineRow[] {
  const rng = createRng(seed);
  const rows: OnlineRow[] = [];
  for (let id = 1; id <= entities; id++) {
    for (let v = 0; v < versions; v++) {
      const event = T0 + rng.int(0, 6 * HOUR - 1);
      rows.push(activityRow(id, event, rng.int(0, 1000), event + rng.int(0, 30 * 60_000)));
      if (id % 3 === 0 && v === 0) rows.push(activityRow(id, event, rng.int(0, 1000), event + HOUR));
    }
  }
  return rows;
}

/**
 * The oracle for materialization: per entity, the row with the greatest (event, created, position)
 * in [start, end): on full ties the later row, as the ingestion sequence decides in Postgres.
 */
export function latestInWindow(rows: readonly OnlineRow[], startMs: number, endMs: number): OnlineRow[] {
  const best = new Map<string, OnlineRow>();
  for (const r of rows) {
    if (r.eventTimestamp < startMs || r.eventTimestamp >= endMs) continue;
    const id = JSON.stringify(Object.values(r.keys).map(String));
    const cur = best.get(id);
    const newer =
      !cur ||
      r.eventTimestamp > cur.eventTimestamp ||
      (r.eventTimestamp === cur.eventTimestamp && r.createdTimestamp >= cur.createdTimestamp);
    if (newer) best.set(id, r);
  }
  return [...best.values()];
}
