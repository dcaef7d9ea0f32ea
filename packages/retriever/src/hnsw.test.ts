/**
 * What only HnswRetriever has (Q21); the behaviour it shares with the other retrievers is in the
 * contract suite (src/contract.test.ts). Here: recall@10 >= 0.95 with the defaults on 5k clustered
 * vectors (the scale the defaults were chosen at), capacity doubling, reuse of deleted slots,
 * and save / load with efSearch. (A filtered walk returning k matches is hnswlib's own doing: it
 * walks with max(ef, k) and, given a filter, stops only once it holds that many matches.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExactRetriever } from './exact.ts';
import { HnswRetriever } from './hnsw.ts';
import { clusteredVectors, recallAtK } from './testing/vectors.ts';
import type { Space } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'retriever-hnsw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ids = (hits: { id: string }[]) => hits.map((h) => h.id);

describe('HnswRetriever', () => {
  const { vectors, queries } = clusteredVectors({ n: 5000, dim: 32, queries: 100, seed: 11 });

  it.each(['cosine', 'l2', 'ip'] as Space[])('recall@10 >= 0.95 vs exact with defaults (%s)', (space) => {
    const exact = new ExactRetriever({ dim: 32, space });
    const hnsw = new HnswRetriever({ dim: 32, space });
    vectors.forEach((v, i) => {
      exact.add(`d${i}`, v);
      hnsw.add(`d${i}`, v);
    });
    let recall = 0;
    for (const q of queries) recall += recallAtK(ids(hnsw.search(q, 10)), ids(exact.search(q, 10)), 10);
    expect(recall / queries.length).toBeGreaterThanOrEqual(0.95);
  });

  it('grows beyond maxElements by doubling', () => {
    const r = new HnswRetriever({ dim: 32, space: 'l2', maxElements: 10 });
    for (let i = 0; i < 45; i++) r.add(`d${i}`, vectors[i]);
    expect(r.size()).toBe(45);
    expect(r.capacity()).toBe(80);
    expect(r.search(vectors[44], 1)[0]).toEqual({ id: 'd44', distance: 0 });
  });

  it('an add after a remove reuses the deleted slot instead of growing', () => {
    const r = new HnswRetriever({ dim: 32, space: 'l2', maxElements: 20 });
    for (let i = 0; i < 20; i++) r.add(`d${i}`, vectors[i]);
    r.remove('d3');
    r.remove('d7');
    r.add('n1', vectors[100]);
    r.add('n2', vectors[101]);
    expect(r.capacity()).toBe(20); // both deleted slots reused, no growth
    expect(r.size()).toBe(20);
    const all = ids(r.search(vectors[3], 20));
    expect(all).toHaveLength(20);
    expect(all).not.toContain('d3');
    expect(all).toContain('n1');
    expect(r.search(vectors[101], 1)[0]).toEqual({ id: 'n2', distance: 0 });
    r.add('n3', vectors[102]); // no deleted slot left: now it grows
    expect(r.capacity()).toBe(40);
  });

  it('save / load keeps efSearch, ids, metadata and results', () => {
    const r = new HnswRetriever({ dim: 32, space: 'cosine', efSearch: 37 });
    for (let i = 0; i < 1000; i++) r.add(`d${i}`, vectors[i], { even: i % 2 === 0 });
    r.remove('d0');
    const path = join(dir, 'index.bin');
    r.save(path);
    const back = HnswRetriever.load(path);
    expect(back.efSearch).toBe(37);
    expect(back.size()).toBe(999);
    expect(back.metadata('d4')).toEqual({ even: true });
    for (const q of queries.slice(0, 20)) {
      expect(back.search(q, 10)).toEqual(r.search(q, 10));
      expect(back.search(q, 5, { even: true })).toEqual(r.search(q, 5, { even: true }));
    }
    back.add('after', vectors[0]); // reuses d0's deleted slot in the loaded graph
    expect(back.search(vectors[0], 1)[0].id).toBe('after');
  });
});
