/**
 * ROC AUC of one model (Q4, Q15: the ranking metric the labs and the verdict compare) as the
 * Mann–Whitney statistic U / (n1 n0) with midranks, so a tied positive/negative pair counts 1/2: the
 * number sklearn.metrics.roc_auc_score gives, and U of the positives in scipy.stats.mannwhitneyu
 * (golden/auc.json, golden/delong.json). Reference: Hanley & McNeil (1982), "The meaning and use of the
 * area under a receiver operating characteristic (ROC) curve", Radiology 143(1).
 */
import { checkScoredSample } from './sample.ts';

/** Number of entries of ascending `sorted` that are < x (strict) or <= x (!strict). */
export function countBelow(sorted: Float64Array, x: number, strict: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x || (!strict && sorted[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** 1-based midranks (ties get the mean of the ranks they span) of `v`. */
export function midranks(v: ArrayLike<number>): Float64Array {
  const sorted = Float64Array.from(v).sort();
  const ranks = new Float64Array(v.length);
  // The tie group of x occupies 0-based sorted positions [below, upTo): mean 1-based rank.
  for (let i = 0; i < v.length; i++)
    ranks[i] = (countBelow(sorted, v[i], true) + 1 + countBelow(sorted, v[i], false)) / 2;
  return ranks;
}

/**
 * ROC AUC of `scores` for 0/1 `labels`. Null when a class is missing: AUC is undefined there, and null
 * (unlike NaN) survives JSON and cannot pass a comparison unnoticed. Throws EvaluationInputError for
 * unequal lengths, a label other than 0 or 1, or a non-finite score.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const { positives, negatives } = checkScoredSample('rocAuc', scores, labels);
  if (positives === 0 || negatives === 0) return null;
  const ranks = midranks(scores);
  let rankSum = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) rankSum += ranks[i];
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
