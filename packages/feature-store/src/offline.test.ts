/**
 * The Postgres point-in-time join against the oracle (Q7), on whatever @mlops-lab/services resolves:
 * DATABASE_URL when set, else embedded PGlite. Hand-made cases first, then a property test: 500 seeded
 * random cases (ties, ttl edges, backfills, missing entities, colliding composite keys) where the SQL
 * result must equal the oracle's row for row.
 */
import { mixSeed } from '@mlops-lab/datagen';
import { testServices } from '@mlops-lab/services/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineFeatureView } from './definitions.ts';
import { buildHistoricalQuery, getHistoricalFeatures } from './offline.ts';
import { createSourceIndex, createSourceTable, insertFeatureRows } from './offline-source.ts';
import { pointInTimeJoin } from './oracle.ts';
import {
  type PitCase,
  randomChunks,
  randomPitCase,
  testView,
  toOracleEntityRows,
  toOracleFeatureRows,
} from './testing/random.ts';
import { checkSourceTables } from './validate.ts';

const one = testView('pit_one', ['k1']);
const two = testView('pit_two', ['k1', 'k2']);
const services = testServices({
  needs: ['postgres'],
  namespace: 'fs-offline',
  prepare: async (s) => {
    await createSourceTable(s.pg, one);
    await createSourceTable(s.pg, two);
  },
});

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

