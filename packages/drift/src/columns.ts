/**
 * Reading feature columns out of the data a monitor receives (Q26: input distributions), either as rows
 * (`Record<string, value>[]`) or column-oriented (`{ feature: values[] }`). Missing values (null,
 * undefined, a missing key, NaN in a numeric column) are counted, never guessed.
 */
import { DriftInputError } from './errors.ts';

export type FeatureType = 'numeric' | 'categorical';
export interface FeatureSpec {
  name: string;
  type: FeatureType;
}
export type Schema = readonly FeatureSpec[];
export type CellValue = number | string | boolean | null | undefined;
/**
 * A row: any object whose feature fields hold CellValues. Typed as `object` so interfaces (which have no
 * index signature) are accepted; values are checked at run time instead.
 */
export type Row = object;
export type Column = readonly CellValue[] | Float64Array;
/** Column-oriented batch: one equally long array per feature. */
export type Columns = Readonly<Record<string, Column>>;
export type Dataset = readonly Row[] | Columns;

export function rowCountOf(data: Dataset, schema: Schema): number {
  if (Array.isArray(data)) return data.length;
  let n = -1;
  for (const f of schema) {
    const col = (data as Columns)[f.name];
    if (col === undefined) continue;
    if (n >= 0 && col.length !== n) {
      throw new DriftInputError(`column "${f.name}" has ${col.length} values but an earlier column has ${n}`);
    }
    n = col.length;
  }
  return Math.max(n, 0);
}

function cell(data: Dataset, name: string, i: number): unknown {
  return Array.isArray(data)
    ? (data as readonly Record<string, unknown>[])[i][name]
    : (data as Columns)[name]?.[i];
}

export interface NumericColumn {
  /** Non-missing values in row order (a fresh buffer the caller may sort in place). */
  values: Float64Array;
  nullCount: number;
}

/** Numeric values of `name`; null/undefined/NaN are missing; anything else non-numeric is an error. */
export function numericColumn(data: Dataset, name: string, rowCount: number): NumericColumn {
  const col = Array.isArray(data) ? undefined : (data as Columns)[name];
  if (col instanceof Float64Array) {
    // Typed column: no per-cell type checks, just drop NaN (missing) and refuse infinities.
    const out = new Float64Array(col.length);
    let k = 0;
    for (let i = 0; i < col.length; i++) {
      const v = col[i];
      if (Number.isNaN(v)) continue;
      if (isInf(v)) throwNonFinite(name, i);
      out[k++] = v;
    }
    return { values: out.subarray(0, k), nullCount: col.length - k };
  }
  const out = new Float64Array(rowCount);
  let k = 0;
  for (let i = 0; i < rowCount; i++) {
    const v = cell(data, name, i);
    if (typeof v === 'number') {
      if (!Number.isNaN(v)) {
        if (isInf(v)) throwNonFinite(name, i);
        out[k++] = v;
      }
    } else if (v !== null && v !== undefined) {
      throw new DriftInputError(
        `feature "${name}" is numeric but row ${i} holds ${JSON.stringify(v)} (${typeof v}); ` +
          'fix the value or declare the feature categorical in the schema',
      );
    }
  }
  return { values: out.subarray(0, k), nullCount: rowCount - k };
}

function isInf(v: number): boolean {
  return v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY;
}

function throwNonFinite(name: string, row: number): never {
  throw new DriftInputError(
    `feature "${name}" has an infinite value at row ${row}; replace it with null (missing) or a finite value`,
  );
}

export interface CategoricalColumn {
  /** Category -> count over non-missing values, first-seen order. */
  counts: Map<string, number>;
  nullCount: number;
}

/** Category counts of `name`; null/undefined are missing (counted in nullCount, not as a category). */
export function categoricalColumn(data: Dataset, name: string, rowCount: number): CategoricalColumn {
  const counts = new Map<string, number>();
  let nullCount = 0;
  for (let i = 0; i < rowCount; i++) {
    const v = cell(data, name, i);
    if (v === null || v === undefined) {
      nullCount++;
      continue;
    }
    let key: string;
    if (typeof v === 'string') key = v;
    else if (typeof v === 'number' || typeof v === 'boolean') key = String(v);
    else {
      throw new DriftInputError(
        `feature "${name}" is categorical but row ${i} holds a ${typeof v}; use strings, numbers or booleans`,
      );
    }
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { counts, nullCount };
}
