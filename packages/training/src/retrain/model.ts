/**
 * The model a scheduled run trains (Q14): logistic regression (`trainLogistic`, deterministic) on the
 * payments encoder's row plus the point-in-time customer aggregates, standardized with the training
 * rows' statistics. Its artifact is one JSON file, `model.json` (encoder stats, standardizer, weights),
 * so the same rows give the same content hash and a retried run re-registers the version it made.
 */
import { encodePayment, fitPaymentStats, type PaymentStats } from '@mlops-lab/payments';
import { predictLogistic, type Standardizer, standardize, trainStandardizedLogistic } from '../logistic.ts';
import { ACTIVITY_FEATURES, type FeedRow } from './data.ts';

export interface RetrainModel {
  stats: PaymentStats;
  standardizer: { means: number[]; stds: number[] };
  weights: number[];
  bias: number;
}

function rawRow(stats: PaymentStats, r: FeedRow): Float64Array {
  const a = r.activity;
  const activity = ACTIVITY_FEATURES.map((f) => {
    const v = a[f];
    if (v === null) return Number.NaN; // missing: the training mean after standardizing
    return f === 'avg_amount_7d' || f === 'txn_count_7d' ? Math.log1p(v) : v;
  });
  return Float64Array.from([...encodePayment(r, stats), ...activity]);
}

export function trainModel(rows: readonly FeedRow[], epochs: number): RetrainModel {
  const stats = fitPaymentStats(rows);
  const raw = rows.map((r) => rawRow(stats, r));
  const { standardizer: s, classifier: m } = trainStandardizedLogistic(
    raw,
    rows.map((r) => r.label),
    { epochs },
  );
  return {
    stats,
    standardizer: { means: [...s.means], stds: [...s.stds] },
    weights: [...m.weights],
    bias: m.bias,
  };
}

/**
 * A feed row as the model's input row (encoder plus aggregates, before standardizing): what a model
 * server's preprocess computes from a request that carries the aggregates.
 */
export function inputRow(model: RetrainModel, r: Omit<FeedRow, 'eventId' | 'week' | 'label'>): number[] {
  return Array.from(rawRow(model.stats, r as FeedRow));
}

/** Scores input rows (`inputRow`'s output): standardize with the training stats, then the weights. */
export function scoreInputRows(model: RetrainModel, rows: readonly (readonly number[])[]): Float64Array {
  const s: Standardizer = {
    means: Float64Array.from(model.standardizer.means),
    stds: Float64Array.from(model.standardizer.stds),
  };
  const m = { weights: Float64Array.from(model.weights), bias: model.bias };
  return Float64Array.from(rows, (row) => predictLogistic(m, standardize(s, Float64Array.from(row))));
}

export function scoreModel(model: RetrainModel, rows: readonly FeedRow[]): Float64Array {
  return scoreInputRows(
    model,
    rows.map((r) => inputRow(model, r)),
  );
}

export const MODEL_FILE = 'model.json';

export function modelFiles(model: RetrainModel): Record<string, Uint8Array> {
  return { [MODEL_FILE]: new TextEncoder().encode(JSON.stringify(model)) };
}

export function readModelArtifact(files: Record<string, Uint8Array>): RetrainModel {
  const bytes = files[MODEL_FILE];
  if (!bytes) throw new Error(`retrain: the artifact has no ${MODEL_FILE}`);
  return JSON.parse(new TextDecoder().decode(bytes)) as RetrainModel;
}
