/**
 * Postgres with pgvector for a test file (Q22). `pgvectorServices`: DATABASE_URL when that server
 * has the vector extension (e.g. `pnpm services:up`), else the embedded PGlite, which ships pgvector
 * 0.8. CI points DATABASE_URL at a Postgres without the extension; acquire() refuses it (NO_VECTOR)
 * rather than swapping servers, so this unsets DATABASE_URL for the test process and asks again.
 * `throughTheIndex`: a view of the pool whose search connections never scan the table sequentially.
 */
import { acquire, isServiceError, type Services } from '@mlops-lab/services';
import type pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

/** Registers the file's beforeAll / afterAll; `get()` returns the services inside tests. */
export function pgvectorServices(namespace: string): { get(): Services } {
  let services: Services | undefined;
  beforeAll(async () => {
    const options = { needs: ['pgvector' as const], namespace, ephemeral: true, log: () => {} };
    try {
      services = await acquire(options);
    } catch (error) {
      if (!isServiceError(error, 'NO_VECTOR')) throw error;
      delete process.env.DATABASE_URL;
      services = await acquire(options);
    }
  });
  afterAll(async () => {
    await services?.close();
  });
  return {
    get() {
      if (!services) throw new Error(`pgvectorServices(${namespace}): used before its beforeAll ran`);
      return services;
    },
  };
}

/**
 * Postgres's planner rightly scans a table of a few hundred rows instead of walking its HNSW index
 * (checked with EXPLAIN on PGlite: the index is chosen from about 2,000 rows of 16 dims, and never
 * for a filtered query at these sizes), so a test on a small table would check an exact search. The
 * clients PgvectorRetriever checks out for a search (`connect()`) turn sequential scans off, so every
 * query walks the index, a filtered one with the iterative scan, as on a table large enough for the
 * index to pay. The setting stays on the connection (on PGlite, one session for all): use it on a
 * test file's own pool only.
 */
export function throughTheIndex(pool: pg.Pool): pg.Pool {
  return new Proxy(pool, {
    get(target, prop) {
      if (prop === 'connect') {
        return async () => {
          const client = await target.connect();
          await client.query('SET enable_seqscan = off');
          return client;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
