/**
 * A week of payments through the real model server (Q30): the server follows the registry's routing
 * table (`champion: 100`) and loads the version the alias names from its artifact, the payment
 * service builds each request with its release's code from the feature query, and every served
 * prediction goes to @mlops-lab/monitoring's log (Redis Stream -> consumer group -> Postgres). The
 * week ends when the log holds nothing unpersisted.
 */
import type { PaymentEvent } from '@mlops-lab/datagen';
import { createServer, replay } from '@mlops-lab/model-server';
import { PredictionLog } from '@mlops-lab/monitoring';
import { loadArtifact, registryTableSource, resolve } from '@mlops-lab/registry';
import type { Services } from '@mlops-lab/services';
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
  const log = await PredictionLog.open(services, {
    stream: services.key('predictions'),
    producer: { flushEveryMs: 10 },
  });
  const server = createServer({
    routing: {
      ...registryTableSource(services, MODEL_NAME),
      load: async (version) => {
        const v = await resolve(services.pg, `${MODEL_NAME}@${version}`);
        return servingModel(await loadArtifact(v.hash), v.version, warmupEvents);
      },
    },
    warmup: { batchSizes: [1, 8] },
    predictionLog: log,
  });
  try {
    const url = await server.start();
    await server.ready;
    const rows: FeatureRow[] = await featureRows(services, window);
    const replayed = await replay(
      url,
      rows.map((row) => ({ requestId: row.paymentId, at: row.at, body: servingRequest(row, release) })),
      CONCURRENCY,
    );
    await log.persisted();
    return { served: replayed.ok, failed: replayed.failed };
  } finally {
    await server.close();
    await log.close();
  }
}
