/**
 * Golden tests of the retrieval metrics (Q23): small cases computed by hand (arithmetic in the
 * comments), then seeded random runs whose values golden/make_golden.py computed with an independent
 * Python implementation of trec_eval's definitions; the TS must match to 1e-12.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RetrieverError } from './errors.ts';
import {
  evaluateRun,
  mrrAtK,
  ndcgAtK,
  precisionAtK,
  type Qrels,
  type QueryMetrics,
  recallAtK,
  topKDistinct,
} from './metrics.ts';

// Relevant at the default minGrade 1: a, b, d, e (num_rel = 4); c is judged not relevant.
const qrels: Qrels = { a: 3, b: 2, c: 0, d: 1, e: 2 };
// The second `a` is a duplicate: it is dropped, so the distinct top 5 is c, a, x, b, d.
const ranking = ['c', 'a', 'x', 'b', 'a', 'd'];

describe('hand-computed cases', () => {
  it('drops repeated ids, keeping the first position', () => {
    expect(topKDistinct(ranking, 5)).toEqual(['c', 'a', 'x', 'b', 'd']);
  });

  it('recall@5 = 3 relevant retrieved (a, b, d) / 4 relevant = 0.75', () => {
    expect(recallAtK(ranking, qrels, 5)).toBe(0.75);
    // minGrade 2: relevant a, b, e; retrieved a, b -> 2/3.
    expect(recallAtK(ranking, qrels, 5, { minGrade: 2 })).toBe(2 / 3);
  });

  it('precision@5 = 3 / 5; precision@10 divides by 10 though only 5 distinct ids came back', () => {
    expect(precisionAtK(ranking, qrels, 5)).toBe(0.6);
    expect(precisionAtK(ranking, qrels, 10)).toBe(0.3);
    // Fewer than k results: one relevant document returned, k = 10 -> 1/10; recall 1/4.
    expect(precisionAtK(['a'], qrels, 10)).toBe(0.1);
    expect(recallAtK(['a'], qrels, 10)).toBe(0.25);
  });

  it('counts a duplicated relevant id once: [a, a, b] at k = 3 is [a, b] -> P@3 = 2/3, not 1', () => {
    expect(precisionAtK(['a', 'a', 'b'], qrels, 3)).toBe(2 / 3);
    expect(recallAtK(['a', 'a', 'a', 'a'], qrels, 4)).toBe(0.25);
  });

  it('MRR@k = 1 / rank of the first relevant: a at rank 2 -> 0.5; none within k -> 0', () => {
    expect(mrrAtK(ranking, qrels, 5)).toBe(0.5);
    expect(mrrAtK(ranking, qrels, 1)).toBe(0); // top 1 is c (grade 0)
    expect(mrrAtK(['x', 'y', 'd'], qrels, 3, { minGrade: 1 })).toBe(1 / 3);
    expect(mrrAtK(['x', 'y', 'd'], qrels, 3, { minGrade: 2 })).toBe(0);
  });

  it('nDCG@5 with linear gains and log2(rank + 1) discounts', () => {
    // DCG  = 0/log2(2) + 3/log2(3) + 0/log2(4) + 2/log2(5) + 1/log2(6) = 3.1409951840957
    // IDCG = grades 3, 2, 2, 1 (all judged relevant, sorted): 3/1 + 2/log2(3) + 2/2 + 1/log2(5)
    //      = 5.692536065216308
    // nDCG = 3.1409951840957 / 5.692536065216308 = 0.551774314314572
    expect(ndcgAtK(ranking, qrels, 5)).toBeCloseTo(0.551774314314572, 14);
    // k = 2: DCG = 3/log2(3); IDCG = 3 + 2/log2(3) (the ideal is truncated at k, not at the run).
    // = 1.892789 / 4.261860 = 0.44412...
    expect(ndcgAtK(ranking, qrels, 2)).toBeCloseTo(3 / Math.log2(3) / (3 + 2 / Math.log2(3)), 14);
  });

  it('includes relevant documents the run never returned in the ideal DCG', () => {
    // Only b (grade 1) retrieved at rank 2: DCG = 1/log2(3); IDCG (a=2, b=1) = 2 + 1/log2(3).
    // nDCG@3 = 0.630930 / 2.630930 = 0.23981246656813146.
    expect(ndcgAtK(['x', 'b'], { a: 2, b: 1 }, 3)).toBeCloseTo(0.23981246656813146, 14);
  });

  it('is not affected by the order of ties in grade', () => {
    const tied = { a: 2, b: 2, c: 1 };
    expect(ndcgAtK(['a', 'b', 'c'], tied, 3)).toBe(1);
    expect(ndcgAtK(['b', 'a', 'c'], tied, 3)).toBe(1);
    expect(ndcgAtK(['c', 'a', 'b'], tied, 3)).toBeLessThan(1);
  });

  it('gives 0 for every metric when no document is relevant, and for an empty ranking', () => {
    const none = { c: 0, z: 0 };
    for (const f of [recallAtK, precisionAtK, mrrAtK, ndcgAtK]) {
      expect(f(['c', 'z'], none, 3)).toBe(0);
      expect(f([], qrels, 3)).toBe(0);
    }
  });
});

describe('evaluateRun', () => {
  it('averages over judged queries, scores a query missing from the run 0, skips ones without relevant docs', () => {
    const result = evaluateRun(
      { q1: ['a', 'b'], q3: ['a'], extra: ['a'] },
      { q1: { a: 1, b: 1 }, q2: { a: 1 }, q3: { a: 0 } },
      2,
    );
    expect(result.skipped).toEqual(['q3']);
    expect(Object.keys(result.perQuery)).toEqual(['q1', 'q2']);
    expect(result.perQuery.q1).toEqual({ recall: 1, precision: 1, mrr: 1, ndcg: 1 });
    expect(result.perQuery.q2).toEqual({ recall: 0, precision: 0, mrr: 0, ndcg: 0 });
    expect(result.mean).toEqual({ recall: 0.5, precision: 0.5, mrr: 0.5, ndcg: 0.5 });
  });

  it('returns zero means when no query is evaluable', () => {
    expect(evaluateRun({}, {}, 3).mean).toEqual({ recall: 0, precision: 0, mrr: 0, ndcg: 0 });
  });
});

describe('validation', () => {
  it('refuses k <= 0, fractional k and minGrade <= 0 with RetrieverError', () => {
    expect(() => recallAtK(['a'], qrels, 0)).toThrow(RetrieverError);
    expect(() => precisionAtK(['a'], qrels, 1.5)).toThrow(/positive integer/);
    expect(() => ndcgAtK(['a'], qrels, -1)).toThrow(RetrieverError);
    expect(() => evaluateRun({}, {}, 0)).toThrow(RetrieverError);
    expect(() => mrrAtK(['a'], qrels, 3, { minGrade: 0 })).toThrow(/minGrade/);
  });
});

interface GoldenCase {
  name: string;
  k: number;
  minGrade: number;
  run: Record<string, string[]>;
  qrels: Record<string, Qrels>;
  perQuery: Record<string, QueryMetrics>;
  mean: QueryMetrics;
  skipped: string[];
}

const golden = JSON.parse(readFileSync(new URL('../golden/metrics.json', import.meta.url), 'utf8')) as {
  cases: GoldenCase[];
};

describe('golden: trec_eval definitions (golden/make_golden.py)', () => {
  it('has cases with duplicates, short runs, missing queries and queries without relevant docs', () => {
    const runs = golden.cases.flatMap((c) => Object.values(c.run));
    expect(runs.some((r) => new Set(r).size < r.length)).toBe(true);
    expect(golden.cases.some((c) => Object.values(c.run).some((r) => r.length < c.k))).toBe(true);
    expect(golden.cases.some((c) => Object.keys(c.qrels).some((q) => !(q in c.run)))).toBe(true);
    expect(golden.cases.every((c) => c.skipped.length > 0)).toBe(true);
  });

  for (const c of golden.cases) {
    it(`matches ${c.name} to 1e-12`, () => {
      const result = evaluateRun(c.run, c.qrels, c.k, { minGrade: c.minGrade });
      expect(result.skipped).toEqual(c.skipped);
      expect(Object.keys(result.perQuery)).toEqual(Object.keys(c.perQuery));
      for (const [q, want] of Object.entries(c.perQuery)) {
        for (const name of ['recall', 'precision', 'mrr', 'ndcg'] as const) {
          expect(Math.abs(result.perQuery[q][name] - want[name]), `${q} ${name}`).toBeLessThan(1e-12);
        }
      }
      for (const name of ['recall', 'precision', 'mrr', 'ndcg'] as const) {
        expect(Math.abs(result.mean[name] - c.mean[name]), `mean ${name}`).toBeLessThan(1e-12);
      }
    });
  }
});
