/**
 * Where label-free performance estimation holds and where it breaks (Q28): four seeded scenarios of
 * the payments world (@mlops-lab/datagen) x three estimators x two measures, each window's estimate
 * against its realized value once the labels are in.
 *
 * - scenarios: no shift; covariate shift (the holiday season: amounts and the merchant mix move, the
 *   labels follow the inputs, P(y | x) unchanged); shift into unseen regions (amounts several reference
 *   standard deviations up, past where the fraud rule stops growing with the amount, which the
 *   monitored model never saw and keeps extrapolating); concept drift (label rule v2: the inputs do
 *   not move, P(y | x) does).
 * - estimators: CBPE (cbpe.ts), DLE (dle.ts) and the constant-reference baseline, which says every
 *   window performs as the reference did (its band: the reference value's sampling spread at the
 *   window's size). An estimator that cannot beat the constant has told nothing.
 * - measures, per metric (AUC, accuracy): the mean absolute error against realized over the windows,
 *   and the coverage of the ±3 SE band (share of windows whose realized value falls inside it).
 * - Every window figure is that window's own: realized accuracy from its confusion matrix summed over
 *   all its rows, realized AUC over its pooled rows (= ROC from the per-threshold matrices summed),
 *   the estimates from the window's summed expected matrices; never a mean of per-chunk metrics.
 * The monitored model is a logistic regression on the reference encoding (dle-features.ts), fitted on
 * its own training window; CBPE and DLE are fitted on a separate labelled reference window.
 */
import {
  type DriftKnobs,
  generatePayments,
  mixSeed,
  PAYMENT_FEATURES,
  type PaymentEvent,
} from '@mlops-lab/datagen';
import type { Schema } from '@mlops-lab/drift';
import { rocAuc } from '@mlops-lab/evaluation';
import { predictLogistic, trainLogistic } from '@mlops-lab/training/logistic';
import { estimatePerformance, fitCbpe, hanleyMcNeil, type PerformanceEstimate } from './cbpe.ts';
import { estimateDle, fitDle } from './dle.ts';
import { encodeRow, fitRowEncoder } from './dle-features.ts';
import { MonitoringInputError } from './errors.ts';

export type ScenarioName = 'no shift' | 'covariate shift' | 'unseen region' | 'concept drift';
export type EstimatorName = 'CBPE' | 'DLE' | 'reference';
export const ESTIMATORS: readonly EstimatorName[] = ['CBPE', 'DLE', 'reference'];

export interface Scenario {
  name: ScenarioName;
  /** What changes in the world, one line. */
  what: string;
  drift: DriftKnobs;
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'no shift', what: 'windows drawn like the reference', drift: {} },
  {
    name: 'covariate shift',
    what: 'holiday season: amounts x1.3, travel x2.5, online retail x1.8; labels follow the inputs',
    drift: { season: 0.5 },
  },
  {
    name: 'unseen region',
    what: 'amounts +3 reference SDs (log scale), past where the fraud rule stops rising with the amount',
    drift: { numericShift: { amount: 3 } },
  },
  {
    name: 'concept drift',
    what: 'label rule v2: same inputs, a new fraud pattern',
    drift: { labelRule: 'v2' },
  },
];

export const SCENARIO_SCHEMA: Schema = PAYMENT_FEATURES.map(({ name, type }) => ({ name, type }));

export interface ScenarioOptions {
  seed?: number;
  /** Rows of the training window and of the labelled reference window (default 5,000 each). */
  referenceSize?: number;
  /** Windows per scenario (default 8) and rows per window (default 2,000). */
  windows?: number;
  windowSize?: number;
  threshold?: number;
}

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface ScenarioWindow {
  scenario: ScenarioName;
  index: number;
  n: number;
  realized: { auc: number; accuracy: number; confusion: Confusion };
  estimates: Record<EstimatorName, PerformanceEstimate>;
}

export interface Measure {
  /** Mean over windows of |estimate - realized|. */
  mae: number;
  /** Share of windows with |estimate - realized| <= 3 SE. */
  coverage: number;
}

export interface ScenarioRow {
  scenario: ScenarioName;
  estimator: EstimatorName;
  auc: Measure;
  accuracy: Measure;
}

export interface ScenarioTable {
  reference: { n: number; auc: number; accuracy: number };
  windows: ScenarioWindow[];
  rows: ScenarioRow[];
}

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 5);

/** The confusion matrix of decisions `score >= threshold` against labels, counted over every row. */
export function confusionOf(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
): Confusion {
  const cm = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < scores.length; i++) {
    const flagged = scores[i] >= threshold;
    if (labels[i] === 1) flagged ? cm.tp++ : cm.fn++;
    else flagged ? cm.fp++ : cm.tn++;
  }
  return cm;
}

/** Element-wise sum: the matrix of the rows of every part together. */
export function sumConfusion(parts: readonly Confusion[]): Confusion {
  return parts.reduce((s, c) => ({ tp: s.tp + c.tp, fp: s.fp + c.fp, tn: s.tn + c.tn, fn: s.fn + c.fn }), {
    tp: 0,
    fp: 0,
    tn: 0,
    fn: 0,
  });
}

