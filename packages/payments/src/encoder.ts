/**
 * The payment encoder (Q5, Q16): the one function that turns a payment into a model's input vector,
 * with statistics fitted on the training window. Every payments model encodes with it: the TF.js
 * model of @mlops-lab/training saves the stats in its artifact and its loader replays them, the
 * in-process logistic models fit them on their own training rows. Training-serving skew is a second
 * copy of this code that differs; the skew lab keeps one on purpose, as its lesson.
 * Reference: TFX Transform (fit on training data, replay the same graph at serving time).
 */

/**
 * The fields the encoder reads: a datagen payment (nullable fields) or a request that passed the
 * PaymentRequest schema (no nulls; merchantCategory may be absent) both fit.
 */
export interface PaymentInput {
  amount: number | null;
  hourOfDay: number | null;
  deviceAgeDays: number | null;
  distanceKm: number | null;
  merchantCategory?: string | null;
  channel: string | null;
}

const NUMERIC = ['amount', 'deviceAgeDays', 'distanceKm'] as const;
type Numeric = (typeof NUMERIC)[number];

export interface PaymentStats {
  /** Bumped when the transform changes; a model is refused by a transform of another version. */
  transformVersion: 1;
  /** Mean / std of log-transformed numeric inputs over the training rows where they are present. */
  numeric: Record<Numeric, { mean: number; std: number }>;
  /** Category vocabularies seen in training, sorted; unseen or missing values encode as all zeros. */
  merchantCategory: string[];
  channel: string[];
}

/** Saved in every artifact's preprocessing.json: artifacts of version 1 load as long as this is 1. */
export const TRANSFORM_VERSION = 1;

/**
 * Logs tame the heavy tails, so a standardized linear term is meaningful. Amounts are log-normal and
 * at least a cent, so their log is taken as is (floored at a cent); device age and distance start at
 * 0, so they get log1p.
 */
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
    [...new Set(events.map((e) => e[key]).filter((v): v is string => typeof v === 'string'))].sort();
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

/** Payment -> model input. Missing numerics become the training mean (0 after standardizing). */
export function encodePayment(event: PaymentInput, stats: PaymentStats): number[] {
  if (stats.transformVersion !== TRANSFORM_VERSION) {
    throw new Error(
      `encodePayment: stats of transform v${stats.transformVersion}, code is v${TRANSFORM_VERSION}`,
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
