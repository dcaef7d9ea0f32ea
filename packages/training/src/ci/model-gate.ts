/**
 * The model gate of ML CI (Q11 "model CI: training runs, offline eval on a fixed test set, comparison
 * to the current production model"): a tiny training run of the candidate on a fixed sample, scored
 * on that sample's later holdout, with intervals rather than single numbers:
 *
 * - tiny training run: the candidate's vectors are finite and its training finishes with finite scores.
 * - holdout independence: no holdout row is a copy of a training row (every field but the id); a
 *   duplicate across the split lets memorisation pass for skill.
 * - baseline: AUC's 95% interval lies above the trivial baseline's 0.5 (a constant score), by DeLong's
 *   variance (@mlops-lab/evaluation's delongTest against constant scores).
 * - labels vs production: the production model's AUC on the holdout must not lie wholly below 0.5.
 *   A model that ranks today's traffic well and ranks these labels worse than chance says the labels
 *   contradict it: a flipped (1 - label) or misjoined label column. Without this, a flip passes every
 *   other expectation: the candidate learns the flipped labels and beats production on them.
 *   (A production model near chance has an interval reaching 0.5 and is never blamed.)
 * - holdout vs production: paired on the same holdout rows, the difference
 *   AUC(candidate) - AUC(production) must be above -tolerance and its DeLong 95% interval must reach
 *   0 (the candidate is not significantly worse). A strict non-inferiority rule (the interval's
 *   lower end above -tolerance) failed 4 of 20 clean changes on a 1,000-row holdout: it needs a
 *   holdout large enough to make the interval narrower than the tolerance (fault-benchmark.ts). The
 *   paired bootstrap percentile interval is reported beside it (pairedBootstrapAucDelta).
 * - accuracy: at the 0.5 threshold, at most `accuracyTolerance` below production, Wilson intervals
 *   reported. With fraud near 11% most scores sit below 0.5 for any model, so accuracy barely moves
 *   when ranking gets worse: the expectation a plain CI would stop at, kept to show what it misses.
 * References: DeLong et al. (1988); Efron & Tibshirani (1993) for the percentile bootstrap;
 * Wilson (1927).
 */

import type { PaymentEvent } from '@mlops-lab/datagen';
import { delongTest, pairedBootstrapAucDelta, wilson, Z95 } from '@mlops-lab/evaluation';
import { accuracy } from '../metrics.ts';
import { fitModel, predictRows } from '../tf-model.ts';
import { type Backend, loadTf } from '../tfjs.ts';
import { type Finding, finding, type GateResult, gateResult } from './gate.ts';
import { buildTrainingSet, type TrainingSetSpec } from './training-set.ts';

export interface CandidateSpec extends TrainingSetSpec {
  /** Seed of the initializers. */
  seed: number;
  epochs: number;
}

/** What the gate needs of the production model: its own preprocessing and scores. */
export interface ProductionModel {
  ref: string;
  preprocess(event: PaymentEvent): number[];
  predict(rows: number[][]): Promise<Float32Array>;
}

export interface ModelGateOptions {
  /** Largest AUC loss against production the candidate may show (default 0.02). */
  tolerance?: number;
  /** Largest accuracy loss at 0.5 against production (default 0.02). */
  accuracyTolerance?: number;
  /** Bootstrap resamples for the reported interval (default 500). */
  resamples?: number;
}

const f3 = (x: number) => x.toFixed(3);
const ci = ([a, b]: [number, number]) => `[${f3(a)}, ${f3(b)}]`;
const signed = (x: number) => (x >= 0 ? `+${f3(x)}` : f3(x));

