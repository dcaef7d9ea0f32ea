/**
 * Benchmark of @mlops-lab/retriever (Q21, Q22) on seeded clustered vectors, 128-d:
 *   exact scan (the baseline: its QPS and its answers, the ground truth), HNSW with the package
 *   defaults (build time, memory, recall@10 on 200 queries, QPS single-threaded, speed-up over exact;
 *   target recall@10 >= 0.95 at >= 20x), and pgvector on the embedded PGlite (recall@10 and QPS).
 * Recall@k as in ann-benchmarks: |returned top-k ∩ true top-k| / k, averaged over queries.
 *
 *   pnpm bench retriever [--quick] [--pg-n N]   (full: 100k vectors; --quick: 10k)
 *
 * PGlite is Postgres in WebAssembly on one session: loading rows through its HNSW index is far
 * slower than a native server, so pgvector runs on the first --pg-n vectors (default 10k full,
 * 2k quick) with its own exact ground truth, and the output says so.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flag, intArg, report } from '@mlops-lab/benchkit';
import { acquire } from '@mlops-lab/services';
import { ExactRetriever } from '../src/exact.ts';
import { HNSW_DEFAULTS, HnswRetriever } from '../src/hnsw.ts';
import { PgvectorRetriever } from '../src/pgvector.ts';
import { clusteredVectors, recallAtK } from '../src/testing/vectors.ts';
import type { SearchHit } from '../src/types.ts';

const quick = flag('quick');
const N = quick ? 10_000 : 100_000;
const DIM = 128;
const K = 10;
const Q = 200;
const pgN = Math.min(N, intArg('pg-n', quick ? 2_000 : 10_000));
const seed = intArg('seed', 1);

const t = () => performance.now();
const ids = (hits: SearchHit[]) => hits.map((h) => h.id);
const log = (line: string) => process.stderr.write(`${line}\n`);

log(`generating ${N} x ${DIM} clustered vectors (seed ${seed})...`);
const { vectors, queries } = clusteredVectors({ n: N, dim: DIM, queries: Q, seed });

// exact: build + ground truth (its search time is the baseline QPS)
const exact = new ExactRetriever({ dim: DIM, space: 'cosine' });
let t0 = t();
vectors.forEach((v, i) => {
  exact.add(`d${i}`, v);
});
const exactBuild = t() - t0;
const truth = queries.map((q) => ids(exact.search(q, K)));
t0 = t(); // timed on a second, warm pass (the first one also compiled the scan)
for (const q of queries) exact.search(q, K);
const exactQps = Q / ((t() - t0) / 1000);

// HNSW with the package defaults
log('building HNSW...');
globalThis.gc?.();
const rss0 = process.memoryUsage().rss;
const hnsw = new HnswRetriever({ dim: DIM, space: 'cosine' });
t0 = t();
vectors.forEach((v, i) => {
  hnsw.add(`d${i}`, v);
});
const hnswBuild = t() - t0;
const rssDelta = process.memoryUsage().rss - rss0;
const dir = mkdtempSync(join(tmpdir(), 'retriever-bench-'));
hnsw.save(join(dir, 'index.bin'));
const indexBytes = statSync(join(dir, 'index.bin')).size;
rmSync(dir, { recursive: true, force: true });

function runQueries(search: (q: Float32Array) => SearchHit[]): { recall: number; qps: number } {
  queries.slice(0, 20).forEach(search); // warm-up
  let best = Number.POSITIVE_INFINITY;
  let recall = 0;
  for (let run = 0; run < 3; run++) {
    recall = 0;
    const start = t();
    queries.forEach((q, i) => {
      recall += recallAtK(ids(search(q)), truth[i], K);
    });
    best = Math.min(best, t() - start);
  }
  return { recall: recall / Q, qps: Q / (best / 1000) };
}
const hnswRun = runQueries((q) => hnsw.search(q, K));
// the recall / speed trade-off around the default (efSearch is restored afterwards)
const sweep = [32, 64, 200].map((ef) => {
  hnsw.efSearch = ef;
  return { ef, ...runQueries((q) => hnsw.search(q, K)) };
});
hnsw.efSearch = HNSW_DEFAULTS.efSearch;

// pgvector on PGlite (its own subset and ground truth)
log(`loading ${pgN} vectors into pgvector (embedded PGlite)...`);
delete process.env.DATABASE_URL; // the embedded PGlite, which has pgvector, whatever the shell sets
const services = await acquire({
  needs: ['pgvector'],
  namespace: 'retriever_bench',
  ephemeral: true,
  log: () => {},
});
let pgRow: { n: number; load: number; recall: number; qps: number; version: string };
try {
  const pg = new PgvectorRetriever({ pool: services.pg, table: 'bench_items', dim: DIM, space: 'cosine' });
  await pg.init();
  const subset = vectors.slice(0, pgN);
  t0 = t();
  await pg.addMany(subset.map((vector, i) => ({ id: `d${i}`, vector })));
  const load = t() - t0;
  const subExact = new ExactRetriever({ dim: DIM, space: 'cosine' });
  subset.forEach((v, i) => {
    subExact.add(`d${i}`, v);
  });
  let recall = 0;
  t0 = t();
  for (const q of queries) recall += recallAtK(ids(await pg.search(q, K)), ids(subExact.search(q, K)), K);
  const elapsed = t() - t0; // includes the exact subset scan, timed separately below and removed
  const s0 = t();
  for (const q of queries) subExact.search(q, K);
  const pgTime = Math.max(1e-6, elapsed - (t() - s0));
  pgRow = { n: pgN, load, recall: recall / Q, qps: Q / (pgTime / 1000), version: pg.version };
} finally {
  await services.close();
}

const speedup = hnswRun.qps / exactQps;
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
const target = hnswRun.recall >= 0.95 && speedup >= 20;
report({
  bench: 'retriever',
  title: `retriever benchmark: ${N} x ${DIM}-d clustered, cosine, k = ${K}, ${Q} queries${quick ? ' (--quick)' : ''}`,
  columns: [
    { key: 'n', digits: 0 },
    { key: 'buildMs', label: 'build/load', unit: 'ms', digits: 0 },
    { key: 'recall', label: 'recall@10', digits: 3 },
    { key: 'qps', label: 'QPS', digits: 0 },
  ],
  ratioOn: ['qps'],
  rows: [
    {
      label: 'exact scan',
      key: 'exact',
      values: { n: N, buildMs: exactBuild, recall: 1, qps: exactQps },
    },
    {
      label: 'hnsw (defaults)',
      key: 'hnsw',
      vs: 'exact',
      values: { n: N, buildMs: hnswBuild, recall: hnswRun.recall, qps: hnswRun.qps },
      note: 'target recall@10 >= 0.95 at >= x20 QPS',
    },
    ...sweep.map((s) => ({
      label: `  hnsw efSearch=${s.ef}`,
      key: `hnsw-ef${s.ef}`,
      vs: 'exact',
      values: { n: N, recall: s.recall, qps: s.qps },
    })),
    {
      // Not against exact: it searches its own subset, with its own ground truth.
      label: `pgvector ${pgRow.version} (PGlite)`,
      key: 'pgvector',
      values: { n: pgRow.n, buildMs: pgRow.load, recall: pgRow.recall, qps: pgRow.qps },
    },
  ],
  notes: [
    `hnsw: M=${HNSW_DEFAULTS.M} efConstruction=${HNSW_DEFAULTS.efConstruction} efSearch=${hnsw.efSearch}; index file ${mb(indexBytes)}, RSS delta ${mb(rssDelta)}`,
    ...(pgRow.n < N
      ? [
          `pgvector ran on the first ${pgRow.n} vectors (PGlite loads slowly; --pg-n N to change), with its own exact ground truth`,
        ]
      : []),
    `target recall@10 >= 0.95 at >= 20x exact QPS: ${target ? 'met' : 'NOT met'}`,
  ],
  json: {
    quick,
    n: N,
    dim: DIM,
    queries: Q,
    exact: { buildMs: exactBuild, qps: exactQps },
    hnsw: {
      ...HNSW_DEFAULTS,
      efSearch: hnsw.efSearch,
      buildMs: hnswBuild,
      indexBytes,
      rssDeltaBytes: rssDelta,
      recall: hnswRun.recall,
      qps: hnswRun.qps,
      sweep,
    },
    pgvector: { ...pgRow, loadMs: pgRow.load },
    targetMet: target,
  },
});
