/**
 * Lab `cost` (Q31, Q34): what serving one request costs, in requests per CPU-second, with the three
 * request-level levers of the model server (micro-batching, response cache, de-duplication of
 * identical in-flight requests) each on and off, on a workload where inputs repeat; then a hot key
 * expiring under load (single flight), a high-cardinality stream against the cache bound, and the
 * self-host vs hosted-API crossover computed from the throughput this run measured (prices.ts).
 * References: Triton's dynamic batcher, single-flight (Go's x/sync/singleflight), LRU with TTL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { type Check, check, fmt, type LabDefinition } from '@mlops-lab/labkit';
import { loadServingModel, type ServerOptions } from '@mlops-lab/model-server';
import { trainAndRegister } from '@mlops-lab/training';
import { BREAKS, CHECK } from './breaks.ts';
import { narrateCrossover } from './crossover.ts';
import { counters, countingModel, measureConfig, sendBurst, sendLoad, sleep, startServer } from './drive.ts';
import { hotKeyBurst, repeatedWorkload, uniqueWorkload } from './workload.ts';

const SIZE = {
  quick: { requests: 2000, pool: 200, cacheMax: 1000, unique: 2000, expiries: 4 },
  full: { requests: 12_000, pool: 600, cacheMax: 4000, unique: 10_000, expiries: 8 },
};
const CONNECTIONS = 32;
const ZIPF_S = 1.1;
const UNIQUE_SHARE = 0.15;
/** Long enough that nothing expires during a workload; the hot-key scenario overrides it. */
const TTL_MS = 600_000;
/**
 * Long enough that a whole burst is answered within one TTL even on a loaded machine (at 300 ms a
 * burst under the CI hog outlived the answer it had just cached, and the key expired mid-burst).
 */
const HOT_TTL_MS = 1000;