describe('getHistoricalFeatures (hand-made)', () => {
  const risk = defineFeatureView({
    name: 'risk',
    entity: { name: 'customer', joinKeys: ['customer_id'] },
    source: { table: 'risk_scores', eventTimestampColumn: 'event_ts', createdTimestampColumn: 'created_ts' },
    features: [
      { name: 'score', type: 'float' },
      { name: 'txn_count', type: 'int' },
      { name: 'segment', type: 'string' },
    ],
    ttlMs: 2 * H,
    owner: 'tests',
    description: 'hand-made',
  });
  const activity = defineFeatureView({
    ...risk,
    name: 'activity',
    source: { ...risk.source, table: 'activity' },
    features: [
      { name: 'score', type: 'float' },
      { name: 'logins', type: 'int' },
    ],
    ttlMs: null,
  });

  beforeAll(async () => {
    await createSourceTable(services.pg, risk);
    await createSourceTable(services.pg, activity);
    await insertFeatureRows(services.pg, risk, [
      {
        entityId: 'c1',
        eventTimestamp: T0,
        createdTimestamp: T0 + 1,
        values: { score: 0.1, txn_count: 3, segment: 'new' },
      },
      {
        entityId: 'c1',
        eventTimestamp: T0 + H,
        createdTimestamp: T0 + H,
        values: { score: 0.2, txn_count: 2 ** 40 },
      },
      // A backfill: rewrites the value at T0 + H much later; greatest created wins for that event.
      {
        entityId: 'c1',
        eventTimestamp: T0 + H,
        createdTimestamp: T0 + 50 * H,
        values: { score: 0.9, txn_count: 9, segment: 'vip' },
      },
      {
        entityId: 'c2',
        eventTimestamp: T0 - 1,
        createdTimestamp: T0,
        values: { score: null, txn_count: null, segment: null },
      },
    ]);
    await insertFeatureRows(services.pg, activity, [
      {
        keys: { customer_id: 'c1' },
        eventTimestamp: T0 - 100 * H,
        createdTimestamp: T0,
        values: { score: 7, logins: 1 },
      },
    ]);
  });

  it('joins as of each entity time, keeps input order, duplicates and unknown entities', async () => {
    const entityRows = [
      { entityId: 'c1', timestamp: T0 + H + 5 },
      { entityId: 'nobody', timestamp: T0 + H },
      { entityId: 'c1', timestamp: T0 + 30 },
      { entityId: 'c1', timestamp: T0 - 1 },
      { entityId: 'c1', timestamp: T0 + H + 5 },
      { entityId: 'c1', timestamp: T0 + 3 * H + 1 }, // 2 h + 1 ms after the last event: expired
    ];
    const out = await getHistoricalFeatures(services.pg, { view: risk, entityRows });
    expect(out.map((r) => r.values.score)).toEqual([0.9, null, 0.1, null, 0.9, null]);
    expect(out[0]).toEqual({
      keys: { customer_id: 'c1' },
      timestamp: T0 + H + 5,
      values: { score: 0.9, txn_count: 9, segment: 'vip' },
      eventTimestamps: { risk: T0 + H },
    });
    expect(out[2].eventTimestamps).toEqual({ risk: T0 });
  });

  it('createdBeforeEntity keeps the backfill out; int values above 2^31 come back as numbers', async () => {
    const out = await getHistoricalFeatures(services.pg, {
      view: risk,
      entityRows: [{ keys: { customer_id: 'c1' }, timestamp: T0 + 2 * H }],
      createdBeforeEntity: true,
    });
    expect(out[0].values).toEqual({ score: 0.2, txn_count: 2 ** 40, segment: null });
  });

  it('a row whose values are all null is a match (eventTimestamps says so), unlike no row', async () => {
    const out = await getHistoricalFeatures(services.pg, {
      view: risk,
      entityRows: [{ entityId: 'c2', timestamp: T0 }],
    });
    expect(out[0].values).toEqual({ score: null, txn_count: null, segment: null });
    expect(out[0].eventTimestamps).toEqual({ risk: T0 - 1 });
  });

  it('several views in one statement, a ttl override, a feature subset and full feature names', async () => {
    const entityRows = [{ entityId: 'c1', timestamp: T0 + 10 * H }];
    const out = await getHistoricalFeatures(services.pg, {
      views: [risk, activity],
      entityRows,
      features: ['risk:score', 'logins', 'activity:score'],
      fullFeatureNames: true,
    });
    // risk expired (ttl 2 h); activity has no ttl.
    expect(out[0].values).toEqual({ risk__score: null, activity__logins: 1, activity__score: 7 });
    expect(Object.keys(out[0].values)).toEqual(['risk__score', 'activity__logins', 'activity__score']);
    const widened = await getHistoricalFeatures(services.pg, { view: risk, entityRows, ttlMs: null });
    expect(widened[0].values.score).toBe(0.9);
  });

  it('the join probes the index (one Index Scan per view, no sequential scan of the source)', async () => {
    const tables = await checkSourceTables(services.pg, [risk]);
    const q = buildHistoricalQuery(
      [{ view: risk, ttlMs: risk.ttlMs, features: [] }],
      ['customer_id'],
      tables,
      true,
    );
    const { rows } = await services.pg.query(`EXPLAIN ${q.sql}`, [['c1'], [T0], ...q.ttlParams]);
    const plan = rows.map((r) => String(r['QUERY PLAN'])).join('\n');
    expect(plan).toMatch(/Index (Only )?Scan using risk_scores_pit_[0-9a-f]{12} on risk_scores/);
    expect(plan).not.toMatch(/Seq Scan on risk_scores/);
  });

  it('a source table made elsewhere: bigint join key, index added by createSourceIndex', async () => {
    await services.pg.query(`CREATE TABLE legacy (
      account bigint, ts timestamptz, written timestamptz,
      ingest_seq bigint GENERATED ALWAYS AS IDENTITY, balance numeric, tier int)`);
    const legacy = defineFeatureView({
      ...risk,
      name: 'legacy',
      entity: { name: 'account', joinKeys: ['account'] },
      source: { table: 'legacy', eventTimestampColumn: 'ts', createdTimestampColumn: 'written' },
      features: [
        { name: 'balance', type: 'float' },
        { name: 'tier', type: 'int' },
      ],
    });
    await createSourceIndex(services.pg, legacy);
    await insertFeatureRows(services.pg, legacy, [
      {
        keys: { account: 42 },
        eventTimestamp: T0,
        createdTimestamp: T0,
        values: { balance: 10.25, tier: 2 },
      },
      { keys: { account: 43 }, eventTimestamp: T0, createdTimestamp: T0, values: { balance: -1, tier: 1 } },
    ]);
    const out = await getHistoricalFeatures(services.pg, {
      view: legacy,
      entityRows: [
        { keys: { account: 43 }, timestamp: T0 + 1 },
        { entityId: '42', timestamp: T0 },
      ],
    });
    expect(out.map((r) => r.values)).toEqual([
      { balance: -1, tier: 1 },
      { balance: 10.25, tier: 2 },
    ]);
  });

  it('timestamps round-trip exactly at the edges of the supported range', async () => {
    const edges = [-62_135_596_800_000, -1, 0, 1, 1_700_000_000_123, 253_402_300_799_999];
    await insertFeatureRows(
      services.pg,
      risk,
      edges.map((t, i) => ({
        entityId: `edge${i}`,
        eventTimestamp: t,
        createdTimestamp: t,
        values: { txn_count: i },
      })),
    );
    const out = await getHistoricalFeatures(services.pg, {
      view: risk,
      entityRows: edges.map((t, i) => ({ entityId: `edge${i}`, timestamp: t })),
      ttlMs: 0,
    });
    expect(out.map((r) => r.eventTimestamps.risk)).toEqual(edges);
    expect(out.map((r) => r.values.txn_count)).toEqual(edges.map((_, i) => i));
  });
});

