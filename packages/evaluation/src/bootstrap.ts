/**
 * The paired bootstrap of AUC(challenger) - AUC(champion) on the same labelled requests (Q15, Q29):
 * each resample draws request indices with replacement, the same indices for both models, which is what
 * makes the interval narrow when the models are correlated. Reference: Efron & Tibshirani (1993), An
 * Introduction to the Bootstrap, ch. 13 (percentile interval).
 *
 * One sort per model, then each resample weights requests by their resample counts and takes a weighted
 * Mann–Whitney AUC in one pass: O(n) per resample instead of O(n log n). Draws from datagen's mulberry32,
 * so a seed gives the same replicates on any JS engine (and in golden/make_golden.py, which checks them
 * against mannwhitneyu on the explicitly resampled arrays).
 */
import { mulberry32 } from '@mlops-lab/datagen';
import { rocAuc } from './auc.ts';
import { EvaluationInputError } from './errors.ts';
import { quantile } from './quantile.ts';
import { checkPairedSample, type PairedSample } from './sample.ts';

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

function checkResamples(what: string, resamples: number): void {
  if (!Number.isInteger(resamples) || resamples < 1)
    throw new EvaluationInputError('argument', `${what}: resamples ${resamples} must be an integer >= 1`);
}

/**
 * Bootstrap replicates of AUC(challenger) - AUC(champion), n request indices drawn with replacement per
 * resample. A resample that drew no positive or no negative is NaN. Deterministic for a seed. Refuses
 * (EvaluationInputError) what delongTest refuses, except that one request of each class is enough.
 */
export function bootstrapAucDeltas(sample: PairedSample, resamples: number, seed = 1): Float64Array {
  checkResamples('bootstrapAucDeltas', resamples);
  checkPairedSample('bootstrapAucDeltas', sample, 1);
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

/**
 * Paired bootstrap percentile CI of AUC(challenger) - AUC(champion): the alpha and 1 - alpha quantiles
 * (numpy's linear definition) of the replicates that had both classes; `resamples` says how many those
 * were.
 */
export function pairedBootstrapAucDelta(
  sample: PairedSample,
  resamples = 2000,
  seed = 1,
  alpha = 0.05,
): { delta: number; ci: [number, number]; resamples: number } {
  if (!(alpha > 0 && alpha < 0.5))
    throw new EvaluationInputError('argument', `pairedBootstrapAucDelta: alpha ${alpha} must be in (0, 0.5)`);
  const deltas = bootstrapAucDeltas(sample, resamples, seed)
    .filter((d) => !Number.isNaN(d))
    .sort();
  const sorted = { sorted: true };
  return {
    // Both classes are present (checked above), so neither AUC is null.
    delta: rocAuc(sample.challenger, sample.labels)! - rocAuc(sample.champion, sample.labels)!,
    ci: [quantile(deltas, alpha, sorted), quantile(deltas, 1 - alpha, sorted)],
    resamples: deltas.length,
  };
}
