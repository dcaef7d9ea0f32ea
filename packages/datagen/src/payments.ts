/**
 * The seeded payments generator: one window of events from a fixed customer population, with drift
 * knobs. Q4 (data drift vs concept drift), Q5 (training-serving skew as a pipeline bug), Q27 (the
 * windows drift detectors compare). Hand-written; randomness comes from pure-rand via rng.ts.
 *
 * Order of work for each event, and why:
 *  1. Inputs from the world, with the data-drift knobs that change the world (categoryMix,
 *     newCategory, season, numericShift). The world really changed, so the label follows these inputs.
 *  2. The label: Bernoulli(fraudProbability(inputs, labelRule)). labelRule is concept drift: same
 *     inputs, different rule.
 *  3. Pipeline bugs (unitChange, nullFlood). The world did not change, only what the pipeline records,
 *     so the label was already drawn from the true values: a unit change breaks a model's predictions,
 *     not reality. Their labels equal those of the same window without the bug.
 *
 * Determinism: every stream is seeded from the spec without its knobs, and each event consumes the
 * same number of draws whatever the knobs say. So a drifted window and its healthy twin share every
 * random number (common random numbers): differences between them are caused by the knob alone.
 */

import { type DriftPlan, planDrift } from './knobs.ts';
import { fraudProbability } from './labels.ts';
import { createRng, DatagenInputError, mixSeed, type Rng } from './rng.ts';
import type { PaymentEvent, WindowSpec } from './types.ts';
import {
  buildPopulation,
  CATEGORY_PROFILES,
  type CategoryProfile,
  CHANNELS,
  COUNTRIES,
  cumulative,
  DEFAULT_CUSTOMERS,
  DEFAULT_WORLD_SEED,
  DEVICE,
  DISTANCE,
  HOUR_PROFILE,
  MERCHANT_CATEGORIES,
  NUMERIC_FEATURES,
  type NumericFeature,
  type Population,
  searchCumulative,
  TRAVEL_ABROAD_BOOST,
  UNSEEN_CATEGORY_PROFILE,
} from './world.ts';

const TWO_PI = 2 * Math.PI;
const PROFILES: readonly CategoryProfile[] = MERCHANT_CATEGORIES.map((c) => CATEGORY_PROFILES[c]);
const CHANNEL_CUMS: readonly Float64Array[] = PROFILES.map((p) => cumulative(p.channels));
const UNSEEN_CHANNEL_CUM = cumulative(UNSEEN_CATEGORY_PROFILE.channels);
const TRAVEL = MERCHANT_CATEGORIES.indexOf('travel');
const HOUR_CUM = cumulative(HOUR_PROFILE);
const COUNTRY_CUM = cumulative(COUNTRIES.map((c) => c.weight));

function validate(spec: WindowSpec): void {
  const bad = (msg: string): never => {
    throw new DatagenInputError(`generatePayments: ${msg}`);
  };
  if (!Number.isFinite(spec.seed)) bad(`seed must be a finite number, got ${spec.seed}`);
  if (!Number.isSafeInteger(spec.size) || spec.size < 0)
    bad(`size must be an integer >= 0, got ${spec.size}`);
  if (!Number.isSafeInteger(spec.start)) bad(`start must be integer ms since epoch, got ${spec.start}`);
  if (!Number.isSafeInteger(spec.durationMs) || spec.durationMs <= 0) {
    bad(`durationMs must be an integer > 0, got ${spec.durationMs}`);
  }
  if (spec.worldSeed !== undefined && !Number.isFinite(spec.worldSeed))
    bad('worldSeed must be a finite number');
  const customers = spec.customers ?? DEFAULT_CUSTOMERS;
  if (!Number.isSafeInteger(customers) || customers < 1)
    bad(`customers must be an integer >= 1, got ${customers}`);
}

/**
 * n sorted offsets in [0, durationMs) in O(n): running sums of n + 1 exponential spacings, divided by
 * their total, are the order statistics of n uniforms. Avoids sorting events afterwards.
 */
