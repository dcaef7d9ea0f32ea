/**
 * The retriever contract (src/testing/contract.ts) run against all three implementations (Q21, Q22):
 * the exact scan, HNSW with the package defaults, and pgvector with its defaults on the embedded
 * PGlite (or on DATABASE_URL when that server has the extension). HNSW and pgvector are approximate
 * by nature and state their bound: mean recall@10 >= 0.97 against the exact scan on the suite's
 * 300-vector corpus (measured: 1.000 for both, in all three spaces, filtered or not), which is also
 * the share of that corpus a search with k above its size must return.
 */
import { ExactRetriever } from './exact.ts';
import { HnswRetriever } from './hnsw.ts';
import { PgvectorRetriever } from './pgvector.ts';
import { retrieverContract } from './testing/contract.ts';
import { pgvectorServices, throughTheIndex } from './testing/pgvector-services.ts';
import type { Metadata } from './types.ts';

const APPROXIMATE = { kind: 'approximate', minRecall: 0.97 } as const;

retrieverContract({
  name: 'ExactRetriever',
  search: { kind: 'exact' },
  create: async (options) => new ExactRetriever(options),
  storedMetadata: async (r, id) => (r as ExactRetriever).metadata(id),
});

retrieverContract({
  name: 'HnswRetriever',
  search: APPROXIMATE,
  create: async (options) => new HnswRetriever(options),
  storedMetadata: async (r, id) => (r as HnswRetriever).metadata(id),
});

const services = pgvectorServices('retriever_contract');
let tables = 0;
retrieverContract({
  name: 'PgvectorRetriever',
  search: APPROXIMATE,
  async create(options) {
    // through the index: a few hundred rows would otherwise be scanned, and the search be exact
    const pool = throughTheIndex(services.get().pg);
    const r = new PgvectorRetriever({ pool, table: `contract_${++tables}`, ...options });
    await r.init();
    return r;
  },
  // The contract has no metadata accessor and pgvector adds none: read the row the retriever wrote.
  async storedMetadata(r, id) {
    const table = (r as PgvectorRetriever).table;
    const { rows } = await services
      .get()
      .pg.query<{ metadata: Metadata }>(`SELECT metadata FROM ${table} WHERE id = $1`, [id]);
    return rows[0]?.metadata;
  },
  addMany: (r, items) => (r as PgvectorRetriever).addMany(items),
});
