/**
 * Materialization against real Postgres and Redis (env URLs, else Docker, else embedded): the latest
 * row per entity in a window, newer-wins across windows, idempotence, incremental runs from the
 * watermark, and a run crashed after chunk k whose restart ends in exactly the uninterrupted state.
 * Each test writes under its own key scope, so every final Redis state can be compared whole.
 */
import { describe, expect, it } from 'vitest';
import { defineFeatureView } from './definitions.ts';
import { FeatureStoreError } from './errors.ts';
import { type MaterializeTarget, materialize, materializeIncremental } from './materialize.ts';
import { createSourceTable, insertFeatureRows } from './offline-source.ts';
import { dumpOnline, getOnlineFeatures, type OnlineRow } from './online.ts';
import { encodeEntityKey, valuesEncoder } from './online-keys.ts';
import { getMaterializationState } from './online-state.ts';
import {
  activityHistory,
  activityView,
  createBigintSource,
  HOUR,
  latestInWindow,
  pairView,
  T0,
} from './testing/activity.ts';
import { activityStore } from './testing/activity-store.ts';
import { testView } from './testing/random.ts';
import type { FeatureView } from './types.ts';

const history = activityHistory(7, 240, 4);
const { services, target: scoped } = activityStore('fs-materialize-test', history, createBigintSource);
const END = T0 + 6 * HOUR;

/**
 * The Redis state the oracle predicts, with `@values` parsed: Postgres and Node spell some numbers
 * differently (1e-07, 1e-7), so the comparison is by value.
 */
function expectedDump(view: FeatureView, rows: readonly OnlineRow[]) {
  const encode = valuesEncoder(view);
  const out: Record<string, Record<string, unknown>> = {};
  for (const r of rows) {
    out[encodeEntityKey(view.entity.joinKeys.map((k) => String(r.keys[k])))] = {
      '@event': String(r.eventTimestamp),
      '@created': String(r.createdTimestamp),
      '@values': JSON.parse(encode(view.features.map((f) => r.values[f.name]))),
    };
  }
  return out;
}

async function dump(target: MaterializeTarget, view: FeatureView) {
  const raw = await dumpOnline(target, view);
  return Object.fromEntries(
    Object.entries(raw).map(([k, h]) => [k, { ...h, '@values': JSON.parse(h['@values']) as unknown }]),
  );
}

