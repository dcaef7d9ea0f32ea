/**
 * The feature vector both paths must agree on, and the fraud model that reads it (Q5). The model is
 * one artifact: its encoding, standardizer, weights, decision threshold and the version of the
 * feature artifact (scaler, fill value) its training set was computed with. Serving and the offline
 * recompute score with this same object, so any difference between their scores comes from the
 * feature values alone.
 *
 * Encoding follows what the payments world's fraud rule rewards (night, new device, far from home,
 * large amounts, risky categories, web): a logistic regression from @mlops-lab/training. It reads
 * the logged feature vector, not a payment: `amount_z` arrives standardized by the versioned feature
 * artifact (the value both paths compute and the skew detector compares), which is why this model
 * does not take the payments encoder's row; the encoder's amount transform is the one both paths
 * are meant to reproduce.
 */
import { CHANNELS, MERCHANT_CATEGORIES } from '@mlops-lab/datagen';
import {
  predictStandardized,
  type StandardizedLogistic,
  trainStandardizedLogistic,
} from '@mlops-lab/training';

/** What serving logs per request and what the offline pipeline computes per payment. */
export interface FeatureVector {
  hour_of_day: number | null;
  amount_z: number | null;
  distance_km: number | null;
  device_age_days: number | null;
  merchant_category: string | null;
  channel: string | null;
  txn_count_7d: number | null;
}

export type FeatureName = keyof FeatureVector;

export const FEATURES: { name: FeatureName; type: 'numeric' | 'categorical'; how: string }[] = [
  { name: 'hour_of_day', type: 'numeric', how: 'local hour of the payment: UTC timestamp + country offset' },
  {
    name: 'amount_z',
    type: 'numeric',
    how: "ln(amount), floored at a cent (the payments encoder's transform), standardized with the fitted scaler",
  },
  { name: 'distance_km', type: 'numeric', how: 'distance from home; missing -> training median' },
  { name: 'device_age_days', type: 'numeric', how: 'as recorded' },
  { name: 'merchant_category', type: 'categorical', how: 'as recorded' },
  { name: 'channel', type: 'categorical', how: 'as recorded' },
  { name: 'txn_count_7d', type: 'numeric', how: 'feature store: payments in the last 7 days' },
];

/** The fraud team reviews this share of payments: the threshold is that quantile of training scores. */
export const REVIEW_SHARE = 0.05;

export interface Model extends StandardizedLogistic {
  /** feature_artifacts.version the training set was computed with. */
  artifactVersion: number;
  threshold: number;
}

const NUMERIC_WIDTH = 7;
const WIDTH = NUMERIC_WIDTH + MERCHANT_CATEGORIES.length + CHANNELS.length;
const nan = (v: number | null) => (v === null || !Number.isFinite(v) ? Number.NaN : v);
const flag = (v: number | null, test: (x: number) => boolean) => (v === null ? Number.NaN : test(v) ? 1 : 0);

/** Feature vector -> model row; a missing value becomes NaN, which the standardizer maps to the mean. */
export function encode(v: FeatureVector): Float64Array {
  const row = new Float64Array(WIDTH);
  row[0] = flag(v.hour_of_day, (h) => h <= 5);
  row[1] = nan(v.amount_z);
  row[2] = flag(v.distance_km, (d) => d > 300);
  row[3] = v.distance_km === null ? Number.NaN : Math.log1p(Math.max(v.distance_km, 0));
  row[4] = flag(v.device_age_days, (d) => d < 7);
  row[5] = v.device_age_days === null ? Number.NaN : Math.log1p(Math.max(v.device_age_days, 0));
  row[6] = Math.log1p(Math.max(v.txn_count_7d ?? 0, 0));
  const m = MERCHANT_CATEGORIES.indexOf(v.merchant_category ?? '');
  if (m >= 0) row[NUMERIC_WIDTH + m] = 1;
  const c = CHANNELS.indexOf((v.channel ?? '') as (typeof CHANNELS)[number]);
  if (c >= 0) row[NUMERIC_WIDTH + MERCHANT_CATEGORIES.length + c] = 1;
  return row;
}

export function trainModel(vectors: FeatureVector[], labels: number[], artifactVersion: number): Model {
  const model: Model = {
    artifactVersion,
    ...trainStandardizedLogistic(vectors.map(encode), labels),
    threshold: 1,
  };
  const scores = vectors.map((v) => score(model, v)).sort((a, b) => a - b);
  model.threshold = scores[Math.floor((1 - REVIEW_SHARE) * scores.length)];
  return model;
}

export function score(model: Model, v: FeatureVector): number {
  return predictStandardized(model, encode(v));
}
