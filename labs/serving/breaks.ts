/**
 * The serving lab's checks and faults (Q16, Q17). Each fault is a different ServingModel adapter
 * (variants.ts) behind the unchanged server and batch job: a real code path a team could ship.
 */
import type { LabBreak } from '@mlops-lab/labkit';

export const CHECK = {
  loadOk: 'every request of the load run answered 200',
  metricsMatch: "the server's /metrics status counts match the flood's replies",
  goodDuringFlood: 'every good request during the flood answered 200',
  badRefused: 'every malformed request answered 400 naming the field and a reason',
  noServerErrors: "no request answered 5xx (the server's own /metrics counts)",
  servedMatchesOffline: "served scores equal the training pipeline's offline scores",
  onlineEqualsBatch: 'online and batch scores are identical for the same inputs',
  batchComplete: 'the batch job scored every valid row and flagged every malformed one',
} as const;

export const BREAKS: LabBreak[] = [
  {
    name: 'bad-input',
    symptom:
      'the server stays up and the good traffic is fine, but most malformed requests now get 200 with a plausible score, some get 500, and the batch table has malformed rows with a score',
    hint: 'look at the status table of the flood per family of malformed body, then ask which layer used to refuse them',
    explanation:
      'The adapter was "simplified": no request schema, and the body goes straight into the payments ' +
      'encoder `encodePayment` without the body check against the request schema. The encoder was written for rows a ' +
      'pipeline already cleaned, so it never refuses anything: `Math.max("80.5", 0.01)` coerces text to a ' +
      'number, a null device age is filled with the training mean, a negative distance is clamped to 0, ' +
      'an unknown or missing channel encodes as all zeros. Each gets a confident 200 with a score for an ' +
      'input nobody sent. Text that is not a number and an array body become NaN features; one NaN ' +
      'input makes every hidden unit NaN, ReLU turns those into 0 on this backend, and the output is ' +
      'sigmoid(bias): the same plausible "review" score for every such request, finite, so a NaN alert ' +
      'would not fire either. ' +
      'A null body throws a TypeError deep in the transform: 500. Only cut-off JSON is still refused, by ' +
      "Fastify's body parser. The batch job runs the same adapter, so the same rows are scored there " +
      'instead of flagged. Fix: validation belongs to the model contract (preprocess refuses with the ' +
      'field and the reason), the HTTP schema is a fast first line, and "score is finite" is an alert.',
    flips: [CHECK.badRefused, CHECK.noServerErrors, CHECK.batchComplete],
  },
  {
    name: 'preprocess-mismatch',
    symptom:
      'every request answers 200, online and batch agree to the bit, yet the logged sample re-scored by the training pipeline disagrees and some decisions flip',
    hint: 'compare served and offline scores by amount: where is the difference largest, and what does the model do with amount?',
    explanation:
      'The serving adapter carries its own port of the preprocessing, written from the feature spec ' +
      '"standardized log of amount", instead of using the encoder the model carries (`encodePayment`). It validates correctly ' +
      'and reads the artifact stats, but its log is base 10 (what LOG() means in SQL and spreadsheets) ' +
      'while training used the natural log: every amount looks about 2.3 times smaller in log space, ' +
      'far below the training mean, so the model sees tiny payments. Nothing crashes, scores stay ' +
      'plausible, and the batch job uses the same adapter, so online and batch agree exactly: the ' +
      'same-code property makes them equally wrong. Only replaying logged requests through the training ' +
      'pipeline finds it. Fix: serving imports the transform (and its stats) from the training artifact, ' +
      'and a deploy gate compares served and offline scores on a logged sample.',
    flips: [CHECK.servedMatchesOffline],
  },
];
