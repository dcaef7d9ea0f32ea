/**
 * Runs one serving configuration of the cost lab (Q31) against a workload and reads what it cost:
 * the server (in this process) answers, the load generator (loadgen.mjs, a child process) sends, and
 * the server's CPU is this process's CPU time (process.cpuUsage) over the load window, so the client's
 * work is not counted. Model rows, cache hits, dedup joins and batch sizes come from the server's own
 * Prometheus counters.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { canonicalKey, createServer, type ServerOptions, type ServingModel } from '@mlops-lab/model-server';

export interface LoadResult {
  requests: number;
  non2xx: number;
  errors: number;
  seconds: number;
  p50: number;
  p99: number;
}

type Reply = { type: 'loaded' } | ({ type: 'done' } & LoadResult);

/** The child-process load generator; one per lab run, reused for every configuration. */
export class LoadGen {
  private readonly child: ChildProcess;
  private waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined;

  constructor() {
    // execArgv [] : the child must not inherit this process's TypeScript loader or test flags.
    this.child = fork(fileURLToPath(new URL('./loadgen.mjs', import.meta.url)), [], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m) => this.settle()?.resolve(m as Reply));
    this.child.on('exit', (code) => this.settle()?.reject(new Error(`load generator exited (${code})`)));
  }

  private settle() {
    const w = this.waiting;
    this.waiting = undefined;
    return w;
  }

  private ask(msg: unknown): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.child.send(msg as object);
    });
  }

  /** Sends `bodies` at `connections`; returns the client's view and the server process's CPU seconds. */
  async send(url: string, bodies: string[], connections: number) {
    await this.ask({ type: 'load', bodies }); // outside the CPU window: shipping bodies to the child
    const cpu0 = process.cpuUsage();
    const r = (await this.ask({ type: 'go', url, connections })) as LoadResult;
    const cpu = process.cpuUsage(cpu0);
    if (r.errors > 0 || r.non2xx > 0) throw new Error(`load saw ${r.non2xx} non-2xx, ${r.errors} errors`);
    return { load: r, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  }

  close(): void {
    this.waiting = undefined;
    if (this.child.connected) this.child.send({ type: 'exit' });
    this.child.kill();
  }
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
export async function measureConfig(
  gen: LoadGen,
  opts: ServerOptions,
  bodies: string[],
  connections: number,
) {
  const server = await startServer(opts);
  try {
    const { load, cpuSeconds } = await gen.send(server.url, bodies, connections);
    return { load, cpuSeconds, ...(await counters(server)) };
  } finally {
    await server.close();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
