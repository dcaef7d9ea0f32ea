/**
 * The canary's two hands (Q15, Q18): `setPercent` writes the registry's routing table in Redis and waits
 * until the running router has it in force; `observe` reads the challenger's guardrail stats from the
 * router's own Prometheus metrics, as a rollout controller would, as the difference between now and a
 * snapshot taken when the step began. Reference: Argo Rollouts analysis (metric queries per step).
 */
import { setRouting } from '@mlops-lab/registry';
import type { GuardrailStats, Router, RouteSource } from '@mlops-lab/router';
import type { Services } from '@mlops-lab/services';

const STABLE_MS = 150;

interface Snapshot {
  /** Cumulative bucket counts by upper bound (seconds) of the served upstream time. */
  buckets: Map<number, number>;
  requests: number;
  errors: number;
}

async function snapshot(router: Router, version: string): Promise<Snapshot> {
  const buckets = new Map<number, number>();
  for (const v of (await router.metrics.upstream.get()).values) {
    if (v.metricName?.endsWith('_bucket') && v.labels.version === version && v.labels.role === 'served') {
      buckets.set(Number((v.labels as Record<string, unknown>).le), v.value);
    }
  }
  let requests = 0;
  let errors = 0;
  for (const v of (await router.metrics.requests.get()).values) {
    if (v.labels.version !== version) continue;
    requests += v.value;
    if (v.labels.status !== '200') errors += v.value;
  }
  return { buckets, requests, errors };
}

/** p99 from bucket counts: the upper bound of the bucket holding the 99th percentile (as Prometheus would). */
function p99Ms(now: Snapshot, then: Snapshot): number {
  const les = [...now.buckets.keys()].sort((a, b) => a - b);
  const counts = les.map((le) => (now.buckets.get(le) ?? 0) - (then.buckets.get(le) ?? 0));
  const total = counts.at(-1) ?? 0;
  if (total === 0) return 0;
  const i = counts.findIndex((c) => c >= 0.99 * total);
  return les[i] * 1000;
}

export function canaryHands(
  services: Pick<Services, 'pg' | 'redis' | 'key'>,
  o: { model: string; challenger: string; router: Router; routes: RouteSource },
) {
  const marks = new Map<number, Snapshot>();
  let lastMark: Snapshot | undefined;
  return {
    async setPercent(percent: number): Promise<void> {
      await setRouting(
        services,
        o.model,
        percent > 0 ? { champion: 100 - percent, [o.challenger]: percent } : { champion: 100 },
        { reason: percent > 0 ? `canary step: ${percent}% to v${o.challenger}` : 'canary off', by: 'canary' },
      );
      // The router follows the table (a Redis notice, then a Postgres read); a step starts only once its table is in force there, and has stayed in
      // force for STABLE_MS (a resolution of the old table that was already running can still land
      // after the new one: registryRoutes' refresh has no ordering, see the lab README).
      const deadline = performance.now() + 5000;
      let since = Number.POSITIVE_INFINITY;
      while (performance.now() < deadline) {
        const inForce = (o.routes.current()[o.challenger] ?? 0) === percent;
        if (!inForce) since = Number.POSITIVE_INFINITY;
        else if (since === Number.POSITIVE_INFINITY) since = performance.now();
        else if (performance.now() - since >= STABLE_MS) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      lastMark = await snapshot(o.router, o.challenger);
    },
    async observe(since: number): Promise<GuardrailStats> {
      // runCanary takes `since` right after setPercent returns: that step's snapshot.
      if (!marks.has(since) && lastMark) marks.set(since, lastMark);
      const then = marks.get(since) ?? { buckets: new Map(), requests: 0, errors: 0 };
      const now = await snapshot(o.router, o.challenger);
      const requests = now.requests - then.requests;
      return {
        requests,
        p99LatencyMs: p99Ms(now, then),
        errorRate: requests > 0 ? (now.errors - then.errors) / requests : 0,
      };
    },
  };
}
