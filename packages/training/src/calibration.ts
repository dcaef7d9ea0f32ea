/**
 * Expected calibration error (Q16: a score served as a probability must mean one). Equal-width bins
 * over [0, 1]; ECE = Σ_b (n_b / n) · |mean score in b − fraud rate in b|.
 * Reference: Guo et al. 2017, "On Calibration of Modern Neural Networks" (ECE as defined there).
 */
export function expectedCalibrationError(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = 10,
): number {
  const n = scores.length;
  if (labels.length !== n)
    throw new Error(`expectedCalibrationError: ${n} scores but ${labels.length} labels`);
  if (n === 0) return 0;
  const count = new Array<number>(bins).fill(0);
  const sumScore = new Array<number>(bins).fill(0);
  const sumLabel = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(scores[i] * bins))); // score 1.0 goes to the top bin
    count[b]++;
    sumScore[b] += scores[i];
    sumLabel[b] += labels[i];
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b] > 0) ece += (count[b] / n) * Math.abs(sumScore[b] / count[b] - sumLabel[b] / count[b]);
  }
  return ece;
}
