/**
 * Distances used as drift effect sizes (Q27: significance alone alarms on negligible shifts at large n,
 * so drift also requires the shift to be big enough to matter):
 * - `wassersteinDistance` matches scipy.stats.wasserstein_distance (scipy 1.17, `_cdf_distance` with
 *   p = 1): the area between the two ECDFs, computed here in one merge pass over sorted copies;
 * - `wassersteinNormalized` divides it by the reference spread so one threshold fits every feature;
 * - `jensenShannon` matches scipy.spatial.distance.jensenshannon(p, q, base=2): in [0, 1].
 */
import { quantileSorted, standardDeviation } from 'simple-statistics';
import { type CategoricalInput, toCounts, unionCategories } from './categories.ts';
import { DriftInputError } from './errors.ts';
import { assertFiniteSorted, type NumericInput, sortedCopy } from './input.ts';

/** 1-D Wasserstein-1 distance of two ascending, finite samples (equal weights). */
export function wassersteinDistanceSorted(u: Float64Array, v: Float64Array): number {
  const n1 = u.length;
  const n2 = v.length;
  let i = 0;
  let j = 0;
  let x = Math.min(u[0], v[0]);
  let sum = 0;
  let comp = 0; // Neumaier compensation: ~1e6 terms of mixed size
  while (i < n1 || j < n2) {
    while (i < n1 && u[i] <= x) i++;
    while (j < n2 && v[j] <= x) j++;
    if (i === n1 && j === n2) break;
    const next = i === n1 ? v[j] : j === n2 ? u[i] : Math.min(u[i], v[j]);
    const term = Math.abs(i / n1 - j / n2) * (next - x);
    const t = sum + term;
    comp += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
    sum = t;
    x = next;
  }
  return sum + comp;
}

/** scipy.stats.wasserstein_distance(a, b) for unweighted samples. */
export function wassersteinDistance(a: NumericInput, b: NumericInput): number {
  const u = sortedCopy(a, 'a');
  const v = sortedCopy(b, 'b');
  assertFiniteSorted(u, 'a');
  assertFiniteSorted(v, 'b');
  return wassersteinDistanceSorted(u, v);
}

export type ScaleBasis = 'std' | 'iqr' | 'abs-mean' | 'unit';

export interface WassersteinNormalized {
  /** distance / scale: "how many reference spreads did the distribution move". */
  normalized: number;
  distance: number;
  scale: number;
  /**
   * What `scale` is: the reference's population standard deviation (default) or IQR; when that is 0
   * (constant reference) |reference mean|, and when that is 0 too, 1 (the raw distance).
   */
  scaleBasis: ScaleBasis;
}

/** Spread of an ascending reference sample, with the constant-reference fallbacks. */
export function referenceScale(refSorted: Float64Array, basis: 'std' | 'iqr' = 'std'): [number, ScaleBasis] {
  const arr = refSorted as unknown as number[];
  const s = basis === 'std' ? standardDeviation(arr) : quantileSorted(arr, 0.75) - quantileSorted(arr, 0.25);
  if (s > 0) return [s, basis];
  const mean = arr.reduce((acc, v) => acc + v, 0) / arr.length;
  if (Math.abs(mean) > 0) return [Math.abs(mean), 'abs-mean'];
  return [1, 'unit'];
}

/** Wasserstein distance on sorted samples divided by the reference scale. */
export function wassersteinNormalizedSorted(
  refSorted: Float64Array,
  curSorted: Float64Array,
  basis: 'std' | 'iqr' = 'std',
): WassersteinNormalized {
  const distance = wassersteinDistanceSorted(refSorted, curSorted);
  const [scale, scaleBasis] = referenceScale(refSorted, basis);
  return { normalized: distance / scale, distance, scale, scaleBasis };
}

/** Wasserstein distance of `current` from `reference`, in units of the reference's spread. */
export function wassersteinNormalized(
  reference: NumericInput,
  current: NumericInput,
  options: { scale?: 'std' | 'iqr' } = {},
): WassersteinNormalized {
  const r = sortedCopy(reference, 'reference');
  const c = sortedCopy(current, 'current');
  assertFiniteSorted(r, 'reference');
  assertFiniteSorted(c, 'current');
  return wassersteinNormalizedSorted(r, c, options.scale ?? 'std');
}

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  return x === 0 && y >= 0 ? 0 : Number.POSITIVE_INFINITY;
}

function normalise(w: ArrayLike<number>, label: string): Float64Array {
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    if (!(w[i] >= 0) || !Number.isFinite(w[i])) {
      throw new DriftInputError(`jensenShannon: ${label}[${i}] = ${w[i]}; weights must be finite and >= 0`);
    }
    s += w[i];
  }
  if (!(s > 0)) throw new DriftInputError(`jensenShannon: ${label} sums to 0; it must hold some mass`);
  const out = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) out[i] = w[i] / s;
  return out;
}

type Histogram = readonly number[] | Float64Array;

function isHistogram(x: unknown): x is Histogram {
  return x instanceof Float64Array || (Array.isArray(x) && x.every((v) => typeof v === 'number'));
}

/**
 * Jensen–Shannon distance (base 2, in [0, 1]) between two distributions: aligned histograms / weight
 * vectors (number arrays, normalised like scipy), or categorical data (count records/Maps or raw
 * category values) aligned over the union of categories.
 */
export function jensenShannon(p: Histogram | CategoricalInput, q: Histogram | CategoricalInput): number {
  let pw: ArrayLike<number>;
  let qw: ArrayLike<number>;
  if (isHistogram(p) && isHistogram(q)) {
    if (p.length !== q.length) {
      throw new DriftInputError(`jensenShannon: histograms differ in length (${p.length} vs ${q.length})`);
    }
    pw = p;
    qw = q;
  } else {
    const pc = toCounts(p as CategoricalInput, 'p');
    const qc = toCounts(q as CategoricalInput, 'q');
    const keys = unionCategories(pc, qc);
    pw = keys.map((k) => pc.get(k) ?? 0);
    qw = keys.map((k) => qc.get(k) ?? 0);
  }
  const pn = normalise(pw, 'p');
  const qn = normalise(qw, 'q');
  let left = 0;
  let right = 0;
  for (let i = 0; i < pn.length; i++) {
    const m = (pn[i] + qn[i]) / 2;
    left += relEntr(pn[i], m);
    right += relEntr(qn[i], m);
  }
  const js = (left + right) / Math.log(2);
  // Rounding can leave a tiny negative divergence for identical inputs; scipy would return NaN there.
  return Math.sqrt(Math.max(js / 2, 0));
}
