/**
 * Turning caller samples into sorted Float64Arrays: the one preparation step every numeric test shares.
 * Copy + sort is most of the cost of a two-sample KS test (Q27), so this file does nothing per element
 * beyond it: the sort is sort.ts's radix sort, in the typed sort's order, and NaN detection relies on
 * that order putting NaN last.
 */
import { DriftInputError } from './errors.ts';
import { sortedFloat64, sortFloat64 } from './sort.ts';

/** A numeric sample as callers hold it. */
export type NumericInput = readonly number[] | Float64Array;

/** What to do with NaN: refuse with the index (default), or drop it like a missing value. */
export type NanPolicy = 'error' | 'drop';

function firstNaNIndex(values: NumericInput): number {
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) return i;
  return -1;
}

/**
 * Sorted copy of `values` (the caller's array is never reordered). Throws DriftInputError on an empty
 * sample, and on NaN unless `nan === 'drop'`. `label` names the sample in messages ("a", "reference").
 */
export function sortedCopy(values: NumericInput, label: string, nan: NanPolicy = 'error'): Float64Array {
  const out = values instanceof Float64Array ? sortedFloat64(values) : sortFloat64(new Float64Array(values));
  let end = out.length;
  if (end > 0 && Number.isNaN(out[end - 1])) {
    if (nan === 'error') {
      throw new DriftInputError(
        `sample ${label} has NaN at index ${firstNaNIndex(values)}; ` +
          "clean it, or pass { nan: 'drop' } to treat NaN as missing",
      );
    }
    // NaNs form a suffix after the sort: find where it starts by bisection.
    let lo = 0;
    let hi = end - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Number.isNaN(out[mid])) hi = mid;
      else lo = mid + 1;
    }
    end = lo;
  }
  if (end === 0) {
    const why = out.length === 0 ? 'is empty' : 'has only NaN values';
    throw new DriftInputError(`sample ${label} ${why}; a two-sample test needs at least one value per side`);
  }
  return end === out.length ? out : out.subarray(0, end);
}

/** Throws unless a sorted sample is free of NaN and ±Infinity (distances need finite values). */
export function assertFiniteSorted(sorted: Float64Array, label: string): void {
  const n = sorted.length;
  if (n === 0) throw new DriftInputError(`sample ${label} is empty`);
  if (!Number.isFinite(sorted[0]) || !Number.isFinite(sorted[n - 1])) {
    throw new DriftInputError(
      `sample ${label} contains a non-finite value (${sorted[0]} .. ${sorted[n - 1]}); ` +
        'distances are defined on finite values only: filter or clip them first',
    );
  }
}
