/**
 * The champion-challenger router (Q15, Q29): an HTTP front for model servers. Each request gets a
 * version by the table's weights, sticky per request key; the answer is logged with its version. A
 * sampled share is mirrored to a shadow version after the user's answer is on its way: the shadow
 * reply is logged, never returned, and its latency, timeout or crash cannot touch the user's request
 * (bounded in-flight shadow calls, a timeout each). References: Seldon Core 2 experiments (mirror,
 * sticky routes), Istio traffic mirroring (fire and forget).
 * The user's call has a deadline per attempt, bounded retries and a fallback to the champion
 * (upstream-policy.ts: Envoy retry policy); the log and the reply name the version that answered.
 * `faults` are the lab's named breaks, each a real code path: the shadow on the user's path, the
 * shadow's answer returned, assignment that ignores the key.
 */
import { randomUUID } from 'node:crypto';
import { httpServerOptions, REQUEST_ID_HEADER } from '@mlops-lab/http';
import type { PredictionRecord } from '@mlops-lab/monitoring';
import { stickyDraw } from '@mlops-lab/registry/routing';
import Fastify, { type FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry } from 'prom-client';
import { Pool } from 'undici';
import type { RouterLog } from './log.ts';
import type { RouteSource } from './routes.ts';
import {
  type ChampionSource,
  championOf,
  DEFAULT_RETRY,
  type PolicyHooks,
  predictWithPolicy,
  type RetryPolicy,
} from './upstream-policy.ts';

export interface UpstreamReply {
  status: number;
  body: { score?: number; decision?: string; [k: string]: unknown };
}

export interface Upstream {
  version: string;
  predict(body: Buffer, signal?: AbortSignal): Promise<UpstreamReply>;
  close?(): Promise<void>;
}

/** Keep-alive HTTP client to a model server's POST /predict. */
export function httpUpstream(version: string, baseUrl: string, connections = 64): Upstream {
  const pool = new Pool(baseUrl, { connections, pipelining: 1 });
  return {
    version,
    async predict(body, signal) {
      const res = await pool.request({
        path: '/predict',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal,
      });
      return { status: res.statusCode, body: (await res.body.json()) as UpstreamReply['body'] };
    },
    close: () => pool.close(),
  };
}

export interface ShadowConfig {
  version: string;
  /** Share of requests mirrored, 0..1. */
  share: number;
  timeoutMs: number;
  /** Shadow calls in flight (default 64, the upstream pool size); beyond, a mirror is skipped and counted: a slow or hung challenger costs the router a bounded amount of work. */
  maxInFlight?: number;
}

export interface RouterFaults {
  /** slow-challenger: the shadow call is awaited before the user's reply. */
  shadowOnUserPath?: boolean;
  /** shadow-leak: a mirrored request is answered with the shadow's reply. */
  returnShadow?: boolean;
  /** biased-split: the version is drawn at random per request, ignoring the request key. */
  nonSticky?: boolean;
}

export interface RouterOptions {
  upstreams: Record<string, Upstream>;
  routes: RouteSource;
  /**
   * The champion, where a failing challenger or canary hands its request: a version (a static table)
   * or a source followed while running (`followChampion` for the registry's alias). None: no fallback.
   */
  fallback?: string | ChampionSource;
  /** The user path's per-attempt timeout, retries and backoff (defaults DEFAULT_RETRY). */
  retry?: Partial<RetryPolicy>;
  shadow?: ShadowConfig | null;
  /** Where every served and shadow answer is appended (@mlops-lab/monitoring's PredictionLog). */
  log?: RouterLog;
  host?: string;
  port?: number;
  faults?: RouterFaults;
}

export const REQUEST_KEY_HEADER = 'x-request-key';
export { REQUEST_ID_HEADER };

