/**
 * HnswRetriever against ExactRetriever (Q21): recall@10 with the defaults on clustered data, growth,
 * delete + slot reuse, save/load with efSearch, selective filters, and bad input.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RetrieverError } from './errors.ts';
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
    for (const q of queries) {
      const truth = exact.search(q, 10);
      const got = hnsw.search(q, 10);
      recall += recallAtK(ids(got), ids(truth), 10);
      // same distance scale as the exact scan for the ids both found
      const top = truth.find((t) => t.id === got[0].id);
      if (top) expect(got[0].distance).toBeCloseTo(top.distance, 3);
    }
    expect(recall / queries.length).toBeGreaterThanOrEqual(0.95);
  });

  it('grows beyond maxElements by doubling', () => {
    const r = new HnswRetriever({ dim: 32, space: 'l2', maxElements: 10 });
    for (let i = 0; i < 45; i++) r.add(`d${i}`, vectors[i]);
    expect(r.size()).toBe(45);
    expect(r.capacity()).toBe(80);
    expect(r.search(vectors[44], 1)[0]).toEqual({ id: 'd44', distance: 0 });
  });

  it('remove marks deleted, a later add reuses the slot, and a deleted id never comes back', () => {
    const r = new HnswRetriever({ dim: 32, space: 'l2', maxElements: 20 });
    for (let i = 0; i < 20; i++) r.add(`d${i}`, vectors[i]);
    r.remove('d3');
    r.remove('d7');
    expect(r.size()).toBe(18);
    for (let i = 0; i < 200; i++) expect(ids(r.search(vectors[i % 20], 20))).not.toContain('d3');
    r.add('n1', vectors[100]);
    r.add('n2', vectors[101]);
    expect(r.capacity()).toBe(20); // both deleted slots reused, no growth
    expect(r.size()).toBe(20);
    const all = ids(r.search(vectors[3], 20));
    expect(all).toHaveLength(20);
    expect(all).not.toContain('d3');
    expect(all).not.toContain('d7');
    expect(all).toContain('n1');
    expect(r.search(vectors[101], 1)[0]).toEqual({ id: 'n2', distance: 0 });
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
      expect(back.search(q, 5, (m) => m.even === true)).toEqual(r.search(q, 5, (m) => m.even === true));
    }
    back.add('after', vectors[0]); // reuses d0's deleted slot in the loaded graph
    expect(back.search(vectors[0], 1)[0].id).toBe('after');
  });

  it('a 5% selective filter still returns k matching hits, equal to exact', () => {
    const exact = new ExactRetriever({ dim: 32, space: 'l2' });
    const hnsw = new HnswRetriever({ dim: 32, space: 'l2' });
    vectors.forEach((v, i) => {
      const meta = { tenant: i % 20 === 0 ? 'rare' : 'common' };
      exact.add(`d${i}`, v, meta);
      hnsw.add(`d${i}`, v, meta);
    });
    const rare = (m: { tenant?: unknown }) => m.tenant === 'rare';
    let recall = 0;
    for (const q of queries.slice(0, 30)) {
      const got = hnsw.search(q, 10, rare);
      expect(got).toHaveLength(10);
      for (const h of got) expect(hnsw.metadata(h.id)?.tenant).toBe('rare');
      recall += recallAtK(ids(got), ids(exact.search(q, 10, rare)), 10);
    }
    expect(recall / 30).toBeGreaterThanOrEqual(0.95);
    // only 3 items match: all 3 come back, not k
    const three = new Set(['d0', 'd20', 'd40']);
    expect(ids(hnsw.search(queries[0], 10, (_m, id) => three.has(id))).sort()).toEqual([...three].sort());
  });

  it('refuses bad input with a RetrieverError and keeps answering as before', () => {
    const r = new HnswRetriever({ dim: 32, space: 'l2' });
    for (let i = 0; i < 300; i++) r.add(`d${i}`, vectors[i]);
    const before = r.search(queries[0], 10);
    const bad: [() => unknown, RegExp][] = [
      [() => r.add('x', [1, 2, 3]), /dimension 3.*dimension 32/],
      [
        () =>
          r.add(
            'x',
            vectors[0].map((x, i) => (i === 5 ? Number.NaN : x)),
          ),
        /vector\[5\] is NaN/,
      ],
      [() => r.search(new Array(32).fill(Number.NEGATIVE_INFINITY), 1), /query\[0\] is -Infinity/],
      [() => r.search(queries[0], 0), /k must be a positive integer/],
      [() => r.search(queries[0], 2.5), /k must be a positive integer/],
      [() => r.remove('nope'), /unknown id "nope"/],
      [
        () =>
          r.search(queries[0], 5, () => {
            throw new Error('boom');
          }),
        /filter threw: boom/,
      ],
    ];
    for (const [call, message] of bad) {
      expect(call).toThrow(RetrieverError);
      expect(call).toThrow(message);
    }
    expect(r.size()).toBe(300);
    expect(r.efSearch).toBe(100);
    expect(r.search(queries[0], 10)).toEqual(before);
    expect(r.search(queries[0], 1000)).toHaveLength(300); // k above the stored count is capped
  });
});
