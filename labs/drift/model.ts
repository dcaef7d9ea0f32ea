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
import {
  fitStandardizer,
  type LogisticModel,
  predictLogistic,
  type Standardizer,
  standardize,
  trainLogistic,
} from '@mlops-lab/training';

const NUMERIC = ['amount', 'hourOfDay', 'deviceAgeDays', 'distanceKm'] as const;
const CATEGORICAL = ['merchantCategory', 'channel'] as const;

type Numeric = (typeof NUMERIC)[number];
/** Reused by `transform`, which runs once per served event. */
const numericScratch = new Float64Array(NUMERIC.length);

/** Raw numeric transform: hour enters as "night-ness" (distance from 14:00), the rest as log1p. */
function rawNumeric(event: PaymentEvent, name: Numeric): number | null {
  const value = event[name];
  if (value === null || !Number.isFinite(value)) return null;
  if (name === 'hourOfDay') return Math.abs(((value + 10) % 24) - 12);
  return Math.log1p(Math.max(value, 0));
}

export interface Preprocessor {
  numeric: Standardizer;
  categories: Record<string, string[]>;
  width: number;
}

/** The numeric inputs after the raw transform, NaN where missing (the standardizer's convention). */
function rawNumerics(event: PaymentEvent, out = new Float64Array(NUMERIC.length)): Float64Array {
  NUMERIC.forEach((name, i) => {
    out[i] = rawNumeric(event, name) ?? Number.NaN;
  });
  return out;
}

export function fitPreprocessor(events: PaymentEvent[]): Preprocessor {
  const numeric = fitStandardizer(events.map((e) => rawNumerics(e)));
  const categories: Record<string, string[]> = {};
  for (const name of CATEGORICAL) {
    const seen = new Set<string>();
    for (const e of events) if (e[name] !== null) seen.add(e[name] as string);
    categories[name] = [...seen].sort();
  }
  const width = NUMERIC.length + CATEGORICAL.reduce((w, c) => w + categories[c].length, 0);
  return { numeric, categories, width };
}

/** One event -> feature vector (written into `out` to avoid an allocation per row). */
export function transform(pre: Preprocessor, event: PaymentEvent, out: Float64Array): Float64Array {
  out.fill(0);
  out.set(standardize(pre.numeric, rawNumerics(event, numericScratch)));
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
