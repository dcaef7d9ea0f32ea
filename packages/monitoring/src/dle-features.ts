/**
 * Logged feature records as dense rows for a small logistic model (Q28): the input side of
 * direct-loss estimation (dle.ts), and of any model fitted on the log's own records. Fitted on the
 * reference window only, so a live window is encoded as the reference would have encoded it.
 *
 * - numeric: sign(v) * log(1 + |v|) (amounts and distances are heavy-tailed; a linear model on the raw
 *   dollars would be led by a few large payments), then standardized; missing (null, non-finite)
 *   becomes the reference mean, as @mlops-lab/training's `standardize` does.
 * - categorical: one-hot over the values seen at least `minCount` times in the reference (the most
 *   frequent `maxCategories`); any other value, unseen ones included, is all zeros: the reference's
 *   "other", like scikit-learn's OneHotEncoder(handle_unknown='ignore').
 * - extra columns (e.g. the served score's logit) are appended by the caller and standardized alike.
 */
import type { Schema } from '@mlops-lab/drift';
import { fitStandardizer, type Standardizer, standardize } from '@mlops-lab/training/logistic';
import { MonitoringInputError } from './errors.ts';

/** Any record with the schema's features as properties (a logged `features` object, a PaymentEvent). */
export type FeatureRecord = object;
const get = (r: FeatureRecord, name: string) => (r as Record<string, unknown>)[name];

export interface RowEncoder {
  schema: Schema;
  /** Kept categories per categorical feature, in column order. */
  categories: Record<string, string[]>;
  extras: number;
  standardizer: Standardizer;
  width: number;
}

export interface EncoderOptions {
  /** A category needs this many reference rows to get its own column (default 5). */
  minCount?: number;
  /** At most this many columns per categorical feature (default 30). */
  maxCategories?: number;
}

const signedLog = (v: number) => Math.sign(v) * Math.log1p(Math.abs(v));

function numeric(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? signedLog(v) : Number.NaN;
}

function rawRow(
  enc: Pick<RowEncoder, 'schema' | 'categories' | 'extras'>,
  width: number,
  features: FeatureRecord,
  extra: readonly number[],
): Float64Array {
  if (extra.length !== enc.extras)
    throw new MonitoringInputError(`encoder: expected ${enc.extras} extra columns, got ${extra.length}`);
  const row = new Float64Array(width);
  let j = 0;
  for (const f of enc.schema) {
    const v = get(features, f.name);
    if (f.type === 'numeric') row[j++] = numeric(v);
    else {
      const kept = enc.categories[f.name];
      const at = v === null || v === undefined ? -1 : kept.indexOf(String(v));
      if (at >= 0) row[j + at] = 1;
      j += kept.length;
    }
  }
  for (const x of extra) row[j++] = x;
  return row;
}

/** Fits the encoding on reference records (and, per row, the caller's extra columns). */
export function fitRowEncoder(
  rows: readonly FeatureRecord[],
  schema: Schema,
  extras: readonly (readonly number[])[] = [],
  { minCount = 5, maxCategories = 30 }: EncoderOptions = {},
): RowEncoder {
  if (rows.length === 0) throw new MonitoringInputError('encoder: no reference rows');
  if (schema.length === 0) throw new MonitoringInputError('encoder: the schema has no features');
  if (extras.length !== 0 && extras.length !== rows.length)
    throw new MonitoringInputError(`encoder: ${rows.length} rows but ${extras.length} rows of extras`);
  const categories: Record<string, string[]> = {};
  let width = 0;
  for (const f of schema) {
    if (f.type === 'numeric') {
      width++;
      continue;
    }
    const counts = new Map<string, number>();
    for (const r of rows) {
      const v = get(r, f.name);
      if (v !== null && v !== undefined) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
    }
    // Most frequent first, ties by name, so the columns do not depend on row order.
    categories[f.name] = [...counts]
      .filter(([, c]) => c >= minCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, maxCategories)
      .map(([v]) => v);
    width += categories[f.name].length;
  }
  const extraCount = extras[0]?.length ?? 0;
  width += extraCount;
  const partial = { schema, categories, extras: extraCount };
  const raw = rows.map((r, i) => rawRow(partial, width, r, extras[i] ?? []));
  return { ...partial, standardizer: fitStandardizer(raw), width };
}

/** One record as the reference encoding sees it. */
export function encodeRow(
  enc: RowEncoder,
  features: FeatureRecord,
  extra: readonly number[] = [],
): Float64Array {
  return standardize(enc.standardizer, rawRow(enc, enc.width, features, extra));
}
