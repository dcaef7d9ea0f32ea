/**
 * The model server (Q16, Q19, Q31): Fastify with POST /predict, GET /healthz, /readyz, /metrics.
 * Lifecycle follows TF Serving / Triton warm-up and KServe readiness: listen at once (liveness),
 * load the model, run synthetic inferences at every batch size it will serve, and only then answer
 * /readyz 200. `readyAtStart` is the faulty variant (ready before load and warm-up) that labs show.
 * Request path: cache -> de-duplication -> preprocess -> micro-batched inference -> postprocess.
 * Hand-written here: readiness, warm-up, dedup, the pipeline; Fastify validates bodies (Ajv),
 * lru-cache holds responses, prom-client renders the metrics, MicroBatcher (batcher.ts) batches.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { LRUCache } from 'lru-cache';
import { MicroBatcher } from './batcher.ts';
import { createMetrics, type ServerMetrics } from './metrics.ts';
import { InputValidationError, type Prediction, type ServingModel } from './model.ts';

export interface ServerOptions {
  model?: ServingModel;
  loader?: () => Promise<ServingModel>;
  host?: string;
  port?: number;
  batching?: { maxBatch: number; maxWaitMs: number };
  cache?: { enabled: boolean; max?: number; ttlMs?: number };
  dedup?: boolean;
  /** Batch sizes to warm; false skips warm-up (the cold server). */
  warmup?: { batchSizes: number[]; rounds?: number } | false;
  /** Faulty variant: /readyz says 200 before the model is loaded and warm. */
  readyAtStart?: boolean;
  /** Body schema for a `loader` server (a `model` brings its own); preprocess validates regardless. */
  inputSchema?: Record<string, unknown>;
  /** Bytes; bigger bodies get 413 before any parsing. */
  bodyLimit?: number;
  logger?: boolean;
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
  /** Stop accepting, drain in-flight requests and batches, release the port. */
  close(): Promise<void>;
}

/** Marks the server's own warm-up requests; honoured only before ready, so clients cannot use it. */
const WARMUP_HEADER = 'x-model-server-warmup';

