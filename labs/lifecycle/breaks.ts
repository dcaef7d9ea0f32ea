/**
 * The lifecycle lab's checks, and the faults of other labs it can inject, each in the stage it belongs
 * to (Q2): `--break <lab>:<fault>`. The run then shows which later stage first notices. A fault of
 * another lab that this run has no stage for is refused by the runner (exit 2, the valid names listed).
 */
import type { LabBreak } from '@mlops-lab/labkit';

/** The stages, in order; every check belongs to one. */
export const STAGES = [
  'data',
  'validation',
  'features',
  'training',
  'registry',
  'serving',
  'routing',
  'monitoring',
  'retraining',
  'promotion',
] as const;
export type Stage = (typeof STAGES)[number];

export const CHECK = {
  validation: 'validation: the snapshot verifies and passes the data gate',
  features: 'features: the training run pulled exactly the rows the features stage handed over',
  registry: 'registry: champion names the trained version, its data ref the rows it trained on',
  serving: 'serving: a warm server answered every request',
  inputQuiet: 'monitoring: no input-drift alert on the served week',
  retrainRan: 'retraining: the weekly run had data to train and judge on',
  promoted: 'promotion: the challenger beat the champion and now answers the traffic',
  newData: 'Q3 data: the same code on new data gives another model',
  sameData: 'Q3 data: the same code on the same rows gives the same artifact',
  probabilistic: 'Q3 evaluation: the promotion rests on an interval, not a pass/fail',
  silent: 'Q3 drift: quality fell while every service was healthy, seen only by monitoring',
  roles: 'Q2: every tracked file has a role in the line count',
} as const;

/** Which stage each check speaks for: the first failing one in stage order is the first to notice. */
export const STAGE_OF: Record<string, Stage> = {
  [CHECK.validation]: 'validation',
  [CHECK.features]: 'features',
  [CHECK.registry]: 'registry',
  [CHECK.serving]: 'serving',
  [CHECK.inputQuiet]: 'monitoring',
  [CHECK.retrainRan]: 'retraining',
  [CHECK.promoted]: 'promotion',
};

/** After the validation stage refuses the snapshot nothing downstream runs. */
const STOPPED_AT_VALIDATION = [
  CHECK.validation,
  CHECK.features,
  CHECK.registry,
  CHECK.serving,
  CHECK.inputQuiet,
  CHECK.retrainRan,
  CHECK.promoted,
  CHECK.newData,
  CHECK.sameData,
  CHECK.probabilistic,
  CHECK.silent,
];

export const BREAKS: LabBreak[] = [
  {
    name: 'data-versioning:mutated-history',
    symptom: 'the run stops at validation; every later stage says it was not reached',
    hint: 'read what validation says about the snapshot, and which rows it names',
    explanation:
      'Injected at the data stage: after the feed was snapshotted, a "label fix" rewrote some of its rows ' +
      'in the history table with triggers off. Validation reads the snapshot back against its id (a Merkle ' +
      "root over each row version's hash), names the rewritten rows and refuses it, so no model is trained " +
      'on data nobody can reproduce. The first stage to notice is the one right after the fault: the ' +
      'cheapest place to stop it.',
    flips: STOPPED_AT_VALIDATION,
  },
  {
    name: 'drift:unit-change',
    symptom: 'serving answers every request; monitoring alerts on one input with a huge effect size',
    hint: 'which stage could have refused the requests, and why did it not?',
    explanation:
      'Injected at the serving stage: the caller sends `amount` in cents. Every value is still a valid ' +
      'request (the schema bounds amounts, not units), so the server answers all of them with HTTP 200 and ' +
      'a warm model; routing, registry and the health checks are green. The first stage to notice is ' +
      'monitoring: the input-drift monitor compares the served week with the reference and flags `amount` ' +
      'with an effect size of hundreds of reference standard deviations. Retraining, reading the feed, not ' +
      'the traffic, never sees it.',
    flips: [CHECK.inputQuiet],
  },
  {
    name: 'retraining:empty-week',
    symptom: 'everything up to monitoring is as healthy; the weekly run ends skipped and nothing is promoted',
    hint: "read the per-week payment counts of the data stage, then the skipped run's reason",
    explanation:
      'Injected at the data stage: the upstream feed delivered nothing for the week the retraining run ' +
      'holds out. The first model never needed that week, so validation, training and serving see nothing ' +
      'wrong; the first stage to notice is retraining, whose validate step refuses a holdout too small to ' +
      'judge on. The run ends skipped (one terminal record), the champion stays, and the new-data check has ' +
      'no second model to compare.',
    flips: [CHECK.retrainRan, CHECK.promoted, CHECK.newData, CHECK.probabilistic],
  },
  {
    name: 'retraining:metric-gaming',
    symptom: 'the challenger trains and scores well on its holdout, yet the promotion gate rejects it',
    hint: "read the rejected run's reason: which rows was the challenger judged on?",
    explanation:
      'Injected at the retraining stage: the training window reaches into the holdout week, so the ' +
      'challenger is scored on rows it trained on. Retraining itself sees nothing wrong (it trains, it ' +
      'registers); the first stage to notice is promotion, whose gate counts the holdout rows that are ' +
      'also training rows and refuses a holdout that is no evidence. The old champion keeps serving.',
    flips: [CHECK.promoted, CHECK.probabilistic],
  },
];

/** The stage each fault is injected in, and the later stage that must notice it first (lab.test.ts). */
export const INJECTED: Record<string, { at: Stage; noticedBy: Stage }> = {
  'data-versioning:mutated-history': { at: 'data', noticedBy: 'validation' },
  'drift:unit-change': { at: 'serving', noticedBy: 'monitoring' },
  'retraining:empty-week': { at: 'data', noticedBy: 'retraining' },
  'retraining:metric-gaming': { at: 'retraining', noticedBy: 'promotion' },
};