export const accuracyOf = (c: Confusion) => (c.tp + c.tn) / (c.tp + c.fp + c.tn + c.fn);

function events(seed: number, size: number, tag: string, k: number, drift: DriftKnobs = {}): PaymentEvent[] {
  return generatePayments({
    seed: mixSeed(seed, 'scenarios', tag, k),
    size,
    start: START + k * 7 * DAY,
    durationMs: 7 * DAY,
    drift,
  });
}

const measure = (errors: readonly { error: number; se: number }[]): Measure => ({
  mae: errors.reduce((s, e) => s + Math.abs(e.error), 0) / errors.length,
  coverage: errors.filter((e) => Math.abs(e.error) <= 3 * e.se).length / errors.length,
});

/** Runs every scenario: the windows, then the scenario x estimator table. Deterministic in `seed`. */
export function runScenarios(options: ScenarioOptions = {}): ScenarioTable {
  const { seed = 1, referenceSize = 5000, windows = 8, windowSize = 2000, threshold = 0.5 } = options;
  for (const [k, v] of Object.entries({ referenceSize, windows, windowSize }))
    if (!Number.isSafeInteger(v) || v < 1)
      throw new MonitoringInputError(`scenarios: ${k} must be a positive integer, got ${v}`);
  if (referenceSize < 500 || windowSize < 200)
    throw new MonitoringInputError('scenarios: need referenceSize >= 500 and windowSize >= 200');

  // The monitored model, trained on its own window.
  const train = events(seed, referenceSize, 'train', 0);
  const encoder = fitRowEncoder(train, SCENARIO_SCHEMA);
  const model = trainLogistic(
    train.map((e) => encodeRow(encoder, e)),
    train.map((e) => e.label),
  );
  const score = (list: readonly PaymentEvent[]) =>
    Float64Array.from(list, (e) => predictLogistic(model, encodeRow(encoder, e)));

  // The labelled reference CBPE and DLE are fitted on, and the constant baseline's values.
  const ref = events(seed, referenceSize, 'reference', 0);
  const refScores = score(ref);
  const refLabels = ref.map((e) => e.label);
  const cbpe = fitCbpe(refScores, refLabels, threshold);
  const dle = fitDle(
    ref.map((e, i) => ({ features: e, score: refScores[i], label: e.label })),
    SCENARIO_SCHEMA,
    threshold,
  );
  const refAuc = rocAuc(refScores, refLabels) ?? Number.NaN;
  const refConfusion = confusionOf(refScores, refLabels, threshold);
  const refAccuracy = accuracyOf(refConfusion);
  const prevalence = refLabels.filter((l) => l === 1).length / refLabels.length;
  // The reference, scaled to the window's size: the same rates, the sampling spread of n rows.
  const constant = (n: number): PerformanceEstimate => ({
    n,
    auc: refAuc,
    accuracy: refAccuracy,
    seAuc: hanleyMcNeil(refAuc, n * prevalence, n * (1 - prevalence)),
    seAccuracy: Math.sqrt((refAccuracy * (1 - refAccuracy)) / n),
    confusion: {
      tp: (refConfusion.tp * n) / ref.length,
      fp: (refConfusion.fp * n) / ref.length,
      tn: (refConfusion.tn * n) / ref.length,
      fn: (refConfusion.fn * n) / ref.length,
    },
  });

  const out: ScenarioWindow[] = [];
  for (const scenario of SCENARIOS) {
    for (let k = 0; k < windows; k++) {
      const live = events(seed, windowSize, scenario.name, k + 1, scenario.drift);
      const scores = score(live);
      const labels = live.map((e) => e.label);
      const confusion = confusionOf(scores, labels, threshold);
      out.push({
        scenario: scenario.name,
        index: k,
        n: live.length,
        realized: { auc: rocAuc(scores, labels) ?? Number.NaN, accuracy: accuracyOf(confusion), confusion },
        estimates: {
          CBPE: estimatePerformance(cbpe, scores),
          DLE: estimateDle(
            dle,
            live.map((e, i) => ({ features: e, score: scores[i] })),
          ),
          reference: constant(live.length),
        },
      });
    }
  }

  const rows: ScenarioRow[] = [];
  for (const scenario of SCENARIOS)
    for (const estimator of ESTIMATORS) {
      const ws = out.filter((w) => w.scenario === scenario.name);
      rows.push({
        scenario: scenario.name,
        estimator,
        auc: measure(
          ws.map((w) => ({
            error: w.estimates[estimator].auc - w.realized.auc,
            se: w.estimates[estimator].seAuc,
          })),
        ),
        accuracy: measure(
          ws.map((w) => ({
            error: w.estimates[estimator].accuracy - w.realized.accuracy,
            se: w.estimates[estimator].seAccuracy,
          })),
        ),
      });
    }
  return { reference: { n: ref.length, auc: refAuc, accuracy: refAccuracy }, windows: out, rows };
}