/** Sorted-keys JSON: the same input in any key order gives the same cache / dedup key. */
export function canonicalKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalKey).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalKey(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

interface AjvIssue {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** The field an Ajv error is about: missing / extra property names, else the JSON pointer. */
function issueField(v: AjvIssue): string {
  const named = v.params?.missingProperty ?? v.params?.additionalProperty;
  if (typeof named === 'string') return named;
  return v.instancePath ? v.instancePath.replace(/^\//, '').replaceAll('/', '.') : 'body';
}

export function createServer(opts: ServerOptions): ModelServer {
  if (!opts.model && !opts.loader) throw new Error('createServer: pass `model` or `loader`');
  const host = opts.host ?? '127.0.0.1';
  const metrics = createMetrics();
  const warmup = opts.warmup ?? { batchSizes: [1, 8, 32] };
  const batching = opts.batching ?? { maxBatch: 32, maxWaitMs: 2 };
  const cache = opts.cache?.enabled
    ? new LRUCache<string, PredictReply>({ max: opts.cache.max ?? 10_000, ttl: opts.cache.ttlMs ?? 60_000 })
    : undefined;
  const inflight = opts.dedup ? new Map<string, Promise<PredictReply>>() : undefined;
  let model: ServingModel | undefined;
  let batcher: MicroBatcher | undefined;
  let warm = false;
  let warmingHttp = false;
  let closing = false;
  let firstDone = false;
  let url = '';

  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimit ?? 16 * 1024,
    // No type coercion: "12" is not a number; keep unknown fields so the schema can refuse them.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });

  const loadAndWarm = async (): Promise<void> => {
    const t0 = performance.now();
    model = opts.model ?? (await opts.loader!());
    metrics.loadSeconds.set((performance.now() - t0) / 1000);
    metrics.modelInfo.set({ name: model.name, version: model.version }, 1);
    const m = model;
    batcher = new MicroBatcher(
      (rows) => m.predictBatch(rows),
      batching,
      (size, seconds) => {
        if (warmingHttp) return; // the server's own warm-up requests are not traffic
        metrics.batchSize.observe(size);
        metrics.inferenceRows.inc(size);
        metrics.stage.observe({ stage: 'inference' }, seconds);
      },
    );
    if (warmup) {
      const w0 = performance.now();
      // Every shape it will serve, several rounds: JIT-compiles the pre/infer/post path per size.
      for (let round = 0; round < (warmup.rounds ?? 3); round++) {
        for (const size of warmup.batchSizes) {
          const rows = Array.from({ length: size }, (_, i) => m.preprocess(m.sampleInput(i + round)));
          const scores = await m.predictBatch(rows);
          for (const s of scores) m.postprocess(s);
        }
      }
      // The HTTP path too (body parser, schema validation, serializer): a first real request should
      // find nothing left to compile. Marked so it touches neither cache nor metrics.
      warmingHttp = true;
      for (let i = 0; i < (warmup.rounds ?? 3); i++) {
        await app.inject({
          method: 'POST',
          url: '/predict',
          headers: { [WARMUP_HEADER]: '1' },
          payload: m.sampleInput(i),
        });
      }
      warmingHttp = false;
      metrics.warmupSeconds.set((performance.now() - w0) / 1000);
    }
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

  const predictOnce = async (body: unknown): Promise<PredictReply> => {
    const m = model!;
    const p0 = performance.now();
    const row = m.preprocess(body);
    const q0 = performance.now();
    metrics.stage.observe({ stage: 'preprocess' }, (q0 - p0) / 1000);
    const score = await batcher!.submit(row);
    const o0 = performance.now();
    metrics.stage.observe({ stage: 'queue+inference' }, (o0 - q0) / 1000);
    const out = { ...m.postprocess(score), model: { name: m.name, version: m.version } };
    metrics.stage.observe({ stage: 'postprocess' }, (performance.now() - o0) / 1000);
    return out;
  };

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof InputValidationError) {
      return reply.code(400).send({ error: 'invalid_input', field: err.field, reason: err.reason });
    }
    if (err.validation) {
      const v = err.validation[0] as AjvIssue;
      return reply
        .code(400)
        .send({ error: 'invalid_input', field: issueField(v), reason: v.message ?? 'invalid' });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply
        .code(status)
        .send({ error: err.code ?? 'bad_request', field: 'body', reason: err.message });
    }
    app.log.error(err);
    return reply.code(500).send({ error: 'internal', reason: 'internal error' });
  });

  const isWarmup = (h: Record<string, unknown>) => !warm && h[WARMUP_HEADER] === '1';

  app.addHook('onResponse', async (req, reply) => {
    if (req.url.startsWith('/predict') && !isWarmup(req.headers))
      metrics.requests.inc({ status: String(reply.statusCode) });
  });

  // While closing, replies carry `Connection: close`, so a keep-alive client does not hold the
  // socket (and the shutdown) open after its in-flight request is answered.
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const isReady = !closing && (opts.readyAtStart || warm);
    return reply
      .code(isReady ? 200 : 503)
      .send({ ready: isReady, loaded: model !== undefined, warm, closing });
  });
  app.get('/metrics', async (_req, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const bodySchema = opts.inputSchema ?? opts.model?.inputSchema;
  app.post('/predict', { schema: bodySchema ? { body: bodySchema } : {} }, async (req) => {
    const t0 = performance.now();
    if (!model) await ready; // only the readyAtStart variant gets here early: it waits for the load
    if (isWarmup(req.headers)) return predictOnce(req.body);
    let path = 'model';
    let out: PredictReply;
    const key = cache || inflight ? canonicalKey(req.body) : '';
    const hit = cache?.get(key);
    if (hit) {
      metrics.cacheHits.inc();
      path = 'cache';
      out = hit;
    } else {
      if (cache) metrics.cacheMisses.inc();
      const joined = inflight?.get(key);
      if (joined) {
        metrics.dedupJoins.inc();
        path = 'dedup';
        out = await joined;
      } else {
        const p = predictOnce(req.body);
        if (inflight) {
          inflight.set(key, p);
          p.catch(() => {}).finally(() => inflight.delete(key));
        }
        out = await p;
        cache?.set(key, out);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    metrics.latency.observe({ path }, seconds);
    if (!firstDone) {
      firstDone = true;
      metrics.firstRequestSeconds.set(seconds);
    }
    return out;
  });

  return {
    app,
    metrics,
    ready,
    get url() {
      return url;
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
      await app.close(); // Fastify: refuses new requests (503), waits for in-flight ones
      await batcher?.idle();
    },
  };
}
