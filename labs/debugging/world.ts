/**
 * The debugging lab's world (Q30): a fraud model in production for a few weeks, and the week the
 * incident is reported in. Six weeks ago version 1 was trained on the old fraud pattern (label rule
 * v1); two weeks ago the pattern changed (rule v2: small app payments from old devices by day) and
 * version 2 was trained on it. Last week and this week are served by the champion; the outcome of
 * every payment (fraud or not) is known by the time the incident is looked at. A small customer
 * population (a few payments per customer per week) is what makes a join on the customer id wrong.
 * Pure data; the stores are filled in pipeline.ts.
 */
import { generatePayments, type LabelRule, mixSeed, type PaymentEvent } from '@mlops-lab/datagen';

export const DAY = 86_400_000;
export const WEEK = 7 * DAY;
/** Monday 2026-03-02: last week starts here, this week (the incident's) one week later. */
export const LAST_WEEK = Date.UTC(2026, 2, 2);
export const THIS_WEEK = LAST_WEEK + WEEK;
/** Customers of the world: about four payments each per week at the quick size. */
export const CUSTOMERS = 400;

export interface World {
  /** Version 1's training week (old fraud pattern). */
  v1Train: PaymentEvent[];
  /** Version 2's training week and its holdout (the monitoring reference), new pattern. */
  v2Train: PaymentEvent[];
  holdout: PaymentEvent[];
  lastWeek: PaymentEvent[];
  thisWeek: PaymentEvent[];
}

function week(seed: number, part: string, size: number, start: number, labelRule: LabelRule): PaymentEvent[] {
  return generatePayments({
    seed: mixSeed(seed, part),
    size,
    start,
    durationMs: WEEK,
    customers: CUSTOMERS,
    drift: { labelRule },
  });
}

export function buildWorld(seed: number, quick: boolean): World {
  const train = quick ? 4000 : 12000;
  const served = quick ? 2000 : 8000;
  return {
    v1Train: week(seed, 'v1-train', train, LAST_WEEK - 6 * WEEK, 'v1'),
    v2Train: week(seed, 'v2-train', train, LAST_WEEK - 2 * WEEK, 'v2'),
    holdout: week(seed, 'holdout', train, LAST_WEEK - 2 * WEEK, 'v2'),
    lastWeek: week(seed, 'last-week', served, LAST_WEEK, 'v2'),
    thisWeek: week(seed, 'this-week', served, THIS_WEEK, 'v2'),
  };
}
