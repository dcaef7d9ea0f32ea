/**
 * Validation before any query (Q7): every bad request is a typed FeatureStoreError with an actionable
 * message, and a pool spy shows what reached Postgres: nothing for input errors, only the one
 * catalogue query for source-table errors (never the join).
 */
import { testServices } from '@mlops-lab/services/vitest';
import { describe, expect, it } from 'vitest';
import { defineFeatureView } from './definitions.ts';
import { FeatureStoreError, type FeatureStoreErrorCode } from './errors.ts';
import { getHistoricalFeatures, type HistoricalFeaturesRequest } from './offline.ts';
import { createSourceTable, type FeatureRow, insertFeatureRows } from './offline-source.ts';
import { countingPool } from './testing/pool-spy.ts';
import { testView } from './testing/random.ts';

const view = testView('checked', ['k1']);
const T = 1_700_000_000_000;
const services = testServices({
  needs: ['postgres'],
  namespace: 'fs-validate',
  prepare: (s) => createSourceTable(s.pg, view),
});

/** Runs the request on a spy pool; returns the error code, message and the queries that were sent. */
async function refused(request: Partial<HistoricalFeaturesRequest>) {
  const pool = countingPool(services.pg);
  const error = await getHistoricalFeatures(pool, { view, entityRows: [], ...request }).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof FeatureStoreError)) throw new Error(`expected a FeatureStoreError, got ${error}`);
  return { code: error.code, message: error.message, queries: pool.queries };
}

describe('getHistoricalFeatures refuses bad input before any query', () => {
  const cases: [string, Partial<HistoricalFeaturesRequest>, FeatureStoreErrorCode, RegExp][] = [
    [
      'an unknown feature (listing the valid ones)',
      { features: ['x', 'nope'] },
      'UNKNOWN_FEATURE',
      /unknown feature "nope"; valid features: checked:x, checked:n, checked:s/,
    ],
    ['a feature of another view', { features: ['other:x'] }, 'UNKNOWN_FEATURE', /unknown feature "other:x"/],
    [
      'an entity row without a timestamp',
      { entityRows: [{ entityId: 'a', timestamp: T }, { entityId: 'b' } as never] },
      'BAD_ENTITY_ROW',
      /entityRows\[1\]\.timestamp must be an integer number of ms since epoch/,
    ],
    [
      'a NaN timestamp',
      { entityRows: [{ entityId: 'a', timestamp: Number.NaN }] },
      'BAD_ENTITY_ROW',
      /entityRows\[0\]\.timestamp .* got NaN/,
    ],
    [
      'an infinite timestamp',
      { entityRows: [{ entityId: 'a', timestamp: Number.POSITIVE_INFINITY }] },
      'BAD_ENTITY_ROW',
      /got Infinity/,
    ],
    [
      'a fractional timestamp',
      { entityRows: [{ entityId: 'a', timestamp: 1.5 }] },
      'BAD_ENTITY_ROW',
      /integer number of ms/,
    ],
    [
      'a timestamp past year 9999',
      { entityRows: [{ entityId: 'a', timestamp: 8.64e15 }] },
      'BAD_ENTITY_ROW',
      /outside years 1-9999/,
    ],
    [
      'a row without its join key',
      { entityRows: [{ keys: { other: 'a' }, timestamp: T }] },
      'BAD_ENTITY_ROW',
      /entityRows\[0\]\.keys\.k1 is missing/,
    ],
    ['a negative ttl override', { ttlMs: -5 }, 'NEGATIVE_TTL', /ttl -5 ms is invalid/],
    [
      'a view with a negative ttl',
      { view: { ...view, ttlMs: -1 } },
      'NEGATIVE_TTL',
      /feature view "checked": ttl -1 ms/,
    ],
    ['no view at all', { view: undefined }, 'INVALID_INPUT', /needs `view` or `views`/],
    [
      'two views offering the same feature name',
      { view: undefined, views: [view, { ...view, name: 'other' }] },
      'AMBIGUOUS_FEATURE',
      /fullFeatureNames: true/,
    ],
  ];

  it.each(cases)('%s', async (_, request, code, message) => {
    const r = await refused(request);
    expect(r.code).toBe(code);
    expect(r.message).toMatch(message);
    expect(r.queries).toEqual([]);
  });
});

