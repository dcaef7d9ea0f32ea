/**
 * `pnpm serve --model <name>@<alias|version> [--port N] [--host H]`: serves a registered model
 * (Q16, Q19). Services come from the kept `registry` namespace, the one `pnpm train` writes, so the
 * embedded Postgres finds the same models. Ctrl-C / SIGTERM: graceful shutdown (stop, drain, exit).
 *
 * `pnpm serve --model <name>` (no @): routed by the model's routing table in Redis (Q18), following
 * `pnpm registry route` and `pnpm registry alias` while it runs. That needs servers other processes
 * can reach (DATABASE_URL + REDIS_URL, or Docker): the embedded ones live inside one process.
 */
import { parseArgs } from 'node:util';
import { RegistryError } from '@mlops-lab/registry';
import { acquire } from '@mlops-lab/services';
import { registryRouting } from './routing.ts';
import { createServer } from './server.ts';
import { loadServingModel } from './tf-adapter.ts';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { model: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
  });
  if (!values.model) {
    console.error('usage: pnpm serve --model <name>@<alias|version> | <name> [--port N] [--host 127.0.0.1]');
    return 2;
  }
  const port = Number(values.port ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be an integer 0..65535, got "${values.port}"`);
    return 2;
  }
  if (!values.model.includes('@')) return serveRouted(values.model, port, values.host ?? '127.0.0.1');
  const services = await acquire({ needs: ['postgres'], namespace: 'registry', keep: true });
  let model: Awaited<ReturnType<typeof loadServingModel>>;
  try {
    model = await loadServingModel(services, values.model, { log: (line) => console.log(line) });
  } catch (err) {
    await services.close();
    if (err instanceof RegistryError && (err.code === 'not-found' || err.code === 'bad-ref')) {
      console.error(`${err.message}\nmodel ${values.model} is not registered: run pnpm train first`);
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
  const server = createServer({
    model,
    host: values.host ?? '127.0.0.1',
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

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
