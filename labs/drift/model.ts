/**
 * The lab's production model: a logistic regression (@mlops-lab/training) on the payments encoder's
 * rows (@mlops-lab/payments), trained on the reference window. It exists so the lab has
 * predictions to monitor and delayed labels to score them against (Q4, Q26).
 *
 * The encoder's stats are fitted once on the reference data and frozen, like a real serving
 * pipeline: logs and standardization with reference mean/std, nulls imputed with the reference mean
 * (0 after standardizing), one-hot for reference categories (unseen -> all zeros). That freezing is
 * what makes a unit change or a null flood hurt the model in the lab.
 */
import type { PaymentEvent } from '@mlops-lab/datagen';
import { encodePayment, fitPaymentStats, type PaymentStats } from '@mlops-lab/payments';
import { type LogisticModel, predictLogistic, trainLogistic } from '@mlops-lab/training';

/** Scores at or above this are flagged as fraud; accuracy is measured at this threshold. */
export const DECISION_THRESHOLD = 0.5;

export interface Model {
  stats: PaymentStats;
  classifier: LogisticModel;
}

const row = (stats: PaymentStats, e: PaymentEvent) => Float64Array.from(encodePayment(e, stats));

export function trainModel(events: PaymentEvent[]): Model {
  const stats = fitPaymentStats(events);
  const classifier = trainLogistic(
    events.map((e) => row(stats, e)),
    events.map((e) => e.label),
  );
  return { stats, classifier };
}

/** Fraud probability for each event, with the frozen stats. */
export function score(model: Model, events: PaymentEvent[]): Float64Array {
  return Float64Array.from(events, (e) => predictLogistic(model.classifier, row(model.stats, e)));
}
