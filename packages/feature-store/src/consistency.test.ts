/**
 * Consistency check (Q8): the pure comparison on hand-made rows, then offline (Postgres join) against
 * online (materialize up to each sampled time, read at it) on real services: zero mismatches when
 * both come from the same source, and an injected second write path caught on the one feature it skews.
 */
import { createRng } from '@mlops-lab/datagen';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkConsistency,
  compareServedToOffline,
  type OnlineReader,
  offlineReader,
  replayOnlineReader,
  type SamplePoint,
  sameValue,
} from './consistency.ts';
import { materializeIncremental } from './materialize.ts';
import { getOnlineFeatures, writeOnline } from './online.ts';
import { activityHistory, activityView, HOUR, latestInWindow, T0 } from './testing/activity.ts';
import { activityStore } from './testing/activity-store.ts';

const FEATURES = activityView.features.map((f) => f.name);

describe('comparison', () => {
  const sample: SamplePoint[] = [
    { keys: { customer_id: '1' }, timestamp: T0 },
    { keys: { customer_id: '2' }, timestamp: T0 },
  ];

  it('reports features named like Object.prototype members as data: none lost, none inherited', () => {
    const proto = '__proto__';
    const own = (name: string, value: number) => Object.fromEntries([[name, value]]);
    const report = compareServedToOffline(
      sample,
      [proto, 'constructor'],
      [own(proto, 1), {}],
      [{ values: own(proto, 1) }, { values: {} }],
    );
    expect(Object.keys(report.features)).toEqual([proto, 'constructor']);
    expect(report.features[proto]).toMatchObject({ compared: 2, mismatches: 0 });
    // Absent on both sides, not Object's constructor function read from the prototype.
    expect(report.features.constructor).toMatchObject({ compared: 2, mismatches: 0, bothAbsent: 2 });
    expect(report.consistent).toBe(true);
  });

  it('counts mismatches per feature, treats absent on both sides as agreement', () => {
    const report = compareServedToOffline(
      sample,
      ['x', 'y'],
      [
        { x: 1, y: 'a' },
        { x: null, y: 'b' },
      ],
      [{ values: { x: 1 + 1e-12, y: 'a' } }, { values: { y: 'B' }, missing: { x: 'stale: ...' } }],
    );
    expect(report.features.x).toEqual({ compared: 2, mismatches: 0, bothAbsent: 1, examples: [] });
    expect(report.features.y.mismatches).toBe(1);
    expect(report.features.y.examples).toEqual([{ ...sample[1], offline: 'b', online: 'B' }]);
    expect(report).toMatchObject({ sampled: 2, mismatches: 1, consistent: false });
  });

  it('reports a value served online but absent offline with the reason', () => {
    const report = compareServedToOffline(
      sample.slice(0, 1),
      ['x'],
      [{ x: 3 }],
      [{ values: {}, missing: { x: 'not materialized' } }],
    );
    expect(report.features.x.examples[0]).toMatchObject({
      offline: 3,
      online: null,
      onlineReason: 'not materialized',
    });
  });

  it('compares numbers with a tolerance and never a string with a number', () => {
    expect(sameValue(0.1 + 0.2, 0.3)).toBe(true);
    expect(sameValue(Number.NaN, Number.NaN)).toBe(true);
    expect(sameValue('5', 5)).toBe(false);
    expect(sameValue(100, 1)).toBe(false);
  });
});

describe('offline against online on real services', () => {
  const history = activityHistory(5, 20, 5);
  const { services, target } = activityStore('fs-consistency-test', history);
  let sample: SamplePoint[];

  beforeAll(() => {
    const rng = createRng(9);
    sample = Array.from({ length: 60 }, () => ({
      keys: { customer_id: String(rng.int(1, 20)) },
      timestamp: T0 + rng.int(0, 7 * HOUR),
    }));
    // Customer 3 is sampled at every hour, so the injected skew below is certain to be seen.
    for (let h = 1; h <= 6; h++) sample.push({ keys: { customer_id: '3' }, timestamp: T0 + h * HOUR });
  });

  it('finds no mismatch when both stores come from the same source', async () => {
    const report = await checkConsistency({
      offline: offlineReader(services.pg, activityView),
      online: replayOnlineReader(target(), activityView),
      sample,
      features: FEATURES,
    });
    expect(report.mismatches).toBe(0);
    expect(report.features.amount_7d.compared).toBe(sample.length);
    expect(report.features.amount_7d.bothAbsent).toBeLessThan(sample.length / 2); // most points had a value
  });

  it('catches a second write path that serves amounts in cents, on that feature only', async () => {
    const scratch = target('skewed');
    // A streaming job for customer 3 re-publishes its latest row with the amount in cents; its later
    // created timestamp makes newer-wins accept it over the materialized value.
    const skewed: OnlineReader = async (keys, now) => {
      await materializeIncremental(scratch, activityView, now + 1);
      const [latest] = latestInWindow(
        history.filter((r) => r.keys.customer_id === 3),
        0,
        now + 1,
      );
      if (latest) {
        const amount = latest.values.amount_7d as number;
        await writeOnline(scratch, activityView, [
          {
            ...latest,
            createdTimestamp: latest.createdTimestamp + 1,
            values: { ...latest.values, amount_7d: amount * 100 },
          },
        ]);
      }
      return getOnlineFeatures(scratch, activityView, keys, { now });
    };
    const report = await checkConsistency({
      offline: offlineReader(services.pg, activityView),
      online: skewed,
      sample,
      features: FEATURES,
    });
    const customer3 = sample.filter((p) => p.keys.customer_id === '3').length;
    expect(report.features.amount_7d.mismatches).toBeGreaterThanOrEqual(4);
    expect(report.features.amount_7d.mismatches).toBeLessThanOrEqual(customer3);
    for (const f of ['txn_count_7d', 'segment', 'last_event_at'])
      expect(report.features[f].mismatches).toBe(0);
    const example = report.features.amount_7d.examples[0];
    expect(example.keys).toEqual({ customer_id: '3' });
    expect(example.online).toBeCloseTo((example.offline as number) * 100, 6);
    expect(report.consistent).toBe(false);
  });
});
