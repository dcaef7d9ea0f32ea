/**
 * The oracle's rules on hand-made cases (Q7): each test pins one rule of src/oracle.ts, so a property
 * test that compares the SQL path against it compares against something known to be right.
 */
import { describe, expect, it } from 'vitest';
import { FeatureStoreError } from './errors.ts';
import { type OracleFeatureRow, pointInTimeJoin } from './oracle.ts';

const row = (
  entityId: string,
  event: number,
  created: number,
  v: number | string | null,
): OracleFeatureRow => ({
  entityId,
  eventTimestamp: event,
  createdTimestamp: created,
  values: { v },
});
const valuesOf = (out: { values: Record<string, unknown> | null }[]) => out.map((r) => r.values?.v ?? null);

describe('pointInTimeJoin', () => {
  const history = [
    row('a', 10, 10, 'a10'),
    row('a', 20, 21, 'a20'),
    row('a', 30, 30, 'a30'),
    row('b', 15, 15, 'b15'),
  ];

  it('takes the newest row at or before the entity time, never a later one', () => {
    const out = pointInTimeJoin(
      [
        { entityId: 'a', timestamp: 9 },
        { entityId: 'a', timestamp: 10 },
        { entityId: 'a', timestamp: 29 },
        { entityId: 'a', timestamp: 1000 },
      ],
      history,
    );
    expect(valuesOf(out)).toEqual([null, 'a10', 'a20', 'a30']);
  });

  it('includes both ttl edges: event = t - ttl matches, one ms older does not', () => {
    const at = (t: number, ttlMs: number) =>
      valuesOf(pointInTimeJoin([{ entityId: 'a', timestamp: t }], history, { ttlMs }))[0];
    expect(at(25, 5)).toBe('a20'); // 20 = 25 - 5: on the edge
    expect(at(26, 5)).toBe(null); // 20 < 21: expired, and 30 is in the future
    expect(at(30, 0)).toBe('a30'); // ttl 0: only a value stamped exactly at t
    expect(at(31, 0)).toBe(null);
  });

  it('an expired newest value is not replaced by an older one', () => {
    const out = pointInTimeJoin([{ entityId: 'a', timestamp: 40 }], history, { ttlMs: 5 });
    expect(out[0].values).toBeNull();
  });

  it('equal event times: the greatest created timestamp wins, whatever the input order', () => {
    const rows = [row('a', 10, 12, 'late'), row('a', 10, 11, 'early'), row('a', 10, 5, 'first')];
    expect(valuesOf(pointInTimeJoin([{ entityId: 'a', timestamp: 10 }], rows))).toEqual(['late']);
    expect(valuesOf(pointInTimeJoin([{ entityId: 'a', timestamp: 10 }], [...rows].reverse()))).toEqual([
      'late',
    ]);
  });

  it('full ties (same event and created): the later row in featureRows wins', () => {
    const rows = [
      row('a', 10, 11, 'one'),
      row('a', 10, 11, 'two'),
      row('a', 9, 11, 'older'),
      row('a', 10, 11, 'three'),
    ];
    expect(valuesOf(pointInTimeJoin([{ entityId: 'a', timestamp: 10 }], rows))).toEqual(['three']);
    expect(valuesOf(pointInTimeJoin([{ entityId: 'a', timestamp: 10 }], rows.slice(0, 3)))).toEqual(['two']);
  });

  it('createdBeforeEntity hides rows written after the entity time (a backfill)', () => {
    // The value for event 20 was written at 21; an entity row at 20 could not have seen it.
    const backfilled = [...history, row('a', 18, 500, 'backfill')];
    const at20 = (createdBeforeEntity: boolean) =>
      valuesOf(pointInTimeJoin([{ entityId: 'a', timestamp: 20 }], backfilled, { createdBeforeEntity }))[0];
    expect(at20(false)).toBe('a20');
    expect(at20(true)).toBe('a10'); // a20 (created 21) and backfill (created 500) are both in the future
    const edge = pointInTimeJoin([{ entityId: 'a', timestamp: 21 }], backfilled, {
      createdBeforeEntity: true,
    });
    expect(valuesOf(edge)).toEqual(['a20']); // created == t counts as known
  });

  it('createdBeforeEntity with a ttl: the fallback must still be inside the window', () => {
    const rows = [row('a', 10, 10, 'old'), row('a', 20, 50, 'late-write')];
    const out = pointInTimeJoin([{ entityId: 'a', timestamp: 25 }], rows, {
      ttlMs: 10,
      createdBeforeEntity: true,
    });
    expect(out[0].values).toBeNull(); // 'old' is 15 ms old, 'late-write' not yet written
  });

  it('keeps rows for unknown entities (values null), duplicates, and input order', () => {
    const entityRows = [
      { entityId: 'b', timestamp: 100 },
      { entityId: 'zzz', timestamp: 100 },
      { entityId: 'a', timestamp: 15 },
      { entityId: 'b', timestamp: 100 },
      { entityId: 'a', timestamp: 5 },
    ];
    const out = pointInTimeJoin(entityRows, history);
    expect(out.map((r) => [r.entityId, r.timestamp])).toEqual(
      entityRows.map((r) => [r.entityId, r.timestamp]),
    );
    expect(valuesOf(out)).toEqual(['b15', null, 'a10', 'b15', null]);
  });

  it('copies values (a caller mutating a result does not change the history)', () => {
    const out = pointInTimeJoin([{ entityId: 'b', timestamp: 15 }], history);
    out[0].values!.v = 'changed';
    expect(history[3].values.v).toBe('b15');
  });

  it('handles empty inputs', () => {
    expect(pointInTimeJoin([], history)).toEqual([]);
    expect(pointInTimeJoin([{ entityId: 'a', timestamp: 1 }], [])).toEqual([
      { entityId: 'a', timestamp: 1, values: null },
    ]);
  });

  it('rejects a negative ttl and non-finite timestamps, naming the row', () => {
    expect(() => pointInTimeJoin([], history, { ttlMs: -1 })).toThrow(/ttl -1 ms is invalid/);
    expect(() =>
      pointInTimeJoin(
        [
          { entityId: 'a', timestamp: 1 },
          { entityId: 'a', timestamp: Number.NaN },
        ],
        history,
      ),
    ).toThrow(/entityRows\[1\]\.timestamp must be a finite number/);
    expect(() => pointInTimeJoin([], [row('a', Number.POSITIVE_INFINITY, 1, 1)])).toThrow(FeatureStoreError);
  });

  // Its growth with size (not N x M) is measured by `pnpm bench feature-store` beside the SQL join.
  it('joins 200k entity rows against 200k feature rows exactly', () => {
    const features: OracleFeatureRow[] = [];
    for (let i = 0; i < 200_000; i++) features.push(row(`e${i % 1000}`, i, i, i));
    const entities = Array.from({ length: 200_000 }, (_, i) => ({
      entityId: `e${i % 1000}`,
      timestamp: i * 7,
    }));
    const out = pointInTimeJoin(entities, features, { ttlMs: 5000 });
    // Row j has entity e(j % 1000) and event j, so for entity row i (t = 7i < 200k) the newest match is
    // the largest j <= t with j = i (mod 1000), 6i mod 1000 ms before t: inside the 5 s ttl.
    const i = 12_345;
    const t = 7 * i;
    expect(out[i].values).toEqual({ v: t - ((t - i) % 1000) });
  });
});
