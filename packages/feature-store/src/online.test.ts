/**
 * Online store against real Redis (REDIS_URL, else Docker, else an embedded redis-server): round
 * trip, collision-free composite keys, ttl exactly as offline, reasons for what is not served,
 * newer-wins, one round trip per batch, and input errors raised before any Redis call.
 */
import { testServices } from '@mlops-lab/services/vitest';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { FeatureStoreError } from './errors.ts';
import { dumpOnline, getOnlineFeatures, writeOnline } from './online.ts';
import type { OnlineStore } from './online-keys.ts';
import { activityRow, activityView, HOUR, pairView, T0 } from './testing/activity.ts';

const services = testServices({ needs: ['redis'], namespace: 'fs-online-test' });
let n = 0;
/** A fresh key space per test, so tests share one Redis without seeing each other. */
const freshStore = (): OnlineStore => {
  const scope = `t${n++}:`;
  return { redis: services.redis, key: (name) => services.key(scope + name) };
};
/** A store whose Redis throws on any use: proves a check ran before the first command. */
const untouchable: OnlineStore = {
  redis: new Proxy({} as Redis, {
    get: () => {
      throw new Error('Redis was called');
    },
  }),
  key: (name) => name,
};

describe('online store', () => {
  it('round-trips values with their types and event timestamps', async () => {
    const store = freshStore();
    const row = activityRow(1, T0, 3);
    row.values.segment = 'null'; // the string, not null
    const other = activityRow(2, T0 + 1000, 4);
    other.values.amount_7d = null;
    expect(await writeOnline(store, activityView, [row, other])).toBe(2);
    const [a, b] = await getOnlineFeatures(store, activityView, [{ customer_id: 1 }, { customer_id: '2' }], {
      now: T0 + 5000,
    });
    expect(a.values).toEqual({ amount_7d: 4.5, txn_count_7d: 3, segment: 'null', last_event_at: T0 });
    expect(a.eventTimestamps.amount_7d).toBe(T0);
    expect(a.missing).toEqual({});
    expect(b.values.amount_7d).toBeNull();
    expect(b.keys).toEqual({ customer_id: '2' });
    const only = await getOnlineFeatures(store, activityView, [{ customer_id: 2 }], {
      features: ['segment'],
      now: T0 + 5000,
    });
    expect(only[0].values).toEqual({ segment: 'even' });
    expect(Object.values(await dumpOnline(store, activityView))[0]).toEqual({
      '@event': String(T0),
      '@created': String(T0),
      '@values': '{"amount_7d":4.5,"txn_count_7d":3,"segment":"null","last_event_at":1704067200000}',
    });
  });

  it('keeps NaN, Infinity and strings that look like numbers apart', async () => {
    const store = freshStore();
    const cases = [
      [Number.NaN, 'NaN'],
      [Number.NEGATIVE_INFINITY, '12'],
      [-0.5, ''],
      [1e21, 'null'],
      [null, null],
      [5e-7, 'quote " and \\ backslash'],
    ] as const;
    const rows = cases.map(([amount, segment], i) => {
      const row = activityRow(i, T0, 1);
      row.values.amount_7d = amount;
      row.values.segment = segment;
      return row;
    });
    await writeOnline(store, activityView, rows);
    const read = await getOnlineFeatures(
      store,
      activityView,
      rows.map((r) => r.keys),
      { now: T0 },
    );
    read.forEach((r, i) => {
      expect(Object.is(r.values.amount_7d, cases[i][0])).toBe(true);
      expect(r.values.segment).toBe(cases[i][1]);
    });
  });

  it('composite keys whose naive concatenations collide stay distinct', async () => {
    const store = freshStore();
    const keys = [
      { a: 'x:y', b: 'z' },
      { a: 'x', b: 'y:z' },
      { a: '1', b: '23' },
      { a: '12', b: '3' },
      { a: 'x,y', b: 'z' },
      { a: 'x', b: 'y,z' },
    ];
    const rows = keys.map((k, i) => ({
      keys: k,
      eventTimestamp: T0,
      createdTimestamp: T0,
      values: { score: i },
    }));
    expect(await writeOnline(store, pairView, rows)).toBe(keys.length);
    const read = await getOnlineFeatures(store, pairView, keys, { now: T0 });
    expect(read.map((r) => r.values.score)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Object.keys(await dumpOnline(store, pairView))).toHaveLength(keys.length);
  });

  it('applies the ttl as offline does: [now - ttl, now] served, both ends inclusive', async () => {
    const store = freshStore();
    const ttl = activityView.ttlMs!;
    await writeOnline(store, activityView, [activityRow(1, T0, 1), activityRow(2, T0 - 1, 2)]);
    const now = T0 + ttl;
    const [atBoundary, justStale, never] = await getOnlineFeatures(
      store,
      activityView,
      [{ customer_id: 1 }, { customer_id: 2 }, { customer_id: 3 }],
      { now },
    );
    expect(atBoundary.values.txn_count_7d).toBe(1);
    expect(atBoundary.missing).toEqual({});
    expect(justStale.values).toEqual({});
    expect(justStale.missing.txn_count_7d).toBe(
      'stale: event at 2023-12-31T23:59:59.999Z older than ttl 2h (now 2024-01-01T02:00:00.000Z)',
    );
    expect(Object.keys(justStale.missing)).toHaveLength(4);
    expect(never.missing).toEqual({
      amount_7d: 'not materialized',
      txn_count_7d: 'not materialized',
      segment: 'not materialized',
      last_event_at: 'not materialized',
    });
    // Read before the stored event: offline would find an older row; online has none to serve.
    const [early] = await getOnlineFeatures(store, activityView, [{ customer_id: 1 }], { now: T0 - 1 });
    expect(early.missing.amount_7d).toMatch(/^future: event at 2024-01-01T00:00:00.000Z is after now/);
  });

  it('newer wins: older events never replace newer ones; created breaks event ties', async () => {
    const store = freshStore();
    expect(await writeOnline(store, activityView, [activityRow(1, T0 + HOUR, 10)])).toBe(1);
    expect(await writeOnline(store, activityView, [activityRow(1, T0, 5)])).toBe(0);
    expect(await writeOnline(store, activityView, [activityRow(1, T0 + HOUR, 11, T0 + HOUR)])).toBe(0);
    expect(await writeOnline(store, activityView, [activityRow(1, T0 + HOUR, 12, T0 + 2 * HOUR)])).toBe(1);
    const read = async () =>
      (await getOnlineFeatures(store, activityView, [{ customer_id: 1 }], { now: T0 + HOUR }))[0].values;
    expect((await read()).txn_count_7d).toBe(12);
    expect(await writeOnline(store, activityView, [activityRow(1, T0, 5)], { force: true })).toBe(1);
    expect((await read()).txn_count_7d).toBe(5);
  });

  it('reads a batch of 1,000 entities in one pipeline (one round trip)', async () => {
    const store = freshStore();
    await writeOnline(
      store,
      activityView,
      Array.from({ length: 1000 }, (_, i) => activityRow(i, T0, i)),
    );
    const calls: string[] = [];
    const counting: OnlineStore = {
      key: store.key,
      redis: new Proxy(services.redis, {
        get(target, prop, receiver) {
          if (typeof prop === 'string' && ['pipeline', 'hmget', 'hgetall', 'multi'].includes(prop))
            calls.push(prop);
          const value = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
    };
    const keys = Array.from({ length: 1000 }, (_, i) => ({ customer_id: i }));
    const rows = await getOnlineFeatures(counting, activityView, keys, { now: T0 });
    expect(calls).toEqual(['pipeline']);
    expect(rows.map((r) => r.values.txn_count_7d)).toEqual(keys.map((k) => k.customer_id));
  });

  it('rejects bad input before any Redis call, naming what is valid', async () => {
    const read = (keys: Record<string, string | number>[], features?: string[], now = T0) =>
      getOnlineFeatures(untouchable, activityView, keys, { features, now });
    await expect(read([{ customer_id: 1 }], ['amount_7d', 'amount_30d'])).rejects.toThrow(
      'unknown feature "amount_30d" in view "customer_activity"; valid: amount_7d, txn_count_7d, segment, last_event_at',
    );
    await expect(read([{ customer_id: 1 }, { customer: 2 }])).rejects.toThrow(
      /entity key #1 \{"customer":2\} has no value for join key "customer_id"/,
    );
    await expect(read([{ customer_id: 1 }], undefined, Number.NaN)).rejects.toBeInstanceOf(FeatureStoreError);
    await expect(
      getOnlineFeatures(untouchable, pairView, [{ a: 'x', b: null as unknown as string }], { now: T0 }),
    ).rejects.toThrow(/join key "b"/);
    await expect(
      writeOnline(untouchable, activityView, [{ ...activityRow(1, T0, 1), values: { amount_7d: 1 } }]),
    ).rejects.toThrow(/lacks txn_count_7d, segment, last_event_at/);
    await expect(
      writeOnline(untouchable, activityView, [{ ...activityRow(1, T0, 1), eventTimestamp: Number.NaN }]),
    ).rejects.toBeInstanceOf(FeatureStoreError);
  });
});

describe('reserved feature names', () => {
  it('a view with a feature named __proto__ that skipped defineFeatureView is refused before any Redis call', async () => {
    const view = {
      ...activityView,
      features: [...activityView.features, { name: '__proto__', type: 'float' as const }],
    };
    const values = { ...activityRow(1, T0, 3).values, ...JSON.parse('{"__proto__": 1.5}') };
    const write = writeOnline(untouchable, view, [
      { keys: { customer_id: 1 }, eventTimestamp: T0, createdTimestamp: T0, values },
    ]);
    await expect(write).rejects.toThrow(/feature "__proto__" is reserved/);
    await expect(getOnlineFeatures(untouchable, view, [{ customer_id: 1 }], { now: T0 })).rejects.toThrow(
      FeatureStoreError,
    );
  });
});
