/**
 * `pnpm serve --model <name>@<alias|version> [--port N] [--host H]`: serves a registered model
 * (Q16, Q19). Services come from the kept `registry` namespace, the one `pnpm train` writes, so the
 * embedded Postgres finds the same models. Ctrl-C / SIGTERM: graceful shutdown (stop, drain, exit).
 *
 * `pnpm serve --model <name>` (no @): routed by the model's routing table in Redis (Q18), following
 * `pnpm registry route` and `pnpm registry alias` while it runs. That needs servers other processes
 * can reach (DATABASE_URL + REDIS_URL, or Docker): the embedded ones live inside one process.
 *
 * The reference, port and host are checked before any service starts: exit 2 and one line for a
 * usage error, 1 for a failure. A port already taken is found the same way, by binding it for a
 * moment before the model loads (exit 2, naming a free port to try), rather than as Fastify's
 * EADDRINUSE once loading is done. A non-loopback --host is bound as asked, with a one-line
 * warning: the server has no authentication. `--help` prints the options and an example request.
 */
import { createServer as createNetServer } from 'node:net';
import { checkModelName, parseRef, RegistryError } from '@mlops-lab/registry';
import {
  acquire,
  type CommandLine,
  parseCommandLine,
  runCommand,
  UsageError,
  usageCheck,
} from '@mlops-lab/services';
import { registryRouting } from './routing.ts';
import { createServer, type ModelServer, type ServerOptions } from './server.ts';
import { loadServingModel } from './tf-adapter.ts';

const USAGE = 'pnpm serve --model <name>@<alias|version> | <name> [--port N] [--host 127.0.0.1]';

const HELP = `usage: ${USAGE}

  --model <name>@<alias|version>  serve one registered version (pnpm train registers payments-fraud@champion)
  --model <name>                  serve by the model's routing table, following pnpm registry route / alias
                                  (needs DATABASE_URL + REDIS_URL or pnpm services:up)
  --port N                        port to listen on (default 8080; 0 picks a free one)
  --host H                        address to bind (default 127.0.0.1; any other is reachable without authentication)
  -h, --help                      this text

endpoints: POST /predict, GET /healthz, /readyz, /metrics. Ctrl-C drains in-flight requests, then exits.
example:
  curl -s -XPOST 127.0.0.1:8080/predict -H 'content-type: application/json' \\
    -d '{"amount":120,"hourOfDay":3,"deviceAgeDays":0,"distanceKm":800,"channel":"web","merchantCategory":"travel"}'`;

/** How many ports above a taken one are tried for the "try --port N" suggestion. */
const NEARBY_PORTS = 20;

/** Loopback addresses only this machine can reach; anything else may expose the server. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Says, once and before binding, what a non-loopback host exposes: nothing here checks who calls. */
function warnIfExposed(host: string): void {
  if (isLoopback(host)) return;
  console.warn(
    `warning: --host ${host} is not a loopback address and this server has no authentication: ` +
      'anyone who can reach it can call POST /predict and read /metrics and /readyz',
  );
}

function checkCall(line: CommandLine) {
  line.refuseArgumentsPast(0);
  const { model, host = '127.0.0.1' } = line.values;
  if (model === undefined) throw new UsageError('--model is needed');
  // A reference with @ is one version (or alias); a bare name is served by its routing table.
  if (model.includes('@')) usageCheck(() => parseRef(model));
  else usageCheck(() => checkModelName(model));
  const port = line.integer('port', { min: 0, max: 65535 }, 8080);
  if (!/^[A-Za-z0-9.:_%-]{1,253}$/.test(host)) {
    throw new UsageError(
      `--host must be an IP address or host name, got ${JSON.stringify(host.slice(0, 40))}`,
    );
  }
  return { model, port, host };
}

/** Binds host:port for a moment: null if it is free, else the listen error's code (EADDRINUSE, EACCES...). */
function bindError(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const probe = createNetServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}

