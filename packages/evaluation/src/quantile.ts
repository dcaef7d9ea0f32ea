/**
 * The sample quantile, one function for every figure the labs and the bootstrap report (Q15 CIs, Q19
 * and Q29 latency percentiles), with the definition named, since the common ones differ on small
 * samples and at the tails (Hyndman & Fan 1996, "Sample quantiles in statistical packages", The
 * American Statistician 50(4)):
 *
 * - 'linear' (default): numpy.quantile's default and R's type 7. With the values sorted ascending,
 *   h = (n - 1) q and the quantile is x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]). The
 *   bootstrap percentile CI uses it.
 * - 'inverted_cdf': numpy's method="inverted_cdf", type 1, the nearest rank: the smallest value with at
 *   least a share q of the sample at or below it, x[max(0, ceil(n q) - 1)]. Always a value that was
 *   observed: a p99 latency some request actually had, which is what the latency labs report.
 *
 * Both are checked against numpy.quantile (golden/quantile.json). simple-statistics' quantileSorted is
 * type 7 too; it is not a dependency of this package and has no nearest-rank method.
 */
import { EvaluationInputError } from './errors.ts';

export type QuantileMethod = 'linear' | 'inverted_cdf';

export interface QuantileOptions {
  /** Default 'linear' (see the file comment). */
  method?: QuantileMethod;
  /** The values are already sorted ascending: skips the copy and the sort (default false). */
  sorted?: boolean;
}

/** The q-quantile (q in [0, 1]) of `values`; NaN for an empty sample. */
export function quantile(values: ArrayLike<number>, q: number, options: QuantileOptions = {}): number {
  if (!(q >= 0 && q <= 1)) throw new EvaluationInputError('argument', `quantile: q ${q} must be in [0, 1]`);
  const n = values.length;
  if (n === 0) return Number.NaN;
  const s = options.sorted ? values : Float64Array.from(values).sort();
  if ((options.method ?? 'linear') === 'inverted_cdf') return s[Math.max(0, Math.ceil(n * q) - 1)];
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}
