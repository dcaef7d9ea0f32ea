/**
 * Two-sided two-sample Kolmogorov–Smirnov test: the drift test for continuous features (Q27; Q4 data
 * drift, Q26 input monitoring).
 *
 * Matches scipy.stats.ks_2samp(a, b, alternative='two-sided', method=...) of scipy 1.17, including its
 * choices: 'auto' is exact when max(n1, n2) <= 10000; exact uses lattice-path counting and falls back to
 * the asymptotic p-value (with a warning) when lcm(n1, n2) is too large or the count fails; asymptotic is
 * kstwo.sf(D, round(n1*n2/(n1+n2))). Cost: a sorted copy of each sample (sort.ts's radix sort, which
 * reads the caller's array in its first pass) and one merge pass; at 1e6 vs 1e6 the sorts are about
 * three quarters of it and the walk a fifth (`pnpm bench drift`). The walk branches on which sample
 * comes next, which mispredicts about half the time on interleaved samples; branch-free variants
 * (0/1 steps on an exact integer numerator) measured no faster once ties are handled.
 */
import { DriftInputError } from './errors.ts';
import { type NanPolicy, type NumericInput, sortedCopy } from './input.ts';
import { kstwoSf } from './kolmogorov.ts';
import { probOutsideBand, probOutsideSquare } from './ks-exact.ts';

export type KsMethod = 'auto' | 'exact' | 'asymp';

export interface KsOptions {
  /** Default 'auto' (exact iff max(n1, n2) <= 10000, as scipy). */
  method?: KsMethod;
  /** Default 'error': NaN is refused with its index. 'drop' treats NaN as missing. */
  nan?: NanPolicy;
}

export interface KsResult {
  /** D = sup |F1 - F2| over the pooled values (ties handled like scipy's searchsorted side='right'). */
  statistic: number;
  pValue: number;
  /** The method actually used (an exact request may fall back to 'asymp'). */
  method: 'exact' | 'asymp';
  n1: number;
  n2: number;
  /** Set when an exact request fell back to the asymptotic p-value, as scipy warns. */
  warning?: string;
}

const MAX_AUTO_N = 10000;
const INT32_MAX = 2147483647;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** numpy's np.round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * D statistic of two ascending, NaN-free samples in one merge pass. At every distinct pooled value
 * both pointers move past all copies of it, so ties are compared the way scipy's
 * searchsorted(side='right') ECDFs compare them.
 */
export function ksStatisticSorted(x: Float64Array, y: Float64Array): number {
  const n1 = x.length;
  const n2 = y.length;
  let i = 0;
  let j = 0;
  let dmax = 0;
  let dmin = 0;
  while (i < n1 && j < n2) {
    const xi = x[i];
    const yj = y[j];
    if (xi < yj) {
      i++;
      while (i < n1 && x[i] === xi) i++;
    } else if (yj < xi) {
      j++;
      while (j < n2 && y[j] === yj) j++;
    } else {
      i++;
      while (i < n1 && x[i] === xi) i++;
      j++;
      while (j < n2 && y[j] === yj) j++;
    }
    const diff = i / n1 - j / n2;
    if (diff > dmax) dmax = diff;
    else if (diff < dmin) dmin = diff;
  }
  // Once one sample is exhausted the difference only moves back towards 0: the extremes are found.
  return Math.max(-dmin, dmax);
}

function asympPValue(d: number, n1: number, n2: number): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = roundHalfEven((m * n) / (m + n));
  return kstwoSf(d, en);
}

/** KS test on samples that are already ascending and NaN-free (e.g. a stored reference profile). */
export function ks2SampleSorted(x: Float64Array, y: Float64Array, method: KsMethod = 'auto'): KsResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) {
    throw new DriftInputError(`ks2Sample needs non-empty samples, got sizes ${n1} and ${n2}`);
  }
  let d = ksStatisticSorted(x, y);
  const g = gcd(n1, n2);
  const n1g = n1 / g;
  const n2g = n2 / g;
  let mode: 'exact' | 'asymp';
  let warning: string | undefined;
  if (method === 'auto') mode = Math.max(n1, n2) <= MAX_AUTO_N ? 'exact' : 'asymp';
  else if (method === 'exact' || method === 'asymp') mode = method;
  else throw new DriftInputError(`unknown KS method "${method}"; use 'auto', 'exact' or 'asymp'`);
  if (mode === 'exact' && n1g >= INT32_MAX / n2g) {
    mode = 'asymp';
    warning = `exact KS not possible with sample sizes ${n1} and ${n2}; switched to asymptotic`;
  }
  if (mode === 'exact') {
    const lcm = n1g * n2;
    const h = roundHalfEven(d * lcm);
    // scipy reports the statistic snapped to the lattice h/lcm in exact mode.
    d = h / lcm;
    if (h === 0) return { statistic: d, pValue: 1, method: 'exact', n1, n2 };
    const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
    if (p >= 0 && p <= 1) return { statistic: d, pValue: p, method: 'exact', n1, n2 };
    mode = 'asymp';
    warning = `exact KS computation failed (p = ${p}); switched to asymptotic`;
  }
  // n1 = n2 = 1 makes scipy's kstwo.sf(d, round(0.5)) NaN; the exact answer is p = 1 for any D.
  if (n1 === 1 && n2 === 1) return { statistic: d, pValue: 1, method: 'exact', n1, n2 };
  const p = asympPValue(d, n1, n2);
  const out: KsResult = { statistic: d, pValue: p < 0 ? 0 : Math.min(p, 1), method: 'asymp', n1, n2 };
  if (warning) out.warning = warning;
  return out;
}

/**
 * Two-sided two-sample KS test of `a` against `b`. Inputs are copied (never reordered); NaN is an error
 * naming sample and index unless `{ nan: 'drop' }`; an empty sample is an error.
 */
export function ks2Sample(a: NumericInput, b: NumericInput, options: KsOptions = {}): KsResult {
  const nan = options.nan ?? 'error';
  const x = sortedCopy(a, 'a', nan);
  const y = sortedCopy(b, 'b', nan);
  return ks2SampleSorted(x, y, options.method ?? 'auto');
}
