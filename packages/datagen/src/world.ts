/**
 * The payments world as data: the feature catalogue, merchant categories (each with its own amount
 * distribution and channel mix), countries, the daily cycle, and the customer population. The
 * generator (payments.ts) samples from these tables; drift knobs (knobs.ts) reweight them.
 * Serves the data-drift and skew labs (Q4, Q5, Q27). Hand-written; the numbers are plausible shapes,
 * not fitted to any real dataset.
 */
import { createRng, mixSeed } from './rng.ts';

export type NumericFeature = 'amount' | 'hourOfDay' | 'deviceAgeDays' | 'distanceKm';
export type CategoricalFeature = 'merchantCategory' | 'channel' | 'country';
export type FeatureName = NumericFeature | CategoricalFeature;

export const PAYMENT_FEATURES: readonly {
  name: FeatureName;
  type: 'numeric' | 'categorical';
  description: string;
}[] = [
  {
    name: 'amount',
    type: 'numeric',
    description: 'Payment amount in dollars; log-normal, depends on category',
  },
  { name: 'hourOfDay', type: 'numeric', description: "Cardholder's local hour, integer 0..23 (daily cycle)" },
  { name: 'deviceAgeDays', type: 'numeric', description: 'Days since the paying device was first seen' },
  { name: 'distanceKm', type: 'numeric', description: "Distance from the cardholder's home, km (0.1 km)" },
  { name: 'merchantCategory', type: 'categorical', description: 'Merchant category, e.g. grocery, travel' },
  { name: 'channel', type: 'categorical', description: "Where the payment was made: 'web', 'app' or 'pos'" },
  { name: 'country', type: 'categorical', description: 'ISO country code where the payment happened' },
];

/** Numeric features in a fixed order; knobs and stats index arrays by this order. */
export const NUMERIC_FEATURES: readonly NumericFeature[] = [
  'amount',
  'hourOfDay',
  'deviceAgeDays',
  'distanceKm',
];
export const CATEGORICAL_FEATURES: readonly CategoricalFeature[] = ['merchantCategory', 'channel', 'country'];

export const CHANNELS = ['web', 'app', 'pos'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface CategoryProfile {
  /** Relative share of payments in the reference season. */
  weight: number;
  /** Median amount in dollars and log-scale spread of the log-normal. */
  medianAmount: number;
  amountSigma: number;
  /** Relative weights of web, app, pos (same order as CHANNELS). */
  channels: readonly [number, number, number];
}

/** Reference category mix. Fuel is nearly all at the pump, online retail never is. */
export const CATEGORY_PROFILES: Readonly<Record<string, CategoryProfile>> = {
  grocery: { weight: 24, medianAmount: 45, amountSigma: 0.6, channels: [10, 15, 75] },
  restaurants: { weight: 17, medianAmount: 32, amountSigma: 0.55, channels: [5, 25, 70] },
  online_retail: { weight: 15, medianAmount: 55, amountSigma: 0.9, channels: [55, 45, 0] },
  fuel: { weight: 11, medianAmount: 48, amountSigma: 0.35, channels: [2, 6, 92] },
  entertainment: { weight: 9, medianAmount: 28, amountSigma: 0.7, channels: [30, 40, 30] },
  health: { weight: 7, medianAmount: 70, amountSigma: 0.7, channels: [20, 20, 60] },
  electronics: { weight: 6, medianAmount: 220, amountSigma: 0.8, channels: [45, 20, 35] },
  utilities: { weight: 6, medianAmount: 90, amountSigma: 0.4, channels: [60, 35, 5] },
  travel: { weight: 5, medianAmount: 380, amountSigma: 0.7, channels: [60, 30, 10] },
};
export const MERCHANT_CATEGORIES: readonly string[] = Object.keys(CATEGORY_PROFILES);

/** Profile of a category injected by the `newCategory` knob: a middling, mostly online merchant. */
export const UNSEEN_CATEGORY_PROFILE: CategoryProfile = {
  weight: 0,
  medianAmount: 50,
  amountSigma: 0.8,
  channels: [40, 40, 20],
};

/** Home countries of the population, by share of customers. */
export const COUNTRIES: readonly { code: string; weight: number }[] = [
  { code: 'US', weight: 40 },
  { code: 'GB', weight: 12 },
  { code: 'DE', weight: 10 },
  { code: 'FR', weight: 8 },
  { code: 'CA', weight: 7 },
  { code: 'BR', weight: 6 },
  { code: 'IN', weight: 6 },
  { code: 'MX', weight: 4 },
  { code: 'JP', weight: 4 },
  { code: 'AU', weight: 3 },
];

/** Relative activity per local hour 0..23: quiet nights, a lunch bump, an evening peak. */
export const HOUR_PROFILE: readonly number[] = [
  1.6, 1.1, 0.8, 0.6, 0.6, 0.9, 1.6, 2.6, 3.6, 4.2, 4.8, 5.4, 6.2, 5.8, 5.2, 5.0, 5.2, 5.8, 6.4, 6.8, 6.0,
  4.8, 3.4, 2.2,
];

/** Distance from home: log-normal around a few km at home, around 2,500 km abroad. */
export const DISTANCE = { homeMedianKm: 6, homeSigma: 1.0, abroadMedianKm: 2500, abroadSigma: 0.6 } as const;

/** Extra chance of paying abroad for a travel purchase (bookings happen on the road). */
export const TRAVEL_ABROAD_BOOST = 0.3;

/** Device: a small share of payments come from a device first seen within the last two weeks. */
export const DEVICE = { newShare: 0.06, newMaxDays: 14, meanAgeDays: 420, jitterDays: 60 } as const;

/** Running sums of weights: inverse-CDF lookup with one uniform keeps the draw count fixed. */
export function cumulative(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    sum += weights[i];
    out[i] = sum;
  }
  return out;
}