function routerMetrics() {
  const registry = new Registry();
  const registers = [registry];
  const buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
  return {
    registry,
    requests: new Counter({
      name: 'router_requests_total',
      help: 'User requests by the version that answered and status',
      labelNames: ['version', 'status'] as const,
      registers,
    }),
    upstream: new Histogram({
      name: 'router_upstream_seconds',
      help: 'Model server call time by version and role (served: each attempt / shadow)',
      labelNames: ['version', 'role'] as const,
      buckets,
      registers,
    }),
    overhead: new Histogram({
      name: 'router_overhead_seconds',
      help: 'Router time per user request beyond the served model call',
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01],
      registers,
    }),
    shadow: new Counter({
      name: 'router_shadow_total',
      help: 'Mirrored requests by outcome: ok, error, timeout, skipped (too many in flight)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    failures: new Counter({
      name: 'router_upstream_failures_total',
      help: 'Failed user-path attempts by version, reason (timeout, connection, 5xx) and next step (retry, fallback, none)',
      labelNames: ['version', 'reason', 'next'] as const,
      registers,
    }),
    logErrors: new Counter({
      name: 'router_prediction_log_errors_total',
      help: 'Answers the prediction log refused (a malformed record): counted, the reply is not failed',
      registers,
    }),
  };
}

