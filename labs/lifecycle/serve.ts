/**
 * The serving stage of the lifecycle lab (Q2, Q16, Q19): the retrain pipeline's model behind the real
 * model server, which follows the registry's routing table (aliases re-resolved, so a promotion reaches
 * it without a restart), loads a version from its content-addressed artifact, warms it up before
 * /readyz says yes, and appends every answer to @mlops-lab/monitoring's prediction log.
 *
 * A request carries the payment and the customer aggregates as of the payment (the point-in-time values
 * the features stage joined): the retrain model reads both, and its transform runs in the server
 * (`inputRow` in preprocess, `scoreInputRows` over the batch), so serving and training share one code path.
 */
import {
  createServer,
  decide,
  type ModelServer,
  type Replayed,
  replay,
  type ServingModel,
} from '@mlops-lab/model-server';
import type { PredictionLog } from '@mlops-lab/monitoring';
import { PaymentRequest } from '@mlops-lab/payments';
import { getVersion, loadArtifact, registryTableSource } from '@mlops-lab/registry';
import type { Services } from '@mlops-lab/services';
import {
  ACTIVITY_FEATURES,
  type FeedRow,
  inputRow,
  readModelArtifact,
  scoreInputRows,
} from '@mlops-lab/training';

/** The request: a payment plus its aggregates (null: no activity in the view's window). */
export const LIFECYCLE_REQUEST: Record<string, unknown> = {
  ...PaymentRequest,
  properties: {
    ...(PaymentRequest as unknown as { properties: Record<string, unknown> }).properties,
    ...Object.fromEntries(ACTIVITY_FEATURES.map((f) => [f, { type: ['number', 'null'] }])),
  },
};

export type Body = Record<string, string | number | null>;

/** The body a caller sends for a feed row; `amountScale` is the drift lab's unit-change fault. */
export function bodyOf(r: FeedRow, amountScale = 1): Body {
  const body: Body = {
    amount: (r.amount ?? 0) * amountScale,
    hourOfDay: r.hourOfDay ?? 0,
    deviceAgeDays: r.deviceAgeDays ?? 0,
    distanceKm: r.distanceKm ?? 0,
    channel: r.channel ?? 'web',
    ...r.activity,
  };
  if (r.merchantCategory) body.merchantCategory = r.merchantCategory;
  return body;
}

function fromBody(b: Body): Parameters<typeof inputRow>[1] {
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    customerId: '',
    timestamp: 0,
    amount: num(b.amount),
    hourOfDay: num(b.hourOfDay),
    deviceAgeDays: num(b.deviceAgeDays),
    distanceKm: num(b.distanceKm),
    merchantCategory: typeof b.merchantCategory === 'string' ? b.merchantCategory : null,
    channel: typeof b.channel === 'string' ? b.channel : null,
    activity: {
      txn_count_7d: num(b.txn_count_7d),
      avg_amount_7d: num(b.avg_amount_7d),
      disputes_30d: num(b.disputes_30d),
    },
  };
}

/** A registered retrain artifact as a ServingModel; warm-up sends `samples`. */
export async function retrainServingModel(
  services: Services,
  name: string,
  version: string,
  artifactsRoot: string,
  samples: readonly Body[],
): Promise<ServingModel> {
  const v = await getVersion(services.pg, name, Number(version));
  const model = readModelArtifact(await loadArtifact(v.hash, { root: artifactsRoot }));
  return {
    name,
    version: String(v.version),
    inputSchema: LIFECYCLE_REQUEST,
    preprocess: (body) => inputRow(model, fromBody(body as Body)),
    predictBatch: async (rows) => Float32Array.from(scoreInputRows(model, rows)),
    postprocess: decide,
    sampleInput: (i) => samples[i % samples.length],
  };
}

/** Starts the server on `name`'s routing table; resolves once it is loaded and warm. */
export async function startServer(
  services: Services,
  name: string,
  artifactsRoot: string,
  samples: readonly Body[],
  log: PredictionLog,
): Promise<ModelServer> {
  const server = createServer({
    routing: {
      ...registryTableSource(services, name, { resolveEveryMs: 200 }),
      inputSchema: LIFECYCLE_REQUEST,
      load: (version) => retrainServingModel(services, name, version, artifactsRoot, samples),
    },
    warmup: { batchSizes: [1, 8] },
    predictionLog: log,
  });
  await server.start();
  await server.ready;
  return server;
}

/** Sends each row as a request with its payment id and event time; counts answers by version. */
export function sendTraffic(url: string, rows: readonly FeedRow[], amountScale = 1): Promise<Replayed> {
  return replay(
    url,
    rows.map((r) => ({ requestId: r.eventId, at: r.timestamp, body: bodyOf(r, amountScale) })),
  );
}
