/**
 * The model server (Q16, Q18, Q19, Q31): Fastify with POST /predict, GET /healthz, /readyz, /metrics.
 * Lifecycle follows TF Serving / Triton warm-up and KServe readiness: listen at once (liveness),
 * load the model, run synthetic inferences at every batch shape it will serve (warmup.ts), and only
 * then answer /readyz 200. `readyAtStart` is the faulty variant (ready before load and warm-up).
 * One model (`model` / `loader`), or several versions by a routing table (`routing`, routing.ts) that
 * changes while the server runs. Request path: pick a version -> response cache / de-duplication
 * (response-cache.ts) -> preprocess -> micro-batched inference (batcher.ts) -> postprocess.
 * HTTP hardening (timeouts, connection cap) in http-limits.ts, compressed bodies in content-encoding.ts,
 * the drain on close in drain.ts. Hand-written here: readiness, the pipeline with per-stage timings;
 * Fastify validates bodies (Ajv), prom-client renders the metrics.
 */

import { type HttpLimits, httpServerOptions, REQUEST_ID_HEADER } from '@mlops-lab/http';
import type { PredictionRecord } from '@mlops-lab/monitoring';
import Fastify, { type FastifyInstance } from 'fastify';
import { type BatcherOptions, MicroBatcher } from './batcher.ts';
import { decodeContentEncoding } from './content-encoding.ts';
import { drainHttp, SocketRequests } from './drain.ts';
import { errorReply } from './error-reply.ts';
import { createMetrics, type ServerMetrics } from './metrics.ts';
import type { Prediction, ServingModel } from './model.ts';
import { type CacheOptions, canonicalKey, ResponseCache } from './response-cache.ts';
import { type RouteRow, type RoutingSource, VersionRouter } from './routing.ts';
import { ShapeLog, type WarmupOptions, warmModel } from './warmup.ts';

export { canonicalKey } from './response-cache.ts';

export interface ServerOptions {
  model?: ServingModel;
  loader?: () => Promise<ServingModel>;
  /** Serve the versions a routing table names, following its changes (instead of model / loader). */
  routing?: RoutingSource;
  host?: string;
  port?: number;
  batching?: BatcherOptions;
  cache?: CacheOptions;
  dedup?: boolean;
  /** Batch sizes to warm; false skips warm-up (the cold server). */
  warmup?: WarmupOptions | false;
  /** Faulty variant: /readyz says 200 before the model is loaded and warm. */
  readyAtStart?: boolean;
  /** Body schema for a `loader` server (a `model` or `routing` brings its own); preprocess validates regardless. */
  inputSchema?: Record<string, unknown>;
  /** Bytes; bigger bodies get 413 before any parsing. */
  bodyLimit?: number;
  /** Longest wait for in-flight requests on close (a hung model must not hold shutdown forever). */
  drainTimeoutMs?: number;
  /** Timeouts, connection cap, requests per socket (http-limits.ts; defaults HTTP_LIMIT_DEFAULTS). */
  http?: HttpLimits;
  logger?: boolean;
  /**
   * Every served /predict (answered or failed, not the warm-up) is appended here, e.g. a
   * @mlops-lab/monitoring PredictionProducer. `append` must not block; a throw is counted in
   * model_server_prediction_log_errors_total and never fails the request.
   */
  predictionLog?: { append(record: PredictionRecord): unknown };
}

export interface PredictReply extends Prediction {
  model: { name: string; version: string };
}

export interface ModelServer {
  app: FastifyInstance;
  metrics: ServerMetrics;
  /** Listens, then loads and warms in the background; resolves with the base URL once listening. */
  start(): Promise<string>;
  /** Resolves when loaded and warm (rejects if loading failed). */
  readonly ready: Promise<void>;
  readonly url: string;
  /** The routing table in force (one row at weight 100 for a single-model server). */
  readonly routes: RouteRow[];
  /** Entries in the response cache now. */
  readonly cacheEntries: number;
  /** Stop accepting, drain in-flight requests and batches, release the port. */
  close(): Promise<void>;
}

/** Marks the server's own warm-up requests; honoured only before ready, so clients cannot use it. */
const WARMUP_HEADER = 'x-model-server-warmup';
/** Requests with the same routing key (a user id, say) always get the same version. */
export const ROUTING_KEY_HEADER = 'x-routing-key';
/** The caller's request id (http's REQUEST_ID_HEADER) is the prediction log's key, else Fastify's own id. */
export { REQUEST_ID_HEADER };
/** When the scored event happened (ms since epoch), if the caller knows it (a replay); else now. */
export const EVENT_TIME_HEADER = 'x-event-time';

