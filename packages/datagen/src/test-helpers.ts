/**
 * Small helpers shared by the tests: a window spec, shares and means over events. (AUC is
 * @mlops-lab/evaluation's, which sits above datagen: the v1 -> v2 AUC test lives there.)
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

/** The event without its label: for "inputs are identical" comparisons. */
export function inputsOf(e: PaymentEvent): Omit<PaymentEvent, 'label'> {
  const { label: _label, ...rest } = e;
  return rest;
}
