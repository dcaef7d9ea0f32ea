/**
 * Drift knobs turned into a generation plan: category weights after mix, season and an unseen
 * category; numeric shifts in absolute units; which pipeline bugs to apply after the label.
 * Validation lives here so a typo in a knob is an error, not a silently healthy window.
 * Q4 (data vs concept drift), Q5 (skew from a pipeline bug), Q27 (what drift detectors must catch).
 */
import { DatagenInputError } from './rng.ts';
import type { DriftKnobs, LabelRule } from './types.ts';
import {
  CATEGORY_PROFILES,
  cumulative,
  type FeatureName,
  MERCHANT_CATEGORIES,
  NUMERIC_FEATURES,
  type NumericFeature,
  PAYMENT_FEATURES,
} from './world.ts';

/**
 * Seasonality: intensity s = (1 - cos 2*pi*phase) / 2 is 0 at phase 0, 1 at phase 0.5 and smooth in
 * between. At s = 1 amounts are 30% higher, travel 2.5x and online retail 1.8x as likely.
 */
export const SEASON = { amountLift: 0.3, travelLift: 1.5, onlineRetailLift: 0.8 } as const;

export function seasonIntensity(phase: number): number {
  return (1 - Math.cos(2 * Math.PI * phase)) / 2;
}

export interface DriftPlan {
  /** Running sums of known category weights, in MERCHANT_CATEGORIES order. */
  categoryCum: Float64Array;
  /** The unseen category and its share (share 0 when the knob is off). */
  newCategory: string | null;
  newShare: number;
  /** Multiplier on amounts from the season. */
  amountFactor: number;
  /** Additive shift per numeric feature in its own units, NUMERIC_FEATURES order. */
  shift: Float64Array;
  /** Pipeline bugs, applied after the label is drawn. */
  nulls: readonly { feature: FeatureName; rate: number }[];
  unit: { feature: NumericFeature; factor: number } | null;
  labelRule: LabelRule;
}

const KNOB_NAMES = new Set([
  'numericShift',
  'categoryMix',
  'newCategory',
  'nullFlood',
  'unitChange',
  'labelRule',
  'season',
]);
const FEATURE_NAMES = new Set<string>(PAYMENT_FEATURES.map((f) => f.name));
const NUMERIC_NAMES = new Set<string>(NUMERIC_FEATURES);

function fail(message: string): never {
  throw new DatagenInputError(`drift: ${message}`);
}

function checkKeys(what: string, record: object, allowed: Set<string>): void {
  for (const key of Object.keys(record)) {
    if (!allowed.has(key))
      fail(`${what} has unknown key '${key}'; expected one of ${[...allowed].join(', ')}`);
  }
}

/** Entries of a Partial<Record> knob; an explicit undefined means "not listed", as the type says. */
function listed<T>(record: Partial<Record<string, T>>): [string, T][] {
  return Object.entries(record).filter((entry): entry is [string, T] => entry[1] !== undefined);
}

function finite(what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    fail(`${what} must be a finite number, got ${value}`);
  return value;
}

/**
 * Build the plan. `referenceSigma` is only called when a numeric shift is requested, because computing
 * it means generating a reference window.
 */
export function planDrift(
  drift: DriftKnobs | undefined,
  referenceSigma: () => Readonly<Record<NumericFeature, number>>,
): DriftPlan {
  const knobs = drift ?? {};
  checkKeys('drift knobs', knobs, KNOB_NAMES);

  const weights = MERCHANT_CATEGORIES.map((c) => CATEGORY_PROFILES[c].weight);
  if (knobs.categoryMix) {
    checkKeys('categoryMix', knobs.categoryMix, new Set(MERCHANT_CATEGORIES));
    for (const [name, w] of listed(knobs.categoryMix)) {
      if (finite(`categoryMix.${name}`, w) < 0) fail(`categoryMix.${name} must be >= 0`);
      // Relative to the reference weights, which sum to 100: { travel: 20 } means "travel weighs 20".
      weights[MERCHANT_CATEGORIES.indexOf(name)] = w;
    }
  }

  let amountFactor = 1;
  if (knobs.season !== undefined) {
    const phase = finite('season', knobs.season);
    if (phase < 0 || phase >= 1) fail(`season is a phase in [0, 1), got ${phase}`);
    const s = seasonIntensity(phase);
    amountFactor = 1 + SEASON.amountLift * s;
    weights[MERCHANT_CATEGORIES.indexOf('travel')] *= 1 + SEASON.travelLift * s;
    weights[MERCHANT_CATEGORIES.indexOf('online_retail')] *= 1 + SEASON.onlineRetailLift * s;
  }
  if (!(weights.reduce((a, b) => a + b, 0) > 0)) fail('categoryMix leaves no category with positive weight');

  let newCategory: string | null = null;
  let newShare = 0;
  if (knobs.newCategory) {
    const { value, share } = knobs.newCategory;
    if (typeof value !== 'string' || value === '') fail('newCategory.value must be a non-empty string');
    if (MERCHANT_CATEGORIES.includes(value)) fail(`newCategory.value '${value}' is already a known category`);
    newShare = finite('newCategory.share', share);
    if (newShare < 0 || newShare > 1) fail(`newCategory.share must be in [0, 1], got ${newShare}`);
    newCategory = value;
  }

  const shift = new Float64Array(NUMERIC_FEATURES.length);
  if (knobs.numericShift) {
    checkKeys('numericShift', knobs.numericShift, NUMERIC_NAMES);
    const entries = listed(knobs.numericShift).filter(([, k]) => k !== 0);
    const sigma = entries.length > 0 ? referenceSigma() : null;
    for (const [name, k] of entries) {
      const feature = name as NumericFeature;
      shift[NUMERIC_FEATURES.indexOf(feature)] = finite(`numericShift.${name}`, k) * sigma![feature];
    }
  }

  const nulls: { feature: FeatureName; rate: number }[] = [];
  if (knobs.nullFlood) {
    checkKeys('nullFlood', knobs.nullFlood, FEATURE_NAMES);
    for (const [name, rate] of listed(knobs.nullFlood)) {
      const r = finite(`nullFlood.${name}`, rate);
      if (r < 0 || r > 1) fail(`nullFlood.${name} must be a fraction in [0, 1], got ${r}`);
      if (r > 0) nulls.push({ feature: name as FeatureName, rate: r });
    }
  }

  let unit: DriftPlan['unit'] = null;
  if (knobs.unitChange) {
    const { feature, factor } = knobs.unitChange;
    if (!NUMERIC_NAMES.has(feature)) fail(`unitChange.feature must be numeric, got '${feature}'`);
    if (finite('unitChange.factor', factor) === 0) fail('unitChange.factor must not be 0');
    unit = { feature, factor };
  }

  const labelRule = knobs.labelRule ?? 'v1';
  if (labelRule !== 'v1' && labelRule !== 'v2') fail(`labelRule must be 'v1' or 'v2', got '${labelRule}'`);

  return {
    categoryCum: cumulative(weights),
    newCategory,
    newShare,
    amountFactor,
    shift,
    nulls,
    unit,
    labelRule,
  };
}
