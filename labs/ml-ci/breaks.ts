/**
 * The ml-ci lab's checks and the changes that flip them: each break is a bad change a pull request
 * could carry (upstream schema, a leaky feature, a worse model, a nondeterministic transform), and
 * each is caught by the gate meant for it, with the expectation it violated named in the report.
 */
import type { LabBreak } from '@mlops-lab/labkit';

export const CHECK = {
  code: 'code gate: golden, determinism and behaviour tests of the transform pass',
  data: 'data gate: schema, nulls, ranges, categories, distribution and leakage pass',
  model: 'model gate: the candidate beats the baseline and is not worse than production',
  exit: 'ci:model exits 0, so the change may deploy',
} as const;

export const BREAKS: LabBreak[] = [
  {
    name: 'schema-change',
    symptom:
      'the data gate fails on one column with every row affected, and the model gate has nothing to train on',
    hint: 'read the schema line: which column is missing, and which unknown column appeared beside it?',
    explanation:
      'The upstream team renamed `amount` to `amount_usd`. Nothing crashes: the encoder reads a missing field ' +
      'as no value, so without a gate the model would train on vectors with NaN where the amount was, or ' +
      'with every amount imputed. The data gate holds each training set to the reference profile, column by ' +
      'column and type by type, and names both the missing column and the one it does not know, which is ' +
      'usually the new name. The fix is a contract with the producer (or a mapping in one place), not a retrain.',
    flips: [CHECK.data, CHECK.model, CHECK.exit],
  },
  {
    name: 'leaky-feature',
    symptom:
      'the data gate fails on a new feature with a single-feature AUC near 1; the model gate alone would have promoted it',
    hint: 'over which time window is the new feature computed, relative to the payment it describes?',
    explanation:
      'The candidate adds `disputes_next_30d`: disputes of the payment filed in the 30 days after it. ' +
      'Fraud is what gets disputed, so the feature carries the label: alone it ranks fraud with AUC about 0.95, ' +
      'and the candidate beats production by a wide margin on the holdout, which is exactly why a model gate ' +
      'cannot catch it. At serving time the future is unknown and the feature is always 0. The data gate flags ' +
      'any single feature that is implausibly strong; the fix is a point-in-time window that ends before the ' +
      'payment (the pit-join lab).',
    flips: [CHECK.data, CHECK.exit],
  },
  {
    name: 'worse-model',
    symptom: 'code and data gates pass, accuracy matches production to a point, yet the model gate fails',
    hint: 'compare the accuracy line with the holdout AUC line: which one can see ranking get worse at an 11% base rate?',
    explanation:
      'The change drops two numeric features (amount and distance) as "weak". At an 11% fraud rate nearly all ' +
      'scores sit below 0.5 for any model, so accuracy at 0.5 barely moves and a plain accuracy check passes. ' +
      'The ranking is worse, and on the fixed holdout, paired with production, the lower end of the 95% ' +
      'interval of the AUC difference falls below the tolerance (DeLong; the bootstrap agrees). A single ' +
      'number would not say whether the loss is noise; the interval does.',
    flips: [CHECK.model, CHECK.exit],
  },
  {
    name: 'nondeterministic-transform',
    symptom:
      'only the code gate fails, on determinism: two builds of the training set on the same rows differ',
    hint: 'what decides the order of the training rows, and where does its seed come from?',
    explanation:
      'The change leaves the shuffle without a seed (`shuffleSeed: null`, like an unset `random_state`), so ' +
      'the transform draws one from the OS on every call. Each run trains on another order and gives other ' +
      'weights: no result can be reproduced, and a regression cannot be told from noise. Nothing else ' +
      'notices (this model may even be fine); the determinism test, building the same input twice and ' +
      'comparing bytes, is the only one that can.',
    flips: [CHECK.code, CHECK.exit],
  },
];