/** Loads a case into its table (emptied first) in 1-3 insert calls, joins, and compares to the oracle. */
async function checkCase(seed: number, c: PitCase): Promise<void> {
  const table = c.joinKeys.length === 1 ? 'pit_one' : 'pit_two';
  const useOverride = seed % 2 === 0; // the ttl comes from the view half the time, from the request otherwise
  const view = testView(table, c.joinKeys, useOverride ? 12_345 : c.ttlMs);
  await services.pg.query(`DELETE FROM ${table}`); // cheaper than TRUNCATE for a few rows on a real server
  for (const chunk of randomChunks(seed, c.featureRows)) await insertFeatureRows(services.pg, view, chunk);
  const got = await getHistoricalFeatures(services.pg, {
    view,
    entityRows: c.entityRows,
    createdBeforeEntity: c.createdBeforeEntity,
    ...(useOverride ? { ttlMs: c.ttlMs } : {}),
  });
  const want = pointInTimeJoin(
    toOracleEntityRows(c.entityRows, c.joinKeys),
    toOracleFeatureRows(c.featureRows, c.joinKeys),
    {
      ...(c.ttlMs === null ? {} : { ttlMs: c.ttlMs }),
      createdBeforeEntity: c.createdBeforeEntity,
    },
  );
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    const context = `seed ${seed}, entity row ${i}`;
    expect(got[i].keys, context).toEqual(c.entityRows[i].keys);
    expect(got[i].timestamp, context).toBe(c.entityRows[i].timestamp);
    if (w.values === null) {
      expect(got[i].eventTimestamps[table], context).toBeNull();
      expect(got[i].values, context).toEqual({ x: null, n: null, s: null });
    } else {
      expect(got[i].values, context).toEqual(w.values);
      expect(got[i].eventTimestamps[table], context).toBe(c.featureRows[w.values.n as number].eventTimestamp);
    }
  });
}

describe('getHistoricalFeatures == pointInTimeJoin on random data', () => {
  it('300 cases, one join key', async () => {
    let matched = 0;
    for (let i = 0; i < 300; i++) {
      const seed = mixSeed('pit-one', i);
      const c = randomPitCase(seed);
      await checkCase(seed, c);
      matched += c.entityRows.length;
    }
    expect(matched).toBeGreaterThan(3000); // the cases are not trivially empty
  });

  it('200 cases, two join keys whose values collide when concatenated', async () => {
    for (let i = 0; i < 200; i++) {
      const seed = mixSeed('pit-two', i);
      await checkCase(seed, randomPitCase(seed, { composite: true }));
    }
  });

  it('the generator exercises every rule (ties, backfills, ttl edges, misses)', () => {
    let fullTies = 0;
    let backfills = 0;
    let onEdge = 0;
    for (let i = 0; i < 100; i++) {
      const c = randomPitCase(mixSeed('pit-one', i));
      const seen = new Set<string>();
      for (const r of c.featureRows) {
        const id = JSON.stringify([r.keys, r.eventTimestamp, r.createdTimestamp]);
        if (seen.has(id)) fullTies++;
        seen.add(id);
        if (r.createdTimestamp - r.eventTimestamp >= 5) backfills++;
      }
      if (c.ttlMs !== null) {
        const events = new Set(c.featureRows.map((r) => r.eventTimestamp));
        onEdge += c.entityRows.filter((e) => events.has(e.timestamp - (c.ttlMs as number))).length;
      }
    }
    expect(fullTies).toBeGreaterThan(50);
    expect(backfills).toBeGreaterThan(50);
    expect(onEdge).toBeGreaterThan(50);
  });
});