function sortedTimestamps(rng: Rng, n: number, start: number, durationMs: number): Float64Array {
  const out = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum -= Math.log(1 - rng.next());
    out[i] = sum;
  }
  const total = sum - Math.log(1 - rng.next());
  for (let i = 0; i < n; i++) {
    // min(): a last spacing of exactly 0 (u = 0) would otherwise land on the window's end.
    out[i] = start + Math.min(Math.floor(durationMs * (out[i] / total)), durationMs - 1);
  }
  return out;
}

/** Same events for the same spec, bit for bit (on the same Node version: Math.log/exp/cos are V8's). */
export function generatePayments(spec: WindowSpec): PaymentEvent[] {
  validate(spec);
  const worldSeed = spec.worldSeed ?? DEFAULT_WORLD_SEED;
  const customers = spec.customers ?? DEFAULT_CUSTOMERS;
  const plan = planDrift(spec.drift, () => referenceSigma(worldSeed, customers));
  const population = buildPopulation(worldSeed, customers);
  // The window's identity leaves the knobs out on purpose: a drifted run shares every draw with its twin.
  const windowSeed = mixSeed(
    'payments',
    spec.seed,
    spec.size,
    spec.start,
    spec.durationMs,
    worldSeed,
    customers,
  );
  const timestamps = sortedTimestamps(
    createRng(mixSeed(windowSeed, 'time')),
    spec.size,
    spec.start,
    spec.durationMs,
  );
  return drawEvents(plan, population, windowSeed, timestamps);
}

function drawEvents(
  plan: DriftPlan,
  pop: Population,
  windowSeed: number,
  timestamps: Float64Array,
): PaymentEvent[] {
  const n = timestamps.length;
  const inputs = createRng(mixSeed(windowSeed, 'inputs'));
  const labels = createRng(mixSeed(windowSeed, 'labels'));
  const nullRngs = plan.nulls.map((x) => createRng(mixSeed(windowSeed, 'nulls', x.feature)));
  const tag = windowSeed.toString(36);
  const { categoryCum, newShare, amountFactor, shift, unit, labelRule } = plan;
  const categoryTotal = categoryCum[categoryCum.length - 1];
  const activityTotal = pop.activityCum[pop.activityCum.length - 1];
  const hourTotal = HOUR_CUM[23];
  const countryTotal = COUNTRY_CUM[COUNTRY_CUM.length - 1];
  const [amountShift, hourShift, deviceShift, distanceShift] = shift;
  const events: PaymentEvent[] = new Array(n);

  for (let i = 0; i < n; i++) {
    // Every draw below happens for every event, whatever the knobs (fixed consumption, see top).
    const c = searchCumulative(pop.activityCum, inputs.next() * activityTotal);
    const uUnseen = inputs.next();
    const uCategory = inputs.next();
    const category = uUnseen < newShare ? -1 : searchCumulative(categoryCum, uCategory * categoryTotal);
    const profile = category < 0 ? UNSEEN_CATEGORY_PROFILE : PROFILES[category];
    const channelCum = category < 0 ? UNSEEN_CHANNEL_CUM : CHANNEL_CUMS[category];
    const channel = CHANNELS[searchCumulative(channelCum, inputs.next() * channelCum[2])];

    const abroad = inputs.next() < pop.abroadRate[c] + (category === TRAVEL ? TRAVEL_ABROAD_BOOST : 0);
    const home = pop.home[c];
    let where = searchCumulative(COUNTRY_CUM, inputs.next() * countryTotal);
    if (where === home) where = (where + 1) % COUNTRIES.length; // abroad means not home
    const country = COUNTRIES[abroad ? where : home].code;

    // One Box-Muller pair: one normal for the amount, one for the distance.
    const r = Math.sqrt(-2 * Math.log(1 - inputs.next()));
    const theta = TWO_PI * inputs.next();
    const amountLatent =
      profile.medianAmount * Math.exp(profile.amountSigma * r * Math.cos(theta)) * amountFactor;
    const distanceLatent = abroad
      ? DISTANCE.abroadMedianKm * Math.exp(DISTANCE.abroadSigma * r * Math.sin(theta))
      : DISTANCE.homeMedianKm * Math.exp(DISTANCE.homeSigma * r * Math.sin(theta));

    // Hour: one uniform picks the hour and its position inside it, a continuous latent hour.
    const xHour = inputs.next() * hourTotal;
    const h = searchCumulative(HOUR_CUM, xHour);
    const hourLatent = h + (xHour - (h > 0 ? HOUR_CUM[h - 1] : 0)) / HOUR_PROFILE[h];

    const newDevice = inputs.next() < DEVICE.newShare;
    const uDevice = inputs.next();
    const deviceLatent = newDevice
      ? DEVICE.newMaxDays * uDevice
      : pop.deviceAgeDays[c] + DEVICE.jitterDays * uDevice;

    // numericShift acts on the latent values, then each feature is rounded to its recorded precision.
    // Shifts are clamped to the feature's domain, so a shift that pushes mass past a bound moves the mean
    // by less than asked (hourOfDay stays 0..23, the others stay >= 0).
    const hour = Math.floor(hourLatent + hourShift);
    const event: PaymentEvent = {
      eventId: `e_${tag}_${i}`,
      customerId: pop.ids[c],
      timestamp: timestamps[i],
      amount: Math.max(0.01, Math.round((amountLatent + amountShift) * 100) / 100),
      hourOfDay: Math.min(23, Math.max(0, hour)),
      deviceAgeDays: Math.max(0, Math.floor(deviceLatent + deviceShift)),
      distanceKm: Math.max(0, Math.round((distanceLatent + distanceShift) * 10) / 10),
      merchantCategory: category < 0 ? plan.newCategory : MERCHANT_CATEGORIES[category],
      channel,
      country,
      label: 0,
    };
    event.label = labels.next() < fraudProbability(event, labelRule) ? 1 : 0;

    // Pipeline bugs: after the label, on purpose (see the top of this file).
    if (unit) event[unit.feature] = (event[unit.feature] as number) * unit.factor;
    for (let j = 0; j < nullRngs.length; j++) {
      if (nullRngs[j].next() < plan.nulls[j].rate) event[plan.nulls[j].feature] = null;
    }
    events[i] = event;
  }
  return events;
}

