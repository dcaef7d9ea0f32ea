/**
 * Reading a quantile back from a prom-client histogram (Q16 observability): what a dashboard's
 * `histogram_quantile` does, here from the bucket counts a server already keeps. The estimate is the
 * upper bound of the first bucket reaching q (no interpolation inside a bucket), so it is only as
 * fine as the buckets. Reference: Prometheus `histogram_quantile`.
 */
import type { Histogram } from 'prom-client';

/** Quantile estimate from a histogram's buckets: the upper bound of the bucket reaching q. */
export async function histogramQuantile(
  h: Histogram<string>,
  q: number,
  labels: Record<string, string> = {},
): Promise<number> {
  const { values } = await h.get();
  const matches = (l: Record<string, unknown>) => Object.entries(labels).every(([k, v]) => l[k] === v);
  const buckets = values
    .filter((v) => v.metricName?.endsWith('_bucket') && matches(v.labels))
    .map((v) => ({ le: Number(v.labels.le), count: v.value }))
    .sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return Number.NaN;
  return buckets.find((b) => b.count >= q * total)?.le ?? Number.POSITIVE_INFINITY;
}