export function createServer(opts: ServerOptions): ModelServer {
  if (!opts.model && !opts.loader && !opts.routing) {
    throw new Error('createServer: pass `model`, `loader` or `routing`');
  }
  const host = opts.host ?? '127.0.0.1';
  const metrics = createMetrics();
  const warmup = opts.warmup ?? { batchSizes: [1, 8, 32] };
  // A model call past 10 s fails its batch (503) instead of holding every later request behind it.
  const batching = { timeoutMs: 10_000, ...(opts.batching ?? { maxBatch: 32, maxWaitMs: 2 }) };
  const bodyLimit = opts.bodyLimit ?? 16 * 1024;
  const responses = new ResponseCache<PredictReply>(opts.cache, opts.dedup ?? false, {
    hit: () => metrics.cacheHits.inc(),
    miss: () => metrics.cacheMisses.inc(),
    joined: () => metrics.dedupJoins.inc(),
  });
  const shapes = new ShapeLog();
  const batchers = new Map<ServingModel, MicroBatcher>();
  let single: ServingModel | undefined;
  let router: VersionRouter | undefined;
  let warm = false;
  let warmingHttp = false;
  let closing = false;
  let firstDone = false;
  let url = '';

  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit,
    // No type coercion: "12" is not a number; keep unknown fields so the schema can refuse them.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // A request read during the drain is served (with Connection: close), not refused with 503.
    return503OnClosing: false,
    ...httpServerOptions(opts.http, { registry: metrics.registry, prefix: 'model_server' }),
  });
  const sockets = new SocketRequests(app.server);
  app.addHook('preParsing', decodeContentEncoding(bodyLimit));

  const batcherFor = (m: ServingModel): MicroBatcher => {
    let b = batchers.get(m);
    if (!b) {
      b = new MicroBatcher(
        (rows) => m.predictBatch(rows),
        batching,
        (size, seconds, shape) => {
          if (warmingHttp) return; // the server's own warm-up requests are not traffic
          metrics.batchSize.observe(size);
          metrics.inferenceRows.inc(size);
          metrics.stage.observe({ stage: 'inference' }, seconds);
          if (shapes.record(m, shape) && warm) {
            metrics.coldShapeBatches.inc();
            metrics.coldShapeSeconds.observe(seconds);
          }
        },
      );
      batchers.set(m, b);
    }
    return b;
  };

  /** Loads nothing: makes a loaded model ready to take traffic (warm-up at every served shape). */
  const prepare = async (m: ServingModel): Promise<void> => {
    metrics.modelInfo.set({ name: m.name, version: m.version }, 1);
    batcherFor(m);
    if (warmup) {
      const w0 = performance.now();
      await warmModel(m, warmup, batching.allowedSizes, shapes);
      metrics.warmupSeconds.set((performance.now() - w0) / 1000);
    }
  };

  const loadAndWarm = async (): Promise<void> => {
    const t0 = performance.now();
    if (opts.routing) {
      router = new VersionRouter(opts.routing, prepare, {
        applied: (rows) => {
          metrics.routingWeight.reset();
          for (const r of rows) metrics.routingWeight.set({ target: r.target, version: r.version }, r.weight);
          metrics.routingUpdates.inc();
          for (const [m] of batchers) if (!router?.loaded.includes(m)) batchers.delete(m);
        },
        failed: (stage) => metrics.routingErrors.inc({ stage }),
      });
      await router.start();
    } else {
      single = opts.model ?? (await opts.loader!());
      metrics.loadSeconds.set((performance.now() - t0) / 1000);
      await prepare(single);
    }
    if (warmup) {
      // The HTTP path too (body parser, schema validation, serializer): a first real request should
      // find nothing left to compile. Marked so it touches neither cache nor metrics.
      warmingHttp = true;
      const m = pick(undefined);
      for (let i = 0; i < (warmup.rounds ?? 3); i++) {
        await app.inject({
          method: 'POST',
          url: '/predict',
          headers: { [WARMUP_HEADER]: '1' },
          payload: m.sampleInput(i),
        });
      }
      warmingHttp = false;
    }
    if (opts.routing) metrics.loadSeconds.set((performance.now() - t0) / 1000);
    warm = true;
    if (!closing) metrics.ready.set(1);
  };
  let loading: Promise<void> | undefined;
  let release: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    release = resolve;
  });
  const ready = started.then(() => {
    loading ??= loadAndWarm();
    return loading;
  });
  ready.catch(() => {}); // surfaced through /readyz and predict, not as an unhandled rejection

  const pick = (routingKey: string | undefined): ServingModel => router?.pick(routingKey) ?? single!;

  const predictOnce = async (m: ServingModel, body: unknown): Promise<PredictReply> => {
    const p0 = performance.now();
    const row = m.preprocess(body);
    const q0 = performance.now();
    metrics.stage.observe({ stage: 'preprocess' }, (q0 - p0) / 1000);
    const score = await batcherFor(m).submit(row);
    const o0 = performance.now();
    metrics.stage.observe({ stage: 'queue+inference' }, (o0 - q0) / 1000);
    const out = { ...m.postprocess(score), model: { name: m.name, version: m.version } };
    metrics.stage.observe({ stage: 'postprocess' }, (performance.now() - o0) / 1000);
    return out;
  };

  app.setErrorHandler(errorReply(app.log));

  const isWarmup = (h: Record<string, unknown>) => !warm && h[WARMUP_HEADER] === '1';

  app.addHook('onResponse', async (req, reply) => {
    if (req.url.startsWith('/predict') && !isWarmup(req.headers))
      metrics.requests.inc({ status: String(reply.statusCode) });
  });

  // While closing, a socket's last reply carries `Connection: close`, so a keep-alive client does not
  // hold the socket (and the shutdown) open; not an earlier one, or Node drops the replies behind it.
  app.addHook('onSend', async (req, reply) => {
    if (closing && sockets.isLast(req.raw.socket)) reply.header('connection', 'close');
  });

  const routes = (): RouteRow[] =>
    router?.table ?? (single ? [{ target: single.version, version: single.version, weight: 100 }] : []);

  app.get('/healthz', async () => ({ status: 'ok' }));
  // A stale routing table does not make the server unready: every replica reads the same stores, so
  // an outage would take the whole fleet out at once while the last good table still serves. It is
  // reported instead (here and in /metrics) for an alert to act on.
  app.get('/readyz', async (_req, reply) => {
    const isReady = !closing && (opts.readyAtStart || warm);
    const loaded = single !== undefined || (router?.loaded.length ?? 0) > 0;
    const routing = router?.health ?? undefined;
    return reply
      .code(isReady ? 200 : 503)
      .send({ ready: isReady, loaded, warm, closing, routes: routes(), ...(routing ? { routing } : {}) });
  });
  app.get('/metrics', async (_req, reply) => {
    metrics.cacheEntries.set(responses.entries);
    const health = router?.health;
    if (health?.noticeAgeSeconds != null) metrics.routingAge.set({ store: 'redis' }, health.noticeAgeSeconds);
    if (health?.tableAgeSeconds != null)
      metrics.routingAge.set({ store: 'postgres' }, health.tableAgeSeconds);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const logPrediction = (
    req: { id: string; headers: Record<string, unknown>; body: unknown },
    version: string,
    value: PredictReply | null,
    latencyMs: number,
    error: unknown,
  ): void => {
    if (!opts.predictionLog) return;
    const id = req.headers[REQUEST_ID_HEADER];
    const eventTime = Number(req.headers[EVENT_TIME_HEADER]);
    try {
      opts.predictionLog.append({
        requestId: typeof id === 'string' && id ? id : req.id,
        modelVersion: version,
        at: Number.isSafeInteger(eventTime) && eventTime > 0 ? eventTime : Date.now(),
        features: (req.body ?? {}) as PredictionRecord['features'],
        score: value ? value.score : null,
        decision: value ? value.decision : null,
        latencyMs,
        error: error === null ? null : error instanceof Error ? error.message : String(error),
      });
    } catch {
      metrics.predictionLogErrors.inc();
    }
  };

  const bodySchema = opts.inputSchema ?? opts.model?.inputSchema ?? opts.routing?.inputSchema;
  app.post('/predict', { schema: bodySchema ? { body: bodySchema } : {} }, async (req) => {
    const t0 = performance.now();
    if (!single && !router?.table.length) await ready; // only readyAtStart gets here early: it waits
    const routingKey = req.headers[ROUTING_KEY_HEADER];
    const m = pick(typeof routingKey === 'string' ? routingKey : undefined);
    if (isWarmup(req.headers)) return predictOnce(m, req.body);
    let answer: { value: PredictReply; path: string };
    try {
      answer = responses.active
        ? await responses.answer(`${m.version}\n${canonicalKey(req.body)}`, () => predictOnce(m, req.body))
        : { value: await predictOnce(m, req.body), path: 'model' };
    } catch (error) {
      logPrediction(req, m.version, null, performance.now() - t0, error);
      throw error;
    }
    const { value, path } = answer;
    const seconds = (performance.now() - t0) / 1000;
    logPrediction(req, value.model.version, value, seconds * 1000, null);
    metrics.latency.observe({ path }, seconds);
    metrics.predictions.inc({ version: value.model.version });
    if (!firstDone) {
      firstDone = true;
      metrics.firstRequestSeconds.set(seconds);
    }
    return value;
  });

  return {
    app,
    metrics,
    ready,
    get url() {
      return url;
    },
    get routes() {
      return routes();
    },
    get cacheEntries() {
      return responses.entries;
    },
    async start() {
      const address = await app.listen({ host, port: opts.port ?? 0 });
      url = address;
      release();
      return address;
    },
    async close() {
      closing = true;
      metrics.ready.set(0);
      router?.stop();
      await drainHttp(app, opts.drainTimeoutMs ?? 10_000, () =>
        Promise.all([...batchers.values()].map((b) => b.idle())),
      );
    },
  };
}
