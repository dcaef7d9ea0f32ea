/**
 * Turns payments plus joined store features into model rows, trains the lab's logistic regression
 * and scores it. The payment's own fields go through the payments encoder (@mlops-lab/payments,
 * fitted on the training payments); the store features follow. The same featurization serves every
 * training set and production, so the only difference between the models is how their store
 * features were joined (Q7).
 */
import type { PaymentEvent } from '@mlops-lab/datagen';
import { encodePayment, featureNames, fitPaymentStats, type PaymentStats } from '@mlops-lab/payments';
import {
  predictStandardized,
  rocAuc,
  type StandardizedLogistic,
  trainStandardizedLogistic,
} from '@mlops-lab/training';
import { type FeatureSet, STORE_FEATURES } from './views.ts';

/** pg returns bigint columns as strings; missing values become NaN (imputed with the mean). */
const num = (v: unknown): number => (v === null || v === undefined ? Number.NaN : Number(v));

function featurize(stats: PaymentStats, p: PaymentEvent, store: Record<string, unknown>): Float64Array {
  return Float64Array.of(...encodePayment(p, stats), ...STORE_FEATURES.map((f) => num(store[f])));
}

export interface TrainedModel extends StandardizedLogistic {
  stats: PaymentStats;
}

export function train(payments: PaymentEvent[], features: FeatureSet): TrainedModel {
  const stats = fitPaymentStats(payments);
  const rows = payments.map((p, i) => featurize(stats, p, features[i]));
  // The whole row: the store features need scaling and their NaN imputing (the encoder's numerics
  // already are standardized on these payments, so for them this is the identity).
  const model = trainStandardizedLogistic(
    rows,
    payments.map((p) => p.label),
    { epochs: 200 },
  );
  return { stats, ...model };
}

export function auc(model: TrainedModel, payments: PaymentEvent[], features: FeatureSet): number {
  const scores = payments.map((p, i) => predictStandardized(model, featurize(model.stats, p, features[i])));
  const value = rocAuc(
    scores,
    payments.map((p) => p.label),
  );
  // evaluation's rocAuc is null when the set holds one class: a degenerate set is an error to
  // show, never a chance-level 0.5 that reads like a measurement.
  if (value === null)
    throw new Error(`AUC of ${payments.length} payments with a single class: the set is degenerate`);
  return value;
}

/** Weight of each store feature after standardization: where the model put its trust. */
export function storeWeights(model: TrainedModel): Record<string, number> {
  const offset = featureNames(model.stats).length;
  return Object.fromEntries(STORE_FEATURES.map((f, i) => [f, model.classifier.weights[offset + i]]));
}
