/**
 * The payments world before and after it shifts (Q15: why a challenger is retrained on newer data).
 * Old weeks: fraud follows the reference rule v1. Newer weeks: a new fraud pattern (datagen rule v2:
 * small daytime app payments from old devices) has grown to `NEW_PATTERN_SHARE` of fraud pressure
 * while the old one persists, and the season moved (more travel, larger amounts). datagen draws the
 * same inputs for a window whatever its label rule, so each newer-world event takes its label from
 * the v2 twin with probability NEW_PATTERN_SHARE and from the v1 twin otherwise: P(fraud | x) is the
 * mixture, a concept drift the old champion never saw.
 */

import { generatePayments, mixSeed, type PaymentEvent, type WindowSpec } from '@mlops-lab/datagen';
import { paymentBody } from '@mlops-lab/payments';

export const NEW_PATTERN_SHARE = 0.8;
const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** Week 0 of the lab's calendar. */
export const T0 = Date.UTC(2024, 0, 1);
/** The shift: from week 10 on. */
export const SHIFT_WEEK = 10;
const NEW_SEASON = 0.35;

export interface WindowOpts {
  seed: number;
  size: number;
  /** Calendar week the window starts in (a window spans `weeks`). */
  week: number;
  weeks?: number;
}

/** The datagen window of the lab's calendar weeks `o` covers. */
const windowSpec = (o: WindowOpts): WindowSpec => ({
  seed: o.seed,
  size: o.size,
  start: T0 + o.week * WEEK,
  durationMs: (o.weeks ?? 1) * WEEK,
});

export function oldWorld(o: WindowOpts): PaymentEvent[] {
  return generatePayments(windowSpec(o));
}

export function newWorld(o: WindowOpts): PaymentEvent[] {
  const spec = windowSpec(o);
  const v1 = generatePayments({ ...spec, drift: { season: NEW_SEASON } });
  const v2 = generatePayments({ ...spec, drift: { season: NEW_SEASON, labelRule: 'v2' } });
  return v1.map((e, i) => {
    // A fixed per-event coin (not Math.random): the same seed gives the same labels.
    const coin = (mixSeed('pattern', e.eventId) >>> 0) / 2 ** 32;
    return coin < NEW_PATTERN_SHARE ? { ...e, label: v2[i].label } : e;
  });
}

export const describeWeeks = (o: WindowOpts) =>
  `weeks ${o.week}-${o.week + (o.weeks ?? 1) - 1} (${o.size} payments, seed ${o.seed})`;

/** The request body a client sends for an event (the payments domain's mapping). */
export const bodyOf = paymentBody;

/** Sizes of a run: quick (tests, ~20 s) or full. */
export function labSizes(quick: boolean) {
  return quick
    ? {
        train: 3000,
        epochs: 8,
        golden: 5000,
        latency: 600,
        rate: 400,
        volume: 2400,
        volumeRate: 800,
        planned: 1000,
        trials: 300,
      }
    : {
        train: 6000,
        epochs: 12,
        golden: 20000,
        latency: 1500,
        rate: 500,
        volume: 5000,
        volumeRate: 800,
        planned: 2000,
        trials: 600,
      };
}
