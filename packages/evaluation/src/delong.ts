/**
 * DeLong's test for two correlated AUCs: the same labelled requests scored by a champion and a
 * challenger (Q15: compare on the metric that matters; Q29: shadow predictions of both models on the
 * same traffic are paired, not independent), one-sided against a practical margin.
 *
 * - DeLong, DeLong & Clarke-Pearson (1988), "Comparing the areas under two or more correlated receiver
 *   operating characteristic curves: a nonparametric approach", Biometrics 44(3).
 * - The structural components V10 (per positive) and V01 (per negative) in O(n log n) as in the midrank
 *   algorithm of Sun & Xu (2014), "Fast implementation of DeLong's algorithm for comparing the areas
 *   under correlated receiver operating characteristic curves", IEEE Signal Processing Letters 21(11).
 * - Golden: golden/delong.json, the plain O(n1 n0) pairwise components in numpy + scipy.norm.sf.
 */
import { countBelow } from './auc.ts';
import { EvaluationInputError } from './errors.ts';
import { normalSf } from './normal.ts';
import { checkPairedSample, type PairedSample } from './sample.ts';

export interface DeLongResult {
  /** AUC of each model. */
  champion: number;
  challenger: number;
  /** challenger - champion. */
  delta: number;
  /** Standard error of delta (DeLong covariance: unbiased, divisors n1-1 and n0-1). */
  se: number;
  /** (delta - margin) / se. */
  z: number;
  /** One-sided p for H0: delta <= margin against H1: delta > margin. */
  pOneSided: number;
  positives: number;
  negatives: number;
}

/**
 * Structural components of one model: V10 per positive = share of negatives it outscores (ties 1/2),
 * V01 per negative = share of positives that outscore it. Sun & Xu (2014, eq. 8-9) get them as midrank
 * differences, Tz - Tx = (negatives below) + (tied negatives)/2; we count those directly with binary
 * searches in the sorted scores of the other class: the same numbers, two native sorts instead of three.
 */
function components(scores: ArrayLike<number>, labels: ArrayLike<number>, n1: number, n0: number) {
  const x = new Float64Array(n1);
  const y = new Float64Array(n0);
  let p = 0;
  let q = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) x[p++] = scores[i];
    else y[q++] = scores[i];
  }
  const xs = x.slice().sort();
  const ys = y.slice().sort();
  const v10 = new Float64Array(n1);
  let sum = 0;
  for (let i = 0; i < n1; i++) {
    v10[i] = (countBelow(ys, x[i], true) + countBelow(ys, x[i], false)) / 2 / n0;
    sum += v10[i];
  }
  const v01 = new Float64Array(n0);
  for (let j = 0; j < n0; j++) {
    v01[j] = (2 * n1 - countBelow(xs, y[j], true) - countBelow(xs, y[j], false)) / 2 / n1;
  }
  return { v10, v01, auc: sum / n1 };
}

/** Unbiased covariance of two equal-length vectors. */
function cov(u: Float64Array, v: Float64Array): number {
  const n = u.length;
  let mu = 0;
  let mv = 0;
  for (let i = 0; i < n; i++) {
    mu += u[i];
    mv += v[i];
  }
  mu /= n;
  mv /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (u[i] - mu) * (v[i] - mv);
  return s / (n - 1);
}

/**
 * DeLong's test of AUC(challenger) - AUC(champion) > margin on the same requests. Refuses, with an
 * EvaluationInputError, unequal lengths, a label other than exactly 0 or 1, a non-finite score or
 * margin, and fewer than 2 positives or 2 negatives (the covariances divide by n1 - 1 and n0 - 1).
 * When se is 0 (e.g. identical scores) p is 0 if delta > margin, else 1.
 */
export function delongTest(sample: PairedSample, margin = 0): DeLongResult {
  if (!Number.isFinite(margin))
    throw new EvaluationInputError(
      'argument',
      `delongTest: margin ${margin} must be a finite AUC difference`,
    );
  const { positives: n1, negatives: n0 } = checkPairedSample('delongTest', sample, 2);
  const A = components(sample.champion, sample.labels, n1, n0);
  const B = components(sample.challenger, sample.labels, n1, n0);
  // Var(B - A) = Var(B) + Var(A) - 2 Cov(A, B), each term S10/n1 + S01/n0 (DeLong et al. 1988, eq. 5).
  const var10 = cov(A.v10, A.v10) + cov(B.v10, B.v10) - 2 * cov(A.v10, B.v10);
  const var01 = cov(A.v01, A.v01) + cov(B.v01, B.v01) - 2 * cov(A.v01, B.v01);
  const se = Math.sqrt(Math.max(0, var10 / n1 + var01 / n0));
  const delta = B.auc - A.auc;
  const z = (delta - margin) / se;
  const pOneSided = se > 0 ? normalSf(z) : delta > margin ? 0 : 1;
  return { champion: A.auc, challenger: B.auc, delta, se, z, pOneSided, positives: n1, negatives: n0 };
}
