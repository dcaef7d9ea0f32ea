/**
 * What every statistic here is computed on: scores with 0/1 labels, one label per score, and for two
 * models the same requests in the same order (Q29: shadow predictions are paired). Bad input is refused
 * before any work with an EvaluationInputError that says which entry is wrong and why.
 *
 * A label is positive only when it is exactly 1 and negative only when it is exactly 0: a 2, a -1, a
 * 0.5, a NaN or true is refused rather than silently counted as a negative, which would move the AUC
 * and the DeLong p-value without a word. Scores must be finite (NaN cannot be ranked; an infinite score
 * usually means a broken model).
 */
import { EvaluationInputError } from './errors.ts';

/** Scores of the same requests, in the same order, by each model, and their 0/1 labels. */
export interface PairedSample {
  champion: ArrayLike<number>;
  challenger: ArrayLike<number>;
  labels: ArrayLike<number>;
}

export interface ClassCounts {
  positives: number;
  negatives: number;
}

function checkScores(what: string, name: string, scores: ArrayLike<number>): void {
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i]))
      throw new EvaluationInputError(
        'score',
        `${what}: ${name} ${i} is ${scores[i]}; scores must be finite`,
        i,
      );
  }
}

/** Counts the classes after checking that every label is exactly 0 or 1. */
function countLabels(what: string, labels: ArrayLike<number>): ClassCounts {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y === 1) positives++;
    else if (y !== 0)
      throw new EvaluationInputError(
        'label',
        `${what}: label ${i} is ${String(y)}; labels must be 0 or 1`,
        i,
      );
  }
  return { positives, negatives: labels.length - positives };
}

/** Refuses fewer than `minPerClass` positives or negatives. */
function checkClasses(what: string, counts: ClassCounts, minPerClass: number): void {
  const { positives, negatives } = counts;
  if (positives < minPerClass || negatives < minPerClass) {
    throw new EvaluationInputError(
      'class',
      `${what}: ${positives} positives and ${negatives} negatives; needs at least ${minPerClass} of each class`,
    );
  }
}

/** Checks one model's scores against its labels; `minPerClass` 0 allows a missing class. */
export function checkScoredSample(
  what: string,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  minPerClass = 0,
): ClassCounts {
  if (scores.length !== labels.length)
    throw new EvaluationInputError('length', `${what}: ${scores.length} scores but ${labels.length} labels`);
  checkScores(what, 'score', scores);
  const counts = countLabels(what, labels);
  checkClasses(what, counts, minPerClass);
  return counts;
}

/** Checks a paired sample: equal lengths, finite scores, 0/1 labels, at least `minPerClass` of each. */
export function checkPairedSample(what: string, sample: PairedSample, minPerClass = 0): ClassCounts {
  const n = sample.labels.length;
  if (sample.champion.length !== n || sample.challenger.length !== n) {
    throw new EvaluationInputError(
      'length',
      `${what}: ${sample.champion.length} champion scores, ${sample.challenger.length} challenger ` +
        `scores, ${n} labels; all must be equal`,
    );
  }
  checkScores(what, 'champion score', sample.champion);
  checkScores(what, 'challenger score', sample.challenger);
  const counts = countLabels(what, sample.labels);
  checkClasses(what, counts, minPerClass);
  return counts;
}
