/**
 * Direct-loss estimation for a binary classifier (Q28: performance while labels are weeks away),
 * after NannyML's DLE (nannyml/performance_estimation/direct_loss_estimation): a second, small model
 * is fitted on the labelled reference to predict each served prediction's loss from its inputs and
 * its score; a live window's expected metric is then read off those predicted losses.
 *
 * - NannyML's DLE is for regression: an LGBMRegressor per metric on the per-row loss (|y - ŷ| for MAE),
 *   the chunk estimate the mean predicted loss, clipped at 0. Here the monitored model is a classifier
 *   and the loss is the 0/1 loss: is this prediction wrong? The nanny is a logistic regression
 *   (@mlops-lab/training/logistic) on the encoded features (dle-features.ts) and the score's logit.
 * - One nanny per side of the decision threshold. Among flagged rows (score >= t) wrong means y = 0,
 *   among passed rows y = 1, so a feature that raises the fraud risk raises the error on one side and
 *   lowers it on the other: a single linear model over both sides could not say that. Each nanny
 *   gets only as many inputs as its side's reference rows can fit (EPV below).
 * - From P(wrong) and the decision, P(y = 1) per row: the expected confusion matrix and expected AUC
 *   follow exactly as in CBPE (cbpe.ts `expectedPerformance`); expected accuracy = 1 - mean P(wrong).
 * - Band: ±3 SE. Accuracy as NannyML's DLE: the reference's per-row spread of the loss over √n;
 *   AUC by Hanley & McNeil with the expected class counts, as for CBPE.
 * Unlike CBPE it can see a shift that moves P(y | score) through the features (a region where the
 * monitored model is over-confident); like CBPE it cannot see concept drift, which changes P(y | x)
 * without moving x.
 */
import type { Schema } from '@mlops-lab/drift';
import { type LogisticModel, predictLogistic, trainLogistic } from '@mlops-lab/training/logistic';
import { expectedPerformance, type PerformanceEstimate } from './cbpe.ts';
import { encodeRow, type FeatureRecord, fitRowEncoder, type RowEncoder } from './dle-features.ts';
import { MonitoringInputError } from './errors.ts';

/**
 * Events per variable: a nanny gets a column only for every EPV rows of its side's rarer outcome
 * (Peduzzi et al. 1996's rule of thumb for logistic regression, 10). A side that cannot afford every
 * feature gets the score's logit alone (Platt scaling on that side); one that cannot afford even that,
 * its smoothed error rate. The flagged side of a fraud model is small, and a nanny with every feature
 * on a few hundred rows fits their noise (it estimated AUC worse than CBPE's calibration alone).
 */
export const EPV = 10;

export type Nanny =
  | { kind: 'features' | 'score'; model: LogisticModel; rows: number }
  | { kind: 'constant'; rate: number; rows: number };

export interface DleModel {
  encoder: RowEncoder;
  threshold: number;
  flagged: Nanny;
  passed: Nanny;
  /** Realized 0/1 loss on the reference: its rate and per-row standard deviation. */
  referenceError: { rate: number; sd: number };
  /** DLE's own estimate on the reference rows. */
  reference: PerformanceEstimate;
}

export interface ScoredRecord {
  features: FeatureRecord;
  score: number;
}

const LOGIT_CLIP = 1e-6;
const logit = (s: number) => {
  const p = Math.min(1 - LOGIT_CLIP, Math.max(LOGIT_CLIP, s));
  return Math.log(p / (1 - p));
};

function checkRows(what: string, rows: readonly ScoredRecord[]) {
  rows.forEach((r, i) => {
    if (!(r.score >= 0 && r.score <= 1))
      throw new MonitoringInputError(`${what}: score ${i} is ${r.score}; scores must be in [0, 1]`);
    if (r.features === null || typeof r.features !== 'object')
      throw new MonitoringInputError(`${what}: row ${i} has no features object`);
  });
}

/** The score's logit is the encoder's last column (the one extra). */
const scoreColumn = (x: Float64Array) => x.subarray(x.length - 1);

