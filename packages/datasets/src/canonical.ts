/**
 * Canonical JSON of a snapshot's definitions (feature views, column lists, transform versions): keys
 * sorted at every level, so the same definitions give the same bytes, and so the same snapshot id,
 * however the object was built. The idea of RFC 8785 (JSON Canonicalization Scheme) for objects made
 * of strings, finite numbers, booleans, null, arrays and plain objects; anything else is refused.
 */
import { DatasetError } from './errors.ts';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new DatasetError('bad-input', `definitions hold a non-finite number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  throw new DatasetError('bad-input', `definitions hold a ${typeof value} that JSON cannot carry exactly`);
}
