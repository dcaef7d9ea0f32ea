/**
 * Turns payments plus joined store features into model rows, trains the lab's logistic regression
 * and scores it. The same featurization serves every training set and production, so the only
 * difference between the models is how their store features were joined (Q7).
 */
import type { PaymentEvent } from '@mlops-lab/datagen';
import {
  fitStandardizer,
  type LogisticModel,
  predictLogistic,
  rocAuc,
  type Standardizer,
  standardize,
  trainLogistic,
} from '@mlops-lab/training';
import { type FeatureSet, STORE_FEATURES } from './views.ts';

/** pg returns bigint columns as strings; missing values become NaN (imputed with the mean). */
const num = (v: unknown): number => (v === null || v === undefined ? Number.NaN : Number(v));
const log1p = (v: number | null) => (v === null ? Number.NaN : Math.log1p(Math.max(v, 0)));

function featurize(p: PaymentEvent, store: Record<string, unknown>): Float64Array {
  return Float64Array.of(
    log1p(p.amount),
    p.hourOfDay === null ? Number.NaN : Math.abs(((p.hourOfDay + 10) % 24) - 12),
    log1p(p.deviceAgeDays),
    log1p(p.distanceKm),
    ...STORE_FEATURES.map((f) => num(store[f])),
  );
}

export interface TrainedModel {
  standardizer: Standardizer;
  classifier: LogisticModel;
}

export function train(payments: PaymentEvent[], features: FeatureSet): TrainedModel {
  const rows = payments.map((p, i) => featurize(p, features[i]));
  const standardizer = fitStandardizer(rows);
  const classifier = trainLogistic(
    rows.map((r) => standardize(standardizer, r)),
    payments.map((p) => p.label),
    { epochs: 200 },
  );
  return { standardizer, classifier };
}

export function auc(model: TrainedModel, payments: PaymentEvent[], features: FeatureSet): number {
  const scores = payments.map((p, i) =>
    predictLogistic(model.classifier, standardize(model.standardizer, featurize(p, features[i]))),
  );
  return (
    rocAuc(
      scores,
      payments.map((p) => p.label),
    ) ?? 0.5
  );
}

/** Weight of each store feature after standardization: where the model put its trust. */
export function storeWeights(model: TrainedModel): Record<string, number> {
  const offset = 4;
  return Object.fromEntries(STORE_FEATURES.map((f, i) => [f, model.classifier.weights[offset + i]]));
}
