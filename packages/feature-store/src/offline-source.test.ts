/**
 * Source tables (offline-source.ts): every table gets its own point-in-time index, also when long
 * names share a prefix, and every entry point checks the view it is given before sending anything,
 * so a malformed view is a FeatureStoreError naming the field, never a raw Postgres error.
 */
import { testServices } from '@mlops-lab/services/vitest';
import { describe, expect, it } from 'vitest';
import { FeatureStoreError } from './errors.ts';
import {
  createSourceIndex,
  createSourceTable,
  insertFeatureRows,
  msToTimestamptz,
  timestamptzToMs,
} from './offline-source.ts';
import { countingPool } from './testing/pool-spy.ts';
import { testView } from './testing/random.ts';
import type { FeatureView } from './types.ts';
import { checkSourceTables, MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS } from './validate.ts';

const services = testServices({ needs: ['postgres'], namespace: 'fs-source' });

describe('point-in-time index names', () => {
  it('two long table names sharing a 59-character prefix each get their own index, within 63 bytes', async () => {
    const prefix = `t${'_long'.repeat(11)}_ab`; // 59 characters
    const a = testView(`${prefix}_one`, ['k1']);
    const b = testView(`${prefix}_two`, ['k1']);
    expect(prefix).toHaveLength(59);
    await createSourceTable(services.pg, a);
    await createSourceTable(services.pg, b);
    const { rows } = await services.pg.query<{ tablename: string; indexname: string }>(
      'SELECT tablename, indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY($1) ORDER BY tablename',
      [[a.source.table, b.source.table]],
    );
    expect(rows.map((r) => r.tablename)).toEqual([a.source.table, b.source.table]);
    expect(new Set(rows.map((r) => r.indexname)).size).toBe(2);
    for (const { indexname } of rows) {
      expect(Buffer.byteLength(indexname)).toBeLessThanOrEqual(63);
      expect(indexname.startsWith('t_long_long')).toBe(true); // readable: the table's name first
    }
  });

  it('a short table name keeps one index, and creating it again adds none', async () => {
    const view = testView('short_one', ['k1']);
    await createSourceTable(services.pg, view);
    await createSourceIndex(services.pg, view);
    const { rows } = await services.pg.query(
      `SELECT indexname FROM pg_indexes WHERE tablename = 'short_one'`,
    );
    expect(rows).toHaveLength(1);
    expect(String(rows[0].indexname)).toMatch(/^short_one_pit_[0-9a-f]{12}$/);
  });

  it('refuses when the index name is taken by another relation, instead of skipping the index', async () => {
    const view = testView('taken', ['k1']);
    await createSourceTable(services.pg, view);
    const { rows } = await services.pg.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'taken'`);
    const name = String(rows[0].indexname);
    await services.pg.query(`DROP INDEX "${name}"; CREATE TABLE "${name}" (x int)`);
    const error = await createSourceIndex(services.pg, view).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeatureStoreError);
    expect((error as FeatureStoreError).message).toContain(`"${name}" is taken by another relation`);
  });
});

describe('every entry point checks the view before sending anything', () => {
  const good = testView('checked_source', ['k1']);
  const unchecked = (change: Partial<FeatureView>): FeatureView => ({
    ...good,
    entity: { ...good.entity, joinKeys: [...good.entity.joinKeys] },
    source: { ...good.source },
    features: good.features.map((f) => ({ ...f })),
    ...change,
  });
  const cases: [string, FeatureView, RegExp][] = [
    [
      // Today Postgres answers 42602 (zero-length delimited identifier).
      'a feature with an empty name',
      unchecked({ features: [{ name: '', type: 'float' }] }),
      /feature "" is not a plain SQL identifier/,
    ],
    [
      // Today Postgres answers 22021 (PGlite: "invalid message format").
      'a feature name with a NUL byte',
      unchecked({ features: [{ name: 'x\u0000y', type: 'float' }] }),
      /feature "x\\u0000y" is not a plain SQL identifier/,
    ],
    [
      'a feature of an unknown type',
      unchecked({ features: [{ name: 'x', type: 'double' as never }] }),
      /feature "x" has type "double"; use one of float, int, string/,
    ],
    [
      'a join key with a quote in it',
      unchecked({ entity: { name: 'k', joinKeys: ['k"1'] } }),
      /join key "k\\"1" is not a plain SQL identifier/,
    ],
  ];
  const entryPoints: [
    string,
    (pool: ReturnType<typeof countingPool>, view: FeatureView) => Promise<unknown>,
  ][] = [
    ['createSourceTable', (pool, view) => createSourceTable(pool, view)],
    ['createSourceIndex', (pool, view) => createSourceIndex(pool, view)],
    [
      'insertFeatureRows',
      (pool, view) =>
        insertFeatureRows(pool, view, [
          { entityId: 'a', eventTimestamp: 0, createdTimestamp: 0, values: {} },
        ]),
    ],
    ['checkSourceTables', (pool, view) => checkSourceTables(pool, [view])],
  ];
  for (const [entry, call] of entryPoints) {
    for (const [what, view, message] of cases) {
      it(`${entry} refuses ${what} with INVALID_VIEW, sending no query`, async () => {
        const pool = countingPool(services.pg);
        const error = await call(pool, view).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(FeatureStoreError);
        expect((error as FeatureStoreError).code).toBe('INVALID_VIEW');
        expect((error as FeatureStoreError).message).toMatch(message);
        expect(pool.queries).toEqual([]);
      });
    }
  }
});

describe('timestamptzToMs', () => {
  it('gives bit for bit the ms of (extract(epoch) * 1000)::float8, sub-ms, before 1970, at the range ends, infinite', async () => {
    const edges = [
      '1700-01-01 00:00:00+00',
      '1699-12-31 23:59:59.999999+00',
      '2199-12-31 23:59:59.999999+00',
      '2200-01-01 00:00:00+00',
      '1969-12-31 23:59:59.999999+00',
      '1970-01-01 00:00:00.000001+00',
      '2000-01-01 00:00:00+00',
      '2024-02-29 12:34:56.789123+00',
      '0044-03-15 12:00:00+00',
      '9999-12-31 23:59:59.999999+00',
      'infinity',
      '-infinity',
    ];
    const { rows } = await services.pg.query<{ bad: string; n: string; finite: string }>(
      `WITH t(ts) AS (
         SELECT unnest($1::timestamptz[])
         UNION ALL
         SELECT to_timestamp(-8e9 + 1.6e10 * random()) + make_interval(secs => random()) FROM generate_series(1, 20000)
         UNION ALL
         SELECT to_timestamp(round(1.7e12 + 1e9 * random()) / 1000.0) FROM generate_series(1, 20000)
       )
       SELECT count(*) FILTER (WHERE ${timestamptzToMs('ts')} IS DISTINCT FROM (extract(epoch FROM ts) * 1000)::float8) AS bad,
              count(*) AS n,
              count(*) FILTER (WHERE ts >= '1700-01-01+00' AND ts < '2200-01-01+00') AS finite
       FROM t`,
      [edges],
    );
    expect(rows[0]).toEqual({ bad: '0', n: String(edges.length + 40_000), finite: expect.any(String) });
    expect(Number(rows[0].finite)).toBeGreaterThan(30_000); // most cases take the binary path
  });
});

describe('msToTimestamptz', () => {
  it('gives the timestamptz of to_timestamp(ms / 1000.0) in numeric, for every ms in the accepted range', async () => {
    const edges = [
      MIN_TIMESTAMP_MS,
      MAX_TIMESTAMP_MS,
      -1,
      0,
      1,
      999,
      -999,
      1_704_067_200_123,
      -62_135_596_799_999,
    ];
    const { rows } = await services.pg.query<{ bad: string; n: string }>(
      `WITH m(ms) AS (
         SELECT unnest($1::bigint[])
         UNION ALL
         SELECT (${MIN_TIMESTAMP_MS} + random() * ${MAX_TIMESTAMP_MS - MIN_TIMESTAMP_MS})::bigint FROM generate_series(1, 20000)
         UNION ALL
         SELECT (1.7e12 + random() * 1e11)::bigint FROM generate_series(1, 20000)
       )
       SELECT count(*) FILTER (WHERE ${msToTimestamptz('ms')} IS DISTINCT FROM to_timestamp(ms / 1000.0)) AS bad,
              count(*) AS n
       FROM m`,
      [edges],
    );
    expect(rows[0]).toEqual({ bad: '0', n: String(edges.length + 40_000) });
  });
});