export interface FeatureStats {
  mean: number;
  std: number;
}

/** The reference window numericShift is measured against: the default season, no knobs. */
export const REFERENCE_WINDOW = { seed: 20240101, size: 50_000, start: 0, durationMs: 86_400_000 } as const;

const referenceCache = new Map<string, Readonly<Record<NumericFeature, FeatureStats>>>();

/**
 * Mean and standard deviation (population) of each numeric feature in the world's reference window.
 * Computed once per world (about 50 ms) and cached. One numericShift unit is one of these stds.
 */
export function referenceStats(
  worldSeed = DEFAULT_WORLD_SEED,
  customers = DEFAULT_CUSTOMERS,
): Readonly<Record<NumericFeature, FeatureStats>> {
  const key = `${worldSeed}:${customers}`;
  const cached = referenceCache.get(key);
  if (cached) return cached;
  const events = generatePayments({ ...REFERENCE_WINDOW, worldSeed, customers });
  const stats = {} as Record<NumericFeature, FeatureStats>;
  for (const feature of NUMERIC_FEATURES) {
    let sum = 0;
    let sumSq = 0;
    for (const e of events) sum += e[feature] as number;
    const mean = sum / events.length;
    for (const e of events) sumSq += ((e[feature] as number) - mean) ** 2;
    stats[feature] = { mean, std: Math.sqrt(sumSq / events.length) };
  }
  referenceCache.set(key, stats);
  return stats;
}

function referenceSigma(worldSeed: number, customers: number): Record<NumericFeature, number> {
  const stats = referenceStats(worldSeed, customers);
  return {
    amount: stats.amount.std,
    hourOfDay: stats.hourOfDay.std,
    deviceAgeDays: stats.deviceAgeDays.std,
    distanceKm: stats.distanceKm.std,
  };
}
