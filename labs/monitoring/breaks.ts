/**
 * The monitoring lab's checks and the faults that flip them. Each fault is switched on in the real
 * path: the bodies a feature pipeline sends, the labels that arrive, the consumer that persists the log.
 */
import type { LabBreak } from '@mlops-lab/labkit';

export const CHECK = {
  logExact: 'every served prediction is in Postgres exactly once',
  logKeepsUp: 'the prediction log keeps up (backlog under 2,000 entries)',
  steadyQuiet: 'steady weeks raise no alert',
  cbpeTracks: 'CBPE tracks realized AUC over the covariate-shift weeks (MAE <= 0.03)',
  conceptMissed: 'concept drift: realized AUC falls once labels land, CBPE misses it',
  labelsLanded: 'every week past its label deadline has its labels',
  noFalseFine: 'no week without labels reports a realized metric',
  prometheusAgrees: 'Prometheus /metrics counts the same predictions as the log',
} as const;

export const BREAKS: LabBreak[] = [
  {
    name: 'silent-degradation',
    symptom:
      'from the second steady week on, the output monitor and one input alert; nothing fails, latency is fine',
    hint: 'look at the value that input takes most often now: is it a value the world produces, or one a pipeline fills in?',
    explanation:
      'A feature pipeline started sending `deviceAgeDays = 0`, the request default, for three payments in four ' +
      '(a lookup that fails quietly and falls back). Zero is a legal value, so no schema check fires, and ' +
      'no infrastructure alarm does either: every request gets a 200 in milliseconds. But a zero-day device ' +
      'is the strongest fraud signal the model knows, so the score distribution and the review rate jump. ' +
      'The input monitor sees a distribution change on deviceAgeDays, the output monitor sees the scores ' +
      'move, both in the first affected week, weeks before any label. Fix the pipeline and backfill; do ' +
      'not retrain on the defaults.',
    flips: ['steady weeks raise no alert'],
  },
  {
    name: 'label-delay',
    symptom: 'the last weeks show no realized AUC at all, long after their labels were due',
    hint: 'is the model fine, or is there simply nothing to measure it with?',
    explanation:
      'The chargeback feed stopped delivering from the fourth week on. Without labels there is no realized ' +
      'accuracy or AUC, and a dashboard that plots only what it has would show the last good value or an ' +
      'empty, quiet panel. The monitor knows when each week is due (its end plus the label delay) and ' +
      'marks the ones past due as stale, with an alert: missing ground truth is an incident, not a quiet ' +
      'week. The concept-drift weeks are then only visible to nobody: CBPE cannot see concept drift, and the ' +
      'labels that would have are missing.',
    flips: [
      'every week past its label deadline has its labels',
      'CBPE tracks realized AUC over the covariate-shift weeks (MAE <= 0.03)',
      'concept drift: realized AUC falls once labels land, CBPE misses it',
    ],
  },
  {
    name: 'broken-metric-pipeline',
    symptom:
      'the log backs up during the middle weeks: stream length and pending entries climb, then fall back',
    hint: 'read the backlog: pending entries are delivered and not acknowledged. What keeps a consumer from acking?',
    explanation:
      'The log consumer crashes after writing each batch to Postgres and before acknowledging it, for three ' +
      'weeks. Its entries stay pending, the stream keeps growing, and monitors that read Postgres would ' +
      'look fine if they did not check the backlog: lag and pending counts are the alert. When the consumer ' +
      'is restarted under the same name it re-reads its pending entries; the primary key on request id ' +
      'makes each second write a counted duplicate delivery, not a second row, so after recovery no ' +
      'prediction is lost or doubled.',
    flips: ['the prediction log keeps up (backlog under 2,000 entries)'],
  },
];
