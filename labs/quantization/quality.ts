/**
 * Quality of a version against the fp32 version of the same model, on the same holdout (Q33): the
 * holdout metric (AUC of the payments model, the Mann–Whitney statistic of @mlops-lab/evaluation as in
 * sklearn's roc_auc_score; accuracy of the corpus model), its change, the share of decisions that
 * stayed the same (the model server's approve / review / decline thresholds; the argmax topic) and
 * the mean |Δscore| (fraud probability; every class probability), which moves even when no decision does.
 */
import { rocAuc } from '@mlops-lab/evaluation';
import { decide } from '@mlops-lab/model-server';
import { argmaxAgreement, argmaxOf } from './corpus-model.ts';

export interface Quality {
  metric: number;
  delta: number;
  same: number;
  meanAbsDelta: number;
}

function meanAbsDelta(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

export function paymentsQuality(
  scores: Float32Array,
  fp32: Float32Array,
  labels: readonly number[],
): Quality {
  const auc = rocAuc(scores, labels) ?? Number.NaN;
  const base = rocAuc(fp32, labels) ?? Number.NaN;
  let same = 0;
  for (let i = 0; i < scores.length; i++) if (decide(scores[i]).decision === decide(fp32[i]).decision) same++;
  return {
    metric: auc,
    delta: auc - base,
    same: same / scores.length,
    meanAbsDelta: meanAbsDelta(scores, fp32),
  };
}

export function corpusQuality(probs: Float32Array, fp32: Float32Array, labels: readonly number[]): Quality {
  const acc = argmaxAgreement(probs, labels);
  const fp32Argmax = labels.map((_, i) => argmaxOf(fp32, i));
  return {
    metric: acc,
    delta: acc - argmaxAgreement(fp32, labels),
    same: argmaxAgreement(probs, fp32Argmax),
    meanAbsDelta: meanAbsDelta(probs, fp32),
  };
}
