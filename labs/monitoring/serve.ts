/**
 * Weeks of payments through the real model server, logged by @mlops-lab/monitoring (Q26, Q35): the
 * server appends every served prediction to the Redis Stream (its prediction-log hook), a consumer
 * group writes them to Postgres, and the backlog (stream length, pending, lag) is sampled while the
 * traffic runs. Faults switch on here, in the real path: a feature pipeline that sends a default
 * value, and a consumer that crashes after each insert (before its acknowledgement) until restarted.
 */
import type { PaymentEvent } from '@mlops-lab/datagen';
import {
  createServer,
  EVENT_TIME_HEADER,
  type ModelServer,
  REQUEST_ID_HEADER,
  type ServingModel,
} from '@mlops-lab/model-server';
import { backlog, ensureGroup, LogConsumer, PredictionProducer } from '@mlops-lab/monitoring';
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
  producer: ReturnType<PredictionProducer['stats']>;
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
  const stream = services.key('predictions');
  await ensureGroup(services.redis, stream);
  const producer = new PredictionProducer(services.redis, { stream, flushEveryMs: 10 });
  const server: ModelServer = createServer({
    model,
    warmup: { batchSizes: [1, 8, 16] },
    predictionLog: producer,
  });
  const url = await server.start();
  await server.ready;
  let currentWeek = -1;
  const crashing = () => options.crashWeeks?.has(currentWeek) ?? false;
  const startConsumer = () => {
    const c = new LogConsumer(services.redis.duplicate(), services.pg, {
      stream,
      consumer: 'logger-1',
      batch: 1000,
    });
    // The broken pipeline: the insert lands, the process dies before XACK (modelled as a throw).
    c.afterInsert = () => {
      if (crashing()) throw new Error('consumer crashed after insert, before ack');
    };
    c.start();
    return c;
  };
  const consumers = [startConsumer()];
  let maxBacklog = 0;
  let maxBacklogWeek = -1;
  let maxPending = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const b = await backlog(services.redis, stream);
      if (b.length > maxBacklog) {
        maxBacklog = b.length;
        maxBacklogWeek = currentWeek;
      }
      maxPending = Math.max(maxPending, b.pending);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const t0 = performance.now();
  let served = 0;
  let failed = 0;
  try {
    for (const t of traffic) {
      const wasCrashing = crashing();
      currentWeek = t.week;
      if (wasCrashing && !crashing()) {
        // Recovery: the crashed consumer is replaced under the same name; it re-reads its pending entries.
        await consumers.at(-1)!.stop();
        consumers.push(startConsumer());
      }
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < t.events.length) {
            const e = t.events[next++];
            const body = t.mutate ? t.mutate(paymentBody(e)) : paymentBody(e);
            const res = await fetch(`${url}/predict`, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                [REQUEST_ID_HEADER]: e.eventId,
                [EVENT_TIME_HEADER]: String(e.timestamp),
              },
              body: JSON.stringify(body),
            });
            await res.arrayBuffer();
            if (res.ok) served++;
            else failed++;
          }
        }),
      );
    }
    if (crashing()) {
      await consumers.at(-1)!.stop();
      currentWeek = -1;
      consumers.push(startConsumer());
    }
    await producer.close();
    // Drain: wait until the log holds nothing unpersisted.
    for (;;) {
      const b = await backlog(services.redis, stream);
      if (b.length === 0 && b.pending === 0 && producer.stats().buffered === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const metricsText = await (await fetch(`${url}/metrics`)).text();
    return {
      served,
      failed,
      maxBacklog,
      maxBacklogWeek,
      maxPending,
      producer: producer.stats(),
      consumers: consumers.map((c) => c.stats()),
      metricsText,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    sampling = false;
    await sampler;
    await Promise.all(consumers.map((c) => c.stop()));
    await server.close();
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
