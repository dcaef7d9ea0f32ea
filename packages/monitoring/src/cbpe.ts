/**
 * Confidence-based performance estimation (Q28: performance while labels are weeks away), after
 * NannyML's CBPE (docs "Estimation of Performance of the Monitored Model"), written here because no
 * JavaScript library does it.
 *
 * - Calibrate on the reference window, where labels are known: isotonic regression of label on score,
 *   kept only if it lowers the held-out Brier score in a two-fold split of the reference (NannyML
 *   keeps it where it lowers calibration error; Brier, whose ranking part isotonic barely moves,
 *   stands in so the package needs no training dependency).
 * - A calibrated score p is a probability: a row counts as a positive with weight p and a negative with
 *   weight 1 - p. At threshold t, expected TP = Σ_{p≥t} p, FP = Σ_{p≥t} (1 − p), FN = Σ_{p<t} p,
 *   TN = Σ_{p<t} (1 − p): exactly NannyML's P(correct) = 1 − |ŷ − p| summed per cell.
 * - Expected AUC: trapezoids of expected TPR against expected FPR over every distinct score (ties in one
 *   step, as the realized AUC counts them as half). Expected accuracy at the decision threshold.
 * - Band: ±3 standard errors. AUC: Hanley & McNeil (1982) with the expected class counts; accuracy:
 *   the binomial √(a(1−a)/n). Every figure comes from the window's summed expected confusion matrix,
 *   never from averaging per-chunk metrics.
 * It assumes P(y | score) is what the reference said: it holds under covariate shift and fails under
 * concept drift (the estimate stays confident while the realized AUC falls).
 */
import { MonitoringInputError } from './errors.ts';
import { fitIsotonic, type IsotonicFit, predictIsotonic } from './isotonic.ts';

export interface CbpeModel {
  calibration: IsotonicFit | null;
  /** Held-out Brier score of the raw and the calibrated scores on the reference (two-fold). */
  brier: { raw: number; calibrated: number };
  threshold: number;
  reference: PerformanceEstimate;
}

export interface PerformanceEstimate {
  n: number;
  auc: number;
  accuracy: number;
  /** Standard errors; the band is value ± 3 SE. */
  seAuc: number;
  seAccuracy: number;
  /** Expected confusion matrix at the decision threshold. */
  confusion: { tp: number; fp: number; tn: number; fn: number };
}

function checkScores(what: string, scores: ArrayLike<number>) {
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (!(s >= 0 && s <= 1))
      throw new MonitoringInputError(`${what}: score ${i} is ${s}; scores must be in [0, 1]`);
  }
}

const brier = (p: ArrayLike<number>, y: ArrayLike<number>, idx: number[]) =>
  idx.reduce((s, i) => s + (p[i] - y[i]) ** 2, 0) / idx.length;

/** Fits CBPE on the reference window's scores and labels (needs both classes). */
export function fitCbpe(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold = 0.5): CbpeModel {
  const n = scores.length;
  if (labels.length !== n) throw new MonitoringInputError(`cbpe: ${n} scores but ${labels.length} labels`);
  if (n < 100)
    throw new MonitoringInputError(`cbpe: the reference needs at least 100 labelled rows, got ${n}`);
  checkScores('cbpe reference', scores);
  if (!(threshold > 0 && threshold < 1)) throw new MonitoringInputError(`cbpe: threshold must be in (0, 1)`);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== 0 && labels[i] !== 1)
      throw new MonitoringInputError(`cbpe: label ${i} is ${labels[i]}; labels must be 0 or 1`);
    positives += labels[i];
  }
  if (positives === 0 || positives === n)
    throw new MonitoringInputError('cbpe: the reference needs both classes');
  // Two-fold: fit on one half, score the other, both ways.
  const folds = [0, 1].map((f) => Array.from({ length: n }, (_, i) => i).filter((i) => i % 2 === f));
  let raw = 0;
  let calibrated = 0;
  for (const [fitOn, testOn] of [folds, [folds[1], folds[0]]]) {
    const fit = fitIsotonic(
      fitOn.map((i) => scores[i]),
      fitOn.map((i) => labels[i]),
    );
    const p = new Float64Array(n);
    for (const i of testOn) p[i] = predictIsotonic(fit, scores[i]);
    raw += brier(scores, labels, testOn) / 2;
    calibrated += brier(p, labels, testOn) / 2;
  }
  const calibration = calibrated < raw ? fitIsotonic(scores, labels) : null;
  const partial = { calibration, brier: { raw, calibrated }, threshold };
  return { ...partial, reference: estimateWith(partial, scores) };
}

/** The calibrated probability of a raw score. */
export function calibrate(model: Pick<CbpeModel, 'calibration'>, score: number): number {
  return model.calibration ? predictIsotonic(model.calibration, score) : score;
}

function estimateWith(model: Pick<CbpeModel, 'calibration' | 'threshold'>, scores: ArrayLike<number>) {
  const p = Float64Array.from({ length: scores.length }, (_, i) => calibrate(model, scores[i]));
  return expectedPerformance(scores, p, model.threshold);
}

/**
 * The expected performance of served `scores` when row i is a positive with probability p[i]: the
 * expected confusion matrix at `threshold`, expected AUC over every distinct score, their SEs. CBPE
 * takes p from the calibrated score, direct-loss estimation (dle.ts) from its model of the loss.
 */
export function expectedPerformance(
  scores: ArrayLike<number>,
  p: ArrayLike<number>,
  threshold: number,
): PerformanceEstimate {
  const n = scores.length;
  // The thresholds are the raw scores (the ranking the model serves), descending.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let totalP = 0;
  for (let i = 0; i < n; i++) totalP += p[i];
  const totalN = n - totalP;
  let tp = 0;
  let area = 0;
  for (let k = 0; k < n; ) {
    const s = scores[order[k]];
    let dtp = 0;
    let dfp = 0;
    for (; k < n && scores[order[k]] === s; k++) {
      dtp += p[order[k]];
      dfp += 1 - p[order[k]];
    }
    area += dfp * (tp + dtp / 2);
    tp += dtp;
  }
  const auc = totalP > 0 && totalN > 0 ? area / (totalP * totalN) : Number.NaN;
  const cm = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < n; i++) {
    if (scores[i] >= threshold) {
      cm.tp += p[i];
      cm.fp += 1 - p[i];
    } else {
      cm.fn += p[i];
      cm.tn += 1 - p[i];
    }
  }
  const accuracy = (cm.tp + cm.tn) / n;
  return {
    n,
    auc,
    accuracy,
    seAuc: hanleyMcNeil(auc, totalP, totalN),
    seAccuracy: Math.sqrt((accuracy * (1 - accuracy)) / n),
    confusion: cm,
  };
}

/** Hanley & McNeil (1982) standard error of an AUC with nP positives and nN negatives. */
export function hanleyMcNeil(auc: number, nP: number, nN: number): number {
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const v = (auc * (1 - auc) + (nP - 1) * (q1 - auc * auc) + (nN - 1) * (q2 - auc * auc)) / (nP * nN);
  return Math.sqrt(Math.max(0, v));
}

/** Estimates a window's performance from its scores alone. */
export function estimatePerformance(model: CbpeModel, scores: ArrayLike<number>): PerformanceEstimate {
  if (scores.length === 0) throw new MonitoringInputError('cbpe: cannot estimate an empty window');
  checkScores('cbpe window', scores);
  return estimateWith(model, scores);
}