/**
 * The port check before any service starts or the model loads. A probe and the real bind are two
 * binds, so another process can still take the port in between; Fastify's own error covers that.
 */
async function portProblem(host: string, port: number): Promise<string | null> {
  if (port === 0) return null;
  const code = await bindError(host, port);
  if (code === null) return null;
  if (code === 'EADDRINUSE') {
    for (let next = port + 1; next <= Math.min(65535, port + NEARBY_PORTS); next++) {
      if ((await bindError(host, next)) === null) return `port ${port} in use: try --port ${next}`;
    }
    return `port ${port} in use: try --port 0 (any free port)`;
  }
  if (code === 'EACCES')
    return `port ${port} needs privileges on this machine: try --port 8080 or above 1023`;
  if (code === 'EADDRNOTAVAIL')
    return `--host ${host} is not an address of this machine: try --host 127.0.0.1`;
  return `cannot listen on ${host}:${port} (${code})`;
}

async function main(): Promise<number> {
  const { model: ref, port, host } = checkCall(parseCommandLine(['model', 'port', 'host']));
  const problem = await portProblem(host, port);
  if (problem) {
    console.error(problem);
    return 2;
  }
  if (!ref.includes('@')) return serveRouted(ref, port, host);
  const services = await acquire({ needs: ['postgres'], namespace: 'registry', keep: true });
  let model: Awaited<ReturnType<typeof loadServingModel>>;
  try {
    model = await loadServingModel(services, ref, { log: (line) => console.log(line) });
  } catch (err) {
    await services.close();
    if (err instanceof RegistryError && err.code === 'not-found') {
      console.error(`${err.message}: run pnpm train first (it registers a model and sets its champion)`);
      return 1;
    }
    if (err instanceof Error && /relation .* does not exist/.test(err.message)) {
      console.error(`no model registry yet: run pnpm train first (${err.message})`);
      return 1;
    }
    throw err;
  }
  // The model is in memory now: Postgres is no longer needed. Its Ctrl-C handler (installed by
  // acquire) would exit the process as soon as services are closed, cutting the drain short, so with
  // services closed the signals are ours: stop accepting, drain, then exit.
  await services.close();
  const { server, url, stopping, stopped } = await startServing({ model }, host, port);
  console.log(`serving ${model.name}@${model.version} on ${url} (warming up; /readyz turns 200 when warm)`);
  if (await readyUnlessStopped(server.ready, stopping))
    console.log(`ready: POST ${url}/predict  GET ${url}/healthz ${url}/readyz ${url}/metrics`);
  return stopped();
}

/** Serves by the routing table; Postgres and Redis stay open (new versions, alias moves, table changes). */
async function serveRouted(name: string, port: number, host: string): Promise<number> {
  const services = await acquire({ needs: ['postgres', 'redis'], namespace: 'registry', keep: true });
  if (services.backends.postgres?.kind === 'embedded' || services.backends.redis?.kind === 'embedded') {
    await services.close();
    console.error(
      `routed serving follows a table other processes change, and the embedded Postgres / Redis live inside ` +
        `one process: set DATABASE_URL and REDIS_URL, or run pnpm services:up (Docker). ` +
        `To serve one version here: pnpm serve --model ${name}@champion`,
    );
    return 1;
  }
  const { server, url, stopping, stopped } = await startServing(
    { routing: registryRouting(services, name) },
    host,
    port,
  );
  console.log(`serving ${name} by its routing table on ${url} (warming up; /readyz turns 200 when warm)`);
  let ready: boolean;
  try {
    ready = await readyUnlessStopped(server.ready, stopping);
  } catch (err) {
    await server.close();
    await services.close();
    throw err;
  }
  const table = () => server.routes.map((r) => `${r.target}=v${r.version} ${r.weight}%`).join(', ');
  if (ready)
    console.log(`ready (${table()}): POST ${url}/predict  GET ${url}/readyz shows the table in force`);
  let shown = table();
  const watch = setInterval(() => {
    if (table() === shown) return;
    shown = table();
    console.log(`routing now: ${shown}`);
  }, 500);
  void stopping.then(() => clearInterval(watch));
  return stopped(() => services.close());
}

