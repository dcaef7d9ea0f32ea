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

  it('cuts MRR at k: a first relevant at rank k + 1 scores 0, where uncut recip_rank gives 1 / (k + 1)', () => {
    // trec_eval's recip_rank reads the whole ranking: 1/3 for d at rank 3. MRR@2 reads the top 2.
    expect(mrrAtK(['x', 'y', 'd'], qrels, 2)).toBe(0);
    expect(mrrAtK(['x', 'y', 'd'], qrels, 3)).toBe(1 / 3);
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

describe('evaluateRun: which queries count (trec_eval -c)', () => {
  // Values from trec_eval 9.0.8 (`trec_eval -c -q -m P.3 -m recall.3 -m ndcg_cut.3`, and `-M 3 -m
  // recip_rank` for MRR@3) on these qrels and run, and by hand:
  //   q1 {a: 2, b: 1, c: 0}, ranked [c, a, x]: a relevant at rank 2 of 2 relevant -> recall 1/2,
  //      P@3 1/3, RR 1/2; DCG = 2/log2(3), IDCG = 2 + 1/log2(3) -> nDCG@3 = 0.4796249331362629.
  //   q2 {d: 0}, ranked [d, e]: judged, nothing relevant -> 0 on everything, and it counts.
  //   q3 {f: 1}, not in the run -> 0 on everything (the empty ranking), and it counts.
  //   means over 3 queries: recall 1/6 (0.1667), P@3 1/9 (0.1111), MRR 1/6, nDCG 0.4796/3 (0.1599).
  const run = { q1: ['c', 'a', 'x'], q2: ['d', 'e'], extra: ['a'] };
  const judged = { q1: { a: 2, b: 1, c: 0 }, q2: { d: 0 }, q3: { f: 1 } };
  const ndcgQ1 = 0.4796249331362629;

  it('averages over every query of qrels: no relevant document and missing from the run both score 0', () => {
    const result = evaluateRun(run, judged, 3);
    expect(Object.keys(result.perQuery)).toEqual(['q1', 'q2', 'q3']);
    expect(result.perQuery.q2).toEqual({ recall: 0, precision: 0, mrr: 0, ndcg: 0 });
    expect(result.perQuery.q3).toEqual({ recall: 0, precision: 0, mrr: 0, ndcg: 0 });
    expect(result.withoutRelevant).toEqual(['q2']);
    expect(result.skipped).toEqual([]);
    expect(result.mean.recall).toBeCloseTo(1 / 6, 14);
    expect(result.mean.precision).toBeCloseTo(1 / 9, 14);
    expect(result.mean.mrr).toBeCloseTo(1 / 6, 14);
    expect(result.mean.ndcg).toBeCloseTo(ndcgQ1 / 3, 14);
  });

  it('skipWithoutRelevant: leaves such queries out of the means and lists them (not trec_eval)', () => {
    const result = evaluateRun(run, judged, 3, { skipWithoutRelevant: true });
    expect(Object.keys(result.perQuery)).toEqual(['q1', 'q3']);
    expect(result.skipped).toEqual(['q2']);
    expect(result.mean.recall).toBeCloseTo(1 / 4, 14);
    expect(result.mean.ndcg).toBeCloseTo(ndcgQ1 / 2, 14);
  });

  it('gives a query with nothing at minGrade its nDCG from the lower grades, as ndcg_cut ignores -l', () => {
    // trec_eval -c -l 2: q4 {g: 1} ranked [g] has no relevant document at level 2, so recall, P and
    // RR are 0, but ndcg_cut_3 = 1 (g, the only positive grade, at rank 1); mean nDCG (0.4796 + 1) / 2
    // = 0.7398, mean recall (1 + 0) / 2 = 0.5, mean MRR 0.25.
    const result = evaluateRun({ q1: run.q1, q4: ['g'] }, { q1: judged.q1, q4: { g: 1 } }, 3, {
      minGrade: 2,
    });
    expect(result.perQuery.q4).toEqual({ recall: 0, precision: 0, mrr: 0, ndcg: 1 });
    expect(result.withoutRelevant).toEqual(['q4']);
    expect(result.mean.recall).toBe(0.5);
    expect(result.mean.mrr).toBe(0.25);
    expect(result.mean.ndcg).toBeCloseTo((ndcgQ1 + 1) / 2, 14);
  });

  it('counts a query given with no judgments at all like one judged not relevant', () => {
    // A qrels file cannot hold such a query; here it was listed, so it is part of the golden set.
    const result = evaluateRun({ q1: ['a'] }, { q1: { a: 1 }, empty: {} }, 2);
    expect(result.withoutRelevant).toEqual(['empty']);
    expect(result.mean.recall).toBe(0.5);
  });

  it('returns zero means when qrels hold no query', () => {
    expect(evaluateRun({ q1: ['a'] }, {}, 3).mean).toEqual({ recall: 0, precision: 0, mrr: 0, ndcg: 0 });
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
  withoutRelevant: string[];
  meanSkipWithoutRelevant: QueryMetrics;
}

const golden = JSON.parse(readFileSync(new URL('../golden/metrics.json', import.meta.url), 'utf8')) as {
  cases: GoldenCase[];
};
const NAMES = ['recall', 'precision', 'mrr', 'ndcg'] as const;

function expectMeans(got: QueryMetrics, want: QueryMetrics, label: string): void {
  for (const name of NAMES) {
    expect(Math.abs(got[name] - want[name]), `${label} ${name}`).toBeLessThan(1e-12);
  }
}

describe('golden: trec_eval definitions (golden/make_golden.py, checked by golden/check_trec_eval.py)', () => {
  it('has cases with duplicates, short runs, missing queries and queries without relevant docs', () => {
    const runs = golden.cases.flatMap((c) => Object.values(c.run));
    expect(runs.some((r) => new Set(r).size < r.length)).toBe(true);
    expect(golden.cases.some((c) => Object.values(c.run).some((r) => r.length < c.k))).toBe(true);
    expect(golden.cases.some((c) => Object.keys(c.qrels).some((q) => !(q in c.run)))).toBe(true);
    expect(golden.cases.every((c) => c.withoutRelevant.length > 0)).toBe(true);
    // ... among them, ones whose nDCG is not 0 (grades below minGrade still count as gains).
    expect(golden.cases.some((c) => c.withoutRelevant.some((q) => c.perQuery[q].ndcg > 0))).toBe(true);
  });

  for (const c of golden.cases) {
    it(`matches ${c.name} to 1e-12, every query counted and with skipWithoutRelevant`, () => {
      const result = evaluateRun(c.run, c.qrels, c.k, { minGrade: c.minGrade });
      expect(result.withoutRelevant).toEqual(c.withoutRelevant);
      expect(result.skipped).toEqual([]);
      expect(Object.keys(result.perQuery)).toEqual(Object.keys(c.qrels));
      for (const [q, want] of Object.entries(c.perQuery)) expectMeans(result.perQuery[q], want, q);
      expectMeans(result.mean, c.mean, 'mean');

      const answerable = evaluateRun(c.run, c.qrels, c.k, {
        minGrade: c.minGrade,
        skipWithoutRelevant: true,
      });
      expect(answerable.skipped).toEqual(c.withoutRelevant);
      expectMeans(answerable.mean, c.meanSkipWithoutRelevant, 'answerable mean');
    });
  }
});
