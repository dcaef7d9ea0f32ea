/**
 * Self-host vs hosted API (Q34): monthly cost of each as a function of request volume, with the
 * self-hosted side sized from the requests per CPU-second this run measured. Every price below is an
 * ASSUMPTION, not a quote: edit these constants to your provider's prices and rerun the lab.
 */

export const PRICES = {
  /** $ per vCPU-hour of a general-purpose on-demand VM (about a 2-vCPU instance at ~$0.10/h). Assumed. */
  vcpuHourUsd: 0.048,
  /** Run the CPUs at most this busy: headroom for peaks, a lost replica, deploys. Assumed. */
  targetUtilization: 0.5,
  /** Two replicas of 2 vCPUs for availability, whatever the volume. Assumed. */
  minVcpus: 4,
  /** Fixed monthly cost of running it yourself: on-call, monitoring, upgrades (a slice of an engineer). Assumed. */
  fixedMonthlyUsd: 1500,
  /** $ per 1,000 predictions of a hosted inference API. Assumed. */
  apiUsdPer1k: 0.1,
};

export type Prices = typeof PRICES;

const HOURS_PER_MONTH = 730;

/** vCPUs needed for `monthly` requests at `reqPerCpuSecond`, never below the availability floor. */
export function vcpusNeeded(monthly: number, reqPerCpuSecond: number, p: Prices = PRICES): number {
  const perVcpuMonth = reqPerCpuSecond * p.targetUtilization * 3600 * HOURS_PER_MONTH;
  return Math.max(p.minVcpus, Math.ceil(monthly / perVcpuMonth));
}

export function selfHostMonthlyUsd(monthly: number, reqPerCpuSecond: number, p: Prices = PRICES): number {
  return p.fixedMonthlyUsd + vcpusNeeded(monthly, reqPerCpuSecond, p) * p.vcpuHourUsd * HOURS_PER_MONTH;
}

export function apiMonthlyUsd(monthly: number, p: Prices = PRICES): number {
  return (monthly / 1000) * p.apiUsdPer1k;
}

/**
 * The smallest monthly volume at which self-hosting costs no more than the API, or null when it never
 * does (the API's price per request is below self-hosting's marginal cost). Self-host cost is a step
 * function of volume (whole vCPUs), so this bisects on the sign of the difference after bracketing.
 */
export function crossoverVolume(reqPerCpuSecond: number, p: Prices = PRICES): number | null {
  const apiPerReq = p.apiUsdPer1k / 1000;
  const marginal =
    (p.vcpuHourUsd * HOURS_PER_MONTH) / (reqPerCpuSecond * p.targetUtilization * 3600 * HOURS_PER_MONTH);
  if (!(reqPerCpuSecond > 0) || apiPerReq <= marginal) return null;
  const cheaper = (v: number) => selfHostMonthlyUsd(v, reqPerCpuSecond, p) <= apiMonthlyUsd(v, p);
  let hi = 1;
  while (!cheaper(hi)) {
    hi *= 2;
    if (hi > 1e18) return null;
  }
  let lo = hi / 2;
  while (hi - lo > Math.max(1, lo * 1e-6)) {
    const mid = (lo + hi) / 2;
    if (cheaper(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
