/**
 * The lab's production model: a logistic regression on the payments features, trained on the
 * reference window by full-batch gradient descent. It exists so the lab has predictions to monitor
 * and delayed labels to score them against (Q4, Q26); the training package replaces it later.
 *
 * Preprocessing is fitted once on the reference data and frozen, like a real serving pipeline:
 * log1p on skewed numerics, standardization with reference mean/std, nulls imputed with the
 * reference mean (0 after standardizing), one-hot for reference categories (unseen -> all zeros).
 * That freezing is what makes a unit change or a null flood hurt the model in the lab.
 */
import type { PaymentEvent } from '@mlops-lab/datagen';

const NUMERIC = ['amount', 'hourOfDay', 'deviceAgeDays', 'distanceKm'] as const;
const CATEGORICAL = ['merchantCategory', 'channel'] as const;

type Numeric = (typeof NUMERIC)[number];

/** Raw numeric transform: hour enters as "night-ness" (distance from 14:00), the rest as log1p. */
function rawNumeric(event: PaymentEvent, name: Numeric): number | null {
  const value = event[name];
  if (value === null || !Number.isFinite(value)) return null;
  if (name === 'hourOfDay') return Math.abs(((value + 10) % 24) - 12);
  return Math.log1p(Math.max(value, 0));
}

export interface Preprocessor {
  means: number[];
  stds: number[];
  categories: Record<string, string[]>;
  width: number;
}

export function fitPreprocessor(events: PaymentEvent[]): Preprocessor {
  const means: number[] = [];
  const stds: number[] = [];
  for (const name of NUMERIC) {
    let sum = 0;
    let sumSq = 0;
    let n = 0;
    for (const e of events) {
      const x = rawNumeric(e, name);
      if (x === null) continue;
      sum += x;
      sumSq += x * x;
      n++;
    }
    const mean = n > 0 ? sum / n : 0;
    const variance = n > 1 ? (sumSq - n * mean * mean) / (n - 1) : 0;
    means.push(mean);
    stds.push(variance > 0 ? Math.sqrt(variance) : 1);
  }
  const categories: Record<string, string[]> = {};
  for (const name of CATEGORICAL) {
    const seen = new Set<string>();
    for (const e of events) if (e[name] !== null) seen.add(e[name] as string);
    categories[name] = [...seen].sort();
  }
  const width = NUMERIC.length + CATEGORICAL.reduce((w, c) => w + categories[c].length, 0);
  return { means, stds, categories, width };
}

/** One event -> feature vector (written into `out` to avoid an allocation per row). */
export function transform(pre: Preprocessor, event: PaymentEvent, out: Float64Array): Float64Array {
  out.fill(0);
  NUMERIC.forEach((name, i) => {
    const x = rawNumeric(event, name);
    out[i] = x === null ? 0 : (x - pre.means[i]) / pre.stds[i];
  });
  let offset = NUMERIC.length;
  for (const name of CATEGORICAL) {
    const values = pre.categories[name];
    const at = event[name] === null ? -1 : values.indexOf(event[name] as string);
    if (at >= 0) out[offset + at] = 1;
    offset += values.length;
  }
  return out;
}

export interface Model {
  pre: Preprocessor;
  weights: Float64Array;
  bias: number;
  threshold: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Full-batch gradient descent with a little L2; deterministic (no shuffling, zero init). */
export function trainModel(events: PaymentEvent[], epochs = 300, learningRate = 0.5): Model {
  const pre = fitPreprocessor(events);
  const rows = events.map((e) => transform(pre, e, new Float64Array(pre.width)));
  const weights = new Float64Array(pre.width);
  const grad = new Float64Array(pre.width);
  let bias = 0;
  const l2 = 1e-4;
  for (let epoch = 0; epoch < epochs; epoch++) {
    grad.fill(0);
    let gradBias = 0;
    for (let r = 0; r < rows.length; r++) {
      const x = rows[r];
      let z = bias;
      for (let j = 0; j < x.length; j++) z += weights[j] * x[j];
      const err = sigmoid(z) - events[r].label;
      for (let j = 0; j < x.length; j++) grad[j] += err * x[j];
      gradBias += err;
    }
    for (let j = 0; j < weights.length; j++) {
      weights[j] -= learningRate * (grad[j] / rows.length + l2 * weights[j]);
    }
    bias -= (learningRate * gradBias) / rows.length;
  }
  return { pre, weights, bias, threshold: 0.5 };
}

/** Fraud probability for each event, with the frozen preprocessing. */
export function score(model: Model, events: PaymentEvent[]): Float64Array {
  const x = new Float64Array(model.pre.width);
  const out = new Float64Array(events.length);
  events.forEach((e, i) => {
    transform(model.pre, e, x);
    let z = model.bias;
    for (let j = 0; j < x.length; j++) z += model.weights[j] * x[j];
    out[i] = sigmoid(z);
  });
  return out;
}

/**
 * ROC AUC by the rank-sum (Mann-Whitney U) identity with average ranks for tied scores,
 * the same value as sklearn.metrics.roc_auc_score. NaN-free: one class only -> null.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSumPositives = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        rankSumPositives += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}