export interface Router {
  app: FastifyInstance;
  metrics: ReturnType<typeof routerMetrics>;
  start(): Promise<string>;
  /** Replaces the shadow configuration (null turns mirroring off). */
  setShadow(shadow: ShadowConfig | null): void;
  /** Resolves when no shadow call is in flight. */
  shadowIdle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Deterministic per request id: the same request is mirrored or not whatever instance handles it.
 * The same well-mixed hash as assignment: a plain x31 hash mirrored 68% of sequential ids at share 0.5.
 */
function sampled(requestId: string, share: number): boolean {
  return stickyDraw(`shadow:${requestId}`) < share;
}

export function createRouter(options: RouterOptions): Router {
  const metrics = routerMetrics();
  const faults = options.faults ?? {};
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const champion = championOf(options.fallback, options.upstreams);
  const hooks: PolicyHooks = {
    attempted: (version, seconds) => metrics.upstream.observe({ version, role: 'served' }, seconds),
    failed: (version, reason, next) => metrics.failures.inc({ version, reason, next }),
  };
  /** Appends to the log without ever failing or delaying the caller; a refused record is counted. */
  const logAnswer = (record: PredictionRecord) => {
    try {
      options.log?.append(record);
    } catch {
      metrics.logErrors.inc();
    }
  };
  let shadow = options.shadow ?? null;
  let shadowInFlight = 0;
  let idleWaiters: (() => void)[] = [];
  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    // The model server's limits: bounded header / body time (slow clients get 408), connection cap.
    ...httpServerOptions({}, { registry: metrics.registry, prefix: 'router' }),
  });
  // The body goes to the model server as received: no parse and re-serialize on the router.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const callShadow = async (s: ShadowConfig, body: Buffer, requestId: string, requestKey: string | null) => {
    const upstream = options.upstreams[s.version];
    const t0 = performance.now();
    let outcome = 'ok';
    let reply: UpstreamReply | undefined;
    let error: string | null = null;
    const deadline = AbortSignal.timeout(s.timeoutMs);
    try {
      reply = await upstream.predict(body, deadline);
      if (reply.status !== 200) {
        outcome = 'error';
        error = `status ${reply.status}`;
      }
    } catch (e) {
      // By the signal, not the error's name: a call still queued in the pool is aborted with another name.
      outcome = deadline.aborted ? 'timeout' : 'error';
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    const seconds = (performance.now() - t0) / 1000;
    metrics.shadow.inc({ outcome });
    metrics.upstream.observe({ version: s.version, role: 'shadow' }, seconds);
    logAnswer({
      requestId,
      role: 'shadow',
      requestKey,
      modelVersion: s.version,
      at: Date.now(),
      features: {},
      score: typeof reply?.body.score === 'number' ? reply.body.score : null,
      decision: typeof reply?.body.decision === 'string' ? reply.body.decision : null,
      latencyMs: seconds * 1000,
      error,
    });
    return reply;
  };

  /** Starts a mirror unless too many are in flight; the returned promise never rejects. */
  const mirror = (body: Buffer, requestId: string, requestKey: string | null) => {
    const s = shadow;
    if (!s || !options.upstreams[s.version] || !sampled(requestId, s.share)) return undefined;
    if (shadowInFlight >= (s.maxInFlight ?? 64)) {
      metrics.shadow.inc({ outcome: 'skipped' });
      return undefined;
    }
    shadowInFlight++;
    return callShadow(s, body, requestId, requestKey).finally(() => {
      shadowInFlight--;
      if (shadowInFlight === 0) for (const w of idleWaiters.splice(0)) w();
    });
  };

  app.post('/predict', async (req, reply) => {
    const t0 = performance.now();
    const body = req.body as Buffer;
    const keyHeader = req.headers[REQUEST_KEY_HEADER];
    const requestKey = typeof keyHeader === 'string' ? keyHeader : null;
    const idHeader = req.headers[REQUEST_ID_HEADER];
    const requestId = typeof idHeader === 'string' && idHeader.length <= 128 ? idHeader : randomUUID();
    const version = options.routes.pick(faults.nonSticky ? null : requestKey);
    if (!options.upstreams[version]) {
      metrics.requests.inc({ version, status: '503' });
      return reply.code(503).send({ error: 'no_upstream', reason: `no model server for version ${version}` });
    }
    const u0 = performance.now();
    const call = await predictWithPolicy({
      assigned: version,
      champion: champion(),
      upstreams: options.upstreams,
      body,
      policy,
      hooks,
    });
    const upstreamSeconds = (performance.now() - u0) / 1000; // attempts and backoff: not the router's overhead
    const served = call.reply;
    let answer = served;
    let answeredBy = call.version;
    const shadowCall = served.status === 200 ? mirror(body, requestId, requestKey) : undefined;
    let shadowWait = 0;
    if (shadowCall && (faults.shadowOnUserPath || faults.returnShadow)) {
      const w0 = performance.now();
      const shadowReply = await shadowCall; // the faulty paths: the user waits for the challenger
      shadowWait = (performance.now() - w0) / 1000;
      if (faults.returnShadow && shadowReply?.status === 200) {
        answer = shadowReply;
        answeredBy = shadow!.version;
      }
    }
    const error =
      answer.status === 200 ? null : String(answer.body.reason ?? answer.body.error ?? answer.status);
    logAnswer({
      requestId,
      role: 'served',
      requestKey,
      modelVersion: call.version,
      at: Date.now(),
      features: {},
      score: typeof served.body.score === 'number' ? served.body.score : null,
      decision: typeof served.body.decision === 'string' ? served.body.decision : null,
      latencyMs: upstreamSeconds * 1000,
      error,
      fallbackFrom: call.fallbackFrom,
      attempts: call.attempts,
    });
    metrics.requests.inc({ version: answeredBy, status: String(answer.status) });
    metrics.overhead.observe((performance.now() - t0) / 1000 - upstreamSeconds - shadowWait);
    return reply
      .code(answer.status)
      .header(REQUEST_ID_HEADER, requestId)
      .send({
        ...answer.body,
        version: answeredBy,
        requestId,
        ...(call.fallbackFrom && { fallbackFrom: call.fallbackFrom }),
      });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_req, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );

  return {
    app,
    metrics,
    async start() {
      return app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
    },
    setShadow(next) {
      shadow = next;
    },
    shadowIdle() {
      if (shadowInFlight === 0) return Promise.resolve();
      return new Promise((r) => idleWaiters.push(r));
    },
    async close() {
      await app.close();
      idleWaiters = [];
    },
  };
}
