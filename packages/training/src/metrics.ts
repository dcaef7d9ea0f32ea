/**
 * Binary classification metrics the labs report with a trained model (Q4, Q7): accuracy at a threshold,
 * and log loss with probabilities clipped like sklearn.metrics.log_loss. ROC AUC is
 * @mlops-lab/evaluation's rocAuc (the one AUC of the repository, golden-tested there against
 * scipy.stats.mannwhitneyu), re-exported here so a model's metrics come from one import.
 */
export { rocAuc } from '@mlops-lab/evaluation';

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