// A full GC before reading the heap, so the growth shown is what the server retains, not garbage.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
function settledHeap(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

const lab: LabDefinition = {
  name: 'cost',
  title: 'Requests per CPU-second: batching, cache, de-duplication; self-host vs API',
  questions: [31, 34],
  needs: ['postgres'],
  breaks: BREAKS,
  async run({ quick, seed, fault, services, out }) {
    const size = quick ? SIZE.quick : SIZE.full;
    const artifactsRoot = mkdtempSync(join(tmpdir(), 'lab-cost-'));
    try {
      const { backend } = await out.step('Train and register a TF.js fraud model, load it to serve', () =>
        trainAndRegister({ services, name: 'cost-fraud', size: 2000, epochs: 3, artifactsRoot, seed }),
      );
      const burst = hotKeyBurst(seed, CONNECTIONS);
      const counted = countingModel(
        await loadServingModel(services, 'cost-fraud@champion', { artifactsRoot }),
        burst.key,
      );
      const model = counted.model;
      out.say(`TF.js backend: ${backend}; model ${model.name} v${model.version} from the registry`);

      const w = repeatedWorkload(seed, {
        requests: size.requests,
        pool: size.pool,
        zipfS: ZIPF_S,
        uniqueShare: UNIQUE_SHARE,
      });
      const bound = w.repeats / w.requests;
      out.step('The workload: repeated inputs (Zipf popularity) plus one-off inputs');
      out.table(
        ['requests', 'distinct inputs', 'repeats', 'top input share', 'best possible hit rate'],
        [[w.requests, w.distinct, w.repeats, fmt.pct(w.topShare), fmt.pct(bound)]],
      );

      // The production config is "all on"; the faults are settings of it.
      const cacheMax = fault === 'unbounded-cache' ? Number.POSITIVE_INFINITY : size.cacheMax;
      const batched = { maxBatch: 32, maxWaitMs: 2 };
      const single = { maxBatch: 1, maxWaitMs: 0 };
      const cache = { enabled: true, max: size.cacheMax, ttlMs: TTL_MS };
      const off = { enabled: false };
      const production: ServerOptions = {
        model,
        batching: batched,
        cache: { ...cache, max: cacheMax },
        dedup: fault !== 'cache-stampede',
      };
      const configs: [string, ServerOptions][] = [
        ['all off', { model, batching: single, cache: off, dedup: false }],
        ['batching only', { model, batching: batched, cache: off, dedup: false }],
        ['cache only', { model, batching: single, cache, dedup: false }],
        ['dedup only', { model, batching: single, cache: off, dedup: true }],
        ['all on (production config)', production],
      ];
      const results = await out.step(
        `Send the same ${w.requests} requests at concurrency ${CONNECTIONS} to five configurations`,
        async () => {
          const rs = [];
          for (const [i, [label, opts]] of configs.entries()) {
            out.status(`configuration ${i + 1} of ${configs.length}: ${label}`);
            rs.push({ label, ...(await measureConfig(opts, w.bodies, CONNECTIONS)) });
          }
          return rs;
        },
      );
      const perCpu = (r: (typeof results)[number]) => r.load.requests / r.cpuSeconds;
      out.table(
        [
          'config',
          'req/CPU-s',
          'req/s',
          'model rows/req',
          'hit rate',
          'dedup joins',
          'mean batch',
          'p50',
          'p99',
        ],
        results.map((r) => [
          r.label,
          fmt.num(Math.round(perCpu(r))),
          fmt.num(Math.round(r.load.requests / r.load.seconds)),
          (r.rows / r.load.requests).toFixed(3),
          r.hits + r.misses ? fmt.pct(r.hits / r.load.requests) : '-',
          r.joins,
          r.meanBatch.toFixed(1),
          fmt.ms(r.load.p50),
          fmt.ms(r.load.p99),
        ]),
      );
      out.say(
        'req/CPU-s: requests divided by the CPU time of the server process over the load window ' +
          '(the load generator runs in a separate process and is not counted). Timings vary with the ' +
          'machine and its load; the model-row counts do not.',
      );
      out.say(
        `all on vs all off: ${fmt.ratio(perCpu(results[4]) / perCpu(results[0]))} the requests per CPU-second ` +
          '(information, not a check: a CPU-time ratio moves with the machine and its load).',
      );
      out.say(
        'dedup only finds little to join: with batch size 1 each request runs to completion before the ' +
          'next is read, so identical requests rarely overlap in flight. It pays where requests wait ' +
          '(a batching window, a slow model, a remote call) and on a cold or expired hot key.',
      );
      out.pointer(
        'packages/model-server/src/batcher.ts',
        'the dynamic micro-batcher: rows that wait together',
      );
      out.pointer(
        'packages/model-server/src/response-cache.ts',
        'cache lookup, then join an identical in-flight request, else compute',
      );
      const [allOff, batchOnly, cacheOnly, , allOn] = results;

      // A hot key with a short TTL, hit by a burst of identical concurrent requests after each expiry.
      const hot = await out.step(
        `A hot key with a ${HOT_TTL_MS} ms TTL: ${size.expiries} expiries, ${CONNECTIONS} concurrent requests each`,
        async () => {
          const server = await startServer({
            ...production,
            cache: { ...production.cache!, ttlMs: HOT_TTL_MS },
          });
          try {
            const rows: { expiry: number; rows: number; joins: number; ms: number }[] = [];
            // This process's HTTP client, warm and holding a socket per request of a burst: a
            // burst then waits for no connection to open, and its requests overlap from the first.
            await Promise.all(
              burst.bodies.map(async () => (await fetch(`${server.url}/healthz`)).arrayBuffer()),
            );
            for (let e = 0; e < size.expiries; e++) {
              out.status(`expiry ${e + 1} of ${size.expiries}`);
              await sleep(HOT_TTL_MS + 50); // the previous answer has expired
              const before = { rows: counted.hotRows(), joins: (await counters(server)).joins };
              const t0 = performance.now();
              await sendBurst(server.url, burst.bodies);
              rows.push({
                expiry: e + 1,
                rows: counted.hotRows() - before.rows,
                joins: (await counters(server)).joins - before.joins,
                ms: performance.now() - t0,
              });
            }
            return rows;
          } finally {
            await server.close();
          }
        },
      );
      out.table(
        ['expiry', 'concurrent requests', 'burst answered in', 'model rows for the hot key', 'dedup joins'],
        hot.map((h) => [h.expiry, CONNECTIONS, fmt.ms(h.ms), h.rows, h.joins]),
      );
      const hotMax = Math.max(...hot.map((h) => h.rows));

      // High cardinality: no input repeats, so the cache can only grow (and must evict).
      const uw = uniqueWorkload(seed, size.unique);
      const highCard = await out.step(
        `High-cardinality traffic: ${uw.requests} requests, ${uw.distinct} distinct, to the production config`,
        async () => {
          const server = await startServer(production);
          try {
            const heap0 = settledHeap();
            const { load } = await sendLoad(server.url, uw.bodies, CONNECTIONS);
            // Measured while the server (and its cache) is alive, after a full GC on both sides.
            return { load, ...(await counters(server)), heapGrowth: settledHeap() - heap0 };
          } finally {
            await server.close();
          }
        },
      );
      out.table(
        ['configured max', 'cache entries', 'hit rate', 'heap growth after GC (info)'],
        [
          [
            size.cacheMax,
            highCard.entries,
            fmt.pct(highCard.hits / highCard.load.requests),
            `${(highCard.heapGrowth / 1e6).toFixed(1)} MB`,
          ],
        ],
      );

      const onRate = perCpu(allOn);
      const offRate = perCpu(allOff);
      const crossOn = narrateCrossover(out, offRate, onRate);

      const checks: Check[] = [
        check(
          CHECK.onceEach,
          allOn.rows === w.distinct,
          `${allOn.rows} model rows for ${w.distinct} distinct inputs in ${w.requests} requests (all off: ${allOff.rows})`,
        ),
        check(
          CHECK.hitRate,
          cacheOnly.hits >= 0.9 * w.repeats && cacheOnly.hits <= w.repeats,
          `${cacheOnly.hits} hits of ${w.repeats} repeats possible (${fmt.pct(cacheOnly.hits / Math.max(1, w.repeats))})`,
        ),
        check(
          CHECK.batching,
          batchOnly.meanBatch >= 2 && allOff.meanBatch === 1,
          `mean batch ${batchOnly.meanBatch.toFixed(1)} rows at concurrency ${CONNECTIONS} (batch size 1 config: ${allOff.meanBatch.toFixed(1)})`,
        ),
        check(
          CHECK.stampede,
          hotMax <= 1,
          `model rows for the hot key per expiry: ${hot.map((h) => h.rows).join(', ')} (${CONNECTIONS} concurrent requests each)`,
        ),
        check(
          CHECK.bounded,
          highCard.entries <= size.cacheMax,
          `${highCard.entries} entries after ${uw.distinct} distinct inputs; configured max ${size.cacheMax}`,
        ),
      ];
      return {
        checks,
        metrics: {
          backend,
          reqPerCpuSAllOff: offRate,
          reqPerCpuSAllOn: onRate,
          reqPerCpuSRatio: onRate / offRate,
          modelRowsPerRequestAllOn: allOn.rows / w.requests,
          hitRateCacheOnly: cacheOnly.hits / w.requests,
          hitRateBound: bound,
          meanBatch: batchOnly.meanBatch,
          hotKeyRowsMax: hotMax,
          cacheEntriesHighCardinality: highCard.entries,
          crossoverRequestsPerMonthAllOn: crossOn === null ? null : Math.round(crossOn),
        },
      };
    } finally {
      rmSync(artifactsRoot, { recursive: true, force: true });
    }
  },
};

export default lab;
