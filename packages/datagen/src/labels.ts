/**
 * The known fraud rules of the payments world. A label is Bernoulli(fraudProbability(inputs, rule)),
 * so the best achievable model is known: fraudProbability itself. Rule v2 is concept drift (Q4): the
 * same inputs, a different relationship to the label, so input tests (Q27) cannot see it and only
 * performance against labels can. Both rules are logistic models with a few readable risk terms.
 *
 * Missing inputs: a null feature contributes nothing to the score (its risk term is treated as absent),
 * and an unknown category or channel likewise. A null never throws and never yields NaN.
 */
import { DatagenInputError } from './rng.ts';
import type { LabelRule, PaymentEvent } from './types.ts';
import type { FeatureName } from './world.ts';

/** The inputs a rule reads; a PaymentEvent qualifies. */
export type FraudInputs = Pick<PaymentEvent, FeatureName>;

export const LABEL_RULES: Readonly<Record<LabelRule, string>> = {
  v1: 'high amount, new device, far from home, night, electronics/travel/online_retail, web',
  v2: 'small amounts on the app channel from old devices during the day',
};

/** Log of amount relative to a typical $50, clipped so one huge payment cannot dominate the score. */
function logAmount(amount: number): number {
  const x = Math.log(Math.max(amount, 0.01) / 50);
  return Math.min(3, Math.max(-2, x));
}

/** Intercepts are set so that the base rate is about 11% under both rules in the reference world. */
const V1 = {
  intercept: -3.25,
  logAmount: 0.9,
  newDevice: 1.6, // deviceAgeDays < 7
  farFromHome: 1.3, // distanceKm > 300
  night: 1.0, // hourOfDay 0..5
  web: 0.5,
  category: new Map([
    ['electronics', 1.0],
    ['travel', 0.7],
    ['online_retail', 0.6],
  ]),
};

const V2 = {
  intercept: -4.1,
  smallAmount: 1.5, // amount < 25
  app: 1.3,
  oldDevice: 1.1, // deviceAgeDays > 365
  daytime: 0.9, // hourOfDay 9..17
  logAmount: -0.3, // and a mild lean towards smaller amounts overall
};

function scoreV1(e: FraudInputs): number {
  let s = V1.intercept;
  if (e.amount !== null) s += V1.logAmount * logAmount(e.amount);
  if (e.deviceAgeDays !== null && e.deviceAgeDays < 7) s += V1.newDevice;
  if (e.distanceKm !== null && e.distanceKm > 300) s += V1.farFromHome;
  if (e.hourOfDay !== null && e.hourOfDay >= 0 && e.hourOfDay <= 5) s += V1.night;
  if (e.channel === 'web') s += V1.web;
  if (e.merchantCategory !== null) s += V1.category.get(e.merchantCategory) ?? 0;
  return s;
}

function scoreV2(e: FraudInputs): number {
  let s = V2.intercept;
  if (e.amount !== null) {
    if (e.amount < 25) s += V2.smallAmount;
    s += V2.logAmount * logAmount(e.amount);
  }
  if (e.channel === 'app') s += V2.app;
  if (e.deviceAgeDays !== null && e.deviceAgeDays > 365) s += V2.oldDevice;
  if (e.hourOfDay !== null && e.hourOfDay >= 9 && e.hourOfDay <= 17) s += V2.daytime;
  return s;
}

/** Probability in (0, 1) that the event is fraud under `rule` (default 'v1'). */
export function fraudProbability(event: FraudInputs, rule: LabelRule = 'v1'): number {
  let s: number;
  if (rule === 'v1') s = scoreV1(event);
  else if (rule === 'v2') s = scoreV2(event);
  else throw new DatagenInputError(`fraudProbability: unknown rule ${String(rule)}; use 'v1' or 'v2'`);
  return 1 / (1 + Math.exp(-s));
}
