/**
 * Weeks of payments through the real model server, logged by @mlops-lab/monitoring (Q26, Q35): the
 * server appends every served prediction to the Redis Stream (its prediction-log hook), a consumer
 * group writes them to Postgres, and the backlog (stream length, pending, lag) is sampled while the
 * traffic runs. Faults switch on here, in the real path: a feature pipeline that sends a default
 * value, and a consumer that crashes after each insert (before its acknowledgement) until restarted.
 */
import type { PaymentEvent } from '@mlops-lab/datagen';
import { createServer, type ModelServer, replay, type ServingModel } from '@mlops-lab/model-server';
import { type LogConsumer, PredictionLog, type PredictionLogStats } from '@mlops-lab/monitoring';
import { paymentBody } from '@mlops-lab/payments';
import type { Services } from '@mlops-lab/services';

export interface Traffic {
  week: number;
  events: PaymentEvent[];
  /** The silent-degradation fault: what a broken feature pipeline does to the body it sends. */
  mutate?: (body: ReturnType<typeof paymentBody>) => ReturnType<typeof paymentBody>;
}

export interface ServeResult {
  served: number;
  failed: number;
  /** Largest backlog (stream length) seen while serving, and the week it was seen in. */
  maxBacklog: number;
  maxBacklogWeek: number;
  maxPending: number;
  producer: PredictionLogStats['producer'];
  /** Each consumer's counts: the first, then one per restart. */
  consumers: ReturnType<LogConsumer['stats']>[];
  /** Scraped from the server's /metrics after the run. */
  metricsText: string;
  seconds: number;
}

const CONCURRENCY = 16;

export async function serveWeeks(
  services: Services,
  model: ServingModel,
  traffic: Traffic[],
  options: { crashWeeks?: Set<number> } = {},
): Promise<ServeResult> {
  const log = await PredictionLog.open(services, {
    stream: services.key('predictions'),
    producer: { flushEveryMs: 10 },
  });
  const server: ModelServer = createServer({
    model,
    warmup: { batchSizes: [1, 8, 16] },
    predictionLog: log,
  });
  let currentWeek = -1;
  const crashing = () => options.crashWeeks?.has(currentWeek) ?? false;
  // The broken pipeline: the insert lands, the process dies before XACK (modelled as a throw).
  const crashAfterInsert = (c: LogConsumer) => {
    c.afterInsert = () => {
      if (crashing()) throw new Error('consumer crashed after insert, before ack');
    };
  };
  crashAfterInsert(log.consumer);
  const consumers = [log.consumer];
  // Recovery: the crashed consumer is replaced under the same name; it re-reads its pending entries.
  const restart = async () => {
    consumers.push(await log.restartConsumer(crashAfterInsert));
  };
  let maxBacklog = 0;
  let maxBacklogWeek = -1;
  let maxPending = 0;
  let sampling = true;
  let sampler: Promise<void> | undefined;
  let served = 0;
  let failed = 0;
  try {
    const url = await server.start();
    await server.ready;
    sampler = (async () => {
      while (sampling) {
        const b = await log.backlog();
        if (b.length > maxBacklog) {
          maxBacklog = b.length;
          maxBacklogWeek = currentWeek;
        }
        maxPending = Math.max(maxPending, b.pending);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const t0 = performance.now();
    for (const t of traffic) {
      const wasCrashing = crashing();
      currentWeek = t.week;
      if (wasCrashing && !crashing()) await restart();
      const replayed = await replay(
        url,
        t.events.map((e) => ({
          requestId: e.eventId,
          at: e.timestamp,
          body: t.mutate ? t.mutate(paymentBody(e)) : paymentBody(e),
        })),
        CONCURRENCY,
      );
      served += replayed.ok;
      failed += replayed.failed;
    }
    if (crashing()) {
      currentWeek = -1;
      await restart();
    }
    await log.persisted();
    const metricsText = await (await fetch(`${url}/metrics`)).text();
    return {
      served,
      failed,
      maxBacklog,
      maxBacklogWeek,
      maxPending,
      producer: log.stats().producer,
      consumers: consumers.map((c) => c.stats()),
      metricsText,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    sampling = false;
    await sampler;
    await server.close();
    await log.close();
  }
}

/** The value of a counter or gauge line in Prometheus text format (summed over matching label sets). */
export function scrapeValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** histogram_quantile over a scraped `_seconds` histogram's buckets (summed over its other labels). */
export function scrapeQuantile(text: string, histogram: string, q: number): number {
  const byLe = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${histogram}_bucket{`)) continue;
    const le = line.match(/le="([^"]+)"/)?.[1];
    if (!le) continue;
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    byLe.set(bound, (byLe.get(bound) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  const buckets = [...byLe.entries()].sort((a, b) => a[0] - b[0]);
  const total = buckets.at(-1)?.[1] ?? 0;
  return buckets.find(([, count]) => count >= q * total)?.[0] ?? Number.NaN;
}
