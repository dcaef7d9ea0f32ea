/**
 * Benchmark of the online store (Q8, Q10), each figure against a baseline measured in the same run:
 * (a) one entity, 10 features, `getOnlineFeatures`: p50/p99 over sequential reads (target p99 <= 2 ms),
 *     interleaved with the floor: a raw PING and a raw HGETALL round trip;
 * (b) a pipelined batch of 1,000 entities: median (target <= 20 ms), against 1,000 sequential reads;
 * (c) materializing 1,000,000 rows from the Postgres source into Redis (target <= 20 s), against
 *     writing the same rows with plain pipelined HSET (no compare-and-set), and the Lua
 *     compare-and-set alone: the cost of newer-wins. `--quick`: everything 10x smaller.
 *
 *   pnpm bench online [--quick]   (or: pnpm exec tsx packages/feature-store/bench/online.ts)
 *
 * Postgres and Redis come from @mlops-lab/services (env URLs, Docker, else embedded); the table says which.
 */
import { pathToFileURL } from 'node:url';
import { flag, median, num, report, summariseLatency } from '@mlops-lab/benchkit';
import { acquire } from '@mlops-lab/services';
import type { Redis } from 'ioredis';
import { defineFeatureView } from '../src/definitions.ts';
import { materialize } from '../src/materialize.ts';
import { createSourceTable, quoteIdent } from '../src/offline-source.ts';
import { type EncodedRow, getOnlineFeatures, writeEncoded } from '../src/online.ts';
import { hashKey, type OnlineStore, valuesEncoder } from '../src/online-keys.ts';

export interface BenchOnlineOptions {
  quick?: boolean;
  log?: (line: string) => void;
}

const T0 = Date.UTC(2024, 0, 1);
const FEATURES = Array.from({ length: 10 }, (_, j) => `f${j}`);
const view = defineFeatureView({
  name: 'bench_stats',
  entity: { name: 'entity', joinKeys: ['entity_id'] },
  source: {
    table: 'bench_stats_src',
    eventTimestampColumn: 'event_ts',
    createdTimestampColumn: 'created_ts',
  },
  features: FEATURES.map((name) => ({ name, type: 'float' as const })),
  ttlMs: 86_400_000,
  owner: 'bench',
  description: '10 float features per entity',
});

/** The same deterministic values the SQL generator below produces for entity i. */
const value = (i: number, j: number) => ((i * (j + 7)) % 1000) / 10;
const encode = valuesEncoder(view);
const rowsFor = (store: OnlineStore, from: number, n: number): EncodedRow[] =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const event = T0 + (i % 86_400) * 1000;
    return {
      key: hashKey(store, view, [String(i)]),
      event,
      created: event,
      values: encode(FEATURES.map((_, j) => value(i, j))),
    };
  });

