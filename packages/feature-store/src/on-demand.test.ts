/**
 * On-demand features (Q10): definition checks, the compute seeing only declared inputs, and the same
 * function giving the same value through the training path (Postgres point-in-time join) and the
 * serving path (materialized Redis read at request time), on real services.
 */
import { describe, expect, it } from 'vitest';
import { FeatureStoreError } from './errors.ts';
import { materializeIncremental } from './materialize.ts';
import { getHistoricalFeatures } from './offline.ts';
import {
  applyOnDemand,
  computeOnDemand,
  defineOnDemandFeature,
  REQUEST_TIME,
  secondsSinceLastEvent,
  serveOnDemand,
  type TrainingRow,
} from './on-demand.ts';
import { activityHistory, activityView, HOUR, T0 } from './testing/activity.ts';
import { activityStore } from './testing/activity-store.ts';

const sinceLast = secondsSinceLastEvent('customer_activity:last_event_at');

describe('on-demand definitions', () => {
  it('rejects malformed definitions', () => {
    const compute = () => 1;
    expect(() => defineOnDemandFeature({ name: 'Bad Name', inputs: { request: ['x'] }, compute })).toThrow(
      FeatureStoreError,
    );
    expect(() => defineOnDemandFeature({ name: 'f', inputs: { online: ['no_view'] }, compute })).toThrow(
      /must be written view:feature/,
    );
    expect(() => defineOnDemandFeature({ name: 'f', inputs: {}, compute })).toThrow(/at least one input/);
  });

  it('refuses reserved names for the feature and its request inputs (a plain object would not hold them)', () => {
    const compute = () => 1;
    expect(() => defineOnDemandFeature({ name: '__proto__', inputs: { request: ['x'] }, compute })).toThrow(
      /"__proto__" is reserved/,
    );
    for (const input of ['constructor', 'toString', '__proto__']) {
      expect(() => defineOnDemandFeature({ name: 'f', inputs: { request: [input] }, compute })).toThrow(
        `request input "${input}" is reserved`,
      );
    }
  });

  it('computes on exactly the declared inputs, and requires each of them', () => {
    const seen = defineOnDemandFeature({
      name: 'seen',
      type: 'string',
      inputs: { request: ['a'], online: ['v:x'] },
      compute: (request, online) => [...Object.keys(request), ...Object.keys(online)].join(','),
    });
    expect(computeOnDemand(seen, { a: 1, b: 2 }, { 'v:x': null, 'v:y': 3 })).toBe('a,v:x');
    expect(() => computeOnDemand(seen, { b: 2 }, { 'v:x': 1 })).toThrow(/needs request input "a"/);
  });

  it('seconds since the last event: from request time and the online timestamp; null without one', () => {
    expect(
      computeOnDemand(sinceLast, { [REQUEST_TIME]: T0 + 90_000 }, { [sinceLast.inputs.online[0]]: T0 }),
    ).toBe(90);
    expect(
      computeOnDemand(sinceLast, { [REQUEST_TIME]: T0 }, { [sinceLast.inputs.online[0]]: null }),
    ).toBeNull();
  });

  it('training rows: reads `feature` or `view__feature` columns, names a missing one', () => {
    const rows: TrainingRow[] = [
      { timestamp: T0 + 5000, values: { last_event_at: T0 } },
      { timestamp: T0 + 5000, values: { customer_activity__last_event_at: T0 + 1000 } },
    ];
    expect(applyOnDemand(sinceLast, rows).map((r) => r.values.seconds_since_last_event)).toEqual([5, 4]);
    expect(() => applyOnDemand(sinceLast, [{ timestamp: T0, values: {} }])).toThrow(
      /no column for "customer_activity:last_event_at"/,
    );
  });
});

describe('one function, two paths', () => {
  const store = activityStore('fs-ondemand-test', activityHistory(11, 6, 4));

  it('gives the same value when building training rows and when serving', async () => {
    const points = [];
    for (let k = 1; k <= 8; k++) {
      for (let id = 1; id <= 6; id++)
        points.push({ keys: { customer_id: String(id) }, timestamp: T0 + k * 0.75 * HOUR });
    }
    const historical = await getHistoricalFeatures(store.services.pg, {
      view: activityView,
      entityRows: points,
      features: ['last_event_at'],
    });
    const training = applyOnDemand(sinceLast, historical).map((r) => r.values.seconds_since_last_event);

    const target = store.target();
    const served: (number | string | null)[] = [];
    for (let k = 1; k <= 8; k++) {
      const now = T0 + k * 0.75 * HOUR;
      await materializeIncremental(target, activityView, now + 1);
      const batch = points.filter((p) => p.timestamp === now).map((p) => p.keys);
      const out = await serveOnDemand(target, sinceLast, [activityView], batch, { now });
      served.push(...out.map((o) => o.value));
    }
    expect(served).toEqual(training);
    expect(training.filter((v) => v === null).length).toBeGreaterThan(0); // before a first event, or stale
    expect(training.filter((v) => typeof v === 'number' && v >= 0).length).toBeGreaterThan(10);
  });
});
