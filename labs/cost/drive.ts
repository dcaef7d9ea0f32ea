/**
 * Runs one serving configuration of the cost lab (Q31) against a workload and reads what it cost:
 * the server (in this process) answers, benchkit's load generator (a child process) sends, and
 * the server's CPU is this process's CPU time (process.cpuUsage) over the load window, so the client's
 * work is not counted. Model rows, cache hits, dedup joins and batch sizes come from the server's own
 * Prometheus counters.
 */
import { non2xx, runLoad } from '@mlops-lab/benchkit';
import { canonicalKey, createServer, type ServerOptions, type ServingModel } from '@mlops-lab/model-server';

export interface LoadResult {
  requests: number;
  non2xx: number;
  errors: number;
  seconds: number;
  p50: number;
  p99: number;
}

/**
 * Sends every body once, in order, over `connections` keep-alive connections (a fixed count, not a
 * duration, so every configuration sees the same requests); returns the client's view and the CPU
 * seconds of this process, the server's, over the load window.
 */
export async function sendLoad(url: string, bodies: string[], connections: number) {
  const r = await runLoad({
    url: `${url}/predict`,
    headers: { 'content-type': 'application/json' },
    requests: bodies.map((body) => ({ body })),
    connections,
  });
  const load: LoadResult = {
    requests: r.sent,
    non2xx: non2xx(r),
    errors: r.failed,
    seconds: r.seconds,
    p50: r.latencyMs.p50,
    p99: r.latencyMs.p99,
  };
  if (load.errors > 0 || load.non2xx > 0)
    throw new Error(`load saw ${load.non2xx} non-2xx, ${load.errors} errors ${JSON.stringify(r.errors)}`);
  return { load, cpuSeconds: r.callerCpuMs / 1000 };
}

/** The model with a counter of rows for one input (the hot key): the model's own view of a stampede. */
export function countingModel(m: ServingModel, hotKey: string) {
  let hot = 0;
  const model: ServingModel = {
    ...m,
    preprocess: (body) => {
      if (canonicalKey(body) === hotKey) hot++;
      return m.preprocess(body);
    },
  };
  return { model, hotRows: () => hot };
}

type Readable = { get(): Promise<{ values: { value: number; metricName?: string }[] }> };
const sum = async (c: Readable, suffix = '') =>
  (await c.get()).values
    .filter((v) => !suffix || v.metricName?.endsWith(suffix))
    .reduce((a, v) => a + v.value, 0);

export type Server = ReturnType<typeof createServer>;

export async function startServer(opts: ServerOptions): Promise<Server> {
  const server = createServer(opts);
  await server.start();
  await server.ready;
  return server;
}

/** The server's counters now (warm-up is excluded by the server itself). */
export async function counters(s: Server) {
  const m = s.metrics;
  const batches = await sum(m.batchSize as unknown as Readable, '_count');
  const rows = await sum(m.inferenceRows as unknown as Readable);
  return {
    rows,
    hits: await sum(m.cacheHits as unknown as Readable),
    misses: await sum(m.cacheMisses as unknown as Readable),
    joins: await sum(m.dedupJoins as unknown as Readable),
    batches,
    meanBatch: batches ? rows / batches : 0,
    entries: s.cacheEntries,
  };
}

export type Counters = Awaited<ReturnType<typeof counters>>;

/** A fresh server with `opts`, the workload sent once, its counters and cost. */
export async function measureConfig(opts: ServerOptions, bodies: string[], connections: number) {
  const server = await startServer(opts);
  try {
    const { load, cpuSeconds } = await sendLoad(server.url, bodies, connections);
    return { load, cpuSeconds, ...(await counters(server)) };
  } finally {
    await server.close();
  }
}

/**
 * Every body at once, from this process: all requests are issued in one tick, so they are in flight
 * together whatever the machine's load. (From the load generator's child process they leave as fast
 * as that process is scheduled: on a busy machine the first reply came back before the rest were
 * sent, and a stampede had nothing to stampede.) No CPU figure is read from a burst.
 */
export async function sendBurst(url: string, bodies: readonly string[]): Promise<void> {
  const statuses = await Promise.all(
    bodies.map(async (body) => {
      const res = await fetch(`${url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await res.arrayBuffer();
      return res.status;
    }),
  );
  const bad = statuses.filter((s) => s !== 200);
  if (bad.length > 0) throw new Error(`burst saw ${bad.length} non-200 replies (${bad.join(', ')})`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
