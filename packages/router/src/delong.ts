/**
 * Paired AUC statistics for two models scored on the same labelled requests: ROC AUC with ties,
 * DeLong's test for two correlated AUCs, and the paired bootstrap of their difference; the core of the
 * champion-vs-challenger verdict (Q15: compare on the metrics that matter; Q29: shadow predictions of
 * both models on the same traffic are paired, not independent).
 *
 * - AUC is the Mann–Whitney statistic U / (n1 n0) with midranks, so a tied positive/negative pair
 *   counts 1/2 (the same number as scipy.stats.mannwhitneyu's U of the positives).
 * - DeLong, DeLong & Clarke-Pearson (1988), "Comparing the areas under two or more correlated receiver
 *   operating characteristic curves: a nonparametric approach", Biometrics 44(3). The structural
 *   components V10 (per positive) and V01 (per negative) are computed in O(n log n) as in the midrank
 *   algorithm of Sun & Xu (2014), "Fast implementation of DeLong's algorithm for comparing the areas
 *   under correlated receiver operating characteristic curves", IEEE Signal Processing Letters 21(11).
 * - Paired bootstrap (Efron & Tibshirani 1993, An Introduction to the Bootstrap, ch. 13, percentile
 *   interval): one sort per model, then each resample weights requests by their resample counts and
 *   takes a weighted Mann–Whitney AUC in one pass, O(n) per resample instead of O(n log n).
 * - bootstraps and simulations draw from datagen's mulberry32, reproducible on any JS engine.
 * - The standard normal tail uses erfc from a power series (|x| < 2.5) and a Lentz continued fraction
 *   (|x| >= 2.5); both are accurate to ~1e-14 relative, enough to match scipy.stats.norm.sf to 1e-9.
 */
import { mulberry32 } from '@mlops-lab/datagen';

/** Scores of the same requests, in the same order, by each model, and their 0/1 labels. */
export interface PairedSample {
  champion: ArrayLike<number>;
  challenger: ArrayLike<number>;
  labels: ArrayLike<number>;
}

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

/** Number of entries of ascending `sorted` that are < x (strict) or <= x (!strict). */
function countBelow(sorted: Float64Array, x: number, strict: boolean): number {
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

/** Mann–Whitney AUC of `scores` for 0/1 `labels` (ties count 1/2); NaN when a class is empty. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const ranks = midranks(scores);
  let n1 = 0;
  let rankSum = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) {
      n1++;
      rankSum += ranks[i];
    }
  }
  const n0 = labels.length - n1;
  return (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * n0);
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
 * DeLong's test of AUC(challenger) - AUC(champion) > margin on the same requests. Needs >= 2 positives
 * and >= 2 negatives (otherwise every number is NaN). When se is 0 (e.g. identical scores) p is 0 if
 * delta > margin, else 1.
 */
export function delongTest(sample: PairedSample, margin = 0): DeLongResult {
  let n1 = 0;
  for (let i = 0; i < sample.labels.length; i++) if (sample.labels[i] === 1) n1++;
  const n0 = sample.labels.length - n1;
  if (n1 < 2 || n0 < 2) {
    const nan = Number.NaN;
    return {
      champion: nan,
      challenger: nan,
      delta: nan,
      se: nan,
      z: nan,
      pOneSided: nan,
      positives: n1,
      negatives: n0,
    };
  }
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

/** One model's requests sorted by score once, with tie-group boundaries, for weighted AUCs. */
function sortedModel(scores: ArrayLike<number>, labels: ArrayLike<number>) {
  const n = scores.length;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((i, j) => scores[i] - scores[j]);
  const pos = new Uint8Array(n);
  const groupEnd = new Int32Array(n); // groupEnd[g] = index one past the tie group starting at g
  for (let t = 0; t < n; t++) pos[t] = labels[order[t]];
  for (let t = 0; t < n; ) {
    let e = t + 1;
    while (e < n && scores[order[e]] === scores[order[t]]) e++;
    groupEnd[t] = e;
    t = e;
  }
  return { order, pos, groupEnd };
}

/** Mann–Whitney AUC with request weights w (resample counts): sum over pairs w_i w_j psi / (W1 W0). */
function weightedAuc(m: ReturnType<typeof sortedModel>, w: Uint32Array): number {
  const { order, pos, groupEnd } = m;
  let negBelow = 0;
  let num = 0;
  let w1 = 0;
  for (let t = 0; t < order.length; ) {
    const e = groupEnd[t];
    let p = 0;
    let q = 0;
    for (let k = t; k < e; k++) {
      const c = w[order[k]];
      if (pos[k] === 1) p += c;
      else q += c;
    }
    num += p * (negBelow + 0.5 * q); // ties between a positive and a negative count 1/2
    negBelow += q;
    w1 += p;
    t = e;
  }
  return num / (w1 * negBelow);
}

/**
 * Bootstrap replicates of AUC(challenger) - AUC(champion): each resample draws n request indices with
 * replacement (the same indices for both models: the pairing is what makes the CI narrow). Resamples
 * with an empty class are NaN. Deterministic for a seed.
 */
export function bootstrapAucDeltas(sample: PairedSample, resamples: number, seed = 1): Float64Array {
  const n = sample.labels.length;
  const a = sortedModel(sample.champion, sample.labels);
  const b = sortedModel(sample.challenger, sample.labels);
  const rnd = mulberry32(seed);
  const counts = new Uint32Array(n);
  const out = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor(rnd() * n)]++;
    out[r] = weightedAuc(b, counts) - weightedAuc(a, counts);
  }
  return out;
}

/** Quantile with linear interpolation (numpy's default) of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Paired bootstrap percentile CI [alpha, 1 - alpha] quantiles of AUC(challenger) - AUC(champion). */
export function pairedBootstrapAucDelta(
  sample: PairedSample,
  resamples = 2000,
  seed = 1,
  alpha = 0.05,
): { delta: number; ci: [number, number]; resamples: number } {
  const deltas = bootstrapAucDeltas(sample, resamples, seed)
    .filter((d) => !Number.isNaN(d))
    .sort();
  return {
    delta: auc(sample.challenger, sample.labels) - auc(sample.champion, sample.labels),
    ci: [quantile(deltas, alpha), quantile(deltas, 1 - alpha)],
    resamples: deltas.length,
  };
}

/** erfc(x) for x >= 0. */
function erfcPos(x: number): number {
  if (x < 2.5) {
    // erf(x) = 2/sqrt(pi) e^{-x^2} sum_k (2x^2)^k x / (1*3*...*(2k+1)): all terms positive, no cancellation.
    let term = x;
    let sum = x;
    const x2 = 2 * x * x;
    for (let k = 1; k < 200 && term > 1e-17 * sum; k++) {
      term *= x2 / (2 * k + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  // erfc(x) = e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), modified Lentz.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    const step = c * d;
    f *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** P(Z > z) for a standard normal Z. */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const x = z / Math.SQRT2;
  return x >= 0 ? 0.5 * erfcPos(x) : 1 - 0.5 * erfcPos(-x);
}