function fitNanny(x: Float64Array[], wrong: number[], width: number): Nanny {
  const errors = wrong.reduce((s, w) => s + w, 0);
  const rarer = Math.min(errors, x.length - errors);
  if (rarer >= EPV * width)
    return { kind: 'features', model: trainLogistic(x, wrong, { l2: 1e-3 }), rows: x.length };
  if (rarer >= EPV)
    return { kind: 'score', model: trainLogistic(x.map(scoreColumn), wrong, { l2: 1e-3 }), rows: x.length };
  // Laplace-smoothed, so an empty or error-free side is not read as certain.
  return { kind: 'constant', rate: (errors + 1) / (x.length + 2), rows: x.length };
}

function predictNanny(n: Nanny, x: Float64Array): number {
  if (n.kind === 'constant') return n.rate;
  return predictLogistic(n.model, n.kind === 'score' ? scoreColumn(x) : x);
}

/** Fits DLE on labelled reference rows the monitored model was not trained on. */
export function fitDle(
  rows: readonly (ScoredRecord & { label: number })[],
  schema: Schema,
  threshold = 0.5,
): DleModel {
  const n = rows.length;
  if (n < 100)
    throw new MonitoringInputError(`dle: the reference needs at least 100 labelled rows, got ${n}`);
  if (!(threshold > 0 && threshold < 1)) throw new MonitoringInputError('dle: threshold must be in (0, 1)');
  checkRows('dle reference', rows);
  let positives = 0;
  rows.forEach((r, i) => {
    if (r.label !== 0 && r.label !== 1)
      throw new MonitoringInputError(`dle: label ${i} is ${r.label}; labels must be 0 or 1`);
    positives += r.label;
  });
  if (positives === 0 || positives === n)
    throw new MonitoringInputError('dle: the reference needs both classes');
  const encoder = fitRowEncoder(
    rows.map((r) => r.features),
    schema,
    rows.map((r) => [logit(r.score)]),
  );
  const sides = {
    flagged: { x: [] as Float64Array[], wrong: [] as number[] },
    passed: { x: [] as Float64Array[], wrong: [] as number[] },
  };
  let errors = 0;
  for (const r of rows) {
    const flagged = r.score >= threshold;
    const wrong = (flagged ? 1 : 0) !== r.label ? 1 : 0;
    errors += wrong;
    const side = flagged ? sides.flagged : sides.passed;
    side.x.push(encodeRow(encoder, r.features, [logit(r.score)]));
    side.wrong.push(wrong);
  }
  const rate = errors / n;
  const partial = {
    encoder,
    threshold,
    flagged: fitNanny(sides.flagged.x, sides.flagged.wrong, encoder.width),
    passed: fitNanny(sides.passed.x, sides.passed.wrong, encoder.width),
    referenceError: { rate, sd: Math.sqrt(rate * (1 - rate)) },
  };
  return { ...partial, reference: estimateWith(partial, rows) };
}

/** P(wrong) per row, from the nanny of the row's side of the threshold. */
export function predictLoss(model: Omit<DleModel, 'reference'>, rows: readonly ScoredRecord[]): Float64Array {
  return Float64Array.from(rows, (r) => {
    const x = encodeRow(model.encoder, r.features, [logit(r.score)]);
    return predictNanny(r.score >= model.threshold ? model.flagged : model.passed, x);
  });
}

function estimateWith(
  model: Omit<DleModel, 'reference'>,
  rows: readonly ScoredRecord[],
): PerformanceEstimate {
  const loss = predictLoss(model, rows);
  const scores = Float64Array.from(rows, (r) => r.score);
  // A flagged row is a positive unless wrong; a passed row is a positive exactly when wrong.
  const p = Float64Array.from(loss, (w, i) => (scores[i] >= model.threshold ? 1 - w : w));
  const est = expectedPerformance(scores, p, model.threshold);
  return { ...est, seAccuracy: model.referenceError.sd / Math.sqrt(rows.length) };
}

/** Estimates a window's performance from its records and scores alone. */
export function estimateDle(model: DleModel, rows: readonly ScoredRecord[]): PerformanceEstimate {
  if (rows.length === 0) throw new MonitoringInputError('dle: cannot estimate an empty window');
  checkRows('dle window', rows);
  return estimateWith(model, rows);
}
