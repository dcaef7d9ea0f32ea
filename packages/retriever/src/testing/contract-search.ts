/**
 * The search half of the retriever contract (Q21, Q22): what a hit's number means and the order of
 * hits, the top k against the exact scan, and the bounds of k. The number is a distance, never a
 * similarity (smaller is nearer): cosine 1 - cos, squared L2, negative inner product (distance.ts),
 * checked on four hand-computed 2-d points and on every hit of a 300-vector corpus in each space.
 * Where an implementation is approximate by nature (HNSW, pgvector's HNSW index), it states a recall
 * bound and the suite asserts that bound instead of equality; the distances it returns must be exact.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RetrieverError } from '../errors.ts';
import type { ExactRetriever } from '../exact.ts';
import type { Retriever, Space } from '../types.ts';
import {
  type ContractSubject,
  corpus,
  expectDistance,
  expectWellFormed,
  ids,
  K,
  loaded,
  minRecallOf,
  refusal,
  SPACES,
} from './contract-fixtures.ts';
import { recallAtK } from './vectors.ts';

/** Query (1, 1) (cosine: (2, 2), the same direction) against a, b, c, d; arithmetic in the comments. */
const POINTS: [string, number[]][] = [
  ['a', [1, 0]],
  ['b', [0, 2]],
  ['c', [3, 3]],
  ['d', [-1, 0]],
];
const HAND: Record<Space, { query: number[]; want: [string, number][] }> = {
  // squared L2 from (1, 1): a 0 + 1, b 1 + 1, d 4 + 1, c 4 + 4
  l2: {
    query: [1, 1],
    want: [
      ['a', 1],
      ['b', 2],
      ['d', 5],
      ['c', 8],
    ],
  },
  // -dot with (1, 1): c -6, b -2, a -1, d +1 (a positive distance: pointing away)
  ip: {
    query: [1, 1],
    want: [
      ['c', -6],
      ['b', -2],
      ['a', -1],
      ['d', 1],
    ],
  },
  // 1 - cos: c 0 (its length 3 sqrt 2 ignored), a and b 1 - cos 45 (a tie), d 1 - cos 135
  cosine: {
    query: [2, 2],
    want: [
      ['c', 0],
      ['a', 1 - Math.SQRT1_2],
      ['b', 1 - Math.SQRT1_2],
      ['d', 1 + Math.SQRT1_2],
    ],
  },
};

export function searchContract(subject: ContractSubject): void {
  const { items, queries } = corpus(300);
  const vectorOf = new Map(items.map((it) => [it.id, it.vector]));
  const bound = minRecallOf(subject);
  const built = new Map<Space, { r: Retriever; exact: ExactRetriever }>();
  beforeAll(async () => {
    for (const space of SPACES) built.set(space, await loaded(subject, space, items));
  });

  describe.each(SPACES)('distances and order (%s)', (space) => {
    it('are the hand-computed distances on four 2-d points, nearest first; ties in any order', async () => {
      const r = await subject.create({ dim: 2, space });
      for (const [id, v] of POINTS) await r.add(id, v);
      const hits = await r.search(HAND[space].query, 4);
      expect(hits).toHaveLength(4);
      for (const [i, [, d]] of HAND[space].want.entries()) expectDistance(hits[i].distance, d);
      const got = ids(hits);
      // cosine's a and b are equidistant: the contract leaves their order open
      if (space === 'cosine')
        expect([got[0], [...got.slice(1, 3)].sort(), got[3]]).toEqual(['c', ['a', 'b'], 'd']);
      else expect(got).toEqual(HAND[space].want.map(([id]) => id));
    });

    it('every hit on the corpus carries its true distance, ascending, each id once, k of them', async () => {
      const { r } = built.get(space)!;
      for (const q of queries) {
        const hits = await r.search(q, K);
        expect(hits).toHaveLength(K);
        expectWellFormed(hits, q, vectorOf, space, K);
      }
    });

    it(`the top ${K} is the exact scan's (approximate: mean recall@${K} >= the stated bound)`, async () => {
      const { r, exact } = built.get(space)!;
      let sum = 0;
      for (const q of queries) {
        const got = await r.search(q, K);
        const truth = exact.search(q, K);
        if (subject.search.kind === 'exact') {
          expect(ids(got)).toEqual(ids(truth));
          for (const [i, h] of got.entries()) expectDistance(h.distance, truth[i].distance);
        }
        sum += recallAtK(ids(got), ids(truth), K);
      }
      expect(sum / queries.length).toBeGreaterThanOrEqual(bound);
    });
  });

  describe('k', () => {
    it('refuses k = 0, negative, fractional, NaN, Infinity and non-numbers, before searching', async () => {
      const { r } = built.get('cosine')!;
      for (const k of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '3' as unknown as number]) {
        const error = await refusal(() => r.search(queries[0], k));
        expect(error, `k = ${String(k)}`).toBeInstanceOf(RetrieverError);
        expect((error as Error).message).toMatch(/k must be a positive integer/);
      }
    });

    it('k = 1 is the nearest item', async () => {
      const { r, exact } = built.get('cosine')!;
      let sum = 0;
      for (const q of queries) {
        const hits = await r.search(q, 1);
        expect(hits).toHaveLength(1);
        sum += recallAtK(ids(hits), ids(exact.search(q, 1)), 1);
      }
      expect(sum / queries.length).toBeGreaterThanOrEqual(bound);
    });

    it('k above the size returns the corpus once over (no padding, no error), nearest first', async () => {
      const { r } = built.get('cosine')!;
      for (const k of [items.length + 1, Number.MAX_SAFE_INTEGER]) {
        const hits = await r.search(queries[0], k);
        expectWellFormed(hits, queries[0], vectorOf, 'cosine', items.length);
        if (subject.search.kind === 'exact') expect(hits).toHaveLength(items.length);
        else expect(hits.length).toBeGreaterThanOrEqual(Math.ceil(bound * items.length));
      }
    });

    it('an empty index returns no hits', async () => {
      const r = await subject.create({ dim: 4, space: 'l2' });
      expect(await r.size()).toBe(0);
      expect(await r.search([1, 2, 3, 4], K)).toEqual([]);
    });
  });
}
