/**
 * One corpus size of the vector-search lab (Q21): the exact scan and HNSW over the same vectors,
 * each timed over the same queries, recall@10 of HNSW against the exact scan in the index's own
 * space, and agreement of that space with true cosine. Build time and per-query time give the
 * crossover: how many queries before building the graph has paid for itself.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt } from '@mlops-lab/labkit';
import { ExactRetriever, HnswRetriever, type Retriever, type SearchHit } from '@mlops-lab/retriever';
import type { IndexConfig } from './breaks.ts';
import { DIM, K, stored, type World } from './world.ts';

export interface SizeResult {
  n: number;
  exactBuildMs: number;
  hnswBuildMs: number;
  exactQps: number;
  hnswQps: number;
  /** Mean share of the exact top 10 (same space) that HNSW returns. */
  recall: number;
  /** Mean share of the true-cosine top 10 that the exact scan in the configured space returns. */
  metricAgreement: number;
  hnswBytesPerVector: number;
  /** Queries after which HNSW (build + queries) costs less time than scanning; null if never. */
  crossover: number | null;
  hnsw: HnswRetriever;
}

export function overlap(got: readonly SearchHit[], truth: readonly SearchHit[]): number {
  const want = new Set(truth.map((h) => h.id));
  return got.filter((h) => want.has(h.id)).length / Math.max(1, truth.length);
}

/** Runs every query once (one warm-up query first) and returns the hits and the QPS. */
export function timeQueries(
  r: Retriever,
  queries: readonly Float32Array[],
): { hits: SearchHit[][]; qps: number } {
  r.search(queries[0], K);
  const t0 = performance.now();
  const hits = queries.map((q) => r.search(q, K) as SearchHit[]);
  return { hits, qps: (queries.length * 1000) / (performance.now() - t0) };
}

/** Adds between progress reports: a 200k build reports 40 times and yields to redraw a spinner. */
const REPORT_EVERY = 5_000;

/** Yields to the event loop so a spinner (a timer) can redraw during a CPU-bound build. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Builds both indexes over the first n points and runs every query on both. `progress` hears how
 * far the HNSW build is (the slow part: about a minute at 200k on two cores); the time spent
 * yielding for it (a few microseconds per report) is inside the build time.
 */
export async function measureSize(
  world: World,
  n: number,
  config: IndexConfig,
  seed: number,
  progress: (text: string) => void = () => {},
): Promise<SizeResult> {
  const points = world.points.slice(0, n);
  const vectors = points.map((p) => stored(p, config.unnormalized));

  let t0 = performance.now();
  const exact = new ExactRetriever({ dim: DIM, space: config.space });
  for (let i = 0; i < n; i++) exact.add(points[i].id, vectors[i]);
  const exactBuildMs = performance.now() - t0;

  t0 = performance.now();
  const hnsw = new HnswRetriever({
    dim: DIM,
    space: config.space,
    efSearch: config.efSearch,
    maxElements: n,
    seed,
  });
  for (let i = 0; i < n; i++) {
    hnsw.add(points[i].id, vectors[i], { tenant: points[i].tenant });
    if ((i + 1) % REPORT_EVERY === 0 && i + 1 < n) {
      progress(`HNSW build: ${fmt.num(i + 1)} of ${fmt.num(n)} vectors added`);
      await yieldToLoop();
    }
  }
  const hnswBuildMs = performance.now() - t0;
  progress('running the queries on both');
  await yieldToLoop();

  const truth = timeQueries(exact, world.queries);
  const approx = timeQueries(hnsw, world.queries);
  const recall = mean(approx.hits.map((h, i) => overlap(h, truth.hits[i])));

  // True cosine on the directions: the question the application meant to ask.
  let cosineTruth = truth.hits;
  if (config.space !== 'cosine' || config.unnormalized) {
    const cosine = new ExactRetriever({ dim: DIM, space: 'cosine' });
    for (const p of points) cosine.add(p.id, p.vector);
    cosineTruth = world.queries.map((q) => cosine.search(q, K));
  }
  const metricAgreement = mean(truth.hits.map((h, i) => overlap(h, cosineTruth[i])));

  const dir = mkdtempSync(join(tmpdir(), 'vector-search-'));
  let hnswBytes = 0;
  try {
    const file = join(dir, 'index.bin');
    hnsw.save(file);
    hnswBytes = statSync(file).size + statSync(`${file}.json`).size;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const perQueryGain = 1000 / truth.qps - 1000 / approx.qps;
  const crossover = perQueryGain > 0 ? Math.ceil((hnswBuildMs - exactBuildMs) / perQueryGain) : null;
  return {
    n,
    exactBuildMs,
    hnswBuildMs,
    exactQps: truth.qps,
    hnswQps: approx.qps,
    recall,
    metricAgreement,
    hnswBytesPerVector: hnswBytes / n,
    crossover,
    hnsw,
  };
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}
