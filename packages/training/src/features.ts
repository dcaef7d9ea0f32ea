/**
 * Payment preprocessing shared by training and serving (Q5, Q16): one function turns an event into
 * the model's input vector, with statistics fitted on the training window and saved inside the model
 * artifact. Serving imports this same function and the saved stats, so the transform cannot drift
 * between the two (training-serving skew is a copy of this code that differs).
 * Reference: TFX Transform (fit on training data, replay the same graph at serving time).
 */
import type { PaymentEvent } from '@mlops-lab/datagen';

/** The inputs the model reads: the model-facing fields of a datagen payment. */
export type PaymentInput = Pick<
  PaymentEvent,
  'amount' | 'hourOfDay' | 'deviceAgeDays' | 'distanceKm' | 'merchantCategory' | 'channel'
>;

const NUMERIC = ['amount', 'deviceAgeDays', 'distanceKm'] as const;
type Numeric = (typeof NUMERIC)[number];

export interface PaymentStats {
  /** Bumped when the transform changes; a model is refused by a transform of another version. */
  transformVersion: 1;
  /** Mean / std of log-transformed numeric inputs over the training rows where they are present. */
  numeric: Record<Numeric, { mean: number; std: number }>;
  /** Category vocabularies seen in training, sorted; unseen or null values encode as all zeros. */
  merchantCategory: string[];
  channel: string[];
}

export const TRANSFORM_VERSION = 1;

/** Logs tame the heavy tails (amount, distance, device age), so a standardized linear term is meaningful. */
function logOf(feature: Numeric, value: number): number {
  return feature === 'amount' ? Math.log(Math.max(value, 0.01)) : Math.log1p(Math.max(value, 0));
}

export function fitPaymentStats(events: readonly PaymentInput[]): PaymentStats {
  if (events.length === 0) throw new Error('fitPaymentStats: no training rows');
  const numeric = {} as PaymentStats['numeric'];
  for (const f of NUMERIC) {
    let n = 0;
    let sum = 0;
    let sq = 0;
    for (const e of events) {
      const v = e[f];
      if (v === null) continue;
      const x = logOf(f, v);
      n++;
      sum += x;
      sq += x * x;
    }
    const mean = n > 0 ? sum / n : 0;
    const std = n > 1 ? Math.sqrt(Math.max(sq / n - mean * mean, 0)) : 1;
    numeric[f] = { mean, std: std > 1e-9 ? std : 1 };
  }
  const vocab = (key: 'merchantCategory' | 'channel') =>
    [...new Set(events.map((e) => e[key]).filter((v): v is string => v !== null))].sort();
  return {
    transformVersion: TRANSFORM_VERSION,
    numeric,
    merchantCategory: vocab('merchantCategory'),
    channel: vocab('channel'),
  };
}

/** Names of the vector's positions, in order (for reports and debugging skew). */
export function featureNames(stats: PaymentStats): string[] {
  return [
    ...NUMERIC.map((f) => `log_${f}`),
    'hour_sin',
    'hour_cos',
    'night',
    ...stats.merchantCategory.map((c) => `merchant=${c}`),
    ...stats.channel.map((c) => `channel=${c}`),
  ];
}

/** Event -> model input. Missing numerics become the training mean (0 after standardizing). */
export function preprocessPayment(event: PaymentInput, stats: PaymentStats): number[] {
  if (stats.transformVersion !== TRANSFORM_VERSION) {
    throw new Error(
      `preprocessPayment: stats of transform v${stats.transformVersion}, code is v${TRANSFORM_VERSION}`,
    );
  }
  const out: number[] = [];
  for (const f of NUMERIC) {
    const v = event[f];
    out.push(v === null ? 0 : (logOf(f, v) - stats.numeric[f].mean) / stats.numeric[f].std);
  }
  const h = event.hourOfDay;
  // The daily cycle is circular (23h is next to 0h); sin/cos keeps that, a night flag sharpens it.
  out.push(
    h === null ? 0 : Math.sin((2 * Math.PI * h) / 24),
    h === null ? 0 : Math.cos((2 * Math.PI * h) / 24),
  );
  out.push(h !== null && h >= 0 && h <= 5 ? 1 : 0);
  for (const c of stats.merchantCategory) out.push(event.merchantCategory === c ? 1 : 0);
  for (const c of stats.channel) out.push(event.channel === c ? 1 : 0);
  return out;
}
