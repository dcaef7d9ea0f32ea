/**
 * The pgvector row of the vector-search lab (Q22): the same vectors in a Postgres table with an HNSW
 * index, searched with and without the jsonb filter, on whatever Postgres the run got.
 *
 * Why `needs: ['postgres']` and not `['pgvector']`: CI runs lab tests with DATABASE_URL pointing at a
 * Postgres without the extension, and `['pgvector']` would make the whole lab refuse to start there.
 * The embedded PGlite and the Docker image have pgvector; elsewhere this step says so and is skipped,
 * and no check depends on it (the exact scan and HNSW carry the checks).
 */
import type { Narrator } from '@mlops-lab/labkit';
import { ExactRetriever, PgvectorRetriever } from '@mlops-lab/retriever';
import type { Services } from '@mlops-lab/services';
import type { IndexConfig } from './breaks.ts';
import { mean, overlap } from './measure.ts';
import { DIM, K, stored, type World } from './world.ts';

export interface PgvectorResult {
  version: string;
  loadMs: number;
  qps: number;
  recall: number;
  bytesPerVector: number;
  /** Mean results of the filtered query and how many rows match the filter. */
  filteredReturned: number;
  matching: number;
}

/** null when the server has no pgvector (the reason is narrated). */
export async function measurePgvector(
  services: Services,
  world: World,
  n: number,
  config: IndexConfig,
  out: Narrator,
): Promise<PgvectorResult | null> {
  try {
    await services.pg.query('CREATE EXTENSION IF NOT EXISTS vector');
  } catch (error) {
    out.say(`pgvector skipped: this Postgres has no vector extension (${(error as Error).message})`);
    return null;
  }
  const points = world.points.slice(0, n);
  const pgv = new PgvectorRetriever({ pool: services.pg, table: 'vs_items', dim: DIM, space: config.space });
  await pgv.init();
  let t0 = performance.now();
  await pgv.addMany(
    points.map((p) => ({ id: p.id, vector: stored(p, config.unnormalized), metadata: { tenant: p.tenant } })),
  );
  const loadMs = performance.now() - t0;

  const exact = new ExactRetriever({ dim: DIM, space: config.space });
  for (const p of points) exact.add(p.id, stored(p, config.unnormalized));
  t0 = performance.now();
  const hits = [];
  for (const q of world.queries) hits.push(await pgv.search(q, K));
  const qps = (world.queries.length * 1000) / (performance.now() - t0);
  const recall = mean(hits.map((h, i) => overlap(h, exact.search(world.queries[i], K))));

  const tenantOf = new Map(points.map((p) => [p.id, p.tenant]));
  const filtered = [];
  for (const q of world.queries.slice(0, 50)) {
    // The same fault as for HNSW: filter the unfiltered top k, or let the index scan filter (iterative scan).
    const got = config.postFilter
      ? (await pgv.search(q, K)).filter((h) => tenantOf.get(h.id) === 'rare')
      : await pgv.search(q, K, { tenant: 'rare' });
    filtered.push(got.length);
  }
  const { rows } = await services.pg.query<{ b: string }>("SELECT pg_total_relation_size('vs_items') AS b");
  return {
    version: pgv.version,
    loadMs,
    qps,
    recall,
    bytesPerVector: Number(rows[0].b) / n,
    filteredReturned: mean(filtered),
    matching: points.filter((p) => p.tenant === 'rare').length,
  };
}
