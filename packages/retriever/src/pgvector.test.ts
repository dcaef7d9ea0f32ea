/**
 * What only PgvectorRetriever has (Q22); the behaviour it shares with the other retrievers is in the
 * contract suite (src/contract.test.ts). Here: the version read by init(), the iterative scan that
 * lets a selective filter and a k above ef_search's cap of 1000 still return k rows through the HNSW
 * index, the fallbacks for pgvector < 0.8 (ef_search 1000 for a filter, a sequential scan for such a
 * k), and the constructor's checks. Each iterative-scan test first shows, with the same settings in
 * plain SQL, the shortfall it prevents. DATABASE_URL when that server has pgvector, else PGlite.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RetrieverError } from './errors.ts';
import { ExactRetriever } from './exact.ts';
import { PgvectorRetriever } from './pgvector.ts';
import { pgvectorServices, throughTheIndex } from './testing/pgvector-services.ts';
import { clusteredVectors, recallAtK } from './testing/vectors.ts';

const services = pgvectorServices('retriever_pgvector');
const N = 1100; // above ef_search's maximum of 1000
const DIM = 8;
const { vectors, queries } = clusteredVectors({ n: N, dim: DIM, queries: 10, seed: 3 });
const items = vectors.map((vector, i) => ({
  id: `d${i}`,
  vector,
  metadata: { tenant: i % 50 === 0 ? 'rare' : 'common' },
}));
const ids = (hits: { id: string }[]) => hits.map((h) => h.id);

let pgv: PgvectorRetriever;
const exact = new ExactRetriever({ dim: DIM, space: 'cosine' });
beforeAll(async () => {
  // Through the index: 1100 rows of 8 dims would otherwise be a sequential scan, where none of this arises.
  pgv = new PgvectorRetriever({
    pool: throughTheIndex(services.get().pg),
    table: 'items',
    dim: DIM,
    space: 'cosine',
  });
  await pgv.init();
  await pgv.addMany(items);
  for (const it of items) exact.add(it.id, it.vector, it.metadata);
});

/** The rows one index scan yields with these settings and no iterative scan: what the retriever avoids. */
async function plainScan(ef: number, k: number, where = ''): Promise<number> {
  const client = await throughTheIndex(services.get().pg).connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL hnsw.ef_search = ${ef}`);
    const q = `[${Array.from(queries[0]).join(',')}]`;
    const { rows } = await client.query(
      `SELECT id FROM items ${where} ORDER BY embedding <=> $1::vector LIMIT ${k}`,
      [q],
    );
    await client.query('COMMIT');
    return rows.length;
  } finally {
    client.release();
  }
}

/**
 * Mean recall@10 of `{ tenant: 'rare' }` at efSearch 10 against the filtered exact scan; every query
 * must get 10 rows, all rare. A bound, not equality: pgvector builds its graph with unseeded randomness.
 */
async function filteredRecall(): Promise<number> {
  pgv.efSearch = 10;
  try {
    let sum = 0;
    for (const q of queries) {
      const got = await pgv.search(q, 10, { tenant: 'rare' });
      expect(got).toHaveLength(10);
      for (const h of got) expect(exact.metadata(h.id)?.tenant).toBe('rare');
      sum += recallAtK(ids(got), ids(exact.search(q, 10, { tenant: 'rare' })), 10);
    }
    return sum / queries.length;
  } finally {
    pgv.efSearch = 100;
  }
}

describe('PgvectorRetriever', () => {
  it('init reads the extension version; 0.8 and later have iterative scans', () => {
    const [major, minor] = pgv.version.split('.').map(Number);
    expect(Number.isInteger(major) && Number.isInteger(minor)).toBe(true);
    expect(pgv.iterativeScan).toBe(major > 0 || minor >= 8);
  });

  it('k above 1000 returns k rows, where one index scan stops at ef_search (1000)', async () => {
    expect(await plainScan(1000, N)).toBe(1000);
    const hits = await pgv.search(queries[0], N);
    expect(ids(hits).sort()).toEqual(ids(exact.search(queries[0], N)).sort());
    for (let i = 1; i < hits.length; i++)
      expect(hits[i].distance).toBeGreaterThanOrEqual(hits[i - 1].distance);
  });

  it("a 2% filter at efSearch 10 still fills k with matches, the filtered exact scan's top k", async () => {
    expect(await plainScan(10, 10, `WHERE metadata @> '{"tenant":"rare"}'`)).toBeLessThan(10);
    expect(await filteredRecall()).toBeGreaterThanOrEqual(0.9);
  });

  it('as on pgvector < 0.8: a filter gets ef_search 1000, a k above 1000 a sequential scan, both return k', async () => {
    const detected = pgv.iterativeScan;
    pgv.iterativeScan = false;
    try {
      expect(await filteredRecall()).toBeGreaterThanOrEqual(0.9);
      const hits = await pgv.search(queries[0], N);
      expect(ids(hits).sort()).toEqual(ids(exact.search(queries[0], N)).sort());
    } finally {
      pgv.iterativeScan = detected;
    }
  });

  it('refuses a table name that is not a plain identifier, and efSearch outside [1, 1000]', () => {
    const pool = services.get().pg;
    for (const table of ['x; drop table items', 'Items', '1st', 'a'.repeat(64)]) {
      expect(() => new PgvectorRetriever({ pool, table, dim: 2, space: 'l2' })).toThrow(/table must match/);
    }
    for (const efSearch of [0, 1001, 2.5]) {
      expect(() => new PgvectorRetriever({ pool, table: 't', dim: 2, space: 'l2', efSearch })).toThrow(
        RetrieverError,
      );
    }
  });
});
