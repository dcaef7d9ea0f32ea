/**
 * `pnpm serve --model <name>@<alias|version> [--port N] [--host H]`: serves a registered model
 * (Q16, Q19). Services come from the kept `registry` namespace, the one `pnpm train` writes, so the
 * embedded Postgres finds the same models. Ctrl-C / SIGTERM: graceful shutdown (stop, drain, exit).
 */
import { parseArgs } from 'node:util';
import { RegistryError } from '@mlops-lab/registry';
import { acquire } from '@mlops-lab/services';
import { createServer } from './server.ts';
import { loadServingModel } from './tf-adapter.ts';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { model: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
  });
  if (!values.model?.includes('@')) {
    console.error('usage: pnpm serve --model <name>@<alias|version> [--port N] [--host 127.0.0.1]');
    return 2;
  }
  const port = Number(values.port ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be an integer 0..65535, got "${values.port}"`);
    return 2;
  }
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
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.log(`${signal}: draining in-flight requests`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await server.close();
  console.log('stopped');
  return 0;
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
