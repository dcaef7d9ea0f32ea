/**
 * Benchmark of @mlops-lab/model-server (Q16, Q19, Q31), each figure beside its baseline from the same
 * run, with the TF.js model the registry serves; load from benchkit's generator in its own process on
 * loopback, so the client does not share the server's event loop:
 * (a) warm-up: first request of a warmed server vs its steady-state p50 (target <= 2x), with the
 *     first request of a non-warmed (cold) server measured beside it;
 * (b) micro-batching at concurrency 64 vs batch size 1: throughput ratio (target >= 3x), p50 / p99;
 * (c) cache-hit path p99 inside the server, from the latency histogram (target <= 1 ms).
 *
 *   pnpm bench serving [--quick] [--seconds N]
 *
 * Postgres (for the registry the model is loaded from) comes from @mlops-lab/services.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flag, intArg, median, non2xx, report, runLoad } from '@mlops-lab/benchkit';
import { histogramQuantile } from '@mlops-lab/http';
import { acquire } from '@mlops-lab/services';
import { trainAndRegister } from '@mlops-lab/training';
import type { ServingModel } from '../src/model.ts';
import { paymentBodies } from '../src/payments-model.ts';
import { createServer, type ServerOptions } from '../src/server.ts';
import { loadServingModel } from '../src/tf-adapter.ts';

const quick = flag('quick');
const seconds = intArg('seconds', quick ? 2 : 4);
const bodies = paymentBodies(21, 512).map((b) => JSON.stringify(b));
const headers = { 'content-type': 'application/json' };

/** A health check first, as a load balancer would: the client's connection is open before the timing. */
async function firstPost(url: string, body: string): Promise<number> {
  await (await fetch(`${url}/healthz`)).arrayBuffer();
  return timedPost(url, body);
}

