/**
 * The client side of the warmup lab (Q19): what a load balancer does to a new replica. Poll /readyz
 * from the moment the process listens; at the first 200, send it its share of traffic at once
 * (a closed loop of `concurrency` clients). Every request is timed from the client, with the time it
 * was sent, so "waited on loading" can be told from "was slow" (Kubernetes readiness semantics:
 * traffic starts the moment the probe passes, not when the model is actually usable).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { quantile } from '@mlops-lab/evaluation';
import type { ModelServer } from '@mlops-lab/model-server';

export interface ReadyBody {
  ready: boolean;
  loaded: boolean;
  warm: boolean;
}

export interface Sent {
  /** ms after start() when the request left the client. */
  at: number;
  /** Client-side latency, ms. */
  ms: number;
  status: number;
}

export interface ProbeResult {
  /** ms after start() of the first /readyz 200, and what that reply said. */
  readyAt: number;
  readyBody: ReadyBody;
  polls: number;
  /** ms after start() when the model was loaded (the loader resolved) and when loaded + warm. */
  loadedAt: number;
  warmAt: number;
  requests: Sent[];
  /**
   * Garbage-collection pauses of this process while the server was measured (ms after start()):
   * server, clients and collector share one process, so a pause stalls every request in flight.
   */
  gc: { at: number; ms: number }[];
  /** The server's own view of the same run: every /predict handler took at most this long (ms). */
  handlerMaxMs: number;
}

const HEADERS = { 'content-type': 'application/json' };

/** Starts `server`, polls /readyz every `pollMs`, then sends load for `durationMs` once it says 200. */
export async function probeAndLoad(
  server: ModelServer,
  loaded: { at: number },
  opts: { bodies: string[]; concurrency: number; durationMs: number; pollMs: number },
): Promise<ProbeResult> {
  const t0 = performance.now();
  const gc: { at: number; ms: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gc.push({ at: e.startTime - t0, ms: e.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  let warmAt = Number.NaN;
  server.ready.then(() => {
    warmAt = performance.now() - t0;
  });
  const url = await server.start();
  let polls = 0;
  let readyBody: ReadyBody | undefined;
  while (!readyBody) {
    polls++;
    const res = await fetch(`${url}/readyz`);
    const body = (await res.json()) as ReadyBody;
    if (res.status === 200) readyBody = body;
    else await new Promise((r) => setTimeout(r, opts.pollMs));
  }
  const readyAt = performance.now() - t0;
  const until = readyAt + opts.durationMs;
  const requests: Sent[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (performance.now() - t0 < until) {
        const body = opts.bodies[next++ % opts.bodies.length];
        const at = performance.now() - t0;
        const res = await fetch(`${url}/predict`, { method: 'POST', headers: HEADERS, body });
        await res.arrayBuffer();
        requests.push({ at, ms: performance.now() - t0 - at, status: res.status });
      }
    }),
  );
  await server.ready;
  // GC entries are delivered asynchronously: let the last ones arrive before disconnecting.
  await new Promise((r) => setImmediate(r));
  observer.disconnect();
  const handlerMaxMs = await handlerBoundMs(server);
  return { readyAt, readyBody, polls, loadedAt: loaded.at - t0, warmAt, requests, gc, handlerMaxMs };
}

/**
 * An upper bound of the slowest /predict handler time the server itself measured: the smallest
 * histogram bucket holding every observation (Prometheus buckets are cumulative).
 */
async function handlerBoundMs(server: ModelServer): Promise<number> {
  const { values } = await server.metrics.latency.get();
  const buckets = values.filter((v) => v.metricName?.endsWith('_bucket') && v.labels.path === 'model');
  const total = Math.max(0, ...buckets.map((b) => b.value));
  const bound = buckets
    .filter((b) => b.value === total)
    .map((b) => Number((b.labels as Record<string, string | number>).le))
    .sort((a, b) => a - b)[0];
  return (bound ?? Number.NaN) * 1000;
}

/** Client latency quantile (ms) by nearest rank: a latency some request actually had; NaN for none. */
const latencyQuantile = (xs: readonly number[], q: number) => quantile(xs, q, { method: 'inverted_cdf' });

/** The figures the lab reports per server, from the client's side: the first second after ready vs after. */
export function summarize(r: ProbeResult, firstWindowMs: number) {
  const sorted = [...r.requests].sort((a, b) => a.at - b.at);
  const first = sorted[0];
  const cut = r.readyAt + firstWindowMs;
  const firstWindow = sorted.filter((x) => x.at < cut).map((x) => x.ms);
  const steady = sorted.filter((x) => x.at >= cut).map((x) => x.ms);
  return {
    firstMs: first?.ms ?? Number.NaN,
    /** ms after start() when the first answer reached the client: what the user actually waited for. */
    firstAnswerAt: first ? first.at + first.ms : Number.NaN,
    firstWindowP99: latencyQuantile(firstWindow, 0.99),
    firstWindowMax: Math.max(...firstWindow),
    firstWindowCount: firstWindow.length,
    steadyP50: latencyQuantile(steady, 0.5),
    steadyP99: latencyQuantile(steady, 0.99),
    steadyCount: steady.length,
    // Requests that left the client before the server was loaded and warm: they could only wait.
    sentBeforeWarm: sorted.filter((x) => x.at < r.warmAt).length,
    sentBeforeWarmP50: latencyQuantile(
      sorted.filter((x) => x.at < r.warmAt).map((x) => x.ms),
      0.5,
    ),
    errors: sorted.filter((x) => x.status !== 200).length,
  };
}

/**
 * The slowest request of a run and what else happened while it was open: the GC pauses that
 * overlapped it, and how many requests sent after it were answered before it (overtook it).
 */
export function slowest(r: ProbeResult, sentBeforeMs = Number.POSITIVE_INFINITY) {
  const worst = r.requests
    .filter((x) => x.at < sentBeforeMs)
    .reduce<Sent | undefined>((a, x) => (a && a.ms >= x.ms ? a : x), undefined);
  if (!worst) return null;
  const end = worst.at + worst.ms;
  const pauses = r.gc.filter((g) => g.at < end && g.at + g.ms > worst.at);
  return {
    sentAt: worst.at,
    ms: worst.ms,
    gcPauses: pauses.length,
    gcMs: pauses.reduce((a, g) => a + g.ms, 0),
    overtaken: r.requests.filter((x) => x.at > worst.at && x.at + x.ms < end).length,
  };
}

/** Worst client latency of the requests sent in each `binMs` slot after start() (NaN: none sent). */
export function timeline(r: ProbeResult, binMs: number, bins: number): number[] {
  const worst = Array.from({ length: bins }, () => Number.NaN);
  for (const x of r.requests) {
    const i = Math.floor(x.at / binMs);
    if (i < bins && !(worst[i] >= x.ms)) worst[i] = x.ms;
  }
  return worst;
}

/** The server's own view: a few series scraped from GET /metrics (Prometheus text), as a scraper would. */
export async function scrape(url: string, names: readonly string[]): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [series, value] = line.split(' ');
    if (names.includes(series)) out[series] = Number(value);
  }
  return out;
}
