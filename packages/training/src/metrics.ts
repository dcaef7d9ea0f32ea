/**
 * Binary classification metrics the labs report. References: ROC AUC as the Mann–Whitney U statistic
 * divided by n1·n0, with average ranks for ties (equal to sklearn.metrics.roc_auc_score, and checked
 * here against scipy.stats.mannwhitneyu); log loss with probabilities clipped like sklearn's log_loss.
 */

/** ROC AUC; null when only one class is present (AUC is undefined there, never NaN). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const n = scores.length;
  if (labels.length !== n) throw new Error(`rocAuc: ${n} scores but ${labels.length} labels`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSumPositives = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        rankSumPositives += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Share of rows where `score >= threshold` agrees with the label. */
export function accuracy(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold = 0.5): number {
  if (scores.length === 0) return 0;
  let correct = 0;
  for (let i = 0; i < scores.length; i++) if ((scores[i] >= threshold ? 1 : 0) === labels[i]) correct++;
  return correct / scores.length;
}

/** Mean negative log-likelihood, natural log, probabilities clipped to [1e-15, 1 − 1e-15]. */
export function logLoss(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (scores.length === 0) return 0;
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = Math.min(Math.max(scores[i], 1e-15), 1 - 1e-15);
    total -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return total / scores.length;
}
