/**
 * PgvectorRetriever against ExactRetriever (Q22): same ids at a high ef_search, a selective jsonb
 * filter, the distance scale of each operator, and bad input. Runs on DATABASE_URL when that server
 * has pgvector (e.g. `pnpm services:up`), else on the embedded PGlite, which ships pgvector 0.8.
 */
import { acquire, isServiceError, type Services } from '@mlops-lab/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetrieverError } from './errors.ts';
import { ExactRetriever } from './exact.ts';
import { PgvectorRetriever } from './pgvector.ts';
import { clusteredVectors, recallAtK } from './testing/vectors.ts';
import type { Space } from './types.ts';

let services: Services;
beforeAll(async () => {
  const options = {
    needs: ['pgvector' as const],
    namespace: 'retriever_test',
    ephemeral: true,
    log: () => {},
  };
  try {
    services = await acquire(options);
  } catch (error) {
    // A DATABASE_URL without the vector extension (CI's plain Postgres): test on the embedded one.
    if (!isServiceError(error, 'NO_VECTOR')) throw error;
    delete process.env.DATABASE_URL;
    services = await acquire(options);
  }
});
afterAll(async () => {
  await services?.close();
});

const ids = (hits: { id: string }[]) => hits.map((h) => h.id);
const { vectors, queries } = clusteredVectors({ n: 300, dim: 16, queries: 20, seed: 5 });

async function build(space: Space, table: string): Promise<{ pg: PgvectorRetriever; exact: ExactRetriever }> {
  const pg = new PgvectorRetriever({ pool: services.pg, table, dim: 16, space, efSearch: 400 });
  await pg.init();
  const exact = new ExactRetriever({ dim: 16, space });
  const items = vectors.map((vector, i) => ({
    id: `d${i}`,
    vector,
    metadata: { tenant: i % 20 === 0 ? 'rare' : 'common' },
  }));
  await pg.addMany(items);
  for (const it of items) exact.add(it.id, it.vector, it.metadata);
  return { pg, exact };
}

describe('PgvectorRetriever (embedded PGlite)', () => {
  it.each(['cosine', 'l2', 'ip'] as Space[])(
    'same ids and distances as exact at a high ef_search (%s)',
    async (space) => {
      const { pg, exact } = await build(space, `items_${space}`);
      expect(pg.iterativeScan).toBe(true);
      expect(await pg.size()).toBe(300);
      let recall = 0;
      for (const q of queries) {
        const got = await pg.search(q, 10);
        const truth = exact.search(q, 10);
        recall += recallAtK(ids(got), ids(truth), 10);
        expect(got[0].distance).toBeCloseTo(truth[0].distance, 3);
      }
      expect(recall / queries.length).toBe(1);
    },
  );

  it('a 5% jsonb filter returns k matching rows, equal to exact; a function filter is refused', async () => {
    const { pg, exact } = await build('l2', 'items_filter');
    for (const q of queries.slice(0, 5)) {
      const got = await pg.search(q, 10, { tenant: 'rare' });
      expect(got).toHaveLength(10);
      expect(ids(got)).toEqual(ids(exact.search(q, 10, (m) => m.tenant === 'rare')));
    }
    await expect(pg.search(queries[0], 3, () => true)).rejects.toThrow(/cannot run a function filter/);
  });

  it('refuses bad input with a RetrieverError, and the table keeps answering as before', async () => {
    const { pg } = await build('cosine', 'items_bad');
    const before = await pg.search(queries[1], 10);
    const bad: [() => Promise<unknown>, RegExp][] = [
      [() => pg.add('x', [1, 2, 3]), /dimension 3.*dimension 16/],
      [
        () =>
          pg.add(
            'x',
            vectors[0].map((x, i) => (i === 2 ? Number.NaN : x)),
          ),
        /vector\[2\] is NaN/,
      ],
      [() => pg.search(new Array(16).fill(0), 1), /all zeros/],
      [() => pg.search(queries[0], -1), /k must be a positive integer/],
      [() => pg.remove('nope'), /unknown id "nope"/],
      [() => pg.search(queries[0], 1, { tenant: [1] as never }), /metadata.tenant must be/],
    ];
    for (const [call, message] of bad) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RetrieverError);
      expect((error as Error).message).toMatch(message);
    }
    expect(() => new PgvectorRetriever({ pool: services.pg, table: 'x; drop', dim: 2, space: 'l2' })).toThrow(
      RetrieverError,
    );
    expect(await pg.size()).toBe(300);
    expect(await pg.search(queries[1], 10)).toEqual(before);
    await pg.remove('d0');
    expect(await pg.size()).toBe(299);
  });
});