/** Trains the candidate on `rows` (time-ordered) and judges it against `production` on their holdout. */
export async function modelGate(
  rows: readonly PaymentEvent[],
  spec: CandidateSpec,
  production: ProductionModel,
  options: ModelGateOptions = {},
): Promise<GateResult & { backend: Backend | null }> {
  const tolerance = options.tolerance ?? 0.02;
  const accTolerance = options.accuracyTolerance ?? 0.02;
  const set = buildTrainingSet(rows, spec);
  const bad = set.xTrain.filter((r) => r.some((v) => !Number.isFinite(v))).length;
  if (bad > 0) {
    const col = set.features.find((_, j) => set.xTrain.some((r) => !Number.isFinite(r[j])));
    return {
      ...gateResult('model', [
        finding(
          'tiny training run',
          'training set',
          false,
          `non-finite values in ${bad}/${set.xTrain.length} training vectors (first in ${col}): nothing to train on`,
        ),
      ]),
      backend: null,
    };
  }
  // Copies are found on the rows as they came (all fields but the event id), not on encoded vectors,
  // which coincide by chance once few features are left.
  const content = ({ eventId: _, ...rest }: PaymentEvent) => JSON.stringify(rest);
  const seen = new Set(rows.slice(0, set.trainRows).map(content));
  const copies = rows.slice(set.trainRows).filter((e) => seen.has(content(e))).length;
  const independence = finding(
    'holdout independence',
    'split',
    copies === 0,
    `${copies}/${set.holdoutRows} holdout rows are copies of training rows (every field but the id), allowed 0`,
  );
  const { tf, backend } = await loadTf({ log: () => {} });
  tf.engine().startScope();
  let scores: Float32Array;
  try {
    const model = await fitModel(tf, set, spec.seed, spec.epochs);
    scores = await predictRows(tf, model, set.xHoldout);
  } finally {
    tf.engine().endScope();
  }
  const labels = set.holdoutLabels;
  const holdout = rows.slice(set.trainRows);
  const prod = await production.predict(holdout.map((e) => production.preprocess(e)));
  const finite = scores.every(Number.isFinite);
  const findings: Finding[] = [
    independence,
    finding(
      'tiny training run',
      'candidate',
      finite,
      `${set.trainRows} rows x ${set.features.length} features, ${spec.epochs} epochs on ${backend}: ${finite ? 'finished, finite scores' : 'non-finite scores'}`,
    ),
  ];
  if (!finite) return { ...gateResult('model', findings), backend };

  const constant = new Float64Array(labels.length).fill(0.5);
  const vsBase = delongTest({ champion: constant, challenger: scores, labels });
  const baseCi: [number, number] = [vsBase.challenger - Z95 * vsBase.se, vsBase.challenger + Z95 * vsBase.se];
  findings.push(
    finding(
      'baseline',
      'AUC',
      baseCi[0] > 0.5,
      `candidate ${f3(vsBase.challenger)} ${ci(baseCi)} vs constant score 0.500: interval ${baseCi[0] > 0.5 ? 'above' : 'not above'} it`,
    ),
  );

  const prodVsBase = delongTest({ champion: constant, challenger: prod, labels });
  const prodCi: [number, number] = [
    prodVsBase.challenger - Z95 * prodVsBase.se,
    prodVsBase.challenger + Z95 * prodVsBase.se,
  ];
  findings.push(
    finding(
      'labels vs production',
      'AUC',
      prodCi[1] >= 0.5,
      `${production.ref} ranks the holdout labels at ${f3(prodVsBase.challenger)} ${ci(prodCi)}` +
        (prodCi[1] >= 0.5
          ? ': not below chance'
          : ': worse than chance, so the labels contradict the model serving today (flipped or misjoined labels?)'),
    ),
  );

  const vsProd = delongTest({ champion: prod, challenger: scores, labels }, -tolerance);
  const deltaCi: [number, number] = [vsProd.delta - Z95 * vsProd.se, vsProd.delta + Z95 * vsProd.se];
  const boot = pairedBootstrapAucDelta(
    { champion: prod, challenger: scores, labels },
    options.resamples ?? 500,
    1,
    0.025,
  );
  findings.push(
    finding(
      'holdout vs production',
      'AUC',
      vsProd.delta > -tolerance && deltaCi[1] >= 0,
      `candidate ${f3(vsProd.challenger)} vs ${production.ref} ${f3(vsProd.champion)} on ${labels.length} holdout rows: ` +
        `delta ${signed(vsProd.delta)}, 95% CI ${ci(deltaCi)} (bootstrap ${ci(boot.ci)}), must be > ${f3(-tolerance)} with the interval reaching 0`,
    ),
  );

  const n = labels.length;
  const accC = accuracy(scores, labels);
  const accP = accuracy(prod, labels);
  const wc = wilson(Math.round(accC * n), n);
  const wp = wilson(Math.round(accP * n), n);
  findings.push(
    finding(
      'accuracy',
      'at 0.5',
      accC >= accP - accTolerance,
      `candidate ${f3(accC)} ${ci(wc)} vs production ${f3(accP)} ${ci(wp)}, allowed loss ${f3(accTolerance)}`,
    ),
  );
  return {
    ...gateResult('model', findings, {
      candidate_auc: vsProd.challenger,
      production_auc: vsProd.champion,
      auc_delta: vsProd.delta,
      auc_delta_low: deltaCi[0],
      auc_delta_high: deltaCi[1],
      candidate_accuracy: accC,
      production_accuracy: accP,
      holdout_rows: n,
    }),
    backend,
  };
}
