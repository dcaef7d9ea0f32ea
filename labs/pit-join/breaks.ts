/**
 * The pit-join lab's checks and faults. Each fault is a real way training sets leak or drift from
 * what serving saw; the learner finds it from the AUC table and the served-vs-training comparison.
 */
import type { LabBreak } from '@mlops-lab/labkit';
import { CORRECT, type JoinOptions } from './views.ts';

export const CHECK = {
  naiveInflated: 'latest-value join: offline AUC inflated, then collapses in production',
  pitHonest: 'point-in-time join: offline AUC holds in production',
  servedMatch: 'training features equal what serving saw',
  sqlOracle: 'SQL point-in-time join equals the in-memory oracle',
} as const;

/** How each fault changes the "correct" training-set join (latest-join replaces it outright). */
export function joinFor(fault: string | null): JoinOptions & { latest: boolean } {
  return {
    ...CORRECT,
    latest: fault === 'latest-join',
    dayBucket: fault === 'off-by-one',
    createdBeforeEntity: fault !== 'backfill-leak',
    ttlOff: fault === 'ttl-off',
  };
}

export const BREAKS: LabBreak[] = [
  {
    name: 'latest-join',
    symptom: 'both models look great offline; in production the "careful" one falls as far as the naive one',
    hint: 'compare the two training sets row by row with what serving saw for the same rows',
    explanation:
      'The careful pipeline now builds its training set the naive way too: every payment gets its ' +
      "customer's latest feature values, as of the day the set was extracted. `disputes_30d` then " +
      'includes the dispute of the very payment being labelled, so the model learns "a dispute means ' +
      'fraud", a fact that does not exist yet at prediction time. Offline AUC soars; in production the ' +
      'feature is always behind and the model is worse than one trained honestly (Q7).',
    flips: [CHECK.pitHonest, CHECK.servedMatch],
  },
  {
    name: 'off-by-one',
    symptom:
      'the point-in-time model is a little too good offline, and some training rows disagree with serving',
    hint: 'look at the timestamps the join used: are they the payment times?',
    explanation:
      'The entity timestamps were rounded up to the end of their day before the join (a date-bucket bug: ' +
      '`<= date + 1` instead of `<= timestamp`). Every payment now sees the rest of its day: the aggregates ' +
      'written after it and any dispute filed the same day. Same-day disputes are the label leaking. ' +
      'At this data size the AUC gap stays small, which is the danger: only the row-level comparison ' +
      'with serving shows it. A point-in-time join is only as correct as the timestamp it is given.',
    flips: [CHECK.servedMatch],
  },
  {
    name: 'backfill-leak',
    symptom: 'risk_score gains weight in the model, and training rows disagree with serving on it alone',
    hint: "check the created timestamps of the risk rows the join picked against each payment's time",
    explanation:
      'A backfill recomputed past risk scores at the end of the training period with a window centred ' +
      'on each day, so each score counts disputes from the following two weeks. The rows carry past ' +
      'event timestamps but were created weeks later; for equal event times the newest created row wins, ' +
      'so without `createdBeforeEntity` the join hands training the future. Serving never saw those rows ' +
      'at the time: ignore rows created after the entity timestamp.',
    flips: [CHECK.servedMatch],
  },
  {
    name: 'ttl-off',
    symptom: 'training rows have risk scores where serving had none',
    hint: 'what does serving return for a daily score that is three days old?',
    explanation:
      'The offline join ignored the ttl, so a customer who has been quiet for a week still gets last ' +
      "week's risk score in training, while the online store (ttl 2 days) serves nothing for them. The " +
      'model learns from values it will never see in production: offline and online disagree about what ' +
      'ttl means, a classic source of training-serving skew (Q5, Q8). One ttl, applied the same way on both paths.',
    flips: [CHECK.servedMatch],
  },
];
