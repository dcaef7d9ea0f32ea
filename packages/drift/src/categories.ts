/**
 * Categorical inputs as the tests accept them: a category -> count record or Map, or the raw column of
 * category values. Null/undefined values are counted as the category "<null>" so a missing-value flood
 * is visible to a categorical test rather than silently ignored (Q27).
 */
import { DriftInputError } from './errors.ts';

export type CategoryValue = string | number | boolean | null | undefined;
export type CategoricalInput =
  | Readonly<Record<string, number>>
  | ReadonlyMap<string, number>
  | readonly CategoryValue[];

/** The category name under which null and undefined are counted. */
export const NULL_CATEGORY = '<null>';

/** Category key of a raw value. */
export function categoryKey(v: CategoryValue): string {
  return v === null || v === undefined ? NULL_CATEGORY : String(v);
}

function checkCount(label: string, category: string, c: number): void {
  if (!(c >= 0) || !Number.isFinite(c)) {
    throw new DriftInputError(
      `${label}: count for category "${category}" is ${c}; counts must be finite and >= 0`,
    );
  }
}

/** Category -> count in first-seen order. */
export function toCounts(input: CategoricalInput, label: string): Map<string, number> {
  const out = new Map<string, number>();
  if (Array.isArray(input)) {
    for (const v of input as readonly CategoryValue[]) {
      const k = categoryKey(v);
      out.set(k, (out.get(k) ?? 0) + 1);
    }
    return out;
  }
  const entries = input instanceof Map ? input.entries() : Object.entries(input);
  for (const [k, c] of entries as Iterable<[string, number]>) {
    checkCount(label, k, c);
    out.set(k, (out.get(k) ?? 0) + c);
  }
  return out;
}

/** Union of categories: `a`'s order first, then those only in `b`. */
export function unionCategories(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): string[] {
  const keys = [...a.keys()];
  for (const k of b.keys()) if (!a.has(k)) keys.push(k);
  return keys;
}

/** Total count of a side; throws when it is 0 (nothing to compare). */
export function totalOf(counts: ReadonlyMap<string, number>, label: string): number {
  let t = 0;
  for (const c of counts.values()) t += c;
  if (!(t > 0)) {
    throw new DriftInputError(
      `${label} is empty (total count 0); a two-sample comparison needs data on both sides`,
    );
  }
  return t;
}
