/**
 * The online store (Q8, Q10): Redis hashes written newer-wins by a Lua compare-and-set and read in
 * one pipelined round trip, with the view's ttl applied exactly as the offline point-in-time join
 * applies it. Feast Redis online store, with three differences taken from its issue tracker:
 *
 * - ttl means one thing. Feast's offline ttl bounds how old a joined row may be, while its Redis
 *   `key_ttl_seconds` expires whole keys on the wall clock. Here a value whose event is older than
 *   `now - ttl` is returned as missing with a reason, never served, and never silently deleted:
 *   the read time `now` is an argument, so a check can read "as of" any instant.
 * - Newer wins atomically. Feast reads the stored timestamps in one round trip and writes in
 *   another, so a concurrent writer can slip in between, and it compares whole seconds without the
 *   created timestamp. Here one Lua script compares (event, created) and writes per hash.
 * - Timestamps keep milliseconds, and the created timestamp breaks ties (a backfill that corrects a
 *   value for the same event time wins, as it does offline).
 *
 * Why Lua and not WATCH/MULTI: WATCH is optimistic and per connection. It needs a read round trip
 * before the write, a connection of its own (the shared client pipelines other callers' commands),
 * and a retry whenever any watched hash changes, which under a streaming writer can starve a batch.
 * A script runs atomically on the server in the same single round trip as a plain HSET batch.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { checkView } from './definitions.ts';
import { FeatureStoreError } from './errors.ts';
import {
  CREATED_FIELD,
  checkTime,
  EVENT_FIELD,
  entityKeyParts,
  formatDuration,
  hashKey,
  iso,
  numericFeatures,
  type OnlineStore,
  resolveFeatures,
  VALUES_FIELD,
  valuesEncoder,
} from './online-keys.ts';
import type { FeatureValue, FeatureView } from './types.ts';
import type { EntityKeys } from './validate.ts';

/** One source row as the online store takes it: every feature of the view, with its timestamps. */
export interface OnlineRow {
  keys: EntityKeys;
  eventTimestamp: number;
  createdTimestamp: number;
  values: Record<string, FeatureValue>;
}

/** What a read returns per entity: served values, their event times, and why anything was not served. */
export interface OnlineFeatureRow {
  keys: EntityKeys;
  values: Record<string, FeatureValue>;
  eventTimestamps: Record<string, number>;
  /** feature -> reason: `not materialized`, `stale: ...`, or `future: ...` (event after `now`). */
  missing: Record<string, string>;
}

/** A write already encoded: the hash key, the timestamps, and `@values` (see `valuesEncoder`). */
export interface EncodedRow {
  key: string;
  event: number;
  created: number;
  values: string;
}

// KEYS: one hash per row. ARGV: force, then per row: event, created, values.
// A missing @created (a hash written by another tool) counts as older than any created time.
const CAS_SCRIPT = `
local force = ARGV[1] == '1'
local written = 0
for i = 1, #KEYS do
  local o = 2 + (i - 1) * 3
  local newer = force
  if not newer then
    local cur = redis.call('HMGET', KEYS[i], '${EVENT_FIELD}', '${CREATED_FIELD}')
    local curEvent = tonumber(cur[1])
    local event = tonumber(ARGV[o])
    newer = (curEvent == nil) or event > curEvent
      or (event == curEvent and tonumber(ARGV[o + 1]) > (tonumber(cur[2]) or -math.huge))
  end
  if newer then
    redis.call('HSET', KEYS[i], '${EVENT_FIELD}', ARGV[o], '${CREATED_FIELD}', ARGV[o + 1], '${VALUES_FIELD}', ARGV[o + 2])
    written = written + 1
  end
end
return written
`;
const CAS_SHA = createHash('sha1').update(CAS_SCRIPT).digest('hex');

/** Rows per script call: large enough to amortise the call, small enough not to block Redis for long. */
const SCRIPT_BATCH = 500;

async function runCas(redis: Redis, keys: string[], args: string[]): Promise<number> {
  try {
    return (await redis.evalsha(CAS_SHA, keys.length, ...keys, ...args)) as number;
  } catch (error) {
    // EVAL caches the script, so later calls take the EVALSHA path again (as ioredis' defineCommand does).
    if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
    return (await redis.eval(CAS_SCRIPT, keys.length, ...keys, ...args)) as number;
  }
}

/**
 * Writes encoded rows newer-wins (or unconditionally with `force`, for re-materialising after a
 * source correction that kept the timestamps). Batches run concurrently on one connection, which
 * ioredis pipelines; each batch is atomic, the whole call is not (nor needs to be: every hash is
 * decided on its own). Returns how many hashes changed.
 */
export async function writeEncoded(
  redis: Redis,
  rows: readonly EncodedRow[],
  options: { force?: boolean } = {},
): Promise<number> {
  const calls: Promise<number>[] = [];
  for (let from = 0; from < rows.length; from += SCRIPT_BATCH) {
    const batch = rows.slice(from, from + SCRIPT_BATCH);
    const args = [options.force ? '1' : '0'];
    for (const r of batch) args.push(String(r.event), String(r.created), r.values);
    calls.push(
      runCas(
        redis,
        batch.map((r) => r.key),
        args,
      ),
    );
  }
  let written = 0;
  for (const n of await Promise.all(calls)) written += n;
  return written;
}