describe('source-table checks: one catalogue query, never the join', () => {
  it('a missing table says how to create it', async () => {
    const r = await refused({ view: testView('no_such_table', ['k1']) });
    expect(r.code).toBe('MISSING_TABLE');
    expect(r.message).toMatch(/source table "no_such_table" .* createSourceTable\(pool, view\)/);
    expect(r.queries).toHaveLength(1);
    expect(r.queries[0]).toMatch(/pg_attribute/);
  });

  it('missing declared columns are all named, with what the table has', async () => {
    await services.pg.query('CREATE TABLE half (k1 text, event_ts timestamptz, x float8)');
    const r = await refused({
      view: testView('half', ['k1']),
      entityRows: [{ entityId: 'a', timestamp: T }],
    });
    expect(r.code).toBe('MISSING_COLUMNS');
    expect(r.message).toMatch(
      /lacks declared columns created_ts, ingest_seq, n, s \(it has k1, event_ts, x\)/,
    );
    expect(r.message).toMatch(/ADD COLUMN ingest_seq bigint GENERATED ALWAYS AS IDENTITY/);
    expect(r.queries).toHaveLength(1);
  });

  it('a timestamp column without time zone is refused', async () => {
    await services.pg.query(
      'CREATE TABLE naive (k1 text, event_ts timestamp, created_ts timestamptz, ingest_seq bigint, x float8, n bigint, s text)',
    );
    const r = await refused({ view: testView('naive', ['k1']) });
    expect(r.code).toBe('WRONG_COLUMN_TYPE');
    expect(r.message).toMatch(/event_ts is timestamp without time zone, not timestamptz/);
  });

  it('a valid request sends exactly two statements: the catalogue check and the join', async () => {
    const pool = countingPool(services.pg);
    const out = await getHistoricalFeatures(pool, { view, entityRows: [{ entityId: 'a', timestamp: T }] });
    expect(out[0].values).toEqual({ x: null, n: null, s: null });
    expect(pool.queries).toHaveLength(2);
    expect(pool.queries[1]).toMatch(/LEFT JOIN LATERAL/);
  });
});

describe('insertFeatureRows validates every row before the first write', () => {
  const good: FeatureRow = {
    entityId: 'a',
    eventTimestamp: T,
    createdTimestamp: T,
    values: { x: 1, n: 2, s: 'z' },
  };
  it.each<[string, FeatureRow, RegExp]>([
    [
      'a missing event timestamp',
      { ...good, eventTimestamp: undefined as never },
      /\[1\]\.eventTimestamp must be an integer/,
    ],
    [
      'a string in a float feature',
      { ...good, values: { x: 'one' } },
      /\[1\]\.values\.x is "one", not a float/,
    ],
    [
      'a fraction in an int feature',
      { ...good, values: { n: 0.5 } },
      /\[1\]\.values\.n is 0\.5, not a safe integer/,
    ],
    [
      'an undeclared feature',
      { ...good, values: { typo: 1 } },
      /\[1\]\.values has "typo", which the view does not declare \(declared: x, n, s\)/,
    ],
    ['no join key', { ...good, entityId: undefined }, /\[1\]\.keys\.k1 is missing/],
  ])('%s', async (_, bad, message) => {
    const pool = countingPool(services.pg);
    const error = await insertFeatureRows(pool, view, [good, bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeatureStoreError);
    expect((error as FeatureStoreError).code).toBe('BAD_FEATURE_ROW');
    expect((error as Error).message).toMatch(message);
    expect(pool.queries).toEqual([]);
    const { rows } = await services.pg.query('SELECT count(*)::int AS n FROM checked');
    expect(rows[0].n).toBe(0);
  });

  it('composite keys need `keys`, not `entityId`', async () => {
    const composite = defineFeatureView({ ...view, entity: { name: 'pair', joinKeys: ['k1', 'k2'] } });
    const pool = countingPool(services.pg);
    await expect(insertFeatureRows(pool, composite, [good])).rejects.toThrow(
      /pass keys: \{ k1: \.\.\., k2: \.\.\. \}/,
    );
    expect(pool.queries).toEqual([]);
  });
});
