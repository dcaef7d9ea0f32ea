/**
 * The lab's production model: a logistic regression (@mlops-lab/training) on the payments features,
 * trained on the reference window. It exists so the lab has predictions to monitor and delayed
 * labels to score them against (Q4, Q26).
 *
 * Preprocessing is fitted once on the reference data and frozen, like a real serving pipeline:
 * log1p on skewed numerics, standardization with reference mean/std, nulls imputed with the
 * reference mean (0 after standardizing), one-hot for reference categories (unseen -> all zeros).
 * That freezing is what makes a unit change or a null flood hurt the model in the lab.
 */
import type { PaymentEvent } from '@mlops-lab/datagen';
import { type LogisticModel, predictLogistic, trainLogistic } from '@mlops-lab/training';

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

/** Scores at or above this are flagged as fraud; accuracy is measured at this threshold. */
export const DECISION_THRESHOLD = 0.5;

export interface Model {
  pre: Preprocessor;
  classifier: LogisticModel;
}

export function trainModel(events: PaymentEvent[]): Model {
  const pre = fitPreprocessor(events);
  const rows = events.map((e) => transform(pre, e, new Float64Array(pre.width)));
  const classifier = trainLogistic(
    rows,
    events.map((e) => e.label),
  );
  return { pre, classifier };
}

/** Fraud probability for each event, with the frozen preprocessing. */
export function score(model: Model, events: PaymentEvent[]): Float64Array {
  const x = new Float64Array(model.pre.width);
  const out = new Float64Array(events.length);
  events.forEach((e, i) => {
    out[i] = predictLogistic(model.classifier, transform(model.pre, e, x));
  });
  return out;
}
