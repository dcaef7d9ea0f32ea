/**
 * The feature-store lab's checks and faults: each fault is a way the online path stops serving what
 * training saw, found by the consistency check, the freshness of the materialization watermark, and
 * the on-demand comparison.
 */
import type { LabBreak } from '@mlops-lab/labkit';

export const CHECK = {
  consistent: 'online store serves the offline point-in-time values',
  fresh: 'materialization is no older than its daily schedule',
  onDemand: 'on-demand feature: same value via training and serving, exact at request time',
} as const;

/** How far the serving host's clock is behind under `clock-skew`. */
export const CLOCK_SKEW_MS = -6 * 3600 * 1000;
/** Daily job runs that silently failed under `stale-materialization`. */
export const FAILED_RUNS = 3;

export const BREAKS: LabBreak[] = [
  {
    name: 'stale-materialization',
    symptom: 'the consistency check finds online values older than offline ones; nothing errored',
    hint: 'read the materialization runs table and the watermark: when did the job last succeed?',
    explanation:
      `The daily materialization job failed silently for its last ${FAILED_RUNS} runs, so the watermark ` +
      'stopped moving and Redis still holds values from days ago. Within the ttl those values are served ' +
      'as if current: training (the offline join) and serving now disagree for every customer who paid ' +
      'since. The on-demand feature is no better: it is computed fresh, but from a stale online input. ' +
      'Alert on watermark age, not just on job errors (Q8, Q10).',
    flips: [CHECK.consistent, CHECK.fresh, CHECK.onDemand],
  },
  {
    name: 'online-logic-fork',
    symptom: 'one feature disagrees between online and offline for most customers; the others agree',
    hint: 'which code wrote that feature into Redis?',
    explanation:
      'The serving team reimplemented `avg_amount_7d` in their own job (the mean of the last 7 payments ' +
      'instead of the payments of the last 7 days) and writes it over the materialized value. Two code ' +
      'paths for one feature is the training-serving skew a feature store exists to prevent (Q5, Q6): ' +
      'one definition must feed both stores.',
    flips: [CHECK.consistent],
  },
  {
    name: 'clock-skew',
    symptom: 'recently active customers get no value online, with a reason mentioning the future',
    hint: 'compare the event times the store refused with the serving host’s idea of now',
    explanation:
      `The serving host’s clock runs ${-CLOCK_SKEW_MS / 3_600_000} hours behind. The online store refuses ` +
      'values stamped after its `now` (they cannot have been known yet), so customers active in those ' +
      'hours get nothing, and the on-demand "seconds since last event" is computed from the wrong request ' +
      'time. The offline join, run with the true time, disagrees. Time is an input to every ' +
      'point-in-time read: keep clocks synchronized, and pass request time explicitly.',
    flips: [CHECK.consistent, CHECK.onDemand],
  },
];
