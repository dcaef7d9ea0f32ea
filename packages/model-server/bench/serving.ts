/**
 * Benchmark of @mlops-lab/model-server (Q16, Q19, Q31), load from autocannon on loopback, each figure
 * beside its baseline from the same run, with the TF.js model the registry serves:
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
import { flag, intArg, median } from '@mlops-lab/benchkit';
import { acquire } from '@mlops-lab/services';
import { trainAndRegister } from '@mlops-lab/training';
import autocannon from 'autocannon';
import { histogramQuantile } from '../src/metrics.ts';
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
  const r = await autocannon({
    url: `${url}/predict`,
    connections,
    duration: seconds,
    method: 'POST',
    headers,
    requests: (same ? bodies.slice(0, 1) : bodies).map((body) => ({ method: 'POST', body })),
  });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`load saw ${r.non2xx} non-2xx and ${r.errors} errors`);
  return r;
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

    const ratio = multi.r.requests.average / single.requests.average;
    const rows: [string, string, string, string][] = [
      [
        'first request, warmed server',
        `${warm.first.toFixed(2)} ms`,
        `steady p50 ${warm.p50.toFixed(2)} ms`,
        `${(warm.first / warm.p50).toFixed(2)}x (target <= 2x)`,
      ],
      [
        'first request, cold server',
        `${coldFirst.toFixed(2)} ms`,
        `steady p50 ${warm.p50.toFixed(2)} ms`,
        `${(coldFirst / warm.p50).toFixed(2)}x`,
      ],
      ['first request, inside server', `${warm.firstInServer.toFixed(2)} ms`, '(warmed server)', ''],
      ['warm-up time', `${warm.warmupMs.toFixed(1)} ms`, '', ''],
      [
        'req/s @64, micro-batching',
        `${multi.r.requests.average.toFixed(0)}`,
        `p50 ${multi.r.latency.p50} / p99 ${multi.r.latency.p99} ms`,
        `${ratio.toFixed(2)}x (target >= 3x), mean batch ${multi.meanBatch.toFixed(1)}`,
      ],
      [
        'req/s @64, batch size 1',
        `${single.requests.average.toFixed(0)}`,
        `p50 ${single.latency.p50} / p99 ${single.latency.p99} ms`,
        'baseline',
      ],
      [
        'cache-hit path (in server)',
        `p50 <= ${cache.p50} ms`,
        `p99 <= ${cache.p99} ms`,
        `${cache.hits} hits (target p99 <= 1 ms)`,
      ],
    ];
    console.log(
      `serving benchmark: TF.js backend ${backend}, ${seconds} s per load case, loopback, autocannon`,
    );
    for (const r of rows)
      console.log(`  ${r[0].padEnd(30)} ${r[1].padStart(14)}  ${r[2].padEnd(26)} ${r[3]}`);
    console.log(
      JSON.stringify({
        bench: 'serving',
        backend,
        warmFirstMs: warm.first,
        coldFirstMs: coldFirst,
        steadyP50Ms: warm.p50,
        warmFirstOverP50: warm.first / warm.p50,
        warmFirstInServerMs: warm.firstInServer,
        warmupMs: warm.warmupMs,
        rpsBatched: multi.r.requests.average,
        rpsSingle: single.requests.average,
        batchingRatio: ratio,
        meanBatch: multi.meanBatch,
        batchedP50Ms: multi.r.latency.p50,
        batchedP99Ms: multi.r.latency.p99,
        singleP50Ms: single.latency.p50,
        singleP99Ms: single.latency.p99,
        cacheHitP50MsUpperBound: cache.p50,
        cacheHitP99MsUpperBound: cache.p99,
      }),
    );
  } finally {
    rmSync(artifactsRoot, { recursive: true, force: true });
    await services.close();
  }
}

await main();