async function timedPost(url: string, body: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${url}/predict`, { method: 'POST', headers, body });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`predict answered ${res.status}`);
  return performance.now() - t0;
}

async function withServer<T>(
  opts: ServerOptions,
  fn: (url: string, s: ReturnType<typeof createServer>) => Promise<T>,
) {
  const server = createServer(opts);
  try {
    const url = await server.start();
    await server.ready;
    return await fn(url, server);
  } finally {
    await server.close();
  }
}

async function load(url: string, connections: number, same = false) {
  const r = await runLoad({
    url: `${url}/predict`,
    headers,
    requests: (same ? bodies.slice(0, 1) : bodies).map((body) => ({ body })),
    connections,
    seconds,
  });
  if (r.ok !== r.sent) throw new Error(`load saw ${non2xx(r)} non-2xx and ${r.failed} failed requests`);
  return { rps: r.replies / r.seconds, p50: r.latencyMs.p50, p99: r.latencyMs.p99 };
}

async function main(): Promise<void> {
  const services = await acquire({
    needs: ['postgres'],
    namespace: 'bench-serving',
    ephemeral: true,
    log: () => {},
  });
  const artifactsRoot = mkdtempSync(join(tmpdir(), 'bench-serving-'));
  try {
    const { backend } = await trainAndRegister({
      services,
      name: 'bench-fraud',
      size: 2000,
      epochs: 3,
      artifactsRoot,
    });
    const fresh = (): Promise<ServingModel> =>
      loadServingModel(services, 'bench-fraud@champion', { artifactsRoot });
    const off = { cache: { enabled: false }, dedup: false } as const;
    const batched = { maxBatch: 64, maxWaitMs: 2 };

    // (a) Cold first: nothing in this process has run the model yet.
    const coldFirst = await withServer(
      { model: await fresh(), warmup: false, batching: batched, ...off },
      (url) => firstPost(url, bodies[0]),
    );
    const warm = await withServer(
      { model: await fresh(), warmup: { batchSizes: [1, 2, 4, 8, 16, 32, 64] }, batching: batched, ...off },
      async (url, s) => {
        const first = await firstPost(url, bodies[1]);
        const firstInServer = (await s.metrics.firstRequestSeconds.get()).values[0].value * 1000;
        const steady: number[] = [];
        for (let i = 0; i < (quick ? 200 : 500); i++)
          steady.push(await timedPost(url, bodies[2 + (i % 500)]));
        const warmupSeconds = (await s.metrics.warmupSeconds.get()).values[0].value;
        return { first, firstInServer, p50: median(steady), warmupMs: warmupSeconds * 1000 };
      },
    );

    // (b) Concurrency 64: batch size 1 (baseline) vs micro-batching, same model, same load.
    const model = await fresh();
    const single = await withServer({ model, batching: { maxBatch: 1, maxWaitMs: 0 }, ...off }, (url) =>
      load(url, 64),
    );
    const multi = await withServer({ model, batching: batched, ...off }, async (url, s) => {
      const r = await load(url, 64);
      const { values } = await s.metrics.batchSize.get();
      const v = (n: string) => values.find((x) => x.metricName === n)?.value ?? 0;
      return { r, meanBatch: v('model_server_batch_size_sum') / v('model_server_batch_size_count') };
    });

    // (c) Cache-hit path: one repeated body, latency measured inside the server.
    const cache = await withServer(
      { model, batching: batched, cache: { enabled: true, max: 10_000, ttlMs: 60_000 } },
      async (url, s) => {
        await load(url, 8, true);
        return {
          p50: (await histogramQuantile(s.metrics.latency, 0.5, { path: 'cache' })) * 1000,
          p99: (await histogramQuantile(s.metrics.latency, 0.99, { path: 'cache' })) * 1000,
          hits: (await s.metrics.cacheHits.get()).values[0].value,
        };
      },
    );

    report({
      bench: 'serving',
      title: `serving benchmark: TF.js backend ${backend}, ${seconds} s per load case, loopback, load from a child process`,
      columns: [
        { key: 'ms', label: 'time', unit: 'ms' },
        { key: 'rps', label: 'req/s', digits: 0 },
        { key: 'p50', unit: 'ms' },
        { key: 'p99', unit: 'ms' },
      ],
      ratioOn: ['ms', 'rps'],
      notes: [
        backend === 'wasm'
          ? "tfjs-node's native backend is not built here, so what it would change was not measured; " +
            'where it is built (packages/training/README.md) this bench runs on it and its title says so'
          : `backend ${backend}: the wasm backend was not measured beside it in this run`,
      ],
      rows: [
        { label: 'steady-state p50, warmed server', key: 'steady', values: { ms: warm.p50 } },
        {
          label: 'first request, warmed server',
          key: 'warmFirst',
          vs: 'steady',
          values: { ms: warm.first },
          note: 'target <= x2',
        },
        { label: 'first request, cold server', key: 'coldFirst', vs: 'steady', values: { ms: coldFirst } },
        {
          label: 'first request, inside server',
          values: { ms: warm.firstInServer },
          note: '(warmed server)',
        },
        { label: 'warm-up time', values: { ms: warm.warmupMs } },
        { label: '@64 connections, batch size 1', key: 'single', values: { ...single } },
        {
          label: '@64 connections, micro-batching',
          key: 'batched',
          vs: 'single',
          values: { ...multi.r },
          note: `target >= x3; mean batch ${multi.meanBatch.toFixed(1)}`,
        },
        {
          label: 'cache-hit path (in server)',
          values: { p50: cache.p50, p99: cache.p99 },
          note: `${cache.hits} hits; histogram bucket bounds; target p99 <= 1 ms`,
        },
      ],
      json: {
        backend,
        warmFirstMs: warm.first,
        coldFirstMs: coldFirst,
        steadyP50Ms: warm.p50,
        warmFirstInServerMs: warm.firstInServer,
        warmupMs: warm.warmupMs,
        rpsBatched: multi.r.rps,
        rpsSingle: single.rps,
        meanBatch: multi.meanBatch,
        batchedP50Ms: multi.r.p50,
        batchedP99Ms: multi.r.p99,
        singleP50Ms: single.p50,
        singleP99Ms: single.p99,
        cacheHitP50MsUpperBound: cache.p50,
        cacheHitP99MsUpperBound: cache.p99,
      },
    });
  } finally {
    rmSync(artifactsRoot, { recursive: true, force: true });
    await services.close();
  }
}

await main();