async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function benchOnline(options: BenchOnlineOptions = {}) {
  const scale = options.quick ? 10 : 1;
  const reads = 5000 / scale;
  const batchRuns = 30 / (options.quick ? 3 : 1);
  const materializeRows = 1_000_000 / scale;
  const log = options.log ?? (() => {});
  const services = await acquire({
    needs: ['postgres', 'redis'],
    namespace: 'fs-online-bench',
    ephemeral: true,
    log: () => {},
  });
  try {
    const scoped = (scope: string) => ({
      pg: services.pg,
      redis: services.redis,
      key: (name: string) => services.key(`${scope}:${name}`),
      migrate: (owner: string, m: { id: string; sql: string }[]) => services.migrate(owner, m),
    });
    const redis = services.redis;

    // (a) single-entity reads ----------------------------------------------------------------------
    const readStore = scoped('reads');
    const ENTITIES = 10_000;
    await writeEncoded(redis, rowsFor(readStore, 0, ENTITIES));
    const now = T0 + 86_400_000;
    const one = (i: number) =>
      getOnlineFeatures(readStore, view, [{ entity_id: String(i % ENTITIES) }], { now });
    for (let i = 0; i < 200; i++) await one(i); // warm-up: script cache, JIT, connection
    const single: number[] = [];
    const ping: number[] = [];
    const hgetall: number[] = [];
    for (let i = 0; i < reads; i++) {
      ping.push(await timed(() => redis.ping()));
      hgetall.push(await timed(() => redis.hgetall(hashKey(readStore, view, [String(i % ENTITIES)]))));
      single.push(await timed(() => one(i)));
    }
    log(`single reads done (${reads})`);

    // (b) batch of 1,000 ---------------------------------------------------------------------------
    const batchKeys = (r: number) =>
      Array.from({ length: 1000 }, (_, k) => ({ entity_id: String((r * 1000 + k) % ENTITIES) }));
    const batch: number[] = [];
    const sequential: number[] = [];
    await getOnlineFeatures(readStore, view, batchKeys(0), { now });
    for (let r = 0; r < batchRuns; r++) {
      batch.push(await timed(() => getOnlineFeatures(readStore, view, batchKeys(r), { now })));
      if (r % 5 === 0) {
        sequential.push(
          await timed(async () => {
            for (const k of batchKeys(r)) await getOnlineFeatures(readStore, view, [k], { now });
          }),
        );
      }
    }
    log(`batch reads done (${batchRuns})`);

    // (c) materialization --------------------------------------------------------------------------
    await createSourceTable(services.pg, view);
    const cols = FEATURES.map(quoteIdent).join(', ');
    const exprs = FEATURES.map((_, j) => `((i * ${j + 7}) % 1000) / 10.0`).join(', ');
    await services.pg.query(
      `INSERT INTO bench_stats_src (entity_id, event_ts, created_ts, ${cols})
       SELECT i::text, to_timestamp((${T0} + (i % 86400) * 1000) / 1000.0), to_timestamp((${T0} + (i % 86400) * 1000) / 1000.0), ${exprs}
       FROM generate_series(0, ${materializeRows - 1}) AS i`,
    );
    await services.pg.query('ANALYZE bench_stats_src');
    log(`source table: ${materializeRows} rows`);

    const CHUNK = 10_000;
    const writeAll = async (store: OnlineStore, write: (rows: EncodedRow[]) => Promise<unknown>) => {
      let total = 0;
      for (let from = 0; from < materializeRows; from += CHUNK) {
        const rows = rowsFor(store, from, Math.min(CHUNK, materializeRows - from));
        total += await timed(() => write(rows));
      }
      return total;
    };
    const hsetStore = scoped('hset');
    const hsetMs = await writeAll(hsetStore, async (rows) => {
      const p = redis.pipeline();
      for (const r of rows)
        p.hset(r.key, '@event', String(r.event), '@created', String(r.created), '@values', r.values);
      await p.exec();
    });
    await deletePrefix(redis, hsetStore.key(''));
    // The same script with the comparison switched off (force): same transport, so the difference
    // to the compare-and-set run below is what newer-wins costs inside Redis.
    const forceStore = scoped('force');
    const forceMs = await writeAll(forceStore, (rows) => writeEncoded(redis, rows, { force: true }));
    await deletePrefix(redis, forceStore.key(''));
    const casStore = scoped('cas');
    const casMs = await writeAll(casStore, (rows) => writeEncoded(redis, rows));
    await deletePrefix(redis, casStore.key(''));
    log('write baselines done');

    const target = scoped('materialized');
    const result = await materialize(target, view, 0, T0 + 86_400_000, {
      onProgress: (p) => {
        if (p.chunks % 10 === 0)
          log(`materialize: ${p.rows} rows, ${p.chunks} chunks, ${(p.elapsedMs / 1000).toFixed(1)} s`);
      },
    });
    const rerun = await materialize(target, view, 0, T0 + 86_400_000);
    const [read, pingMs, hgetallMs] = [single, ping, hgetall].map(summariseLatency);
    return {
      bench: 'feature-store-online',
      quick: options.quick === true,
      backends: { postgres: services.backends.postgres?.kind, redis: services.backends.redis?.kind },
      single: {
        reads,
        p50: read.p50,
        p99: read.p99,
        pingP50: pingMs.p50,
        pingP99: pingMs.p99,
        hgetallP50: hgetallMs.p50,
        hgetallP99: hgetallMs.p99,
        targetP99: 2,
      },
      batch: {
        size: 1000,
        runs: batchRuns,
        medianMs: median(batch),
        sequentialMedianMs: median(sequential),
        targetMs: 20,
      },
      materialize: {
        rows: result.rows,
        written: result.written,
        ms: result.elapsedMs,
        rowsPerSec: result.rows / (result.elapsedMs / 1000),
        rerunMs: rerun.elapsedMs,
        rerunWritten: rerun.written,
        hsetMs,
        forceMs,
        casMs,
        targetMs: 20_000,
      },
    };
  } finally {
    await services.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchOnline({ quick: flag('quick'), log: (line) => process.stderr.write(`  ${line}\n`) });
  const { bench, single: a, batch: b, materialize: c } = r;
  report({
    bench,
    title: `online store benchmark, Node ${process.version}; postgres: ${r.backends.postgres}, redis: ${r.backends.redis}`,
    columns: [
      { key: 'p50', label: 'p50/median', unit: 'ms' },
      { key: 'p99', unit: 'ms' },
    ],
    ratioOn: ['p50'],
    rows: [
      { label: '(a) floor: PING round trip', key: 'ping', values: { p50: a.pingP50, p99: a.pingP99 } },
      {
        label: '    raw HGETALL of one hash',
        key: 'hgetall',
        vs: 'ping',
        values: { p50: a.hgetallP50, p99: a.hgetallP99 },
      },
      {
        label: `    getOnlineFeatures, 1 entity x 10 features (${a.reads} reads)`,
        key: 'single',
        vs: 'ping',
        values: { p50: a.p50, p99: a.p99 },
        note: `p99 target ${a.targetP99} ms`,
      },
      {
        label: '(b) 1,000 sequential single reads',
        key: 'sequential',
        values: { p50: b.sequentialMedianMs },
      },
      {
        label: `    pipelined batch of 1,000 (${b.runs} runs)`,
        key: 'batch',
        vs: 'sequential',
        values: { p50: b.medianMs },
        note: `target ${b.targetMs} ms`,
      },
      {
        label: `(c) plain pipelined HSET, ${c.rows.toLocaleString('en')} rows`,
        key: 'hset',
        values: { p50: c.hsetMs },
      },
      {
        label: '    Lua script, comparison off (force)',
        key: 'force',
        vs: 'hset',
        values: { p50: c.forceMs },
      },
      // Against force, not HSET: the same script and transport, so the ratio is what newer-wins costs.
      { label: '    Lua compare-and-set (newer-wins)', key: 'cas', vs: 'force', values: { p50: c.casMs } },
      {
        label: `    materialize from Postgres (${r.backends.postgres})`,
        key: 'materialize',
        vs: 'hset',
        values: { p50: c.ms },
        note: `${num(c.rowsPerSec)} rows/s (target ${c.targetMs / 1000} s)`,
      },
      {
        label: `    re-run: idempotent, ${c.rerunWritten} written`,
        key: 'rerun',
        vs: 'materialize',
        values: { p50: c.rerunMs },
      },
    ],
    json: r,
  });
}
