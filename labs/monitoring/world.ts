/**
 * The monitoring lab's world (Q26, Q28): a reference week the model is trained and calibrated on, then
 * live weeks in three phases. steady: like the reference. covariate: the holiday season moves amounts
 * and the merchant mix, and the labels follow the inputs (P(y | x) unchanged), where a label-free
 * estimate should hold. concept: fraudsters change tactics (label rule v2), the inputs do not move,
 * and only labels can tell. Pure data and the model; serving happens in serve.ts.
 */
import { type DriftKnobs, generatePayments, mixSeed, type PaymentEvent } from '@mlops-lab/datagen';
import type { ServingModel } from '@mlops-lab/model-server';
import { fromLoadedModel } from '@mlops-lab/model-server';
import { encodePayment, fitPaymentStats, PaymentRequest, paymentBody } from '@mlops-lab/payments';
import { predictLogistic, trainLogistic } from '@mlops-lab/training';

export const DAY = 86_400_000;
export const WEEK = 7 * DAY;
/** Monday 2026-01-05: the reference week; live week i starts at START + (i + 1) weeks. */
export const START = Date.UTC(2026, 0, 5);
/** Labels (chargebacks) land this long after the end of the week of the payment. */
export const LABEL_DELAY = 2 * WEEK;

export type Phase = 'steady' | 'covariate' | 'concept';

export interface LiveWeek {
  index: number;
  phase: Phase;
  start: number;
  drift: DriftKnobs;
}

export interface World {
  referenceSize: number;
  weekSize: number;
  weeks: LiveWeek[];
}

const PHASES: Record<Phase, (k: number) => DriftKnobs> = {
  steady: () => ({}),
  covariate: (k) => ({ season: [0.3, 0.5, 0.5, 0.5][k] }),
  concept: () => ({ labelRule: 'v2' }),
};

export function buildWorld(quick: boolean): World {
  const per: Record<Phase, number> = quick
    ? { steady: 3, covariate: 3, concept: 2 }
    : { steady: 3, covariate: 4, concept: 3 };
  const weeks: LiveWeek[] = [];
  for (const phase of ['steady', 'covariate', 'concept'] as Phase[]) {
    for (let k = 0; k < per[phase]; k++) {
      const index = weeks.length;
      weeks.push({ index, phase, start: START + (index + 1) * WEEK, drift: PHASES[phase](k) });
    }
  }
  return { referenceSize: quick ? 5000 : 15000, weekSize: quick ? 1000 : 3000, weeks };
}

export function referenceEvents(world: World, seed: number, part: 'train' | 'holdout'): PaymentEvent[] {
  return generatePayments({
    seed: mixSeed(seed, 'reference', part),
    size: world.referenceSize,
    start: START,
    durationMs: WEEK,
  });
}

export function weekEvents(
  week: LiveWeek,
  world: World,
  seed: number,
  extra: DriftKnobs = {},
): PaymentEvent[] {
  return generatePayments({
    seed: mixSeed(seed, 'week', week.index),
    size: world.weekSize,
    start: week.start,
    durationMs: WEEK,
    drift: { ...week.drift, ...extra },
  });
}

/** A logistic model on the payments encoder, fitted on the reference week, served as a ServingModel. */
export function trainModel(events: PaymentEvent[]): ServingModel {
  const stats = fitPaymentStats(events);
  const model = trainLogistic(
    events.map((e) => Float64Array.from(encodePayment(e, stats))),
    events.map((e) => e.label),
  );
  const samples = events.slice(0, 32).map(paymentBody);
  return fromLoadedModel({
    name: 'fraud-monitored',
    version: 'v1',
    inputSchema: PaymentRequest,
    preprocess: (input) => encodePayment(input, stats),
    predict: async (rows) => Float32Array.from(rows, (x) => predictLogistic(model, Float64Array.from(x))),
    sampleInput: (i) => samples[i % samples.length],
  });
}