describe('materialize', () => {
  it('copies the latest row per entity with event time in [start, end)', async () => {
    const target = scoped('window');
    const result = await materialize(target, activityView, T0 + HOUR, T0 + 4 * HOUR);
    const expected = latestInWindow(history, T0 + HOUR, T0 + 4 * HOUR);
    expect(result.rows).toBe(expected.length);
    expect(result.written).toBe(expected.length);
    expect(await dump(target, activityView)).toEqual(expectedDump(activityView, expected));
    const [read] = await getOnlineFeatures(target, activityView, [expected[0].keys], {
      now: expected[0].eventTimestamp,
    });
    expect(read.values).toEqual(expected[0].values);
  });

  it('newer wins: an older window after a newer one changes nothing; a re-run writes nothing', async () => {
    const split = scoped('split');
    await materialize(split, activityView, T0 + 3 * HOUR, END);
    const older = await materialize(split, activityView, T0, T0 + 3 * HOUR);
    expect(older.written).toBeLessThan(older.rows); // entities with a newer value kept it
    const whole = scoped('whole');
    await materialize(whole, activityView, T0, END);
    const expected = expectedDump(activityView, latestInWindow(history, T0, END));
    expect(await dump(split, activityView)).toEqual(expected);
    expect(await dump(whole, activityView)).toEqual(expected);
    const again = await materialize(whole, activityView, T0, END);
    expect(again).toMatchObject({ rows: 240, written: 0, resumed: false });
    expect(await dump(whole, activityView)).toEqual(expected);
  });

  it('incremental runs go from the watermark and move it only when done', async () => {
    const target = scoped('incremental');
    expect(await getMaterializationState(target, activityView.name)).toBeNull();
    const first = await materializeIncremental(target, activityView, T0 + 2 * HOUR);
    expect(first).toMatchObject({ startMs: 0, endMs: T0 + 2 * HOUR, watermarkMs: T0 + 2 * HOUR });
    const second = await materializeIncremental(target, activityView, END);
    expect(second).toMatchObject({ startMs: T0 + 2 * HOUR, watermarkMs: END });
    expect(second.rows).toBe(latestInWindow(history, T0 + 2 * HOUR, END).length);
    expect(await dump(target, activityView)).toEqual(
      expectedDump(activityView, latestInWindow(history, 0, END)),
    );
    expect(await materializeIncremental(target, activityView, END)).toMatchObject({ rows: 0, chunks: 0 });
    expect((await getMaterializationState(target, activityView.name))?.watermarkMs).toBe(END);
  });

  it('a run crashed after chunk 3 resumes there and ends in the uninterrupted state', async () => {
    const reference = scoped('reference');
    await materializeIncremental(reference, activityView, END, { chunkSize: 40 });

    const crashed = scoped('crashed');
    const crash = materializeIncremental(crashed, activityView, END, {
      chunkSize: 40,
      onChunk: ({ chunk }) => {
        if (chunk === 3) throw new Error('killed after chunk 3');
      },
    });
    await expect(crash).rejects.toThrow('killed after chunk 3');
    const state = await getMaterializationState(crashed, activityView.name);
    expect(state?.watermarkMs).toBeNull();
    expect(state?.run).toMatchObject({ kind: 'incremental', startMs: 0, endMs: END, rows: 120, chunks: 3 });
    expect(state?.run?.afterKey).toEqual(['120']); // key order is the column's (bigint), not text order

    const seen: number[] = [];
    const resumed = await materializeIncremental(crashed, activityView, END, {
      chunkSize: 40,
      onChunk: ({ chunk }) => {
        seen.push(chunk);
      },
    });
    expect(seen).toEqual([4, 5, 6]); // chunks 1-3 were not read again
    expect(resumed).toMatchObject({ resumed: true, rows: 240, chunks: 6, watermarkMs: END });
    expect(await dump(crashed, activityView)).toEqual(await dump(reference, activityView));
    expect((await getMaterializationState(crashed, activityView.name))?.run).toBeNull();
  });

  it('composite text keys: keyset resume and collision-free hashes', async () => {
    await createSourceTable(services.pg, pairView);
    const keys = [
      ['x:y', 'z'],
      ['x', 'y:z'],
      ['1', '23'],
      ['12', '3'],
      ['a"b', 'c'],
    ];
    const rows: OnlineRow[] = keys.flatMap(([a, b], i) => [
      { keys: { a, b }, eventTimestamp: T0, createdTimestamp: T0, values: { score: i } },
      { keys: { a, b }, eventTimestamp: T0 + 1, createdTimestamp: T0, values: { score: 10 + i } },
    ]);
    // A full tie (same event and created): the row ingested later wins, as in the offline join.
    rows.push({
      keys: { a: 'x:y', b: 'z' },
      eventTimestamp: T0 + 1,
      createdTimestamp: T0,
      values: { score: 99 },
    });
    await insertFeatureRows(services.pg, pairView, rows);
    const target = scoped('pairs');
    const crash = materialize(target, pairView, T0, END, {
      chunkSize: 1,
      onChunk: ({ chunk }) => {
        if (chunk === 2) throw new Error('crash');
      },
    });
    await expect(crash).rejects.toThrow('crash');
    const result = await materialize(target, pairView, T0, END, { chunkSize: 1 });
    expect(result).toMatchObject({ resumed: true, rows: 5, chunks: 5 });
    expect(await dump(target, pairView)).toEqual(expectedDump(pairView, latestInWindow(rows, T0, END)));
    const [tied] = await getOnlineFeatures(target, pairView, [{ a: 'x:y', b: 'z' }], { now: END });
    expect(tied.values.score).toBe(99);
  });

  it('keeps every value through the row assembly: non-finite, subnormal, tiny, null, string escapes, string-only views', async () => {
    const floats = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      5e-324,
      1e-7,
      1.5e300,
      null,
      0.1,
    ];
    const strings = [
      'a "quoted" \\ back',
      'line\nbreak\ttab\u0001',
      'ünï €',
      '',
      null,
      'NULL',
      '{1,2}',
      'x,y',
    ];
    const rows: OnlineRow[] = floats.map((x, i) => ({
      keys: { k1: `e${i}` },
      eventTimestamp: T0 + i,
      createdTimestamp: T0 + i,
      values: { x, n: i === 6 ? null : i === 0 ? 0 : -i * 1e9, s: strings[i] },
    }));
    const strictView = testView('fs_mat_values', ['k1']);
    const onlyStrings = defineFeatureView({
      ...strictView,
      name: 'fs_mat_strings',
      features: [{ name: 's', type: 'string' }],
    });
    await createSourceTable(services.pg, strictView);
    await insertFeatureRows(services.pg, strictView, rows);
    for (const view of [strictView, onlyStrings]) {
      const target = scoped(`values-${view.name}`);
      await materialize(target, view, T0, END);
      const expected = rows.map((r) => ({
        ...r,
        values: Object.fromEntries(view.features.map((f) => [f.name, r.values[f.name]])),
      }));
      expect(await dump(target, view)).toEqual(expectedDump(view, expected));
      const read = await getOnlineFeatures(
        target,
        view,
        expected.map((r) => r.keys),
        { now: END },
      );
      expect(read.map((r) => r.values)).toEqual(expected.map((r) => r.values));
    }
  });

  it('reports progress per chunk', async () => {
    const lines: { rows: number; chunks: number }[] = [];
    await materialize(scoped('progress'), activityView, T0, END, {
      chunkSize: 100,
      onProgress: ({ rows, chunks, elapsedMs }) => {
        expect(elapsedMs).toBeGreaterThanOrEqual(0);
        lines.push({ rows, chunks });
      },
    });
    expect(lines).toEqual([
      { rows: 100, chunks: 1 },
      { rows: 200, chunks: 2 },
      { rows: 240, chunks: 3 },
    ]);
  });

  it('rejects bad input before any Postgres or Redis call', async () => {
    const untouchable = new Proxy({} as MaterializeTarget, {
      get: () => {
        throw new Error('a service was called');
      },
    });
    const run = (start: number, end: number, chunkSize?: number) =>
      materialize(untouchable, activityView, start, end, { chunkSize });
    await expect(run(T0 + 1, T0)).rejects.toThrow(/endMs .* is before startMs/);
    await expect(run(T0, Number.NaN)).rejects.toBeInstanceOf(FeatureStoreError);
    await expect(run(T0, 1e16)).rejects.toThrow(/outside years 1-9999/);
    await expect(run(T0, END, 0)).rejects.toThrow(/chunkSize/);
    await expect(
      materializeIncremental(untouchable, { ...activityView, entity: { name: 'x', joinKeys: [] } }, END),
    ).rejects.toThrow(/no join keys/);
  });
});
