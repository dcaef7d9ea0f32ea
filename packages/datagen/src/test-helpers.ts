/**
 * Small helpers shared by the tests: a window spec, shares and means over events, and ROC AUC by
 * ranks (Mann-Whitney U with average ranks for ties, as scikit-learn's roc_auc_score computes it).
 */
import type { PaymentEvent, WindowSpec } from './types.ts';
import type { NumericFeature } from './world.ts';

export const DAY_MS = 86_400_000;

export function spec(seed: number, size: number, drift?: WindowSpec['drift']): WindowSpec {
  return { seed, size, start: Date.UTC(2024, 0, 1), durationMs: DAY_MS, drift };
}

export function mean(events: PaymentEvent[], feature: NumericFeature): number {
  let sum = 0;
  for (const e of events) sum += e[feature] as number;
  return sum / events.length;
}

/** Population standard deviation. */
export function std(events: PaymentEvent[], feature: NumericFeature): number {
  const m = mean(events, feature);
  let sumSq = 0;
  for (const e of events) sumSq += ((e[feature] as number) - m) ** 2;
  return Math.sqrt(sumSq / events.length);
}

export function share(events: PaymentEvent[], pick: (e: PaymentEvent) => boolean): number {
  let k = 0;
  for (const e of events) if (pick(e)) k++;
  return k / events.length;
}

export function baseRate(events: PaymentEvent[]): number {
  return share(events, (e) => e.label === 1);
}

/** ROC AUC: the chance a random positive outscores a random negative (ties count one half). */
export function auc(scores: readonly number[], labels: readonly number[]): number {
  const order = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const ranks = new Float64Array(scores.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) {
      positives++;
      rankSum += ranks[i];
    }
  }
  const negatives = labels.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The event without its label: for "inputs are identical" comparisons. */
export function inputsOf(e: PaymentEvent): Omit<PaymentEvent, 'label'> {
  const { label: _label, ...rest } = e;
  return rest;
}
