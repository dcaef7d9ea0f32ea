/**
 * The drift lab's checks and the faults that flip them. Each fault is an incident injected into
 * the steady weeks (see scenario.ts FAULT_KNOBS); the learner finds it from the monitor's own
 * output: which feature drifted, by which test, with what effect, and whether labels agree.
 */
import type { LabBreak } from '@mlops-lab/labkit';

export const CHECK = {
  steadyQuiet: 'steady weeks raise no input-drift alert',
  steadyPerformance: 'steady weeks keep model performance',
  seasonFlagged: 'holiday season flagged within 2 weeks',
  conceptInvisible: 'concept drift passes every input test',
  conceptCaught: 'concept drift caught by delayed labels',
  fatigueRaw: 'a negligible shift at large n makes raw tests fire',
  fatigueQuiet: 'effect-size gate + Benjamini-Hochberg keep that alert quiet',
} as const;

export const BREAKS: LabBreak[] = [
  {
    name: 'unit-change',
    symptom: 'the steady weeks alert on one numeric feature with an enormous effect size, and accuracy falls',
    hint: 'read the alert’s effect size in reference standard deviations: is that a change in the world, or in units?',
    explanation:
      'An upstream service started sending `amount` in cents instead of dollars. Nothing about the world ' +
      'changed (the labels still follow the true amounts), but every value is 100x larger. KS flags it at ' +
      'once with D near 1 and a huge Wasserstein distance; the model, whose preprocessing was frozen on ' +
      'dollars, now sees every payment as a large one and flags far too many as fraud, so accuracy drops ' +
      'when the labels arrive. A pure scale change is a pipeline bug, not drift: fix the producer (or the ' +
      'contract between teams), do not retrain on it. A schema check with units would have caught it before serving.',
    flips: [CHECK.steadyQuiet, CHECK.steadyPerformance],
  },
  {
    name: 'new-category',
    symptom: 'the steady weeks alert on a categorical feature; performance on labelled weeks barely moves',
    hint: 'read the alert’s reasons for the categorical feature: which value has no reference count?',
    explanation:
      'A category the model never saw (`crypto_exchange`) now carries 15% of payments. The chi-squared ' +
      'test of homogeneity over the union of categories flags `merchantCategory`, and the detector names ' +
      'the new value. The model one-hot encodes unseen categories as all zeros, so it silently treats ' +
      'them as an average merchant: whether that is acceptable is a product decision, but it must be a ' +
      'decision, so an unseen category should always raise an alert with its name.',
    flips: [CHECK.steadyQuiet],
  },
  {
    name: 'null-flood',
    symptom: 'the steady weeks alert on one feature although its non-null values look like the reference',
    hint: 'read the alert’s reasons: did the values change, or how many of them there are?',
    explanation:
      'A broken upstream join leaves `distanceKm` null in 40% of rows. The values that remain follow the ' +
      'reference distribution, so a KS test on non-null values alone would say nothing: the detector ' +
      'compares null rates as well and flags the jump. The model imputes the reference mean for nulls, ' +
      'which hides the outage from its outputs. Data-quality checks (null rates, ranges, schema) belong in ' +
      'front of the drift tests.',
    flips: [CHECK.steadyQuiet],
  },
  {
    name: 'concept-shift',
    symptom: 'every input test stays quiet in the steady weeks, but two weeks later accuracy and AUC fall',
    hint: 'which signal arrives late, and what changed if the inputs did not?',
    explanation:
      'Fraudsters changed tactics: the rule that turns inputs into fraud labels changed while the inputs ' +
      'kept the same distribution. No input test can see that: KS and chi-squared compare P(x), and P(x) ' +
      'did not move. Only the delayed labels, joined to the logged predictions, show the model is now ' +
      'wrong (concept drift, Q4). The lag between serving and labels is the blind spot: proxies ' +
      '(output distribution, business metrics) and shorter label delays shrink it. The fix is retraining ' +
      'on recent labelled data, not a pipeline repair.',
    flips: [CHECK.steadyPerformance],
  },
];