/** Checks and encodes rows for `writeEncoded`: every feature of the view present, nothing unknown. */
export function encodeRows(store: OnlineStore, view: FeatureView, rows: readonly OnlineRow[]): EncodedRow[] {
  checkView(view);
  const features = view.features.map((f) => f.name);
  const encode = valuesEncoder(view);
  return rows.map((row, i) => {
    const parts = entityKeyParts(view, row.keys, i);
    checkTime(`row #${i} eventTimestamp`, row.eventTimestamp, 'BAD_FEATURE_ROW');
    checkTime(`row #${i} createdTimestamp`, row.createdTimestamp, 'BAD_FEATURE_ROW');
    const unknown = Object.keys(row.values).filter((f) => !features.includes(f));
    if (unknown.length > 0) resolveFeatures(view, unknown); // throws, listing the valid names
    // Own keys only: `in` would also find members every object inherits.
    const absent = features.filter((f) => !Object.hasOwn(row.values, f));
    if (absent.length > 0) {
      // One (event, created) pair covers the whole hash, so a partial row would pass off old values as new.
      throw new FeatureStoreError(
        `row #${i} of view "${view.name}" lacks ${absent.join(', ')}: write whole rows`,
        'BAD_FEATURE_ROW',
      );
    }
    return {
      key: hashKey(store, view, parts),
      event: row.eventTimestamp,
      created: row.createdTimestamp,
      values: encode(features.map((f) => row.values[f])),
    };
  });
}

/** Writes rows to the online store newer-wins (a push path next to `materialize`). Returns hashes changed. */
export async function writeOnline(
  store: OnlineStore,
  view: FeatureView,
  rows: readonly OnlineRow[],
  options: { force?: boolean } = {},
): Promise<number> {
  return writeEncoded(store.redis, encodeRows(store, view, rows), options);
}

export interface GetOnlineOptions {
  /** Default: every feature of the view. */
  features?: readonly string[];
  /** The read time in ms since epoch; the ttl is measured from it. */
  now: number;
}

/**
 * Reads features for many entities in one round trip (one HMGET per entity, pipelined). A value is
 * served when its event lies in [now - ttl, now], both ends inclusive, as offline.
 */
export async function getOnlineFeatures(
  store: OnlineStore,
  view: FeatureView,
  entityKeys: readonly EntityKeys[],
  options: GetOnlineOptions,
): Promise<OnlineFeatureRow[]> {
  checkView(view);
  const names = resolveFeatures(view, options.features);
  checkTime('now', options.now);
  const keys = entityKeys.map((k, i) => hashKey(store, view, entityKeyParts(view, k, i)));
  const fields = [EVENT_FIELD, CREATED_FIELD, VALUES_FIELD];
  let replies: (string | null)[][];
  if (keys.length === 1) {
    replies = [await store.redis.hmget(keys[0], ...fields)];
  } else {
    const pipeline = store.redis.pipeline();
    for (const key of keys) pipeline.hmget(key, ...fields);
    const results = (await pipeline.exec()) ?? [];
    replies = results.map(([error, reply]) => {
      if (error) throw error;
      return reply as (string | null)[];
    });
  }
  const numeric = numericFeatures(view);
  return replies.map((reply, i) => interpretReply(view, names, reply, options.now, entityKeys[i], numeric));
}

/** Pure: one HMGET reply ([@event, @created, @values]) to a row, applying the ttl at `now`. */
export function interpretReply(
  view: FeatureView,
  names: readonly string[],
  reply: readonly (string | null)[],
  now: number,
  keys: EntityKeys,
  numeric: ReadonlySet<string> = numericFeatures(view),
): OnlineFeatureRow {
  const row: OnlineFeatureRow = { keys, values: {}, eventTimestamps: {}, missing: {} };
  if (reply[0] === null) return missAll(row, names, 'not materialized');
  const event = Number(reply[0]);
  if (event > now) {
    // The store holds a value from after the read time (materialized past it); the older one is gone.
    return missAll(row, names, `future: event at ${iso(event)} is after now ${iso(now)}`);
  }
  if (view.ttlMs !== null && event < now - view.ttlMs) {
    const ttl = formatDuration(view.ttlMs);
    return missAll(row, names, `stale: event at ${iso(event)} older than ttl ${ttl} (now ${iso(now)})`);
  }
  // Hot path of a batch read: one JSON.parse, one pass (JSON never yields undefined, so it means absent).
  const stored: Record<string, FeatureValue> = reply[2] === null ? {} : JSON.parse(reply[2]);
  for (const f of names) {
    const v = stored[f];
    if (v === undefined) {
      row.missing[f] = 'not materialized'; // a feature added to the view after this hash was written
      continue;
    }
    row.values[f] = typeof v === 'string' && numeric.has(f) ? Number(v) : v;
    row.eventTimestamps[f] = event;
  }
  return row;
}

function missAll(row: OnlineFeatureRow, names: readonly string[], reason: string): OnlineFeatureRow {
  for (const f of names) row.missing[f] = reason;
  return row;
}

/** Every hash of a view under this store's prefix, as field -> text, sorted by key (tests, debugging). */
export async function dumpOnline(
  store: OnlineStore,
  view: FeatureView,
): Promise<Record<string, Record<string, string>>> {
  checkView(view);
  const prefix = store.key(`fs:${view.name}:`);
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await store.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  keys.sort();
  const pipeline = store.redis.pipeline();
  for (const k of keys) pipeline.hgetall(k);
  const results = (await pipeline.exec()) ?? [];
  const out: Record<string, Record<string, string>> = {};
  keys.forEach((k, i) => {
    out[k.slice(prefix.length)] = results[i][1] as Record<string, string>;
  });
  return out;
}
