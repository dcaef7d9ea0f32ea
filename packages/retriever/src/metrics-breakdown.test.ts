/**
 * ndcgByGrade (Q23): the split of a run's nDCG@k by grade, on a case computed by hand and on the
 * golden runs, where the contributions must add up to evaluateRun's mean nDCG.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateRun, type Qrels } from './metrics.ts';
import { ndcgByGrade } from './metrics-breakdown.ts';

const L3 = Math.log2(3);

describe('ndcgByGrade', () => {
  it('splits one query by hand: the answer at rank 1, one of two related documents at rank 3', () => {
    // qrels a:3, b:2, c:2, d:1; ranked [a, x, b]. DCG = 3 + 2/log2(4) = 4.
    // Ideal (3, 2, 2) at k = 3: 3 + 2/log2(3) + 2/2 = 5.2618595071429155; d falls outside the cut.
    // grade 3: ideal part 3 -> share 3 / 5.26186 = 0.570141; DCG part 3 -> contribution 0.570141.
    // grade 2: ideal part 2/log2(3) + 1 -> share 0.429859; DCG part 1 (b at rank 3) -> 0.190047.
    // grade 1: ideal part 0 (cut off); d not found. nDCG = 4 / 5.26186 = 0.760188.
    const ideal = 3 + 2 / L3 + 1;
    const b = ndcgByGrade({ q: ['a', 'x', 'b'] }, { q: { a: 3, b: 2, c: 2, d: 1 } }, 3);
    expect(b.ndcg).toBeCloseTo(4 / ideal, 14);
    expect(b.meanDcg).toBe(4);
    expect(b.meanIdealDcg).toBeCloseTo(ideal, 14);
    expect(b.grades.map((g) => g.grade)).toEqual([3, 2, 1]);
    const [g3, g2, g1] = b.grades;
    expect(g3).toMatchObject({ judgedPerQuery: 1, foundShare: 1, meanRankFound: 1 });
    expect(g3.idealShare).toBeCloseTo(3 / ideal, 14);
    expect(g3.ndcgContribution).toBeCloseTo(3 / ideal, 14);
    expect(g2).toMatchObject({ judgedPerQuery: 2, foundShare: 0.5, meanRankFound: 3 });
    expect(g2.idealShare).toBeCloseTo((2 / L3 + 1) / ideal, 14);
    expect(g2.ndcgContribution).toBeCloseTo(1 / ideal, 14);
    expect(g1.idealShare).toBe(0);
    expect(g1.foundShare).toBe(0);
    expect(g1.meanRankFound).toBeNaN();
  });

  it('averages over every query of qrels: one missing from the run or without positive grades adds 0', () => {
    const b = ndcgByGrade({ q: ['a'] }, { q: { a: 1 }, missing: { a: 1 }, none: { z: 0 } }, 5);
    expect(b.ndcg).toBeCloseTo(1 / 3, 14);
    expect(b.grades[0].ndcgContribution).toBeCloseTo(1 / 3, 14);
    expect(b.grades[0].idealShare).toBeCloseTo(2 / 3, 14);
  });

  it('adds up to evaluateRun on the golden runs', () => {
    const golden = JSON.parse(readFileSync(new URL('../golden/metrics.json', import.meta.url), 'utf8')) as {
      cases: { k: number; run: Record<string, string[]>; qrels: Record<string, Qrels> }[];
    };
    for (const c of golden.cases) {
      const b = ndcgByGrade(c.run, c.qrels, c.k);
      const sum = b.grades.reduce((a, g) => a + g.ndcgContribution, 0);
      expect(Math.abs(b.ndcg - evaluateRun(c.run, c.qrels, c.k).mean.ndcg)).toBeLessThan(1e-12);
      expect(Math.abs(sum - b.ndcg)).toBeLessThan(1e-12);
      // Every query with a positive grade has its ideal split in full.
      const withIdeal = Object.values(c.qrels).filter((j) => Object.values(j).some((g) => g > 0)).length;
      const shares = b.grades.reduce((a, g) => a + g.idealShare, 0);
      expect(Math.abs(shares - withIdeal / Object.keys(c.qrels).length)).toBeLessThan(1e-12);
    }
  });
});
