/**
 * The public shapes of the payments world: one event, the label rules, the drift knobs and a window
 * spec. Knobs are split by what they model (Q4 data vs concept drift, Q5 skew as a pipeline bug),
 * because that decides whether the label follows the changed inputs (see payments.ts).
 */
import type { CategoricalFeature, FeatureName, NumericFeature } from './world.ts';

export type { CategoricalFeature, FeatureName, NumericFeature };

export interface PaymentEvent {
  /** Unique and deterministic: `e_<window tag>_<index in time order>`; equal across knob settings. */
  eventId: string;
  /** Entity id such as 'c_00042', from the world's fixed population; a few customers are very active. */
  customerId: string;
  /** ms since epoch, integer, inside [start, start + durationMs); events are sorted by it. */
  timestamp: number;
  /** Dollars (cents precision), log-normal per merchant category. */
  amount: number | null;
  /**
   * Cardholder's local hour, integer 0..23, from the daily cycle. Drawn on its own rather than read off
   * `timestamp`, so a window of any length (an hour, a day) sees the same hour distribution.
   */
  hourOfDay: number | null;
  /** Integer days since the paying device was first seen; a few percent are brand-new devices. */
  deviceAgeDays: number | null;
  /** km from the cardholder's home, 0.1 km precision; bimodal (at home vs abroad). */
  distanceKm: number | null;
  merchantCategory: string | null;
  /** 'web' | 'app' | 'pos' */
  channel: string | null;
  /** ISO country code where the payment happened (mostly the cardholder's home country). */
  country: string | null;
  /** Fraud: Bernoulli(fraudProbability(true inputs, rule)). */
  label: 0 | 1;
}

/** v1: the reference fraud pattern; v2: a different pattern over the same inputs (concept drift). */
export type LabelRule = 'v1' | 'v2';

export interface DriftKnobs {
  /** Data drift: shift a numeric feature's mean by this many of its reference standard deviations. */
  numericShift?: Partial<Record<NumericFeature, number>>;
  /** Data drift: override relative weights of merchant categories (unlisted keep their weight). */
  categoryMix?: Partial<Record<string, number>>;
  /** Data drift: a category never seen before takes this share of merchantCategory. */
  newCategory?: { value: string; share: number };
  /** Data quality: fraction of rows whose feature is null. */
  nullFlood?: Partial<Record<FeatureName, number>>;
  /** Data drift by a pipeline bug: a numeric feature multiplied (e.g. amount in cents: factor 100). */
  unitChange?: { feature: NumericFeature; factor: number };
  /** Concept drift: the label rule changes while the inputs are unchanged. */
  labelRule?: LabelRule;
  /** Seasonality: phase in [0, 1) of a yearly cycle; 0 is the reference season. Moves amount up and the
   *  category mix toward travel / online_retail around 0.5 (holiday season), smoothly. */
  season?: number;
}

export interface WindowSpec {
  seed: number;
  /** Number of events, a non-negative integer. */
  size: number;
  /** Window start, integer ms since epoch. */
  start: number;
  /** Window length in ms, > 0. */
  durationMs: number;
  drift?: DriftKnobs;
  /** Seed of the customer population (default 1). Windows of one world share it. */
  worldSeed?: number;
  /** Population size (default 5000). */
  customers?: number;
}