/** What `pnpm serve` turns on whatever it serves: micro-batching, the response cache, in-flight dedup. */
const SERVING: Pick<ServerOptions, 'batching' | 'cache' | 'dedup'> = {
  batching: { maxBatch: 32, maxWaitMs: 2 },
  cache: { enabled: true, max: 10_000, ttlMs: 60_000 },
  dedup: true,
};

interface Serving {
  server: ModelServer;
  url: string;
  /** The first SIGINT / SIGTERM (untilSignal). */
  stopping: ReturnType<typeof untilSignal>;
  /** After that signal: drains and closes the server, then `after` (the services), says so; exit 0. */
  stopped(after?: () => Promise<void>): Promise<number>;
}

/**
 * Takes the signals over (the services' handler would exit at once), warns about a non-loopback
 * host, and starts the server for `source`, one model or a routing table. The signal handlers come
 * first: a signal during warm-up stops the server too, and never meets Node's default handler
 * (which would kill the process mid-start).
 */
async function startServing(
  source: Pick<ServerOptions, 'model' | 'routing'>,
  host: string,
  port: number,
): Promise<Serving> {
  takeOverSignals();
  const stopping = untilSignal();
  warnIfExposed(host);
  const server = createServer({ ...source, host, port, ...SERVING });
  const url = await server.start();
  return {
    server,
    url,
    stopping,
    async stopped(after) {
      const signal = await stopping;
      await server.close();
      await after?.();
      console.log('stopped');
      await signal.settled();
      return 0;
    },
  };
}

/** True once warm; false when a signal came first (the caller then drains what it has and stops). */
async function readyUnlessStopped(ready: Promise<unknown>, stopping: Promise<unknown>): Promise<boolean> {
  const stopped = Symbol('stopped');
  // A warm-up that fails after the signal has nobody left to tell: the server is closing anyway.
  ready.catch(() => {});
  return (await Promise.race([ready, stopping.then(() => stopped)])) !== stopped;
}

/**
 * Takes SIGINT / SIGTERM over from the services' handler, which closes and exits at once. Only the
 * listeners process.listeners() shows are removed: tsx keeps a hidden one in this process that tells
 * its parent the signal is handled here. Without it (removeAllListeners), tsx sent the signal again
 * 30 ms later, then SIGKILL, cutting the drain short and exiting 130.
 */
function takeOverSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
  }
}

/**
 * One Ctrl-C reaches this process more than once: from the terminal, and again as pnpm and tsx each
 * pass it on. Signals this soon after the first are that echo and leave the drain alone.
 */
const SIGNAL_ECHO_MS = 500;
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Resolves on the first SIGINT / SIGTERM with a wait for its echo; a signal after the echo window
 * exits at once. The caller drains, then awaits `settled()` before returning: tsx re-sends a
 * signal the child has not acknowledged within 30 ms (a loaded machine), and a process already
 * tearing down has Node's default handler back, so it would die of that echo (exit 130) after a
 * clean drain.
 */
function untilSignal(): Promise<{ settled(): Promise<void> }> {
  return new Promise((resolve) => {
    let firstAt: number | undefined;
    const onSignal = (signal: keyof typeof SIGNAL_EXIT_CODES) => {
      if (firstAt === undefined) {
        const at = performance.now();
        firstAt = at;
        console.log(`${signal}: draining in-flight requests`);
        const left = () => Math.max(0, at + SIGNAL_ECHO_MS - performance.now());
        resolve({ settled: () => new Promise((done) => setTimeout(done, left())) });
      } else if (performance.now() - firstAt > SIGNAL_ECHO_MS) {
        console.log(`${signal} again: exiting without waiting for the drain`);
        process.exit(SIGNAL_EXIT_CODES[signal]);
      }
    };
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => onSignal(signal));
  });
}

runCommand(USAGE, main, undefined, HELP);
