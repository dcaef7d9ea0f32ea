/**
 * The retraining lab's checks and faults (Q14, Q15). Each fault is switched on in the real path: the
 * feed seeding (an empty week), the worker processes (stop points where the lab SIGKILLs them), the
 * pipeline's training window (reaching into the holdout).
 */
import type { LabBreak } from '@mlops-lab/labkit';

export const CHECK = {
  terminal: 'every scheduled week ends in exactly one terminal record',
  once: 'the champion moved exactly once per promotion, never twice for a run',
  noRegression: 'no promotion replaced a better champion',
  schedule: 'the schedule never fired twice for a week with three processes upserting it at boot',
  duplicate: 'a duplicate trigger for a finished week started no second run',
  noSkip: 'every week had enough data to train and evaluate (none skipped)',
  firstAttempt: 'every run finished on its first attempt (no worker lost a job)',
  disjoint: 'every holdout was disjoint from its training rows',
  adapted: 'a model trained after the fraud pattern changed became champion',
} as const;

export const BREAKS: LabBreak[] = [
  {
    name: 'empty-week',
    symptom: 'one week ends "skipped" and the table shows 0 holdout rows for it',
    hint: "read the skipped run's reason and the per-week payment counts printed at the start",
    explanation:
      'The upstream feed delivered nothing for one week. The validate step refuses a holdout week with ' +
      'fewer rows (or fewer of a class) than required, and the run ends skipped with that reason instead ' +
      'of training on nothing or promoting a model nobody could evaluate. The next week trains on what exists.',
    flips: [CHECK.noSkip],
  },
  {
    name: 'worker-crash',
    symptom: 'two workers die; some runs show two attempts, yet every week still ends once',
    hint: 'compare the attempts and workers columns with the champion moves in the registry history',
    explanation:
      'A worker was SIGKILLed right after committing a promotion (before BullMQ heard the job finish) and ' +
      "another mid-training. Their locks lapsed, a live worker's stalled-job check put both jobs back, " +
      'and they ran again: BullMQ is at-least-once. The rerun of the promoted week found its terminal ' +
      'record (unique per model and week) and the champion move keyed by its run id, and wrote nothing.',
    flips: [CHECK.firstAttempt],
  },
  {
    name: 'metric-gaming',
    symptom: 'challenger AUCs jump, yet nothing is promoted after the first weeks',
    hint: "read the rejected runs' reasons and the train / holdout row counts",
    explanation:
      'The training window reached into the holdout week, so every challenger was scored on rows it had ' +
      'trained on and looked better than it is. The gate counts the holdout rows that are also training ' +
      'rows and rejects any overlap: a holdout you trained on is no evidence.',
    flips: [CHECK.disjoint, CHECK.adapted],
  },
];
