/**
 * Population Stability Index: sum over bins of (cur - ref) * ln(cur / ref), the effect size the credit
 * risk industry uses for drift (Q27: an effect-size gate against alarm fatigue at large n).
 *
 * No scipy reference exists; conventions (tested against hand-computed values):
 * - numeric: `bins` (default 10) bins cut at the reference quantiles i/bins (linear interpolation,
 *   numpy's default, via simple-statistics' quantileSorted); duplicate cut points from ties are merged,
 *   so a constant reference yields 2 bins. Bins are right-closed: (-inf, e1], (e1, e2], ..., (ek, +inf).
 * - categorical: one bin per category of the union; null counts as "<null>".
 * - a proportion of 0 is replaced by `epsilon` (default 1e-4, not renormalised) so an empty bin gives a
 *   large but finite term instead of ln(0).
 * Reading: < 0.1 stable, 0.1-0.2 moderate shift, > 0.2 significant shift (industry rule of thumb).
 */
import { quantileSorted } from 'simple-statistics';
import { type CategoricalInput, toCounts, totalOf, unionCategories } from './categories.ts';
import { DriftInputError } from './errors.ts';
import { type NumericInput, sortedCopy } from './input.ts';

export interface PsiOptions {
  /** Number of quantile bins for numeric data (default 10). */
  bins?: number;
  /** Floor for an empty bin's proportion (default 1e-4). */
  epsilon?: number;
  /** Force the reading of arrays; by default arrays of numbers are numeric, anything else categorical. */
  kind?: 'numeric' | 'categorical';
}

export interface PsiBin {
  label: string;
  /** Proportions after the epsilon floor. */
  reference: number;
  current: number;
  contribution: number;
}

export interface PsiResult {
  value: number;
  bins: PsiBin[];
}

export const DEFAULT_PSI_BINS = 10;
export const DEFAULT_PSI_EPSILON = 1e-4;

/** Number of elements <= v in an ascending array. */
export function countAtMost(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function assemble(labels: string[], ref: number[], cur: number[], eps: number): PsiResult {
  const bins: PsiBin[] = [];
  let value = 0;
  for (let i = 0; i < labels.length; i++) {
    const r = Math.max(ref[i], eps);
    const c = Math.max(cur[i], eps);
    const contribution = (c - r) * Math.log(c / r);
    value += contribution;
    bins.push({ label: labels[i], reference: r, current: c, contribution });
  }
  return { value, bins };
}

/** Reference quantile cut points (deduplicated) for `bins` bins. */
export function quantileEdges(refSorted: Float64Array, bins: number): number[] {
  const edges: number[] = [];
  const arr = refSorted as unknown as number[];
  for (let i = 1; i < bins; i++) {
    const e = quantileSorted(arr, i / bins);
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  return edges;
}

/** Numeric PSI on ascending, NaN-free samples; O(bins * log n). */
export function psiSorted(
  refSorted: Float64Array,
  curSorted: Float64Array,
  options: Pick<PsiOptions, 'bins' | 'epsilon'> = {},
): PsiResult {
  const bins = options.bins ?? DEFAULT_PSI_BINS;
  if (!Number.isInteger(bins) || bins < 2)
    throw new DriftInputError(`psi bins must be an integer >= 2, got ${bins}`);
  if (refSorted.length === 0 || curSorted.length === 0) {
    throw new DriftInputError('psi needs non-empty reference and current samples');
  }
  const edges = quantileEdges(refSorted, bins);
  const labels: string[] = [];
  const ref: number[] = [];
  const cur: number[] = [];
  let prevR = 0;
  let prevC = 0;
  for (let i = 0; i <= edges.length; i++) {
    const last = i === edges.length;
    const r = last ? refSorted.length : countAtMost(refSorted, edges[i]);
    const c = last ? curSorted.length : countAtMost(curSorted, edges[i]);
    const lo = i === 0 ? '-inf' : String(edges[i - 1]);
    labels.push(last ? `(${lo}, +inf)` : `(${lo}, ${edges[i]}]`);
    ref.push((r - prevR) / refSorted.length);
    cur.push((c - prevC) / curSorted.length);
    prevR = r;
    prevC = c;
  }
  return assemble(labels, ref, cur, options.epsilon ?? DEFAULT_PSI_EPSILON);
}

/** Categorical PSI over the union of categories. */
export function psiCategorical(
  reference: CategoricalInput,
  current: CategoricalInput,
  options: Pick<PsiOptions, 'epsilon'> = {},
): PsiResult {
  const ref = toCounts(reference, 'reference');
  const cur = toCounts(current, 'current');
  const rt = totalOf(ref, 'reference');
  const ct = totalOf(cur, 'current');
  const labels = unionCategories(ref, cur);
  return assemble(
    labels,
    labels.map((k) => (ref.get(k) ?? 0) / rt),
    labels.map((k) => (cur.get(k) ?? 0) / ct),
    options.epsilon ?? DEFAULT_PSI_EPSILON,
  );
}

export function isNumericArray(x: unknown): x is NumericInput {
  if (x instanceof Float64Array) return true;
  if (!Array.isArray(x)) return false;
  for (const v of x) if (typeof v !== 'number') return false;
  return true;
}

/** PSI of `current` against `reference`, numeric (quantile bins) or categorical (see file comment). */
export function psi(
  reference: NumericInput | CategoricalInput,
  current: NumericInput | CategoricalInput,
  options: PsiOptions = {},
): PsiResult {
  const numeric =
    options.kind === 'numeric' ||
    (options.kind === undefined && isNumericArray(reference) && isNumericArray(current));
  if (numeric) {
    return psiSorted(
      sortedCopy(reference as NumericInput, 'reference'),
      sortedCopy(current as NumericInput, 'current'),
      options,
    );
  }
  if (reference instanceof Float64Array || current instanceof Float64Array) {
    throw new DriftInputError("psi: a Float64Array is numeric data; pass kind: 'numeric' or category values");
  }
  return psiCategorical(reference as CategoricalInput, current as CategoricalInput, options);
}
