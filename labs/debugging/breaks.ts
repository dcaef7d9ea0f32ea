/**
 * The debugging lab's incident (Q30), its checks, its diagnostic steps and the four root causes that
 * can be behind it. The checks speak of the symptom and of the diagnosis, never of a cause: in a
 * mystery run they are printed before the guess, and must not give it away.
 */
import type { LabBreak, LabInvestigation } from '@mlops-lab/labkit';

export const CHECK = {
  quality: 'no quality alert this week (realized AUC, fraud caught per 1,000)',
  noCause: 'the diagnostic steps find no cause',
  oneCause: 'the evidence names at most one cause',
} as const;

/** Data -> model -> downstream: the order a full run takes them in. */
export const STEPS: LabInvestigation[] = [
  {
    name: 'monitoring',
    summary: 'the monitoring report: last week and this week, every monitor and its alerts',
  },
  {
    name: 'drift',
    summary: "this week's served features against the reference profile, and their point masses",
  },
  { name: 'skew', summary: "served features against the training code's recompute for the same payments" },
  { name: 'registry', summary: 'alias and routing history, and which version served each week' },
  {
    name: 'labels',
    summary: "the quality job's label join: matches per prediction, labels on the wrong payment",
  },
];
export type StepName = 'monitoring' | 'drift' | 'skew' | 'registry' | 'labels';

export type Cause = 'upstream-nulls' | 'rolled-back-model' | 'broken-metric' | 'feature-regression';

/** The shortest path to each cause: the report that raises the incident, then the step holding its evidence. */
export const SHORTEST: Record<Cause, { steps: StepName[]; lead: string }> = {
  'upstream-nulls': {
    steps: ['monitoring', 'drift'],
    lead: 'an input alert on one feature, the scores and decisions moved, AUC down',
  },
  'feature-regression': {
    steps: ['monitoring', 'skew'],
    lead: 'an input alert with an enormous effect, fraud caught collapses',
  },
  'rolled-back-model': {
    steps: ['monitoring', 'registry'],
    lead: 'no input alert, the output distribution moved, AUC far below the reference',
  },
  'broken-metric': {
    steps: ['monitoring', 'labels'],
    lead: 'no input or output alert, CBPE holds while the realized AUC falls',
  },
};

const SYMPTOM = [CHECK.quality, CHECK.noCause];

export const BREAKS: LabBreak[] = [
  {
    name: 'upstream-nulls',
    symptom: "this week's realized AUC falls; one input feature alerts although no payment looks unusual",
    hint: 'how many of this week’s values are exactly the same number, and what writes that number?',
    explanation:
      'The ledger export stopped landing on Wednesday. The feature query LEFT JOINs it and COALESCEs a ' +
      'missing amount to 0, so from Wednesday on most payments reach the model as $0: plausible to the ' +
      'schema (amount >= 0), meaningless to the model, which reads a tiny amount as a fraud signal. The ' +
      'drift step shows the signature: a point mass at exactly the pipeline’s default, from a day on. ' +
      'Skew shows nothing, because the offline recompute runs the same query over the same broken ' +
      'join. The fix is upstream (reload the export) plus a null check before the fill; a default that ' +
      'hides a null is how an outage becomes a quality drop.',
    flips: SYMPTOM,
  },
  {
    name: 'rolled-back-model',
    symptom: 'realized AUC far below last week; the inputs did not move, the output distribution did',
    hint: 'which version answered this week, and who decided that?',
    explanation:
      'Someone moved the champion alias from version 2 back to version 1 on Monday, with a reason in ' +
      'the alias history ("rollback: suspected in the weekend latency page"). Version 1 learned the ' +
      'fraud pattern of six weeks ago, before it changed; on this week’s traffic it ranks worse than ' +
      'chance. Nothing in the data changed and the routing table still says champion: 100, so only the ' +
      'alias history and the prediction log’s model_version column show it. The fix is moving the alias ' +
      'forward again (a move with its own reason); the lesson is that an alias move is a deployment and ' +
      'needs the same gate as one.',
    flips: SYMPTOM,
  },
  {
    name: 'broken-metric',
    symptom: 'realized AUC collapses this week, while every input, output and label-free monitor stays quiet',
    hint: 'the model may be fine: how does a label find its prediction?',
    explanation:
      'The quality job was changed to join the outcome feed on customer_id instead of payment_id. A ' +
      'customer makes several payments a week, so each prediction matches several outcomes and the job ' +
      'keeps the first, usually another payment’s: the labels are shuffled within customers and the ' +
      'realized AUC falls towards 0.5. The model, its inputs and its outputs are unchanged, which is why ' +
      'CBPE (scores only, no labels) holds. The labels step counts the matches per prediction and the ' +
      'labels that landed on another payment, and recomputes the AUC with the right key: last week’s ' +
      'value. Fix the metric, not the model: retraining on these labels would break the model too.',
    flips: SYMPTOM,
  },
  {
    name: 'feature-regression',
    symptom: 'an input alert with an enormous effect size this week, and fraud caught per 1,000 collapses',
    hint: 'compare what the server received with what the training code computes for the same payment',
    explanation:
      'Release 2026.10 of the payment service moved to minor units and sends the amount in cents; the ' +
      'training code (and so every model version) still reads dollars. Every served amount is exactly ' +
      '100 times the offline recompute: the skew step finds it in every row, with an exact ratio, from ' +
      'the first request of the release. Drift alone would say "amount moved" and invite a retrain; ' +
      'skew says it is a bug with one line to fix. Because the encoder takes log(amount), the scores ' +
      'shift by a constant and the ranking (AUC) barely moves, while every decision at the fixed ' +
      'thresholds changes: fraud caught falls to almost nothing.',
    flips: SYMPTOM,
  },
];
