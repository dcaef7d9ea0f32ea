/**
 * Key layout and value encoding of the online store (Q8), and the input checks every online call
 * runs before touching Redis. Feast Redis online store, with an encoding that cannot collide and
 * timestamps kept to the millisecond.
 *
 * Layout: one Redis hash per (feature view, entity) at `<prefix>fs:<view>:<entity>`, where
 * `<entity>` is the JSON array of the join-key values as text, in the view's join-key order:
 * `["a:b","c"]` and `["a","b:c"]` stay distinct where `a:b:c` would not. Values are compared as
 * text because that is how Postgres hands them over (`::text`), so 42 and '42' name one entity.
 * Fields: `@event` and `@created` (ms since epoch) and `@values`, the features as one compact JSON
 * object. All features of a view come from one source row, so one pair of timestamps per hash is
 * exact, and one packed field instead of one per feature halves the Redis time of a compare-and-set
 * write (3 fields to set instead of 12, measured in bench/online.ts) and of a batch read. Named
 * fields keep a hash written before a feature was added readable: that feature is "not
 * materialized". Feast keeps seconds in `_ts:<view>` and hashes field names; here
 * `redis-cli HGETALL` stays readable.
 */
import type { Redis } from 'ioredis';
import { FeatureStoreError } from './errors.ts';
import type { FeatureValue, FeatureView } from './types.ts';
import { type EntityKeys, MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS } from './validate.ts';

/** Where online values live: a Redis client and the key prefix of this run (`services` fits). */
export interface OnlineStore {
  redis: Redis;
  key(name: string): string;
}

// Views are checked by definitions.ts checkView, as offline: plain SQL identifiers, so no ':' to
// confuse the key layout and no '@' to shadow these fields; cached for defined views (serving path).
export const EVENT_FIELD = '@event';
export const CREATED_FIELD = '@created';

/**
 * The requested features (`name` or `view:name`) as bare names, or all of the view's; unknown names
 * fail with the list of valid ones.
 */
export function resolveFeatures(view: FeatureView, features?: readonly string[]): string[] {
  const valid = view.features.map((f) => f.name);
  if (features === undefined) return valid;
  const bare = features.map((f) => (f.startsWith(`${view.name}:`) ? f.slice(view.name.length + 1) : f));
  const unknown = features.filter((_, i) => !valid.includes(bare[i]));
  if (unknown.length > 0) {
    throw new FeatureStoreError(
      `unknown feature${unknown.length > 1 ? 's' : ''} ${unknown.map((f) => `"${f}"`).join(', ')} ` +
        `in view "${view.name}"; valid: ${valid.join(', ')}`,
      'UNKNOWN_FEATURE',
    );
  }
  if (features.length === 0) throw new FeatureStoreError(`no features requested from view "${view.name}"`);
  return [...new Set(bare)];
}

/** The join-key values as text, in join-key order; a missing or unusable value is an error. */
export function entityKeyParts(view: FeatureView, keys: EntityKeys, index?: number): string[] {
  const where = index === undefined ? '' : ` #${index}`;
  if (keys === null || typeof keys !== 'object') {
    throw new FeatureStoreError(
      `entity key${where} must be an object of ${view.entity.joinKeys.join(', ')}`,
      'BAD_ENTITY_ROW',
    );
  }
  return view.entity.joinKeys.map((k) => {
    const v = keys[k];
    if (v === undefined || v === null) {
      throw new FeatureStoreError(
        `entity key${where} ${JSON.stringify(keys)} has no value for join key "${k}" of view "${view.name}" ` +
          `(needs ${view.entity.joinKeys.join(', ')})`,
        'BAD_ENTITY_ROW',
      );
    }
    if (typeof v === 'string') return v;
    // String(1e21) is '1e+21' where Postgres prints digits: the two would name different entities.
    if (typeof v === 'number' && Number.isFinite(v) && (!Number.isInteger(v) || Number.isSafeInteger(v))) {
      return String(v);
    }
    throw new FeatureStoreError(
      `entity key${where}: join key "${k}" is ${String(v)}; use a string or a finite number (safe integer)`,
      'BAD_ENTITY_ROW',
    );
  });
}

/** JSON of the text parts: injective, so composite keys never collide. */
export function encodeEntityKey(parts: readonly string[]): string {
  return JSON.stringify(parts);
}

export function hashKey(store: OnlineStore, view: FeatureView, parts: readonly string[]): string {
  return store.key(`fs:${view.name}:${encodeEntityKey(parts)}`);
}

export const VALUES_FIELD = '@values';

/** The key part of each feature in `@values`: `{"name":` for the first, `,"name":` after it. */
export function valuesHeads(view: FeatureView): string[] {
  return view.features.map((f, j) => `${j === 0 ? '{' : ','}${JSON.stringify(f.name)}:`);
}

/**
 * The view's features as one compact JSON object, for rows written from Node (`writeOnline`);
 * materialization splices Postgres' text into the same layout (`valuesFromRow`). JSON has no NaN or
 * Infinity, so non-finite numbers are written as strings and read back as numbers by the
 * feature's declared type.
 */
export function valuesEncoder(view: FeatureView): (values: readonly (FeatureValue | undefined)[]) => string {
  const heads = valuesHeads(view);
  return (values) => {
    let out = '';
    for (let j = 0; j < heads.length; j++) {
      const v = values[j];
      out += heads[j];
      if (v === null || v === undefined) out += 'null';
      else if (typeof v === 'number') out += Number.isFinite(v) ? String(v) : `"${v}"`;
      else out += JSON.stringify(v);
    }
    return `${out}}`;
  };
}

export function numericFeatures(view: FeatureView): Set<string> {
  return new Set(view.features.filter((f) => f.type !== 'string').map((f) => f.name));
}

/** `90s`, `15m`, `2h`, `7d`, else milliseconds: for messages. */
export function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms} ms`;
}

export function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

/** A time in ms since epoch within years 1-9999 (what timestamptz and Date both hold), else a typed error. */
export function checkTime(
  name: string,
  ms: number,
  code: 'INVALID_INPUT' | 'BAD_FEATURE_ROW' = 'INVALID_INPUT',
): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new FeatureStoreError(`${name} must be a finite time in ms since epoch, got ${String(ms)}`, code);
  }
  if (ms < MIN_TIMESTAMP_MS || ms > MAX_TIMESTAMP_MS) {
    throw new FeatureStoreError(`${name} = ${ms} is outside years 1-9999`, code);
  }
}