/** First index whose running sum exceeds x (binary search; x in [0, total)). */
export function searchCumulative(cum: Float64Array, x: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The customers of one world. Their traits are drawn once from `worldSeed`, so every window of the
 * same world shares the same entities (needed for per-customer features and point-in-time joins).
 */
export interface Population {
  ids: readonly string[];
  /** Running sum of activity: a log-normal (sd 1.3 on the log scale), so a few customers dominate. */
  activityCum: Float64Array;
  /** Index into COUNTRIES. */
  home: Uint8Array;
  /** Chance that one of this customer's payments happens abroad. */
  abroadRate: Float64Array;
  /** Age in days of the customer's usual device. */
  deviceAgeDays: Float64Array;
}

export const DEFAULT_CUSTOMERS = 5000;
export const DEFAULT_WORLD_SEED = 1;

/** A few worlds are kept built; the oldest is dropped first so a sweep over seeds stays bounded. */
const populations = new Map<string, Population>();
const MAX_CACHED_POPULATIONS = 8;

export function buildPopulation(worldSeed: number, customers: number): Population {
  const key = `${worldSeed}:${customers}`;
  const cached = populations.get(key);
  if (cached) return cached;
  const rng = createRng(mixSeed('payments-population', worldSeed, customers));
  const countryWeights = COUNTRIES.map((c) => c.weight);
  const width = Math.max(5, String(customers - 1).length);
  const ids: string[] = new Array(customers);
  const activity: number[] = new Array(customers);
  const home = new Uint8Array(customers);
  const abroadRate = new Float64Array(customers);
  const deviceAgeDays = new Float64Array(customers);
  for (let i = 0; i < customers; i++) {
    ids[i] = `c_${String(i).padStart(width, '0')}`;
    activity[i] = Math.exp(1.3 * rng.normal());
    home[i] = rng.pick(countryWeights);
    const u = rng.next();
    abroadRate[i] = 0.01 + 0.12 * u * u; // most customers rarely leave home
    deviceAgeDays[i] = -DEVICE.meanAgeDays * Math.log(1 - rng.next());
  }
  const population: Population = { ids, activityCum: cumulative(activity), home, abroadRate, deviceAgeDays };
  if (populations.size >= MAX_CACHED_POPULATIONS) populations.delete(populations.keys().next().value!);
  populations.set(key, population);
  return population;
}
