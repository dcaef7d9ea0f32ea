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
 * usage error, 1 for a failure. A non-loopback --host is bound as asked, with a one-line warning:
 * the server has no authentication.
 */
import { checkModelName, parseRef, RegistryError } from '@mlops-lab/registry';
import { acquire, parseCommandLine, runCommand, UsageError, usageCheck } from '@mlops-lab/services';
import { registryRouting } from './routing.ts';
import { createServer } from './server.ts';
import { loadServingModel } from './tf-adapter.ts';

const USAGE = 'pnpm serve --model <name>@<alias|version> | <name> [--port N] [--host 127.0.0.1]';

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

function checkCall(values: Record<string, string | undefined>) {
  const { model, host = '127.0.0.1' } = values;
  if (model === undefined) throw new UsageError('--model is needed');
  // A reference with @ is one version (or alias); a bare name is served by its routing table.
  if (model.includes('@')) usageCheck(() => parseRef(model));
  else usageCheck(() => checkModelName(model));
  const portText = values.port ?? '8080';
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new UsageError(`--port must be an integer 0..65535, got ${JSON.stringify(portText.slice(0, 20))}`);
  }
  if (!/^[A-Za-z0-9.:_%-]{1,253}$/.test(host)) {
    throw new UsageError(
      `--host must be an IP address or host name, got ${JSON.stringify(host.slice(0, 40))}`,
    );
  }
  return { model, port, host };
}

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine(['model', 'port', 'host']);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const { model: ref, port, host } = checkCall(values);
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
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  warnIfExposed(host);
  const server = createServer({
    model,
    host,
    port,
    batching: { maxBatch: 32, maxWaitMs: 2 },
    cache: { enabled: true, max: 10_000, ttlMs: 60_000 },
    dedup: true,
  });
  const url = await server.start();
  console.log(`serving ${model.name}@${model.version} on ${url} (warming up; /readyz turns 200 when warm)`);
  await server.ready;
  console.log(`ready: POST ${url}/predict  GET ${url}/healthz ${url}/readyz ${url}/metrics`);
  await untilSignal();
  await server.close();
  console.log('stopped');
  return 0;
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
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  warnIfExposed(host);
  const server = createServer({
    routing: registryRouting(services, name),
    host,
    port,
    batching: { maxBatch: 32, maxWaitMs: 2 },
    cache: { enabled: true, max: 10_000, ttlMs: 60_000 },
    dedup: true,
  });
  const url = await server.start();
  console.log(`serving ${name} by its routing table on ${url} (warming up; /readyz turns 200 when warm)`);
  try {
    await server.ready;
  } catch (err) {
    await server.close();
    await services.close();
    throw err;
  }
  const table = () => server.routes.map((r) => `${r.target}=v${r.version} ${r.weight}%`).join(', ');
  console.log(`ready (${table()}): POST ${url}/predict  GET ${url}/readyz shows the table in force`);
  let shown = table();
  const watch = setInterval(() => {
    if (table() === shown) return;
    shown = table();
    console.log(`routing now: ${shown}`);
  }, 500);
  await untilSignal();
  clearInterval(watch);
  await server.close();
  await services.close();
  console.log('stopped');
  return 0;
}

function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.log(`${signal}: draining in-flight requests`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

runCommand(USAGE, main);
