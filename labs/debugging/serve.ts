/**
 * A week of payments through the real model server (Q30): the server follows the registry's routing
 * table (`champion: 100`) and loads the version the alias names from its artifact, the payment
 * service builds each request with its release's code from the feature query, and every served
 * prediction goes to @mlops-lab/monitoring's log (Redis Stream -> consumer group -> Postgres). The
 * week ends when the log holds nothing unpersisted.
 */
import type { PaymentEvent } from '@mlops-lab/datagen';
import { createServer, EVENT_TIME_HEADER, REQUEST_ID_HEADER } from '@mlops-lab/model-server';
import { backlog, ensureGroup, LogConsumer, PredictionProducer } from '@mlops-lab/monitoring';
import { loadArtifact, registryTableSource, resolve } from '@mlops-lab/registry';
import type { Services } from '@mlops-lab/services';
import { request } from 'undici';
import { MODEL_NAME, servingModel } from './model.ts';
import { type FeatureRow, featureRows, type Release, servingRequest } from './pipeline.ts';

const CONCURRENCY = 16;

export interface WeekServed {
  served: number;
  failed: number;
}

export async function serveWeek(
  services: Services,
  window: { from: number; to: number },
  release: Release,
  warmupEvents: readonly PaymentEvent[],
): Promise<WeekServed> {
  const stream = services.key('predictions');
  await ensureGroup(services.redis, stream);
  const producer = new PredictionProducer(services.redis, { stream, flushEveryMs: 10 });
  const consumer = new LogConsumer(services.redis.duplicate(), services.pg, {
    stream,
    consumer: 'logger-1',
    batch: 1000,
  });
  consumer.start();
  const server = createServer({
    routing: {
      ...registryTableSource(services, MODEL_NAME),
      load: async (version) => {
        const v = await resolve(services.pg, `${MODEL_NAME}@${version}`);
        return servingModel(await loadArtifact(v.hash), v.version, warmupEvents);
      },
    },
    warmup: { batchSizes: [1, 8] },
    predictionLog: producer,
  });
  const url = await server.start();
  try {
    await server.ready;
    const rows: FeatureRow[] = await featureRows(services, window);
    let next = 0;
    let served = 0;
    let failed = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < rows.length) {
          const row = rows[next++];
          const res = await request(`${url}/predict`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              [REQUEST_ID_HEADER]: row.paymentId,
              [EVENT_TIME_HEADER]: String(row.at),
            },
            body: JSON.stringify(servingRequest(row, release)),
          });
          await res.body.dump();
          if (res.statusCode === 200) served++;
          else failed++;
        }
      }),
    );
    await producer.close();
    for (;;) {
      const b = await backlog(services.redis, stream);
      if (b.length === 0 && b.pending === 0 && producer.stats().buffered === 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    return { served, failed };
  } finally {
    await consumer.stop();
    await server.close();
  }
}
